"""`dyncreds server` over TLS with a CA the test makes: curl --cacert and hvac
verify= succeed, clients without the CA (or offering only TLS 1.1) are
refused, and SIGHUP loads a new certificate for new connections."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import hvac
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server_process import ServerProcess  # noqa: E402

CLI = os.environ["DYNCREDS_CLI"]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_ca_and_leaf(directory, name):
    """A CA and a server certificate for 127.0.0.1 it signed; returns (ca, cert, key) paths."""
    ca_key, ca = f"{directory}/{name}-ca.key", f"{directory}/{name}-ca.pem"
    key, csr, cert = f"{directory}/{name}.key", f"{directory}/{name}.csr", f"{directory}/{name}.pem"
    ext = f"{directory}/{name}.ext"
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
            "-out", ca, "-days", "2", "-subj", f"/CN=dyncreds test CA {name}")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
            "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
            "-extfile", ext)
    return ca, cert, key


def curl_status(url, *args):
    result = subprocess.run(["curl", "--silent", "--output", "/dev/null", "--write-out", "%{http_code}", *args, url],
                            capture_output=True, text=True, timeout=30)
    return result.returncode, result.stdout


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.addCleanup(self.temp.cleanup)
        d = self.temp.name
        self.ca, cert, key = make_ca_and_leaf(d, "first")
        # The server reads these paths; SIGHUP rereads them.
        self.cert, self.key = f"{d}/server.pem", f"{d}/server.key"
        os.rename(cert, self.cert)
        os.rename(key, self.key)
        self.token = "hvs." + uuid.uuid4().hex
        self.server = ServerProcess(CLI, f"-tls-cert-file={self.cert}", f"-tls-key-file={self.key}",
                                    root_token=self.token, env={"PATH": os.environ["PATH"], "HOME": d})
        self.addCleanup(self.server.kill)
        self.assertTrue(self.server.url.startswith("https://127.0.0.1:"))
        self.health = f"{self.server.url}/v1/sys/health"

    def test_clients_with_the_ca_connect_and_others_are_refused(self):
        self.assertEqual(curl_status(self.health, "--cacert", self.ca), (0, "200"))
        self.assertEqual(curl_status(self.health, "--cacert", self.ca, "--tlsv1.3"), (0, "200"))
        self.assertEqual(curl_status(self.health, "--cacert", self.ca, "--tlsv1.2", "--tls-max", "1.2"), (0, "200"))
        code, _ = curl_status(self.health)  # the system's CAs do not know ours
        self.assertEqual(code, 60)
        code, _ = curl_status(self.health, "--cacert", self.ca, "--tlsv1.1", "--tls-max", "1.1")
        self.assertNotEqual(code, 0)  # TLS 1.1 is not offered
        code, _ = curl_status(self.health.replace("https://", "http://"))
        self.assertNotEqual(code, 0)  # plain HTTP on the TLS port gets no answer

        client = hvac.Client(url=self.server.url, token=self.token, verify=self.ca)
        self.assertTrue(client.is_authenticated())
        self.assertFalse(client.sys.read_health_status(method="GET")["sealed"])
        with self.assertRaises(requests.exceptions.SSLError):
            hvac.Client(url=self.server.url, token=self.token, verify=True).is_authenticated()

        # The CLI, with -tls-ca-cert or VAULT_CACERT, and refused without.
        env = {"PATH": os.environ["PATH"], "HOME": self.temp.name, "VAULT_ADDR": self.server.url,
               "VAULT_TOKEN": self.token}
        listed = subprocess.run([CLI, "secrets", "list", f"-tls-ca-cert={self.ca}"], capture_output=True, text=True,
                                env=env, timeout=30)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("aws/", listed.stdout)
        via_env = subprocess.run([CLI, "secrets", "list"], capture_output=True, text=True,
                                 env={**env, "VAULT_CACERT": self.ca}, timeout=30)
        self.assertEqual(via_env.returncode, 0, via_env.stderr)
        refused = subprocess.run([CLI, "secrets", "list"], capture_output=True, text=True, env=env, timeout=30)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("certificate", refused.stderr)

    def test_sighup_reloads_the_certificate(self):
        second_ca, cert, key = make_ca_and_leaf(self.temp.name, "second")
        os.replace(cert, self.cert)
        os.replace(key, self.key)
        self.server.signal(signal.SIGHUP)
        self.assertTrue(self.server.wait_for_log("reloaded"), self.server.output())
        self.assertEqual(curl_status(self.health, "--cacert", second_ca), (0, "200"))
        self.assertEqual(curl_status(self.health, "--cacert", self.ca)[0], 60)
        # A bad file keeps the current certificate serving.
        with open(self.cert, "w") as f:
            f.write("not a certificate\n")
        self.server.signal(signal.SIGHUP)
        self.assertTrue(self.server.wait_for_log("reload failed"), self.server.output())
        time.sleep(0.2)
        self.assertEqual(curl_status(self.health, "--cacert", second_ca), (0, "200"))
        self.assertEqual(self.server.stop(), 0, self.server.output())


if __name__ == "__main__":
    unittest.main()
