"""The Python binding against the local IAM/STS endpoint.

Run by ctest with DYNCREDS_LIBRARY (the built libdyncreds) and
DYNCREDS_LOCAL_AWS (the running endpoint's endpoint.json) set; botocore is
the independent client that uses the issued keys.
"""
import base64
import datetime
import json
import os
import stat
import tempfile
import threading
import time
import unittest
import uuid
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.session

import dyncreds
from dyncreds import _native

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "local_aws"))
from ctl import seeds_root  # noqa: E402

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# Beyond the seeds' policy, these tests issue federation tokens and tidy: the
# README's policies for those features.
EXTRA_STATEMENTS = [
    {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "arn:aws:sts::*:federated-user/*"},
    {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
]


def load_endpoint():
    with open(os.environ["DYNCREDS_LOCAL_AWS"]) as f:
        return json.load(f)


def refused_within(sts, seconds=30):
    """The error code once AWS refuses the client's key: IAM is eventually
    consistent, so a deleted key may work for a few seconds more."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            sts.get_caller_identity()
        except botocore.exceptions.ClientError as refused:
            return refused.response["Error"]["Code"]
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


class EngineTestCase(unittest.TestCase):
    """An engine (host-driven, in memory) configured for the local endpoint."""

    @classmethod
    def setUpClass(cls):
        cls.endpoint = load_endpoint()
        cls.session = botocore.session.get_session()
        cls.root = seeds_root(cls.endpoint["endpoint"], statements=EXTRA_STATEMENTS)

    def setUp(self):
        self.events = []
        self.lines = []
        self.engine = self.open_engine()

    def tearDown(self):
        self.engine.close()

    def open_engine(self, **options):
        options.setdefault("worker", False)
        options.setdefault("log", lambda level, line: self.lines.append((level, line)))
        options.setdefault("audit", self.events.append)
        engine = dyncreds.Engine(**options)
        engine.write_root_config(access_key=self.root["access_key_id"],
                                 secret_key=self.root["secret_access_key"], region="us-east-1",
                                 iam_endpoint=self.endpoint["iam_endpoint"],
                                 sts_endpoint=self.endpoint["sts_endpoint"])
        return engine

    def sts_client(self, creds):
        config = botocore.config.Config(retries={"total_max_attempts": 1})
        client = self.session.create_client("sts", region_name="us-east-1", endpoint_url=self.endpoint["sts_endpoint"],
                                            aws_access_key_id=creds.access_key,
                                            aws_secret_access_key=creds.secret_key,
                                            aws_session_token=creds.session_token or None, config=config)
        self.addCleanup(client.close)
        return client


class LifecycleTest(EngineTestCase):
    def test_iam_user_issue_use_renew_revoke(self):
        self.engine.write_lease_config("1h", "2h")
        self.engine.write_role("reader", credential_type="iam_user", policy_arns=[READ_ONLY])
        creds = self.engine.issue("reader", ttl="30m", wait_until_usable=True)
        self.assertTrue(creds.lease_id.startswith("aws/creds/reader/"))
        self.assertEqual(creds.lease_duration, 1800)
        self.assertTrue(creds.renewable)
        self.assertNotIn(creds.secret_key, repr(creds))

        identity = self.sts_client(creds).get_caller_identity()
        self.assertEqual(identity["Arn"], creds.arn)
        self.assertTrue(identity["Arn"].endswith("/" + creds.user_name))

        lease = self.engine.lookup(creds.lease_id)
        self.assertEqual((lease.role, lease.credential_type, lease.state), ("reader", "iam_user", "active"))
        self.assertEqual(lease.access_key_id, creds.access_key)
        renewed = self.engine.renew(creds.lease_id, 3600)
        self.assertGreater(renewed.expires_at, lease.expires_at)
        self.assertLessEqual(renewed.expires_at, lease.max_expires_at)
        self.assertEqual([l.id for l in self.engine.list_leases("aws/creds/")], [creds.lease_id])

        self.engine.revoke(creds.lease_id)
        with self.assertRaises(dyncreds.NotFound):
            self.engine.lookup(creds.lease_id)
        self.assertEqual(refused_within(self.sts_client(creds)), "InvalidClientTokenId")

        operations = [e["operation"] for e in self.events]
        self.assertEqual(operations, ["config.write", "config.write", "role.write", "creds.issue", "lease.renew",
                                      "lease.revoke"])
        self.assertEqual(self.events[3]["access_key_id"], creds.access_key)
        everything = json.dumps(self.events) + json.dumps(self.lines)
        self.assertNotIn(creds.secret_key, everything)
        self.assertNotIn(self.root["secret_access_key"], everything)

    def test_federation_token_and_expiry(self):
        self.engine.write_role("fed", {"credential_type": "federation_token", "policy_arns": [READ_ONLY]},
                               default_sts_ttl="15m")
        creds = self.engine.issue("fed")
        self.assertFalse(creds.renewable)
        self.assertTrue(creds.session_token)
        self.assertEqual(creds.lease_duration, 900)
        self.assertIsNotNone(creds.expiration.tzinfo)
        self.assertIn(":federated-user/", self.sts_client(creds).get_caller_identity()["Arn"])
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            self.engine.renew(creds.lease_id)
        self.assertEqual(e.exception.field, "lease_id")
        self.assertEqual(self.engine.revoke_prefix("aws/creds/fed/"), 1)
        self.assertEqual(self.engine.list_leases(), [])

    def test_tidy_force_revoke_and_tick(self):
        self.engine.write_role("reader", credential_type="iam_user", policy_arns=[READ_ONLY])
        creds = self.engine.issue("reader")
        report = self.engine.revoke_force("aws/creds/reader/")
        self.assertEqual(report.revoked, [creds.lease_id])
        self.assertEqual(report.dropped, [])
        tidy = self.engine.tidy(path_prefix="/", delete_orphans=False)
        self.assertEqual((tidy.rolled_back, tidy.deleted, tidy.irrevocable), ([], [], []))
        self.assertEqual(self.engine.tick(), 0)
        self.assertEqual(self.engine.read_root_config()["access_key"], self.root["access_key_id"])

    def test_rotate_root(self):
        # A root user of its own (the seeds' policy covers its own keys):
        # rotating the shared one would pull it from under the other tests.
        iam = self.session.create_client("iam", region_name="us-east-1", endpoint_url=self.endpoint["iam_endpoint"],
                                         aws_access_key_id=self.endpoint["access_key_id"],
                                         aws_secret_access_key=self.endpoint["secret_access_key"])
        self.addCleanup(iam.close)
        key = seeds_root(self.endpoint["endpoint"], statements=EXTRA_STATEMENTS)
        user = key["user_name"]
        key = {"AccessKeyId": key["access_key_id"], "SecretAccessKey": key["secret_access_key"]}
        self.engine.write_root_config(access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"],
                                      region="us-east-1", iam_endpoint=self.endpoint["iam_endpoint"],
                                      sts_endpoint=self.endpoint["sts_endpoint"])
        new_key = self.engine.rotate_root()
        self.assertNotEqual(new_key, key["AccessKeyId"])
        keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
        self.assertEqual([k["AccessKeyId"] for k in keys], [new_key])
        self.assertEqual(self.engine.read_root_config()["access_key"], new_key)
        self.assertEqual(self.events[-1]["operation"], "config.rotate_root")
        self.engine.write_role("fed", credential_type="federation_token", policy_arns=[READ_ONLY])
        self.assertTrue(self.engine.issue("fed").access_key.startswith("ASIA"))  # the new key works


class ErrorTest(EngineTestCase):
    def test_every_status_has_its_exception(self):
        for status in range(1, 15):
            kind = dyncreds.errors._BY_STATUS[status]
            self.assertTrue(issubclass(kind, dyncreds.DyncredsError))
            self.assertEqual(kind.code, _native.lib.dyncreds_status_name(status).decode())

    def test_bad_input_names_the_field_and_changes_nothing(self):
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            self.engine.write_role("r", credential_type="iam_user", policy_arns=7)
        self.assertEqual(e.exception.field, "policy_arns")
        self.assertEqual(self.engine.list_roles(), [])
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            self.engine.write_lease_config("forever", "2h")
        self.assertEqual(e.exception.field, "lease")
        self.assertEqual(self.engine.read_lease_config()["lease"], "768h0m0s")
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            self.engine.issue("r", ttl=[1])
        self.assertEqual(e.exception.field, "ttl")
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            dyncreds.Engine(mount="a/b")
        self.assertEqual(e.exception.field, "mount")
        with self.assertRaises(ValueError):
            dyncreds.Engine(log_level="loud")

    def test_bad_json_reaches_the_library_as_a_clear_error(self):
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            _native.call(_native.lib.dyncreds_role_write, self.engine._handle, b"r", b"{not json")
        self.assertIn("JSON", e.exception.message)

    def test_null_like_misuse(self):
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            self.engine.issue(None)
        self.assertEqual(e.exception.field, "role")
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            self.engine.lookup(None)
        self.assertEqual(e.exception.field, "lease_id")
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            _native.call(_native.lib.dyncreds_lease_revoke, None, b"x")
        self.assertEqual(e.exception.field, "engine")

    def test_unknown_role_and_lease(self):
        with self.assertRaises(dyncreds.NotFound) as e:
            self.engine.issue("nope")
        self.assertIn('role "nope" not found', str(e.exception))
        with self.assertRaises(dyncreds.NotFound):
            self.engine.revoke("aws/creds/nope/123")
        self.assertEqual(self.events[-1]["outcome"], "failure")

    def test_aws_errors_keep_code_and_request_id(self):
        self.engine.write_role("assumer", credential_type="assumed_role",
                               role_arns=["arn:aws:iam::123456789012:role/does-not-exist"])
        with self.assertRaises(dyncreds.PermissionDenied) as e:
            self.engine.issue("assumer")
        self.assertEqual(e.exception.aws_code, "AccessDenied")
        self.assertEqual(e.exception.http_status, 403)
        self.assertTrue(e.exception.request_id)
        self.assertEqual(self.events[-1]["error"]["request_id"], e.exception.request_id)

    def test_closed_engine_and_context_manager(self):
        with self.open_engine() as engine:
            engine.write_role("r", credential_type="federation_token", policy_arns=[READ_ONLY])
        with self.assertRaises(dyncreds.Unavailable):
            engine.list_roles()
        engine.close()  # idempotent

    def test_a_failing_audit_function_stops_the_change_and_is_logged(self):
        def broken(event):
            raise IOError("audit disk full")
        with self.assertRaises(dyncreds.Unavailable) as e:
            self.open_engine(audit=broken)  # config/root itself is refused
        self.assertIn("the audit log could not record config.write", str(e.exception))
        self.assertTrue(any(level == "error" and "audit event config.write aws/config/root was not recorded" in line
                            for level, line in self.lines), self.lines)
        engine = self.open_engine(audit=broken, audit_fail_open=True)
        self.addCleanup(engine.close)
        engine.write_role("r", credential_type="federation_token", policy_arns=[READ_ONLY])
        self.assertEqual(engine.list_roles(), ["r"])


class AuditTest(EngineTestCase):
    def test_hmac_caller_and_audit_file(self):
        temp = tempfile.TemporaryDirectory()
        self.addCleanup(temp.cleanup)
        path = os.path.join(temp.name, "audit.log")
        engine = self.open_engine(audit_file=path)
        self.addCleanup(engine.close)
        engine.write_role("fed", credential_type="federation_token", policy_arns=[READ_ONLY])
        with dyncreds.caller({"user": "alice", "ticket": "OPS-1"}):
            creds = engine.issue("fed")
        issued = self.events[-1]
        self.assertEqual(issued["caller"], {"user": "alice", "ticket": "OPS-1"})
        self.assertEqual(issued["secret_key_hmac"], engine.audit_hmac(creds.secret_key))
        self.assertEqual(issued["session_token_hmac"], engine.audit_hmac(creds.session_token))
        os.rename(path, path + ".1")
        engine.audit_reopen()
        engine.revoke(creds.lease_id)
        with open(path + ".1") as f:
            before = [json.loads(line)["operation"] for line in f]
        with open(path) as f:
            after = [json.loads(line) for line in f]
        self.assertEqual(before, ["config.write", "role.write", "creds.issue"])
        self.assertEqual([e["operation"] for e in after], ["lease.revoke"])
        self.assertNotIn("caller", after[0])  # the caller was named for the block only
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path + ".1") as f:
            text = f.read()
        self.assertNotIn(creds.secret_key, text)
        self.assertNotIn(creds.session_token, text)
        metrics = engine.metrics()
        self.assertIn('dyncreds_operations_total{mount="aws",operation="issue",credential_type="federation_token",'
                      'outcome="success"} 1', metrics)
        self.assertIn('dyncreds_aws_calls_total{mount="aws",action="sts:GetFederationToken"} 1', metrics)


class DurableStoreTest(EngineTestCase):
    def test_leases_survive_reopening_and_the_file_is_private(self):
        temp = tempfile.TemporaryDirectory()
        self.addCleanup(temp.cleanup)
        directory = temp.name
        key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        path = os.path.join(directory, "leases.db")
        with self.open_engine(store=path, store_key=key) as engine:
            engine.write_role("fed", credential_type="federation_token", policy_arns=[READ_ONLY])
            creds = engine.issue("fed")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path, "rb") as f:
            self.assertNotIn(creds.secret_key.encode(), f.read())
        with dyncreds.Engine(store=path, store_key=key, worker=False) as engine:
            self.assertEqual(engine.lookup(creds.lease_id).role, "fed")
            self.assertEqual(engine.list_roles(), ["fed"])
        with self.assertRaises(dyncreds.EncryptionKeyError):
            dyncreds.Engine(store=path, store_key="HyAdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=")


class ConcurrencyTest(EngineTestCase):
    def test_threads_issue_at_once(self):
        self.engine.close()
        self.engine = self.open_engine(worker=True)
        self.engine.write_role("fed", credential_type="federation_token", policy_arns=[READ_ONLY])
        issued, errors = [], []

        def work():
            try:
                for _ in range(5):
                    issued.append(self.engine.issue("fed").lease_id)
            except Exception as e:  # collected and reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(set(issued)), 40)
        self.assertEqual(sorted(l.id for l in self.engine.list_leases("aws/creds/fed/")), sorted(issued))


class SigningTest(unittest.TestCase):
    def test_matches_botocore(self):
        request = dict(method="POST", url="https://sts.amazonaws.com/", region="us-east-1", service="sts",
                       headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                       body="Action=GetCallerIdentity&Version=2011-06-15", access_key="AKIDEXAMPLE",
                       secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session_token="token",
                       time="2015-08-30T12:36:00Z")
        ours = dyncreds.sign_request(**request)

        theirs = botocore.awsrequest.AWSRequest(method="POST", url=request["url"], data=request["body"],
                                                headers=dict(request["headers"]))
        credentials = botocore.credentials.Credentials(request["access_key"], request["secret_key"], "token")
        signer = botocore.auth.SigV4Auth(credentials, "sts", "us-east-1")
        with mock.patch("botocore.auth.datetime") as fake:
            fake.datetime.utcnow.return_value = datetime.datetime(2015, 8, 30, 12, 36, 0)
            signer.add_auth(theirs)
        self.assertEqual(ours["X-Amz-Date"], "20150830T123600Z")
        self.assertEqual(ours["X-Amz-Security-Token"], "token")
        self.assertEqual(ours["Authorization"], theirs.headers["Authorization"])

    def test_bad_request_names_the_field(self):
        with self.assertRaises(dyncreds.InvalidArgument) as e:
            dyncreds.sign_request("GET", "https://x/", region="r", service="s", access_key="a", secret_key="s",
                                  time="yesterday")
        self.assertEqual(e.exception.field, "time")

    def test_version(self):
        self.assertRegex(dyncreds.version(), r"^\d+\.\d+\.\d+$")


class ServerTest(EngineTestCase):
    def test_server_on_a_socket_and_through_handle(self):
        import urllib.request
        temp = tempfile.TemporaryDirectory()
        self.addCleanup(temp.cleanup)
        store = os.path.join(temp.name, "store.db")
        key = base64.b64encode(os.urandom(32)).decode()
        with dyncreds.Server(store=store, store_key=key, listen_address="127.0.0.1:0",
                             default_mounts=["aws"]) as server:
            self.assertTrue(server.root_token.startswith("hvs."))
            self.assertGreater(server.port, 0)
            base = f"http://127.0.0.1:{server.port}/v1"
            with urllib.request.urlopen(f"{base}/sys/health", timeout=10) as reply:
                self.assertFalse(json.loads(reply.read())["sealed"])
            root = {"access_key": self.root["access_key_id"], "secret_key": self.root["secret_access_key"],
                    "region": "us-east-1", "iam_endpoint": self.endpoint["iam_endpoint"]}
            request = urllib.request.Request(f"{base}/aws/config/root", data=json.dumps(root).encode(), method="POST",
                                             headers={"X-Vault-Token": server.root_token})
            with urllib.request.urlopen(request, timeout=10) as reply:
                self.assertEqual(reply.status, 204)
            token = server.root_token
        # The same store again, served without a socket: the root token is
        # not made twice, and the mount and its config are still there.
        with dyncreds.Server(store=store, store_key=key, listen_address="") as server:
            self.assertIsNone(server.root_token)
            self.assertEqual(server.port, 0)
            status, content_type, body = server.handle("GET", "/v1/aws/config/root", {"X-Vault-Token": token})
            self.assertEqual((status, content_type), (200, "application/json"))
            self.assertEqual(json.loads(body)["data"]["access_key"], self.root["access_key_id"])
            self.assertEqual(server.handle("GET", "/v1/aws/config/root", {"X-Vault-Token": "wrong"})[0], 403)
            with self.assertRaises(dyncreds.InvalidArgument) as bad:
                dyncreds.Server(store=":memory:", listen_address="", threads=0)
            self.assertEqual(bad.exception.field, "threads")


if __name__ == "__main__":
    unittest.main()
