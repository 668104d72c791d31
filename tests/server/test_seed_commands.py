"""Every command line of the seed documents, with `vault` replaced by
`dyncreds`, as README.md's seed-commands table lists them: run in order in
bash against a `dyncreds server` with a store of its own (one server per
seed), whose root user on the local IAM/STS endpoint holds the seeds' policy.

The table is the source: a line added there is run here. Substitutions (the
README says the same): the seeds' placeholders and sample keys become that
user's, the region the local endpoint's, config/root lines get
iam_endpoint= and sts_endpoint=, and a lease id a seed shows becomes one it
was issued.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "local_aws"))
sys.path.insert(0, HERE)
from ctl import seeds_root  # noqa: E402
from server_process import ServerProcess  # noqa: E402

CLI = os.environ["DYNCREDS_CLI"]
ACCESS_KEYS = ("AKIA4P4EY7KUMYNGRTVX", "{{AWS Access Key}}", "<AWS_ACCESS_KEY_ID>")
SECRET_KEYS = ("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", "{{AWS Secret Key}}", "<AWS_SECRET_ACCESS_KEY>")
SHOWN_LEASE = "9RTjBGPLSn6WailO9LBGm5QX"


def seed_rows():
    """(seed, command, expected) from the README table, in order."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    table = text.split("<!-- seed-commands -->", 1)[1].split("<!-- /seed-commands -->", 1)[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        seed, command, result = [c.strip() for c in line.strip().strip("|").split(" | ")]
        spans = re.match(r"^(`[^`]*`(?:<br>`[^`]*`)*)", command).group(1)
        rows.append((seed, "\n".join(s.strip("`") for s in spans.split("<br>")), result))
    return rows


class SeedCommandsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.environ["DYNCREDS_LOCAL_AWS"]) as f:
            cls.endpoint = json.load(f)
        cls.rows = seed_rows()

    def test_the_table_covers_every_seed_with_commands(self):
        self.assertEqual(sorted({seed for seed, _, _ in self.rows}), ["001", "002", "003", "004"])
        self.assertGreaterEqual(len(self.rows), 20)

    def run_seed(self, seed):
        temp = tempfile.TemporaryDirectory()
        self.addCleanup(temp.cleanup)
        bin_dir = os.path.join(temp.name, "bin")
        os.mkdir(bin_dir)
        os.symlink(os.path.abspath(CLI), os.path.join(bin_dir, "dyncreds"))
        env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": temp.name}
        server = ServerProcess(CLI, f"-store={temp.name}/store.db", dev=False, env=env)
        self.addCleanup(server.kill)
        token = server.root_token()
        self.assertTrue(token and token.startswith("hvs."), server.output())
        env.update({"VAULT_ADDR": server.url, "VAULT_TOKEN": token})
        root = seeds_root(self.endpoint["endpoint"])
        leases = []
        for row_seed, command, expected in self.rows:
            if row_seed != seed:
                continue
            line = command.replace("<VAULT_TOKEN>", token).replace("<VAULT_ADDR>", server.url.split("//", 1)[1])
            for sample in ACCESS_KEYS:
                line = line.replace(sample, root["access_key_id"])
            for sample in SECRET_KEYS:
                line = line.replace(sample, root["secret_access_key"])
            if "/config/root" in line and not line.startswith("dyncreds write auth/"):
                line = re.sub(r"region=\S+", "region=us-east-1", line)
                line += f" iam_endpoint={self.endpoint['iam_endpoint']} sts_endpoint={self.endpoint['sts_endpoint']}"
            if SHOWN_LEASE in line:
                line = line.replace("aws/creds/developer-access/" + SHOWN_LEASE, leases[-1])
            result = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env, timeout=120)
            out = result.stdout + result.stderr
            with self.subTest(seed=seed, command=command):
                if expected.startswith("Error naming"):
                    self.assertNotEqual(result.returncode, 0, out)
                    self.assertIn(re.search(r"`([^`]*)`", expected).group(1), result.stderr)
                    continue
                self.assertEqual(result.returncode, 0, out)
                if expected == "Success":
                    self.assertIn("Success!", result.stdout)
                else:
                    shown = re.search(r"`([^`]*)`", expected).group(1)
                    self.assertIn(shown, re.sub(r"[ \t]+", " ", result.stdout))  # table columns: any spacing
                    found = re.search(r"(?:lease_id\s+|\"lease_id\":\")(\S+?)(?:\s|\")", result.stdout)
                    self.assertIsNotNone(found, result.stdout)
                    leases.append(found.group(1))
        self.assertNotIn(root["secret_access_key"], server.output())
        return server, env, leases

    def lease_exists(self, env, lease):
        result = subprocess.run(["dyncreds", "lease", "lookup", lease], capture_output=True, text=True, env=env,
                                timeout=60)
        return result.returncode == 0

    def test_seed_001(self):
        server, env, leases = self.run_seed("001")
        self.assertEqual(len(leases), 2)
        for lease in leases:  # one revoked by id, the other by prefix
            self.assertFalse(self.lease_exists(env, lease), lease)
        self.assertEqual(server.stop(), 0)

    def test_seed_002(self):
        server, _, _ = self.run_seed("002")
        self.assertEqual(server.stop(), 0)

    def test_seed_003(self):
        server, env, leases = self.run_seed("003")
        self.assertTrue(leases[0].startswith("aws-us-west-2/creds/ec2/"))
        self.assertTrue(self.lease_exists(env, leases[0]))
        self.assertEqual(server.stop(), 0)

    def test_seed_004(self):
        server, env, leases = self.run_seed("004")
        self.assertEqual(len(leases), 2)
        self.assertTrue(all(self.lease_exists(env, lease) for lease in leases))
        self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
