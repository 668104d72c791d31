#!/usr/bin/python3
"""Starts and stops a local endpoint in the background: CTest's fixture, the benchmarks' helper.

    ctl.py start --dir DIR [--tls] [server options...]  # prints the ready JSON, writes DIR/endpoint.json
    ctl.py stop --dir DIR
    ctl.py seeds-root --dir DIR [NAME]  # a new IAM user with the seeds' policy; prints its key as JSON

`start` returns once the server has said it is ready (it waits on a pipe, it
does not poll), leaving the server running with its log in DIR/server.log.
`stop` sends SIGTERM and waits for the process to exit. With --tls the
endpoint serves HTTPS with a fresh self-signed certificate for 127.0.0.1,
whose path the ready JSON gives as "ca_bundle".
"""

import json
import os
import select
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
READY_TIMEOUT = 30
STOP_TIMEOUT = 10


def _info_path(directory):
    return os.path.join(directory, "endpoint.json")


def is_our_server(pid):
    """True while `pid` is a running local endpoint (not a reused pid)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"server.py" in f.read()
    except OSError:
        return False


def _make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 (openssl's CLI); returns (cert, key)."""
    cert, key = os.path.join(directory, "tls-cert.pem"), os.path.join(directory, "tls-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "2", "-subj", "/CN=local-aws",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def start(directory, server_args):
    os.makedirs(directory, exist_ok=True)
    if os.path.exists(_info_path(directory)):
        stop(directory)  # left over from an interrupted run
    ca_bundle = None
    if "--tls" in server_args:
        server_args = [a for a in server_args if a != "--tls"]
        ca_bundle, key = _make_certificate(directory)
        server_args += ["--tls-cert", ca_bundle, "--tls-key", key]
    read_end, write_end = os.pipe()
    with open(os.path.join(directory, "server.log"), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "server.py"), "--ready-fd", str(write_end),
             *server_args],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=(write_end,),
            start_new_session=True)
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], READY_TIMEOUT)
    line = os.read(read_end, 65536).decode() if ready else ""
    os.close(read_end)
    if not line:
        process.kill()
        sys.exit(f"local endpoint did not start; see {directory}/server.log")
    if ca_bundle:
        line = json.dumps({**json.loads(line), "ca_bundle": ca_bundle}) + "\n"
    fd = os.open(_info_path(directory), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(line)
    print(line, end="")


def _wait_exit(pid, timeout):
    """True once `pid` has exited (waits on a pidfd: no polling)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([pidfd], [], [], timeout)[0])
    finally:
        os.close(pidfd)


def stop(directory):
    path = _info_path(directory)
    try:
        with open(path) as f:
            pid = json.load(f)["pid"]
    except FileNotFoundError:
        print("no endpoint running")
        return
    if is_our_server(pid):
        os.kill(pid, signal.SIGTERM)
        if not _wait_exit(pid, STOP_TIMEOUT):
            os.kill(pid, signal.SIGKILL)
            _wait_exit(pid, STOP_TIMEOUT)
            print(f"endpoint {pid} ignored SIGTERM; killed")
    os.remove(path)
    print(f"endpoint {pid} stopped")


def add_principal(url, spec):
    """POST /_admin/principals: a new IAM user and its key (see server.py add_principal)."""
    import urllib.request
    request = urllib.request.Request(f"{url}/_admin/principals", data=json.dumps(spec).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def seeds_root(url, name=None, statements=()):
    """A root user for the engine holding seeds 001/004's least-privilege policy.

    Names are unique (vault-root-<random>) so tests sharing an endpoint
    without resetting it each get their own."""
    import uuid
    return add_principal(url, {"name": name or f"vault-root-{uuid.uuid4().hex[:8]}", "seeds_policy": True,
                               "statements": list(statements)})


def main(argv):
    if len(argv) < 3 or argv[0] not in ("start", "stop", "seeds-root") or argv[1] != "--dir":
        sys.exit(__doc__)
    if argv[0] == "start":
        start(argv[2], argv[3:])
    elif argv[0] == "seeds-root":
        with open(_info_path(argv[2])) as f:
            url = json.load(f)["endpoint"]
        print(json.dumps(seeds_root(url, argv[3] if len(argv) > 3 else None)))
    else:
        stop(argv[2])


if __name__ == "__main__":
    main(sys.argv[1:])
