"""The endpoint as a process: readiness, the bootstrap key, SIGTERM, and ctl.py."""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request

import botocore.config
import botocore.exceptions
import botocore.session

from ctl import is_our_server

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")
CTL = os.path.join(HERE, "ctl.py")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sts(info):
    return botocore.session.get_session().create_client(
        "sts", region_name="us-east-1", endpoint_url=info["endpoint"],
        aws_access_key_id=info["access_key_id"], aws_secret_access_key=info["secret_access_key"])


class ProcessTest(unittest.TestCase):
    def test_ready_line_bootstrap_key_and_sigterm(self):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, SERVER, "--port", str(port), "--access-key-id", "AKIAEXAMPLEBOOTSTRAP",
             "--secret-access-key", "bootstrap/secret/of/forty/characters/xx"],
            stdout=subprocess.PIPE, text=True)
        try:
            info = json.loads(process.stdout.readline())  # blocks until ready
            self.assertEqual(info["port"], port)
            self.assertEqual(info["endpoint"], f"http://127.0.0.1:{port}")
            self.assertEqual(info["access_key_id"], "AKIAEXAMPLEBOOTSTRAP")
            client = _sts(info)
            self.assertEqual(client.get_caller_identity()["Arn"], "arn:aws:iam::123456789012:user/admin")

            # Hold a call in a delay fault and keep a connection alive: SIGTERM still stops it.
            urllib.request.urlopen(urllib.request.Request(
                info["endpoint"] + "/_admin/faults", method="POST",
                data=json.dumps({"fault": "delay", "delay_ms": 600000}).encode()), timeout=10).close()
            held = threading.Thread(target=lambda: _swallow(client.get_caller_identity), daemon=True)
            held.start()
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(timeout=10), 0)
            client.close()
        finally:
            if process.poll() is None:
                process.kill()
            process.stdout.close()

    def test_each_service_has_its_own_port_which_refuses_the_other_and_other_regions(self):
        process = subprocess.Popen([sys.executable, SERVER], stdout=subprocess.PIPE, text=True)
        try:
            info = json.loads(process.stdout.readline())
            session = botocore.session.get_session()

            def client(service, url, region="us-east-1"):
                return session.create_client(service, region_name=region, endpoint_url=url,
                                             aws_access_key_id=info["access_key_id"],
                                             aws_secret_access_key=info["secret_access_key"])
            self.assertEqual(client("iam", info["iam_endpoint"]).get_user()["User"]["UserName"], "admin")
            self.assertIn(":user/admin", client("sts", info["sts_endpoint"]).get_caller_identity()["Arn"])
            for service, url, region, message in [
                    ("sts", info["iam_endpoint"], "us-east-1", "scoped to correct service: 'iam'"),
                    ("iam", info["sts_endpoint"], "us-east-1", "scoped to correct service: 'sts'"),
                    ("sts", info["sts_endpoint"], "eu-west-1", "valid region, not 'eu-west-1'")]:
                with self.assertRaises(botocore.exceptions.ClientError) as refused:
                    c = client(service, url, region)
                    c.get_caller_identity() if service == "sts" else c.get_user()
                self.assertEqual(refused.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
                self.assertIn(message, refused.exception.response["Error"]["Message"])
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(timeout=10), 0)
        finally:
            if process.poll() is None:
                process.kill()
            process.stdout.close()

    def test_ready_file_is_private_and_binds_loopback_only(self):
        with tempfile.TemporaryDirectory() as tmp:
            ready = os.path.join(tmp, "ready.json")
            read_end, write_end = os.pipe()
            process = subprocess.Popen([sys.executable, SERVER, "--ready-file", ready,
                                        "--ready-fd", str(write_end)],
                                       pass_fds=(write_end,), stdout=subprocess.PIPE)
            os.close(write_end)
            try:
                with os.fdopen(read_end) as pipe:
                    info = json.loads(pipe.readline())
                self.assertEqual(stat.S_IMODE(os.stat(ready).st_mode), 0o600)
                with open(ready) as f:
                    self.assertEqual(json.load(f), info)
                with open(f"/proc/{process.pid}/net/tcp") as f:  # state 0A: listening
                    listening = [line.split()[1] for line in f.readlines()[1:] if line.split()[3] == "0A"]
                ours = [a for a in listening if a.endswith(f":{info['port']:04X}")]
                self.assertEqual(ours, [f"0100007F:{info['port']:04X}"])  # 127.0.0.1 only
            finally:
                process.terminate()
                self.assertEqual(process.wait(timeout=10), 0)
                self.assertEqual(process.stdout.read(), b"")  # nothing printed: it went to the file
                process.stdout.close()

    def test_ctl_start_and_stop(self):
        with tempfile.TemporaryDirectory() as tmp:
            started = subprocess.run([sys.executable, CTL, "start", "--dir", tmp],
                                     capture_output=True, text=True, timeout=60, check=True)
            info = json.loads(started.stdout)
            with open(os.path.join(tmp, "endpoint.json")) as f:
                self.assertEqual(json.load(f), info)
            client = _sts(info)
            self.assertIn(":user/admin", client.get_caller_identity()["Arn"])
            client.close()
            subprocess.run([sys.executable, CTL, "stop", "--dir", tmp], check=True, timeout=60,
                           capture_output=True)
            self.assertFalse(os.path.exists(os.path.join(tmp, "endpoint.json")))
            self.assertFalse(is_our_server(info["pid"]))

    def test_ctl_tls_serves_https_with_its_own_ca(self):
        with tempfile.TemporaryDirectory() as tmp:
            started = subprocess.run([sys.executable, CTL, "start", "--dir", tmp, "--tls"],
                                     capture_output=True, text=True, timeout=60, check=True)
            info = json.loads(started.stdout)
            try:
                self.assertTrue(info["endpoint"].startswith("https://127.0.0.1:"))
                client = botocore.session.get_session().create_client(
                    "sts", region_name="us-east-1", endpoint_url=info["endpoint"],
                    verify=info["ca_bundle"], aws_access_key_id=info["access_key_id"],
                    aws_secret_access_key=info["secret_access_key"])
                self.assertIn(":user/admin", client.get_caller_identity()["Arn"])
                client.close()
                untrusted = botocore.session.get_session().create_client(
                    "sts", region_name="us-east-1", endpoint_url=info["endpoint"],
                    aws_access_key_id="x", aws_secret_access_key="y",
                    config=botocore.config.Config(retries={"total_max_attempts": 1}))
                with self.assertRaises(botocore.exceptions.SSLError):
                    untrusted.get_caller_identity()
                untrusted.close()
            finally:
                subprocess.run([sys.executable, CTL, "stop", "--dir", tmp], check=True,
                               timeout=60, capture_output=True)



def _swallow(fn):
    try:
        fn()
    except Exception:  # the server going away under a held call is expected here
        pass


if __name__ == "__main__":
    unittest.main()
