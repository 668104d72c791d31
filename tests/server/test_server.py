"""`dyncreds server` driven by independent clients: curl exactly as seed 004
writes it, python3-hvac in its LIST and strict_http modes, and botocore using
the keys it hands out. The engine's root user holds the seeds' least-privilege
policy on the local IAM/STS endpoint.

Run by ctest with DYNCREDS_CLI (the built tool) and DYNCREDS_LOCAL_AWS (the
running local endpoint) set.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import botocore.exceptions
import botocore.session
import hvac

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "local_aws"))
sys.path.insert(0, HERE)
from ctl import seeds_root  # noqa: E402
from server_process import ServerProcess  # noqa: E402

CLI = os.environ["DYNCREDS_CLI"]
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
S3_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
FEDERATION = {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "arn:aws:sts::*:federated-user/*"}


def curl(*args):
    """curl as a user types it; returns (HTTP status, body)."""
    result = subprocess.run(["curl", "--silent", "--show-error", "--write-out", "\n%{http_code}", *args],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"curl {args}: exit {result.returncode}: {result.stderr}")
    body, _, status = result.stdout.rpartition("\n")
    return int(status), body


class ServerTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.environ["DYNCREDS_LOCAL_AWS"]) as f:
            cls.endpoint = json.load(f)
        cls.iam_url, cls.sts_url = cls.endpoint["iam_endpoint"], cls.endpoint["sts_endpoint"]
        cls.admin = botocore.session.get_session().create_client(
            "iam", region_name="us-east-1", endpoint_url=cls.iam_url,
            aws_access_key_id=cls.endpoint["access_key_id"], aws_secret_access_key=cls.endpoint["secret_access_key"])

    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.addCleanup(self.temp.cleanup)
        self.token = "hvs." + uuid.uuid4().hex
        self.server = self.start_server(root_token=self.token)

    def start_server(self, *args, **kwargs):
        env = {"PATH": os.environ["PATH"], "HOME": self.temp.name}
        server = ServerProcess(CLI, *args, env=env, **kwargs)
        self.addCleanup(server.kill)
        return server

    def stop_server(self, server):
        self.assertEqual(server.stop(), 0, server.output())

    def root_user(self, statements=()):
        return seeds_root(self.endpoint["endpoint"], statements=list(statements))

    def root_config(self, root):
        return {"access_key": root["access_key_id"], "secret_key": root["secret_access_key"],
                "region": "us-east-1", "iam_endpoint": self.iam_url, "sts_endpoint": self.sts_url}

    def caller_arn(self, key, secret, token=None, timeout=30):
        """sts:GetCallerIdentity with the keys, waiting out IAM's propagation of a new key."""
        client = botocore.session.get_session().create_client(
            "sts", region_name="us-east-1", endpoint_url=self.sts_url, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token)
        deadline = time.time() + timeout
        while True:
            try:
                return client.get_caller_identity()["Arn"]
            except botocore.exceptions.ClientError as e:
                if e.response["Error"]["Code"] != "InvalidClientTokenId" or time.time() > deadline:
                    raise
                time.sleep(0.5)

    def user_exists(self, name):
        try:
            self.admin.get_user(UserName=name)
            return True
        except self.admin.exceptions.NoSuchEntityException:
            return False


class CurlTest(ServerTestCase):
    def test_seed_004_with_curl(self):
        """Seed 004's steps over the HTTP API, the read exactly as the seed's curl line."""
        url, header = self.server.url, f"X-Vault-Token: {self.token}"
        root = self.root_user()
        status, body = curl("--header", header, "--request", "POST", "--data", json.dumps(self.root_config(root)),
                            f"{url}/v1/aws/config/root")
        self.assertEqual((status, body), (204, ""))
        status, _ = curl("--header", header, "--request", "POST", "--data",
                         json.dumps({"credential_type": "iam_user", "policy_document": S3_ALL, "ttl": "30m",
                                     "max_ttl": "1h"}), f"{url}/v1/aws/roles/my-role")
        self.assertEqual(status, 204)

        status, body = curl("--header", header, "--request", "GET", f"{url}/v1/aws/creds/my-role")
        self.assertEqual(status, 200, body)
        reply = json.loads(body)
        self.assertEqual(set(reply), {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info",
                                      "warnings", "auth", "mount_type"})
        self.assertTrue(reply["lease_id"].startswith("aws/creds/my-role/"))
        self.assertEqual((reply["renewable"], reply["lease_duration"], reply["mount_type"]), (True, 1800, "aws"))
        data = reply["data"]
        self.assertEqual(set(data), {"access_key", "secret_key", "session_token"})
        self.assertIsNone(data["session_token"])
        arn = self.caller_arn(data["access_key"], data["secret_key"])
        user = arn.rsplit("/", 1)[1]
        self.assertTrue(self.user_exists(user))

        status, body = curl("--header", header, "--request", "PUT", "--data",
                            json.dumps({"lease_id": reply["lease_id"]}), f"{url}/v1/sys/leases/revoke")
        self.assertEqual((status, body), (204, ""))
        self.assertFalse(self.user_exists(user))
        status, body = curl("--header", header, "--request", "PUT", "--data",
                            json.dumps({"lease_id": reply["lease_id"]}), f"{url}/v1/sys/leases/lookup")
        self.assertEqual((status, json.loads(body)), (400, {"errors": ["invalid lease"]}))
        self.assertNotIn(data["secret_key"], self.server.output())
        self.assertNotIn(root["secret_access_key"], self.server.output())
        self.stop_server(self.server)

    def test_query_string_parameters_and_list_spellings(self):
        url, header = self.server.url, f"X-Vault-Token: {self.token}"
        curl("--header", header, "--request", "POST", "--data", json.dumps(self.root_config(self.root_user())),
             f"{url}/v1/aws/config/root")
        curl("--header", header, "--data", '{"credential_type":"iam_user","policy_arns":"%s"}' % READ_ONLY,
             f"{url}/v1/aws/roles/ro")
        status, body = curl("--header", header, f"{url}/v1/aws/creds/ro?ttl=15m")
        self.assertEqual((status, json.loads(body)["lease_duration"]), (200, 900))
        for spelling in ("true", "1", "t", "T", "TRUE", "True"):
            status, body = curl("--header", header, f"{url}/v1/aws/roles?list={spelling}")
            self.assertEqual((status, json.loads(body)["data"]["keys"]), (200, ["ro"]), spelling)
        status, body = curl("--header", header, f"{url}/v1/aws/roles?list=yes")
        self.assertEqual(status, 400)
        self.assertIn("list", json.loads(body)["errors"][0])
        status, body = curl("--header", header, "--request", "LIST", f"{url}/v1/aws/roles/")
        self.assertEqual((status, json.loads(body)["data"]["keys"]), (200, ["ro"]))
        # Authorization: Bearer works as X-Vault-Token does.
        status, _ = curl("--header", f"Authorization: Bearer {self.token}", f"{url}/v1/aws/roles/ro")
        self.assertEqual(status, 200)


class RootTokenTest(ServerTestCase):
    def test_first_start_makes_one_root_token(self):
        store, token_file = f"{self.temp.name}/store.db", f"{self.temp.name}/root-token"
        first = self.start_server(f"-store={store}", f"-root-token-file={token_file}", dev=False)
        token = first.root_token()
        self.assertRegex(token, r"^hvs\.[0-9A-Za-z]{24}$")
        with open(token_file) as f:
            self.assertEqual(f.read(), token)
        self.assertEqual(os.stat(token_file).st_mode & 0o777, 0o600)
        status, _ = curl("--header", f"X-Vault-Token: {token}", f"{first.url}/v1/auth/token/lookup-self")
        self.assertEqual(status, 200)
        self.stop_server(first)
        with open(store, "rb") as f:
            self.assertNotIn(token.encode(), f.read())  # only its hash is kept
        second = self.start_server(f"-store={store}", dev=False)
        self.assertIsNone(second.root_token())  # printed once, on the first start only
        status, _ = curl("--header", f"X-Vault-Token: {token}", f"{second.url}/v1/auth/token/lookup-self")
        self.assertEqual(status, 200)
        self.stop_server(second)


class CliAgainstServerTest(ServerTestCase):
    def dc(self, *args, expect=0, token=None, stdin=None, token_file=False):
        env = {"PATH": os.environ["PATH"], "HOME": self.temp.name, "DYNCREDS_ADDR": self.server.url}
        if token_file:  # as `vault login` leaves it
            with open(f"{self.temp.name}/.vault-token", "w") as f:
                f.write(token or self.token)
        else:
            env["DYNCREDS_TOKEN"] = token or self.token
        result = subprocess.run([CLI, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60)
        self.assertEqual(result.returncode, expect, f"{args}: {result.stdout} {result.stderr}")
        return result.stdout if expect == 0 else result.stderr

    def test_vault_verbs(self):
        root = self.root_user()
        self.dc("write", "aws/config/root", f"access_key={root['access_key_id']}",
                f"secret_key={root['secret_access_key']}", "region=us-east-1", f"iam_endpoint={self.iam_url}",
                f"sts_endpoint={self.sts_url}")
        self.dc("write", "aws/roles/ro", "credential_type=iam_user", f"policy_arns={READ_ONLY}")
        self.assertEqual(self.dc("list", "aws/roles").split(), ["Keys", "----", "ro"])
        self.assertEqual(json.loads(self.dc("list", "aws/roles", "-format=json")), ["ro"])
        read = json.loads(self.dc("read", "aws/roles/ro", "-format=json"))
        self.assertEqual(read["data"]["policy_arns"], [READ_ONLY])
        issued = json.loads(self.dc("read", "aws/creds/ro", "-format=json"))
        self.assertIn(":user/", self.caller_arn(issued["data"]["access_key"], issued["data"]["secret_key"]))
        looked = self.dc("lease", "lookup", issued["lease_id"], token_file=True)
        self.assertIn(issued["lease_id"], looked)
        renewed = json.loads(self.dc("lease", "renew", issued["lease_id"], "-increment=20m", "-format=json"))
        self.assertEqual(renewed["lease_id"], issued["lease_id"])
        self.assertLessEqual(abs(renewed["lease_duration"] - 1200), 2)
        self.assertIn("Success!", self.dc("lease", "revoke", issued["lease_id"]))
        self.assertIn("invalid lease", self.dc("lease", "lookup", issued["lease_id"], expect=2))

        # A policy from a file (and standard input), a token holding it, and what it may do.
        policy = json.dumps({"path": {"aws/creds/ro": {"capabilities": ["read"]}}})
        self.assertIn("Uploaded policy: issuer", self.dc("policy", "write", "issuer", "-", stdin=policy))
        made = json.loads(self.dc("token", "create", "-policy=issuer", "-ttl=10m", "-format=json"))
        child = made["auth"]["client_token"]
        self.assertEqual(made["auth"]["policies"], ["default", "issuer"])
        self.assertIn(made["auth"]["accessor"], self.dc("token", "lookup", token=child))
        self.assertIn("permission denied", self.dc("list", "aws/roles", token=child, expect=1))
        self.dc("token", "revoke", "-self", token=child)
        self.assertIn("permission denied", self.dc("read", "aws/creds/ro", token=child, expect=1))
        self.assertIn("Data deleted", self.dc("delete", "aws/roles/ro"))
        self.assertIn("no handler", self.dc("read", "nothing/here", expect=1))
        self.assertNotIn(root["secret_access_key"], self.server.output())


    def test_aws_cli_takes_credentials_from_the_server_through_credential_process(self):
        """The console's profile snippet: each AWS CLI run asks the server for keys (token in ~/.vault-token)."""
        root = self.root_user([FEDERATION])
        self.dc("write", "aws/config/root", f"access_key={root['access_key_id']}",
                f"secret_key={root['secret_access_key']}", "region=us-east-1", f"iam_endpoint={self.iam_url}",
                f"sts_endpoint={self.sts_url}")
        self.dc("write", "aws/roles/fed", "credential_type=federation_token", f"policy_arns={READ_ONLY}")
        shown = json.loads(self.dc("creds", "fed", "-ttl=20m", "-format=credential-process"))
        self.assertEqual(set(shown), {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"})
        with open(f"{self.temp.name}/.vault-token", "w") as f:
            f.write(self.token)
        config = f"{self.temp.name}/aws-config"
        with open(config, "w") as f:
            f.write(f"[profile fed]\nregion = us-east-1\ncredential_process = env DYNCREDS_ADDR={self.server.url} "
                    f"{CLI} creds fed -mount=aws -ttl=1h -format=credential-process\n")
        result = subprocess.run(["/usr/bin/aws", "sts", "get-caller-identity", "--profile", "fed", "--endpoint-url",
                                 self.sts_url, "--output", "json"], capture_output=True, text=True, timeout=120,
                                env={"PATH": os.environ["PATH"], "HOME": self.temp.name, "AWS_CONFIG_FILE": config,
                                     "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(":federated-user/", json.loads(result.stdout)["Arn"])
        status, body = curl("--header", f"X-Vault-Token: {self.token}", "--request", "LIST",
                            f"{self.server.url}/v1/sys/leases/lookup/aws/creds/fed/")
        self.assertEqual((status, len(json.loads(body)["data"]["keys"])), (200, 2))  # ours above, and the CLI's
        self.assertIn("local store only", self.dc("creds", "fed", "-wait", expect=2))


class HvacTest(ServerTestCase):
    def scenario(self, strict_http):
        """Every call the issue lists, through hvac, on a mount at a path of its own (seed 003)."""
        client = hvac.Client(url=self.server.url, token=self.token, strict_http=strict_http)
        self.assertTrue(client.is_authenticated())
        self.assertFalse(hvac.Client(url=self.server.url, token="hvs.wrong").is_authenticated())
        health = client.sys.read_health_status(method="GET")
        self.assertEqual((health["initialized"], health["sealed"], health["standby"]), (True, False, False))
        self.assertEqual(client.sys.read_health_status(method="HEAD").status_code, 200)

        path = "aws-us-west-2"
        client.sys.enable_secrets_engine("aws", path=path)
        self.assertIn(f"{path}/", client.sys.list_mounted_secrets_engines()["data"])
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            client.sys.enable_secrets_engine("aws", path=path)  # taken
        account = self.endpoint["account_id"]
        role_name = "dyncreds-assumed-" + uuid.uuid4().hex[:6]
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}
        role_arn = self.admin.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        root = self.root_user([FEDERATION, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}])
        client.secrets.aws.configure_root_iam_credentials(
            root["access_key_id"], root["secret_access_key"], region="us-east-1", iam_endpoint=self.iam_url,
            sts_endpoint=self.sts_url, mount_point=path)
        config = client.read(f"{path}/config/root")["data"]
        self.assertEqual(config["access_key"], root["access_key_id"])
        self.assertNotIn("secret_key", config)

        with self.assertRaises(hvac.exceptions.InvalidPath):
            client.secrets.aws.list_roles(mount_point=path)  # none yet: Vault's empty 404
        client.secrets.aws.create_or_update_role("ec2", "iam_user", policy_arns=[READ_ONLY], mount_point=path)
        client.secrets.aws.create_or_update_role("assumed", "assumed_role", role_arns=[role_arn], mount_point=path)
        client.secrets.aws.create_or_update_role("fed", "federation_token", policy_document=S3_ALL, mount_point=path)
        client.write(f"{path}/roles/session", credential_type="session_token")  # hvac 0.11 does not know the type
        self.assertEqual(sorted(client.secrets.aws.list_roles(mount_point=path)["data"]["keys"]),
                         ["assumed", "ec2", "fed", "session"])
        self.assertEqual(client.secrets.aws.read_role("ec2", mount_point=path)["data"]["policy_arns"], [READ_ONLY])

        issued = client.secrets.aws.generate_credentials("ec2", mount_point=path)
        self.assertTrue(issued["lease_id"].startswith(f"{path}/creds/ec2/"))
        self.assertTrue(issued["renewable"])
        self.assertIn(":user/", self.caller_arn(issued["data"]["access_key"], issued["data"]["secret_key"]))
        for role, marker in (("assumed", ":assumed-role/"), ("fed", ":federated-user/"), ("session", ":user/")):
            sts = client.secrets.aws.generate_credentials(role, endpoint="sts" if role != "session" else "creds",
                                                          ttl="15m", mount_point=path)
            data = sts["data"]
            self.assertFalse(sts["renewable"], role)
            self.assertEqual(data["security_token"], data["session_token"])
            self.assertIn(marker, self.caller_arn(data["access_key"], data["secret_key"], data["session_token"]))

        lease = client.sys.read_lease(issued["lease_id"])["data"]
        self.assertEqual((lease["id"], lease["renewable"], lease["last_renewal"]), (issued["lease_id"], True, None))
        renewed = client.sys.renew_lease(issued["lease_id"], increment=600)
        self.assertEqual(renewed["lease_id"], issued["lease_id"])
        self.assertLessEqual(abs(renewed["lease_duration"] - 600), 2)
        listed = client.sys.list_leases(f"{path}/creds/")["data"]["keys"]
        self.assertIn("ec2/", listed)

        user = self.caller_arn(issued["data"]["access_key"], issued["data"]["secret_key"]).rsplit("/", 1)[1]
        client.sys.revoke_lease(issued["lease_id"])
        self.assertFalse(self.user_exists(user))
        more = [client.secrets.aws.generate_credentials("ec2", mount_point=path) for _ in range(3)]
        client.sys.revoke_prefix(f"{path}/creds/ec2")
        for m in more:
            with self.assertRaises(hvac.exceptions.InvalidRequest):
                client.sys.read_lease(m["lease_id"])
        client.secrets.aws.delete_role("ec2", mount_point=path)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            client.secrets.aws.read_role("ec2", mount_point=path)
        client.sys.disable_secrets_engine(path)
        self.assertNotIn(f"{path}/", client.sys.list_mounted_secrets_engines()["data"])
        self.admin.delete_role(RoleName=role_name)
        self.stop_server(self.server)
        self.assertNotIn(root["secret_access_key"], self.server.output())

    def test_list_method(self):
        self.scenario(strict_http=False)

    def test_strict_http(self):
        self.scenario(strict_http=True)


if __name__ == "__main__":
    unittest.main()
