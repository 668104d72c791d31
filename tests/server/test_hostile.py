"""Hostile and broken clients against `dyncreds server`: each gets the right
status and a clear message, the store does not change, and the server keeps
serving everyone else. Raw sockets where a well-behaved client library would
refuse to misbehave."""
import json
import os
import socket
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server_process import ServerProcess  # noqa: E402

CLI = os.environ["DYNCREDS_CLI"]
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class HostileClientTest(unittest.TestCase):
    def setUp(self):
        self.token = "hvs." + uuid.uuid4().hex
        self.server = ServerProcess(CLI, "-idle-timeout=3s", root_token=self.token,
                                    env={"PATH": os.environ["PATH"], "HOME": "/nonexistent"})
        self.addCleanup(self.server.kill)
        self.host, self.port = self.server.url.rsplit("//", 1)[1].split(":")
        self.port = int(self.port)
        # A root config and a role: what must not change.
        self.call("POST", "aws/config/root", {"access_key": "AKIDEXAMPLE", "secret_key": ROOT_SECRET,
                                              "iam_endpoint": "http://127.0.0.1:9"})
        self.call("POST", "aws/roles/keep", {"credential_type": "iam_user",
                                             "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]})
        self.before = self.state()

    def call(self, method, path, body=None, token=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(f"{self.server.url}/v1/{path}", data=data, method=method,
                                         headers={"X-Vault-Token": token or self.token})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                text = reply.read().decode()
                return reply.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, json.loads(text) if text else None

    def state(self):
        return (self.call("GET", "aws/config/root")[1]["data"], self.call("GET", "aws/roles/keep")[1]["data"],
                self.call("LIST", "aws/roles")[1]["data"], self.call("GET", "sys/mounts")[1]["data"])

    def assert_unchanged_and_serving(self):
        self.assertEqual(self.state(), self.before)
        self.assertEqual(self.call("GET", "sys/health")[0], 200)

    def raw(self, data, read=True, timeout=10):
        """Sends bytes on a fresh connection; returns what came back (b"" if closed)."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(data)
            if not read:
                return b""
            chunks = []
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    if b"\r\n\r\n" in b"".join(chunks) and b"Content-Length: 0" in b"".join(chunks):
                        break
            except (ConnectionResetError, socket.timeout):
                pass
            return b"".join(chunks)

    def test_malformed_truncated_wrongly_typed_and_null_bodies(self):
        cases = [(b"{bad", "error parsing JSON"), (b'{"credential_type": "iam_u', "error parsing JSON"),
                 (b"[]", "one JSON object"), (b'{"credential_type": 7}', "credential_type"),
                 (b'{"policy_arns": {"x": 1}}', "policy_arns"), (b'{"max_ttl": true}', "max_ttl"),
                 (b"\xff\xfe{}", "error parsing JSON")]
        for raw, says in cases:
            status, body = self.call("POST", "aws/roles/keep", raw=raw)
            self.assertEqual(status, 400, raw)
            self.assertIn(says, body["errors"][0], raw)
        self.assertEqual(self.call("POST", "aws/roles/keep", {"policy_arns": None, "max_ttl": None})[0], 204)
        self.assert_unchanged_and_serving()

    def test_body_over_the_limit(self):
        # A declared length over the limit is refused before the body is sent.
        reply = self.raw((f"POST /v1/aws/roles/keep HTTP/1.1\r\nHost: x\r\nX-Vault-Token: {self.token}\r\n"
                          f"Content-Length: {2 << 20}\r\nContent-Type: application/json\r\n\r\n").encode())
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:80])
        self.assertIn(b"too large", reply)
        # Chunked, so the size is only known as it arrives.
        chunk = b" " * 65536
        request = (f"POST /v1/aws/roles/keep HTTP/1.1\r\nHost: x\r\nX-Vault-Token: {self.token}\r\n"
                   "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
        request += (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 20 + b"0\r\n\r\n"
        reply = self.raw(request)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:80])
        self.assert_unchanged_and_serving()

    def test_ten_thousand_headers(self):
        headers = "".join(f"X-Junk-{i}: {i}\r\n" for i in range(10000))
        reply = self.raw(f"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None
        self.assertEqual(status, 431, reply[:120])  # libmicrohttpd answers it itself (an HTML page)
        self.assert_unchanged_and_serving()

    def test_slow_client_does_not_hold_up_others_and_silence_is_cut_off(self):
        request = f"GET /v1/aws/roles/keep HTTP/1.1\r\nHost: x\r\nX-Vault-Token: {self.token}\r\n\r\n".encode()
        slow = socket.create_connection((self.host, self.port), timeout=30)
        self.addCleanup(slow.close)
        served = []
        started = time.time()
        for i in range(6):  # one byte a second, while others are served
            slow.sendall(request[i:i + 1])
            t = time.time()
            self.assertEqual(self.call("GET", "sys/health")[0], 200)
            served.append(time.time() - t)
            time.sleep(1)
        self.assertLess(max(served), 1.0, served)
        # Silent for longer than -idle-timeout=3s: the server closes it.
        slow.settimeout(10)
        quiet_since = time.time()
        try:
            closed = slow.recv(1024) == b""
        except ConnectionResetError:
            closed = True
        self.assertTrue(closed)
        self.assertLess(time.time() - quiet_since, 8)
        self.assertGreater(time.time() - started, 6)
        self.assert_unchanged_and_serving()

    def test_five_hundred_idle_connections(self):
        idle = [socket.create_connection((self.host, self.port), timeout=10) for _ in range(500)]
        try:
            for _ in range(20):
                self.assertEqual(self.call("GET", "sys/health")[0], 200)
            self.assertEqual(self.call("GET", "aws/roles/keep")[0], 200)
            time.sleep(4.5)  # past -idle-timeout=3s
            closed = 0
            for s in idle:
                s.settimeout(2)
                try:
                    closed += s.recv(1) == b""
                except ConnectionResetError:
                    closed += 1
                except socket.timeout:
                    pass
            self.assertEqual(closed, 500)
        finally:
            for s in idle:
                s.close()
        self.assert_unchanged_and_serving()

    def test_unknown_paths_methods_and_bad_tokens(self):
        self.assertEqual(self.call("GET", "no/such/engine/path")[0], 404)
        self.assertEqual(self.call("PATCH", "aws/roles/keep")[0], 405)
        reply = self.raw(f"BREW /v1/aws/roles/keep HTTP/1.1\r\nHost: x\r\nX-Vault-Token: {self.token}\r\n"
                         "Connection: close\r\n\r\n".encode())
        self.assertTrue(reply.startswith(b"HTTP/1.1 405"), reply[:80])
        denied = [self.call("GET", path, token=token) for path in ("aws/roles/keep", "no/such/path")
                  for token in ("hvs.bogus", "x" * 5000, "\u00e9".encode().decode("latin-1"))]
        for status, body in denied:
            self.assertEqual((status, body), (403, {"errors": ["permission denied"]}))
        no_token = urllib.request.Request(f"{self.server.url}/v1/aws/roles/keep")
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(no_token, timeout=10)
        self.assertEqual(refused.exception.code, 403)
        self.assert_unchanged_and_serving()

    def test_policy_granting_read_but_not_list(self):
        policy = {"path": {"aws/roles/*": {"capabilities": ["read"]}}}
        self.assertEqual(self.call("PUT", "sys/policies/acl/reader", {"policy": json.dumps(policy)})[0], 204)
        status, made = self.call("POST", "auth/token/create", {"policies": ["reader"], "ttl": "10m"})
        self.assertEqual(status, 200)
        reader = made["auth"]["client_token"]
        self.assertEqual(made["auth"]["policies"], ["default", "reader"])
        self.assertEqual(self.call("GET", "aws/roles/keep", token=reader)[0], 200)
        self.assertEqual(self.call("LIST", "aws/roles", token=reader), (403, {"errors": ["permission denied"]}))
        self.assertEqual(self.call("POST", "aws/roles/keep", {"max_ttl": "1h"}, token=reader)[0], 403)
        self.assertEqual(self.call("DELETE", "aws/roles/keep", token=reader)[0], 403)
        # A token with a TTL stops working when it runs out.
        status, short = self.call("POST", "auth/token/create", {"policies": ["reader"], "ttl": "1s"})
        self.assertEqual((status, short["auth"]["lease_duration"]), (200, 1))
        self.assertEqual(self.call("GET", "aws/roles/keep", token=short["auth"]["client_token"])[0], 200)
        time.sleep(1.5)
        self.assertEqual(self.call("GET", "aws/roles/keep", token=short["auth"]["client_token"]),
                         (403, {"errors": ["permission denied"]}))
        self.assert_unchanged_and_serving()

    def tearDown(self):
        code = self.server.stop()
        self.assertEqual(code, 0, self.server.output())
        log = self.server.output()
        self.assertNotIn(ROOT_SECRET, log)
        self.assertNotIn(self.token, log.replace(f"Root Token: {self.token}", ""))


if __name__ == "__main__":
    unittest.main()
