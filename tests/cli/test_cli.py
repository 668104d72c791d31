"""The dyncreds command-line tool, driven as a user would from a shell.

Run by ctest with DYNCREDS_CLI (the built tool) and DYNCREDS_LOCAL_AWS (the
running local IAM/STS endpoint) set. Every command and format, bad input
(clear message, exit code, nothing changed), run as a daemon, and the real
AWS CLI (/usr/bin/aws) using the tool as its credential_process.
"""
import hashlib
import hmac as hmac_module
import json
import os
import pty
import signal
import sqlite3
import stat
import subprocess
import tempfile
import time
import unittest
import uuid

import botocore.session

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "local_aws"))
from ctl import seeds_root  # noqa: E402

CLI = os.environ["DYNCREDS_CLI"]
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
FEDERATION = {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "arn:aws:sts::*:federated-user/*"}
# What tidy adds to the seeds' policy to search for orphans (the README's "+ tidy").
TIDY = {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}


class CliTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.environ["DYNCREDS_LOCAL_AWS"]) as f:
            cls.endpoint = json.load(f)
        cls.url = cls.endpoint["endpoint"]  # the control plane
        cls.iam_url, cls.sts_url = cls.endpoint["iam_endpoint"], cls.endpoint["sts_endpoint"]

    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.addCleanup(self.temp.cleanup)
        self.home = self.temp.name
        # A private state directory and no AWS settings from the machine running the tests.
        self.env = {"PATH": os.environ["PATH"], "HOME": self.home, "XDG_STATE_HOME": os.path.join(self.home, "state")}
        self.mount = "cli" + uuid.uuid4().hex[:6]
        # The engine's root user holds the seeds' least-privilege policy, as a user following them would,
        # plus sts:GetFederationToken for the "fed" role (the README's federation_token policy).
        self.root = seeds_root(self.url, statements=[FEDERATION])

    def dc(self, *args, stdin=None, env=None, expect=0, mount=True):
        """Runs the tool; checks its exit code; returns stdout (stderr on failure)."""
        argv = [CLI] + list(args) + ([f"-mount={self.mount}"] if mount else [])
        result = subprocess.run(argv, input=stdin, capture_output=True, text=True, env={**self.env, **(env or {})},
                                timeout=60)
        self.assertEqual(result.returncode, expect, f"{args}: stdout {result.stdout!r} stderr {result.stderr!r}")
        return result.stdout if expect == 0 else result.stderr

    def dc_json(self, *args, **kwargs):
        return json.loads(self.dc(*args, "-format=json", **kwargs))

    def configure(self):
        self.dc("config", "write", "root", f"access_key={self.root['access_key_id']}",
                f"secret_key={self.root['secret_access_key']}", "region=us-east-1", f"iam_endpoint={self.iam_url}",
                f"sts_endpoint={self.sts_url}")
        self.dc("role", "write", "readonly", "credential_type=iam_user", f"policy_arns={READ_ONLY}")
        self.dc("role", "write", "fed", "credential_type=federation_token", f"policy_arns={READ_ONLY}")

    def state(self):
        """Everything the store says, to show that a refused command changed nothing."""
        return (self.dc("config", "read", "root", "-format=json"), self.dc("config", "read", "lease", "-format=json"),
                self.dc("role", "list", "-format=json"), self.dc("lease", "list", "-format=json"))

    def sts(self, key, secret, token=None):
        client = botocore.session.get_session().create_client(
            "sts", region_name="us-east-1", endpoint_url=self.sts_url, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token)
        self.addCleanup(client.close)
        return client


class CommandsTest(CliTestCase):
    def test_help_for_every_command(self):
        usage = self.dc("-help", mount=False)
        commands = [line.split("  ")[1].strip() for line in usage.splitlines() if line.startswith("  ") and
                    not line.strip().startswith("-") and line.split()[0] in
                    ("config", "role", "creds", "lease", "tidy", "run", "audit", "metrics", "server", "read", "write",
                     "list", "delete", "secrets", "token", "policy")]
        self.assertEqual(len(commands), 28)
        for command in commands:
            words = [w for w in command.split() if w.islower() and w.isalpha() or w == "rotate-root"]
            text = self.dc(*words, "--help", mount=False)
            self.assertIn("Usage: dyncreds " + " ".join(words), text)
            self.assertIn("Exit codes:", text)
        self.assertIn("Usage: dyncreds COMMAND", self.dc(expect=2, mount=False))

    def test_help_for_every_command_group(self):
        for group, subcommands in (("config", ["write", "read", "rotate-root"]), ("role", ["write", "read", "list", "delete"]),
                                   ("lease", ["lookup", "list", "renew", "revoke"]), ("audit", ["hmac"])):
            text = self.dc(group, "-help", mount=False)
            self.assertIn(f"Usage: dyncreds {group} SUBCOMMAND", text)
            for sub in subcommands:
                self.assertIn(f"  {group} {sub} ", text)
        self.assertIn('unknown command "bogus"', self.dc("bogus", "-help", expect=2, mount=False))

    def test_a_store_in_a_new_directory_is_created_private(self):
        store = os.path.join(self.home, "new", "dir", "store.db")
        self.dc("role", "write", "r", "credential_type=iam_user", f"-store={store}")
        for path in (os.path.join(self.home, "new"), os.path.dirname(store)):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(store).st_mode), 0o600)

    def test_state_directory_and_files_are_private(self):
        self.configure()
        state = os.path.join(self.home, "state", "dyncreds")
        self.assertEqual(stat.S_IMODE(os.stat(state).st_mode), 0o700)
        for name in ("store.db", "store.key"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(state, name)).st_mode), 0o600)
        with open(os.path.join(state, "store.db"), "rb") as f:
            self.assertNotIn(self.root["secret_access_key"].encode(), f.read())

    def test_config(self):
        self.configure()
        table = self.dc("config", "read", "root")
        self.assertIn(self.root["access_key_id"], table)
        self.assertNotIn(self.root["secret_access_key"], table)
        root = self.dc_json("config", "read", "root")
        self.assertEqual(root["access_key"], self.root["access_key_id"])
        self.assertNotIn("secret_key", root)
        self.dc("config", "write", "lease", "lease=1h", "lease_max=2h")
        self.assertEqual(self.dc_json("config", "read", "lease"), {"lease": "1h0m0s", "lease_max": "2h0m0s"})

    def test_root_keys_from_the_environment_and_a_profile(self):
        self.dc("config", "write", "root", "region=us-east-1",
                env={"AWS_ACCESS_KEY_ID": "AKIAFROMENVIRONMENT1", "AWS_SECRET_ACCESS_KEY": "s"})
        self.assertEqual(self.dc_json("config", "read", "root")["access_key"], "AKIAFROMENVIRONMENT1")
        credentials = os.path.join(self.home, "credentials")
        with open(credentials, "w") as f:
            f.write("[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = x\n"
                    "[ops]\naws_access_key_id = AKIAOPSPROFILE\naws_secret_access_key = y\n")
        self.dc("config", "write", "root", env={"AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "ops"})
        self.assertEqual(self.dc_json("config", "read", "root")["access_key"], "AKIAOPSPROFILE")
        before = self.state()
        error = self.dc("config", "write", "root", expect=2,
                        env={"AWS_ACCESS_KEY_ID": "ASIATEMP", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"})
        self.assertIn("temporary", error)
        error = self.dc("config", "write", "root", expect=2,
                        env={"AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "missing"})
        self.assertIn('profile "missing"', error)
        self.assertEqual(self.state(), before)

    def test_roles(self):
        self.configure()
        policy = os.path.join(self.home, "policy.json")
        with open(policy, "w") as f:
            json.dump({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*",
                                                               "Resource": "*"}]}, f)
        self.dc("role", "write", "s3", "credential_type=iam_user", f"policy_document=@{policy}",
                "iam_tags=team=infra", "max_active_leases=3")
        role = self.dc_json("role", "read", "s3")
        self.assertIn("s3:Get*", role["policy_document"])
        self.assertEqual((role["iam_tags"], role["max_active_leases"]), ({"team": "infra"}, 3))
        heredoc = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}'
        self.dc("role", "write", "ec2", "credential_type=federation_token", "policy_document=-", stdin=heredoc)
        self.assertIn("ec2:Describe*", self.dc_json("role", "read", "ec2")["policy_document"])
        self.assertIn("ec2:Describe*", self.dc("role", "read", "ec2"))
        self.assertEqual(self.dc_json("role", "list"), ["ec2", "fed", "readonly", "s3"])
        self.assertEqual(self.dc("role", "list").split(), ["Keys", "----", "ec2", "fed", "readonly", "s3"])
        self.dc("role", "delete", "ec2")
        self.assertEqual(self.dc_json("role", "list"), ["fed", "readonly", "s3"])

    def test_creds_in_every_format(self):
        self.configure()
        table = self.dc("creds", "readonly", "-ttl=30m", "-wait")
        rows = dict(line.split(None, 1) for line in table.splitlines()[2:])
        self.assertEqual(rows["lease_duration"], "1800")
        self.assertEqual(self.sts(rows["access_key"], rows["secret_key"]).get_caller_identity()["Arn"], rows["arn"])

        issued = self.dc_json("creds", "fed", "-ttl", "20m")
        self.assertEqual((issued["lease_duration"], issued["renewable"]), (1200, False))
        self.assertIn(":federated-user/", self.sts(issued["access_key"], issued["secret_key"],
                                                   issued["session_token"]).get_caller_identity()["Arn"])

        exported = self.dc("creds", "fed", "-format=env")
        shell = subprocess.run(["bash", "-c", exported + 'printf "%s\\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" '
                                                         '"$AWS_SESSION_TOKEN" "$DYNCREDS_LEASE_ID"'],
                               capture_output=True, text=True, check=True)
        key, secret, token, lease = shell.stdout.splitlines()
        self.assertTrue(lease.startswith(f"{self.mount}/creds/fed/"))
        self.assertIn(":federated-user/", self.sts(key, secret, token).get_caller_identity()["Arn"])
        self.assertIn("unset AWS_SESSION_TOKEN", self.dc("creds", "readonly", "-format=env"))

        for role, has_token in (("fed", True), ("readonly", False)):
            document = json.loads(self.dc("creds", role, "-format=credential-process"))
            self.assertEqual(document["Version"], 1)
            self.assertEqual(set(document), {"Version", "AccessKeyId", "SecretAccessKey", "Expiration"} |
                             ({"SessionToken"} if has_token else set()))
            self.assertRegex(document["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_vault_verbs_on_the_local_store(self):
        """read, write, list, delete, secrets and lease work without a server too (the API in-process)."""
        m = self.mount
        self.dc("write", f"{m}/config/root", f"access_key={self.root['access_key_id']}",
                f"secret_key={self.root['secret_access_key']}", "region=us-east-1", f"iam_endpoint={self.iam_url}",
                f"sts_endpoint={self.sts_url}")
        self.assertIn("Success! Data written to:", self.dc("write", f"{m}/roles/ro", "credential_type=iam_user",
                                                           f"policy_arns={READ_ONLY}"))
        self.assertEqual(self.dc("list", f"{m}/roles").split(), ["Keys", "----", "ro"])
        issued = self.dc_json("read", f"{m}/creds/ro")
        self.assertTrue(issued["lease_id"].startswith(f"{m}/creds/ro/"))
        table = self.dc("read", f"{m}/creds/ro")
        self.assertRegex(table, r"lease_id\s+" + m + r"/creds/ro/")
        self.assertIn(f"{m}/", self.dc("secrets", "list"))
        # The engine the older verbs open sees what the Vault verbs wrote.
        self.assertEqual(self.dc_json("role", "list"), ["ro"])
        self.assertEqual(len(self.dc_json("lease", "list")), 2)
        self.assertIn("Data deleted", self.dc("delete", f"{m}/roles/ro"))
        self.assertIn("no value found", self.dc("list", f"{m}/roles", expect=1))
        self.dc("lease", "revoke", "-prefix", f"{m}/creds/ro")
        self.assertEqual(self.dc_json("lease", "list"), [])
        self.assertIn("auth/aws/", self.dc("read", "auth/aws/creds/ro", expect=1))

    def test_leases(self):
        self.configure()
        issued = self.dc_json("creds", "readonly", "-ttl=10m")
        lease_id = issued["lease_id"]
        lease = self.dc_json("lease", "lookup", lease_id)
        self.assertEqual((lease["role"], lease["state"], lease["access_key_id"]),
                         ("readonly", "active", issued["access_key"]))
        self.assertIn("credential_type    iam_user", self.dc("lease", "lookup", lease_id))
        renewed = self.dc_json("lease", "renew", lease_id, "-increment=1h")
        self.assertGreater(renewed["expires_at"], lease["expires_at"])
        self.assertEqual(self.dc("lease", "list").split()[2:], [lease_id])
        self.assertEqual([l["id"] for l in self.dc_json("lease", "list", f"{self.mount}/creds/readonly/")], [lease_id])
        self.assertIn("Revoked lease: " + lease_id, self.dc("lease", "revoke", lease_id))
        self.assertIn("not_found", self.dc("lease", "lookup", lease_id, expect=1))

        for _ in range(3):
            self.dc("creds", "fed")
        self.assertIn("Revoked 3 leases under prefix", self.dc("lease", "revoke", "-prefix", f"{self.mount}/creds/fed/"))
        self.dc("creds", "readonly")
        report = self.dc_json("lease", "revoke", "-force", f"{self.mount}/creds/")
        self.assertEqual((len(report["revoked"]), report["dropped"]), (1, []))
        self.assertEqual(self.dc_json("lease", "list"), [])

    def test_long_operations_show_progress_on_a_terminal(self):
        self.configure()
        for _ in range(12):
            self.dc("creds", "fed")
        master, terminal = pty.openpty()
        try:
            result = subprocess.run([CLI, "lease", "revoke", "-prefix", f"{self.mount}/creds/", f"-mount={self.mount}"],
                                    stdout=subprocess.PIPE, stderr=terminal, text=True, env=self.env, timeout=60)
            os.close(terminal)
            terminal = None
            shown = b""
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the terminal's other end is closed
                    break
                if not chunk:
                    break
                shown += chunk
        finally:
            os.close(master)
            if terminal is not None:
                os.close(terminal)
        self.assertEqual(result.returncode, 0)
        self.assertIn(b"\rrevoking: 12 of 12", shown)
        self.assertIn("Revoked 12 leases under prefix", result.stdout)  # the summary
        # Not a terminal: no progress lines, only the summary.
        quiet = subprocess.run([CLI, "tidy", f"-mount={self.mount}"], capture_output=True, text=True, env=self.env)
        self.assertEqual((quiet.returncode, quiet.stderr), (0, ""))
        self.assertIn("Tidy:", quiet.stdout)

    def test_tidy_without_list_users_says_what_it_lacks(self):
        self.configure()
        out = self.dc("tidy")
        self.assertIn("1 failures", out)
        self.assertIn("orphan search", out)
        self.assertIn("iam:ListUsers", out)

    def test_tidy_and_rotate_root(self):
        self.root = seeds_root(self.url, statements=[FEDERATION, TIDY])
        self.configure()
        # An administrator plays someone who left a user behind.
        iam = botocore.session.get_session().create_client(
            "iam", region_name="us-east-1", endpoint_url=self.iam_url, aws_access_key_id=self.endpoint["access_key_id"],
            aws_secret_access_key=self.endpoint["secret_access_key"])
        self.addCleanup(iam.close)
        orphan = "vault-orphan-" + uuid.uuid4().hex[:8]
        iam.create_user(UserName=orphan, Tags=[{"Key": "dyncreds-lease", "Value": f"{self.mount}/creds/x/gone"},
                                               {"Key": "dyncreds-mount", "Value": self.mount}])
        self.assertEqual(self.dc_json("tidy")["orphans"], [orphan])
        self.assertIn(f"orphan {orphan}", self.dc("tidy"))
        self.assertIn("1 orphaned IAM users found, 1 deleted", self.dc("tidy", "-delete-orphans"))
        self.assertEqual(self.dc_json("tidy")["orphans"], [])

        # rotate-root needs nothing beyond the seeds' policy: the root user is itself a vault-* user.
        new_key = self.dc_json("config", "rotate-root")["access_key"]
        keys = iam.list_access_keys(UserName=self.root["user_name"])["AccessKeyMetadata"]
        self.assertEqual([k["AccessKeyId"] for k in keys], [new_key])
        self.dc("creds", "fed")  # the new key works

    def test_run_revokes_on_expiry_and_stops_on_sigterm(self):
        self.configure()
        issued = self.dc_json("creds", "readonly", "-ttl=2s", "-wait")
        daemon = subprocess.Popen([CLI, "run", f"-mount={self.mount}", "-poll-interval=1s"], env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while self.dc_json("lease", "list") and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(self.dc_json("lease", "list"), [])
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, log = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, log)
        self.assertIn("revoked expired lease " + issued["lease_id"], log)
        self.assertIn("stopping on SIGTERM", log)
        self.assertTrue(log.rstrip().endswith("info stopped"), log)
        self.assertNotIn(issued["secret_key"], log)
        # IAM is eventually consistent: the deleted key dies within seconds.
        sts = self.sts(issued["access_key"], issued["secret_key"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                sts.get_caller_identity()
            except Exception as refused:
                self.assertIn("InvalidClientTokenId", str(refused))
                break
            time.sleep(0.1)
        else:
            self.fail("the revoked key still works after 30 s")


class MountsTest(CliTestCase):
    """Seed 003: a second mount (-mount=aws-us-west-2 in the seed) in the same store."""

    def configure_two_mounts(self):
        """This test's mount and a second one, "<mount>-west", each with a readonly role; returns the second."""
        self.configure()
        west = self.mount + "-west"
        self.dc("config", "write", "root", f"access_key={self.root['access_key_id']}",
                f"secret_key={self.root['secret_access_key']}", f"iam_endpoint={self.iam_url}", f"sts_endpoint={self.sts_url}",
                f"-mount={west}", mount=False)
        self.dc("role", "write", "readonly", "credential_type=iam_user", f"-mount={west}", mount=False)
        return west

    def test_prefixes_read_by_segment_and_other_mounts_leases_not_found(self):
        west = self.configure_two_mounts()
        self.dc_json("creds", "readonly")
        there = json.loads(self.dc("creds", "readonly", "-format=json", f"-mount={west}", mount=False))["lease_id"]
        self.assertIn("no lease", self.dc("lease", "lookup", there, expect=1))
        self.assertIn("no lease", self.dc("lease", "revoke", there, expect=1))
        self.assertIn("Revoked 1 leases", self.dc("lease", "revoke", "-prefix", self.mount))  # "aws" means "aws/"
        self.assertEqual([l["id"] for l in json.loads(self.dc("lease", "list", "-format=json", f"-mount={west}",
                                                             mount=False))], [there])
        self.assertEqual(self.dc_json("lease", "list"), [])

    def test_run_serves_every_mount_in_the_store(self):
        west = self.configure_two_mounts()
        self.dc_json("creds", "readonly", "-ttl=2s")
        self.dc("creds", "readonly", "-ttl=2s", f"-mount={west}", mount=False)
        daemon = subprocess.Popen([CLI, "run", f"-mount={self.mount}", "-poll-interval=1s"], env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            def remaining():
                return self.dc_json("lease", "list") + json.loads(
                    self.dc("lease", "list", "-format=json", f"-mount={west}", mount=False))
            while remaining() and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(remaining(), [])
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, log = daemon.communicate(timeout=30)
        self.assertIn(f"running for mounts {self.mount}, {west}", log)


class AuditTest(CliTestCase):
    def test_audit_file_caller_and_hmac(self):
        log = os.path.join(self.home, "audit.log")
        self.configure()
        issued = self.dc_json("creds", "fed", f"-audit-file={log}")
        self.dc("lease", "revoke", issued["lease_id"], f"-audit-file={log}")
        with open(log) as f:
            events = [json.loads(line) for line in f]
        self.assertEqual([e["operation"] for e in events], ["creds.issue", "lease.revoke"])
        self.assertTrue(events[0]["caller"].startswith("cli:"))
        self.assertEqual(stat.S_IMODE(os.stat(log).st_mode), 0o600)
        with open(log) as f:
            text = f.read()
        self.assertNotIn(issued["secret_key"], text)
        self.assertNotIn(issued["session_token"], text)
        hmac = self.dc_json("audit", "hmac", "-", stdin=issued["secret_key"])["hmac"]
        self.assertEqual(hmac, events[0]["secret_key_hmac"])
        # Computed independently: HMAC-SHA256 keyed with the store's audit salt (read from the database).
        with sqlite3.connect(f"file:{os.path.join(self.home, 'state', 'dyncreds', 'store.db')}?mode=ro", uri=True) as db:
            (salt,) = db.execute("SELECT json FROM config WHERE mount = '' AND key = 'audit/salt'").fetchone()
        self.assertEqual(len(salt), 64)
        expected = "hmac-sha256:" + hmac_module.new(salt.encode(), issued["secret_key"].encode(), hashlib.sha256).hexdigest()
        self.assertEqual(events[0]["secret_key_hmac"], expected)
        self.assertEqual(self.dc_json("audit", "hmac", issued["session_token"])["hmac"], events[0]["session_token_hmac"])

    def test_an_audit_file_that_cannot_be_written_refuses_issuance(self):
        self.configure()
        error = self.dc("creds", "readonly", "-audit-file=/dev/full", expect=1)
        self.assertIn("the audit log could not record creds.issue", error)
        self.assertIn("the credential was revoked at once", error)
        self.assertEqual(self.dc_json("lease", "list"), [])
        error = self.dc("role", "write", "extra", "credential_type=federation_token", f"policy_arns={READ_ONLY}",
                        "-audit-file=/dev/full", expect=1)
        self.assertIn("nothing was changed", error)
        self.assertEqual(self.dc_json("role", "list"), ["fed", "readonly"])

    def test_metrics_prints_prometheus_text_with_lease_gauges(self):
        self.configure()
        self.dc("creds", "readonly")
        self.dc("creds", "readonly")
        text = self.dc("metrics")
        self.assertIn("# TYPE dyncreds_leases gauge", text)
        self.assertIn(f'dyncreds_leases{{mount="{self.mount}",role="readonly",state="active"}} 2', text)
        self.assertIn(f'dyncreds_pending_issuances{{mount="{self.mount}"}} 0', text)

    def test_run_reopens_the_audit_file_on_sighup(self):
        self.configure()
        log = os.path.join(self.home, "audit.log")
        daemon = subprocess.Popen([CLI, "run", f"-mount={self.mount}", f"-audit-file={log}"], env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not os.path.exists(log) and time.monotonic() < deadline:
                time.sleep(0.05)
            os.rename(log, log + ".1")  # logrotate's move...
            daemon.send_signal(signal.SIGHUP)  # ...and its postrotate signal
            while not os.path.exists(log) and time.monotonic() < deadline:  # reopened: a new file
                time.sleep(0.05)
            self.assertTrue(os.path.exists(log), "run did not reopen the audit file")
            # Only now a lease that expires, so its revocation can only land in the new file.
            issued = self.dc_json("creds", "readonly", "-ttl=2s")
            while self.dc_json("lease", "list") and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=30)
        self.assertEqual(daemon.returncode, 0, stderr)
        self.assertIn("audit file reopened", stderr)
        with open(log) as f:
            events = [json.loads(line) for line in f]
        self.assertEqual([(e["operation"], e["reason"], e["lease_id"]) for e in events],
                         [("lease.revoke", "expired", issued["lease_id"])])
        self.assertNotIn("caller", events[0])  # the engine's own work


class BadInputTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.configure()
        self.before = self.state()

    def tearDown(self):
        self.assertEqual(self.state(), self.before, "a refused command changed the store")

    def test_unknown_command_and_flags(self):
        self.assertIn('unknown command "frobnicate"', self.dc("frobnicate", expect=2))
        self.assertIn('unknown command "role frob"', self.dc("role", "frob", expect=2))
        self.assertIn("unknown flag", self.dc("role", "list", "-colour=red", expect=2))
        self.assertIn("not a flag of this command", self.dc("role", "list", "-ttl=1h", expect=2))
        self.assertIn("wrong number of arguments", self.dc("role", "read", expect=2))
        self.assertIn("needs a value", self.dc(f"-mount={self.mount}", "creds", "fed", "-ttl", mount=False, expect=2))
        self.assertIn("format", self.dc("role", "list", "-format=yaml", expect=2))
        self.assertIn("formats of creds only", self.dc("role", "list", "-format=env", expect=2))

    def test_bad_key_value(self):
        self.assertIn("expected key=value", self.dc("role", "write", "x", "credential_type", expect=2))
        self.assertIn("is given twice", self.dc("role", "write", "x", "a=1", "a=2", expect=2))
        self.assertIn("cannot read file", self.dc("role", "write", "x", "policy_document=@/nonexistent", expect=2))
        self.assertIn("unknown field", self.dc("role", "write", "x", "credential_type=iam_user", "colour=red", expect=2))
        self.assertIn("credential_type", self.dc("role", "write", "x", "credential_type=wizard", expect=2))
        self.assertIn("config name must be root or lease", self.dc("config", "write", "other", "a=b", expect=2))

    def test_invalid_ttl(self):
        error = self.dc("creds", "fed", "-ttl=soon", expect=2)
        self.assertIn("ttl", error)
        self.assertIn("not a duration", error)
        self.assertIn("lease", self.dc("config", "write", "lease", "lease=forever", "lease_max=1h", expect=2))
        self.assertIn("increment", self.dc("lease", "renew", "x", "-increment=never", expect=2))

    def test_missing_role_and_lease(self):
        self.assertIn('role "ghost" not found', self.dc("creds", "ghost", expect=1))
        self.assertIn("not_found", self.dc("role", "read", "ghost", expect=1))
        self.assertIn("not_found", self.dc("lease", "revoke", f"{self.mount}/creds/x/none", expect=1))

    def test_bad_json_policy(self):
        error = self.dc("role", "write", "x", "credential_type=iam_user", 'policy_document={"Statement": [', expect=2)
        self.assertIn("policy_document: looks like JSON but does not parse", error)
        error = self.dc("role", "write", "x", "credential_type=iam_user", "policy_document=-", stdin="{oops", expect=2)
        self.assertIn("policy_document", error)


class AwsCliTest(CliTestCase):
    def test_aws_cli_uses_the_tool_as_credential_process(self):
        self.configure()
        config = os.path.join(self.home, "aws-config")
        for role in ("fed", "readonly"):
            wait = " -wait" if role == "readonly" else ""
            with open(config, "w") as f:
                f.write(f"[profile dyncreds]\nregion = us-east-1\n"
                        f"credential_process = {CLI} creds {role} -mount={self.mount} -format=credential-process{wait}\n")
            result = subprocess.run(
                ["/usr/bin/aws", "sts", "get-caller-identity", "--profile", "dyncreds", "--endpoint-url", self.sts_url,
                 "--output", "json"],
                capture_output=True, text=True, timeout=120,
                env={**self.env, "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                     "AWS_PAGER": ""})
            self.assertEqual(result.returncode, 0, result.stderr)
            arn = json.loads(result.stdout)["Arn"]
            leases = self.dc_json("lease", "list", f"{self.mount}/creds/{role}/")
            self.assertEqual(len(leases), 1)
            self.assertEqual(arn, leases[0]["arn"])
            self.assertIn(":federated-user/" if role == "fed" else ":user/", arn)


if __name__ == "__main__":
    unittest.main()
