#!/usr/bin/python3
"""A local, stateful IAM and STS endpoint for libdyncreds's tests.

    /usr/bin/python3 tests/local_aws/server.py [--port N] [--ready-file F | --ready-fd N]
        [--access-key-id ID --secret-access-key SECRET] [--account-id 123456789012]

It binds 127.0.0.1 only (port 0: a free one), and when ready prints one JSON
line to stdout (or writes it to --ready-file, mode 0600, or to --ready-fd):
    {"endpoint": "http://127.0.0.1:PORT", "port": PORT, "iam_endpoint": URL, "sts_endpoint": URL,
     "access_key_id": ...,
     "secret_access_key": ..., "account_id": ..., "region": "us-east-1", "pid": ...}
The key is the bootstrap administrator's ("admin"). SIGTERM or SIGINT stops it.

IAM and STS share the main port ("endpoint"; the service is the one named
in the request's SigV4 credential scope, and the control plane is there), and
each also has a port of its own ("iam_endpoint", "sts_endpoint", as AWS's
host names): there a request signed for the other service, or STS signed
for a region other than us-east-1, is refused with SignatureDoesNotMatch. Tests control the
endpoint under /_admin/ (see README.md beside this file).
"""

import argparse
import email.utils
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import iam_actions  # noqa: E402,F401  (registers the IAM handlers)
import sts_actions  # noqa: E402,F401  (registers the STS handlers)
from account import Account, new_secret, new_id  # noqa: E402
from actions import HANDLERS, Call  # noqa: E402
from auth import SignedRequest, authenticate, parse_scope, query_pairs  # noqa: E402
from control import Control, Dropped, RawReply  # noqa: E402
import policy  # noqa: E402
from model import (AwsError, decode_input, new_request_id, render_error,  # noqa: E402
                   render_result, service_model, validate)


def _service_error(status):
    if status == 503:
        return AwsError(503, "ServiceUnavailable", "Service is unavailable. Please try again.", sender=False)
    return AwsError(500, "ServiceFailure", "Request processing has failed due to some unknown "
                    "error, exception or failure.", sender=False)


class Endpoint:
    """The IAM/STS service and its control plane, independent of HTTP."""

    def __init__(self, access_key_id=None, secret_access_key=None, account_id="123456789012",
                 admin_user="admin", fault_seed=None, key_propagation_seconds=0.0, deleted_key_seconds=0.0):
        self.account = Account(account_id)
        self.control = Control(fault_seed)
        self._key_propagation_seconds = key_propagation_seconds
        self._deleted_key_seconds = deleted_key_seconds
        self.control.key_propagation_seconds = key_propagation_seconds
        self.control.deleted_key_seconds = deleted_key_seconds
        self.admin_user = admin_user
        self.access_key_id = access_key_id or new_id("AKIA", 20)
        self.secret_access_key = secret_access_key or new_secret()
        self._bootstrap()

    def _bootstrap(self):
        now = self.control.clocks.now()
        with self.account.lock:
            user = self.account.create_user(self.admin_user, now)
            user.attached["arn:aws:iam::aws:policy/AdministratorAccess"] = "AdministratorAccess"
            self.account.aws_policies["arn:aws:iam::aws:policy/AdministratorAccess"].attachments += 1
            self.account.create_access_key(user, now, self.access_key_id, self.secret_access_key)

    def add_principal(self, spec):
        """An IAM user with an access key and the given policies, for a test to act as.

        spec: {"name": "vault-root", "seeds_policy": true, "statements": [...],
               "managed_policy_arns": [...]}: the seeds' least-privilege policy
        (policy.seeds_policy) and/or extra statements as its inline policy.
        """
        unknown = set(spec) - {"name", "seeds_policy", "statements", "managed_policy_arns"}
        if unknown:
            raise ValueError(f"unknown principal field(s): {sorted(unknown)}")
        name = spec.get("name", "vault-root")
        policy.check_principal_name(name)
        statements = list(spec.get("statements", []))
        document = (policy.seeds_policy(self.account.account_id, statements) if spec.get("seeds_policy")
                    else {"Version": "2012-10-17", "Statement": statements})
        now = self.control.clocks.now()
        with self.account.lock:
            try:
                user = self.account.create_user(name, now)
            except AwsError as error:
                raise ValueError(error.message)
            if document["Statement"]:
                user.inline["principal"] = json.dumps(document)
            for arn in spec.get("managed_policy_arns", []):
                user.attached[arn] = self.account.policy(arn).name
                self.account.policy(arn).attachments += 1
            key = self.account.create_access_key(user, now)
            # Usable at once: it stands for an operator's key made long ago,
            # not one that is still propagating.
            key.usable_after = 0.0
        return {"user_name": name, "arn": user.arn, "access_key_id": key.id,
                "secret_access_key": key.secret}

    def reset(self):
        """Back to the state at start: only the administrator and its key."""
        self.control.reset()
        self.control.key_propagation_seconds = self._key_propagation_seconds
        self.control.deleted_key_seconds = self._deleted_key_seconds
        with self.account.lock:
            self.account.reset()
            self._bootstrap()

    def _service_of(self, request, action):
        try:
            service = parse_scope(request.headers.get("Authorization"))[3]
            if service in HANDLERS:
                return service
        except AwsError:
            pass
        return "sts" if action in HANDLERS["sts"] else "iam"

    def _operation(self, service, form):
        name = form.get("Action")
        if not name:
            raise AwsError(400, "MissingAction", "Missing Action")
        version = form.get("Version", "NO_VERSION_SPECIFIED")
        if version != service.api_version or name not in service.operation_names:
            raise AwsError(400, "InvalidAction", f"Could not find operation {name} for version {version}")
        if name not in HANDLERS[service.service_name]:
            raise AwsError(400, "InvalidAction", f"Operation {name} is not simulated by the local endpoint")
        return service.operation_model(name)

    def handle(self, request, form, port_service=None, port_region=None):
        """Runs one AWS call; returns (HTTP status, content type, body, request id). Raises Dropped."""
        request_id = new_request_id()
        content_type = "text/xml"
        action = form.get("Action", "")
        # A service's own port is its host name: the request is that service's,
        # whatever its signature claims (which then fails, as on AWS). The
        # shared port tells the service from the credential scope.
        service_name = port_service or self._service_of(request, action)
        service = service_model(service_name)
        entry = {"action": action, "service": service_name, "access_key_id": None,
                 "request_id": request_id, "fault": None}
        try:
            entry["fault"] = self.control.apply_faults(action, "before", _service_error)
            with self.account.lock:
                caller = authenticate(request, self.account, self.control, service_name, port_region)
                entry["access_key_id"] = caller.access_key_id
                operation = self._operation(service, form)
                params = decode_input(operation, form)
                validate(operation, params)
                policy.authorize(self.account, caller, service_name, operation.name, params)
                call = Call(self.account, caller, self.control.clocks.now(), self.control)
                result = HANDLERS[service_name][operation.name](call, params)
                body = render_result(service, operation, result, request_id)
            entry["fault"] = self.control.apply_faults(action, "after", _service_error) or entry["fault"]
            status = 200
        except AwsError as error:
            status, body = error.status, render_error(service, error, request_id)
            entry["code"] = error.code
        except RawReply as raw:
            status, content_type, body = raw.status, raw.content_type, raw.body
        except Dropped:
            entry.update(status=None, code=None, fault="drop")
            self.control.record_call(entry)
            raise
        entry["status"] = status
        entry.setdefault("code", None)
        self.control.record_call(entry)
        return status, content_type, body, request_id

    # --- the control plane ------------------------------------------------------------

    def admin(self, method, path, payload):
        """Answers /_admin/<path>; returns (HTTP status, JSON-ready value)."""
        route = (method, path)
        if route == ("GET", "state"):
            with self.account.lock:
                return 200, self.account.dump(self.control.clocks.now())
        if route == ("GET", "calls"):
            return 200, {"calls": self.control.calls()}
        if route == ("DELETE", "calls"):
            self.control.clear_calls()
            return 200, {}
        if route == ("GET", "connections"):
            return 200, {"accepted": self.control.connections}
        if route == ("GET", "faults"):
            return 200, {"faults": self.control.faults()}
        if route == ("POST", "faults"):
            return 200, {"id": self.control.add_fault(payload)}
        if route == ("DELETE", "faults"):
            self.control.clear_faults()
            return 200, {}
        if route == ("POST", "reset"):
            self.reset()
            return 200, {}
        if route == ("POST", "principals"):
            return 200, self.add_principal(payload)
        if route == ("GET", "settings"):
            return 200, self.control.settings()
        if route == ("POST", "settings"):
            return 200, self.control.configure(payload)
        return 404, {"error": f"no such control: {method} /_admin/{path}"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # headers and body go in separate writes
    server_version = "local-aws"
    sys_version = ""

    def setup(self):
        super().setup()
        self.server.endpoint.control.count_connection()

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def date_time_string(self, timestamp=None):
        # The Date header follows the service's (possibly skewed) clock, so
        # clients can correct their own from it.
        return email.utils.formatdate(self.server.endpoint.control.clocks.signing_now(), usegmt=True)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _dispatch(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_admin/"):
            self._admin(path[len("/_admin/"):], body)
        else:
            self._aws(path, query, body)

    def _aws(self, path, query, body):
        pairs = query_pairs(query)
        form_pairs = pairs if self.command == "GET" else query_pairs(body.decode("utf-8", "replace"))
        request = SignedRequest(self.command, self.headers.get("Host", ""), path, pairs,
                                self.headers, body)
        try:
            status, content_type, reply, request_id = self.server.endpoint.handle(
                request, dict(form_pairs), self.server.service, self.server.region)
        except Dropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def _admin(self, path, body):
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            status, value = 403, {"error": "the control plane answers loopback callers only"}
        else:
            try:
                payload = json.loads(body) if body else {}
                status, value = self.server.endpoint.admin(self.command, path, payload)
            except (ValueError, TypeError) as error:
                status, value = 400, {"error": str(error)}
        reply = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, endpoint, port=0, verbose=False, tls_cert=None, tls_key=None, service=None, region=None):
        super().__init__(("127.0.0.1", port), Handler)
        self.endpoint = endpoint
        self.service = service  # None: IAM and STS, told apart by the credential scope
        self.region = region    # for STS's port: the region it serves
        self.verbose = verbose
        self.scheme = "http"
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            # The handshake happens on first read, in the connection's own thread.
            self.socket = context.wrap_socket(self.socket, server_side=True,
                                              do_handshake_on_connect=False)
            self.scheme = "https"

    @property
    def port(self):
        return self.server_address[1]

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def ready_info(self):
        e = self.endpoint
        return {"endpoint": self.url, "port": self.port,
                "access_key_id": e.access_key_id, "secret_access_key": e.secret_access_key,
                "account_id": e.account.account_id, "region": "us-east-1", "pid": os.getpid()}

    def start(self):
        """Serves on a background thread (for in-process use by tests)."""
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        return thread

    def stop(self):
        self.endpoint.control.release_all()
        self.shutdown()
        self.server_close()


def _write_private(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--access-key-id", default=os.environ.get("LOCAL_AWS_ACCESS_KEY_ID"))
    parser.add_argument("--secret-access-key", default=os.environ.get("LOCAL_AWS_SECRET_ACCESS_KEY"))
    parser.add_argument("--account-id", default="123456789012")
    parser.add_argument("--admin-user", default="admin")
    parser.add_argument("--ready-file", help="write the ready JSON here (mode 0600)")
    parser.add_argument("--ready-fd", type=int, help="write the ready JSON line to this fd, then close it")
    # IAM is eventually consistent: by default a new key fails for a moment
    # and a deleted one keeps working for a moment, as on AWS (where either
    # can take seconds). Tests that need instant effects set 0 and say why.
    parser.add_argument("--key-propagation-seconds", type=float, default=1.0,
                        help="new access keys fail with InvalidClientTokenId this long (default 1)")
    parser.add_argument("--deleted-key-seconds", type=float, default=1.0,
                        help="deleted access keys still authenticate this long (default 1)")
    parser.add_argument("--fault-seed", type=int, help="seed for probabilistic faults")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)

    endpoint = Endpoint(args.access_key_id, args.secret_access_key, args.account_id,
                        args.admin_user, args.fault_seed, args.key_propagation_seconds,
                        args.deleted_key_seconds)
    server = Server(endpoint, args.port, args.verbose, args.tls_cert, args.tls_key)
    # One port per service as well, standing in for iam.amazonaws.com and
    # sts.us-east-1.amazonaws.com: a client that swaps them, or signs STS for
    # another region, is refused as AWS would refuse it.
    services = {name: Server(endpoint, 0, args.verbose, args.tls_cert, args.tls_key, service=name,
                             region="us-east-1" if name == "sts" else None) for name in ("iam", "sts")}

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    for service in services.values():
        service.start()

    line = json.dumps({**server.ready_info(), "iam_endpoint": services["iam"].url,
                       "sts_endpoint": services["sts"].url})
    if args.ready_file:
        _write_private(args.ready_file, line + "\n")
    if args.ready_fd is not None:
        with os.fdopen(args.ready_fd, "w") as ready:
            ready.write(line + "\n")
    if not (args.ready_file or args.ready_fd is not None):
        print(line, flush=True)

    stop.wait()
    for service in services.values():
        service.stop()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
