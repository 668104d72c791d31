"""Starts `dyncreds server` as a test's own child, on a free loopback port.

The server prints its address on standard error once it listens
("listening on http://127.0.0.1:PORT"), after a first start's root token on
standard output. Both streams go through one pipe, so that order holds here
too, and are kept so tests can show that no secret reached them.
"""
import os
import re
import signal
import subprocess
import threading
import time

LISTENING = re.compile(r"listening on (https?://[0-9.]+:\d+)")


class ServerProcess:
    def __init__(self, cli, *args, env=None, dev=True, root_token=None, timeout=20):
        argv = [cli, "server"]
        if dev:
            argv += ["-dev", "-dev-listen-address=127.0.0.1:0"]
            if root_token:
                argv.append(f"-dev-root-token-id={root_token}")
        else:
            argv.append("-listen-address=127.0.0.1:0")
        argv += list(args)
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, env=env or os.environ.copy(),
                                        start_new_session=True)
        self.lines = []
        self._listening = threading.Event()
        self.url = None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True)
        self._reader.start()
        if not self._listening.wait(timeout):
            self.kill()
            raise RuntimeError(f"server did not start: {self.output()}")

    def _read(self, stream, into):
        for line in stream:
            into.append(line)
            found = LISTENING.search(line)
            if found:
                self.url = found.group(1)
                self._listening.set()
        if not self._listening.is_set():
            self._listening.set()  # exited before listening: the wait above reports it

    def output(self):
        return "".join(self.lines)

    def root_token(self):
        for line in list(self.lines):
            if line.startswith("Root Token: "):
                return line.split(": ", 1)[1].strip()
        return None

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self, timeout=40):
        """SIGTERM, as a service manager would; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self._close()
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self._close()

    def _close(self):
        self._reader.join(5)
        if not self.process.stdout.closed:
            self.process.stdout.close()

    def wait_for_log(self, text, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output():
                return True
            time.sleep(0.05)
        return False
