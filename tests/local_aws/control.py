"""The test control plane: clocks, faults, the call log and settings.

Tests reach it over HTTP under /_admin/ (see server.py); the AWS-facing code
asks it what time it is, whether a fault applies to a call, and records each
call in the log.
"""

import random
import threading
import time

from model import AwsError, iso8601

FAULTS = ("throttle", "500", "503", "drop", "delay", "html500", "501")

# What a partial IAM implementation answers for an action it lacks: a web
# server's HTML error page, or 501 with its own error document.
_HTML_PAGE = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
              b"<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was "
              b"unable to complete your request.</p></body></html>")


class Clocks:
    """Two views of time, so expiry and clock skew can be tested separately.

    advance_seconds: time that has passed for the account (expirations, dates,
        MFA codes) but not for signature checks, as if the clients' clocks
        had moved forward too.
    skew_seconds: how far the service's clock is off from the clients'. It
        moves the signature time window and the Date header only.
    """

    def __init__(self, wall=time.time):
        self._wall = wall
        self.advance_seconds = 0.0
        self.skew_seconds = 0.0

    def now(self):
        return self._wall() + self.advance_seconds

    def signing_now(self):
        return self._wall() + self.skew_seconds


class FaultRule:
    """One injected fault: which calls it hits and what it does to them."""

    def __init__(self, spec, rule_id):
        unknown = set(spec) - {"action", "fault", "nth", "times", "probability", "delay_ms",
                               "when"}
        if unknown:
            raise ValueError(f"unknown fault field(s): {sorted(unknown)}")
        self.id = rule_id
        self.action = spec.get("action", "*")
        self.fault = str(spec.get("fault", ""))
        if self.fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, not {self.fault!r}")
        self.nth = spec.get("nth")            # first matching call it hits (1-based)
        self.times = spec.get("times")        # how many calls it hits; None: no limit
        if self.nth is not None and self.times is None:
            self.times = 1
        self.probability = spec.get("probability")
        self.delay_ms = int(spec.get("delay_ms", 0))
        self.when = spec.get("when", "before")  # before or after the action runs
        if self.when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        if self.fault == "delay" and self.delay_ms <= 0:
            raise ValueError("a delay fault needs delay_ms > 0")
        self.seen = 0
        self.hits = 0

    def fires(self, action, when, rng):
        if when != self.when or self.action not in ("*", action):
            return False
        self.seen += 1
        if self.times is not None and self.hits >= self.times:
            return False
        if self.nth is not None and self.seen < self.nth:
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        return True

    def describe(self):
        return {"id": self.id, "action": self.action, "fault": self.fault, "nth": self.nth,
                "times": self.times, "probability": self.probability,
                "delay_ms": self.delay_ms, "when": self.when, "seen": self.seen,
                "hits": self.hits}


class Dropped(Exception):
    """The connection is to be closed without a reply."""


class RawReply(Exception):
    """A reply that is not an AWS error document (a partial emulator's)."""

    def __init__(self, status, content_type, body):
        super().__init__(status)
        self.status, self.content_type, self.body = status, content_type, body


class Control:
    def __init__(self, seed=None):
        self.lock = threading.Lock()
        self.clocks = Clocks()
        self._rng = random.Random(seed)
        self.reset()

    def reset(self):
        with self.lock:
            self._rules = []
            self._next_rule_id = 1
            self._calls = []
            self.connections = 0  # accepted since the last reset
            self.clocks.advance_seconds = 0.0
            self.clocks.skew_seconds = 0.0
            self.key_propagation_seconds = 0.0
            self.deleted_key_seconds = 0.0  # a deleted key still authenticates this long
            self.max_page_items = 0  # 0: pages as large as MaxItems asks
            self._release_delays()

    # --- faults -----------------------------------------------------------------

    def add_fault(self, spec):
        with self.lock:
            rule = FaultRule(spec, self._next_rule_id)
            self._next_rule_id += 1
            self._rules.append(rule)
            return rule.id

    def clear_faults(self):
        with self.lock:
            self._rules = []
            self._release_delays()

    def faults(self):
        with self.lock:
            return [r.describe() for r in self._rules]

    def _release_delays(self):
        # Delays wait on this event, so clearing faults (or a reset, or
        # shutdown) lets every held call go on at once.
        old = getattr(self, "_delay_release", None)
        self._delay_release = threading.Event()
        if old is not None:
            old.set()

    def release_all(self):
        with self.lock:
            self._release_delays()

    def apply_faults(self, action, when, service_error):
        """Applies the first fault that fires for this call; returns its name or None.

        Raises AwsError for error faults and Dropped for a dropped connection;
        a delay blocks here, then the call proceeds.
        """
        with self.lock:
            # Every rule counts the call (so "nth" means the nth call since the
            # rule was added, whatever other rules did); the first that fires wins.
            fired = [r for r in self._rules if r.fires(action, when, self._rng)]
            rule = fired[0] if fired else None
            if rule is not None:
                rule.hits += 1
            release = self._delay_release
        if rule is None:
            return None
        if rule.fault == "delay":
            release.wait(rule.delay_ms / 1000.0)
        elif rule.fault == "drop":
            raise Dropped()
        elif rule.fault == "throttle":
            raise AwsError(400, "Throttling", "Rate exceeded")
        elif rule.fault == "500":
            raise service_error(500)
        elif rule.fault == "503":
            raise service_error(503)
        elif rule.fault == "html500":
            raise RawReply(500, "text/html", _HTML_PAGE)
        elif rule.fault == "501":
            raise RawReply(501, "text/xml", (
                "<ErrorResponse><Error><Type>Receiver</Type><Code>NotImplemented</Code><Message>The "
                f"{action} action is not implemented</Message></Error></ErrorResponse>").encode())
        return rule.fault

    # --- the call log -------------------------------------------------------------

    def record_call(self, entry):
        with self.lock:
            entry["seq"] = len(self._calls) + 1
            entry["time"] = iso8601(self.clocks.now())
            self._calls.append(entry)

    def count_connection(self):
        with self.lock:
            self.connections += 1

    def calls(self):
        with self.lock:
            return list(self._calls)

    def clear_calls(self):
        with self.lock:
            self._calls = []

    # --- settings -------------------------------------------------------------

    def configure(self, settings):
        with self.lock:
            for name, value in settings.items():
                if name == "key_propagation_seconds":
                    self.key_propagation_seconds = float(value)
                elif name == "deleted_key_seconds":
                    self.deleted_key_seconds = float(value)
                elif name == "max_page_items":
                    self.max_page_items = int(value)
                elif name == "skew_seconds":
                    self.clocks.skew_seconds = float(value)
                elif name == "advance_seconds":  # adds: time only moves forward
                    self.clocks.advance_seconds += float(value)
                else:
                    raise ValueError(f"unknown setting {name!r}")
            return self.settings()

    def settings(self):
        return {"key_propagation_seconds": self.key_propagation_seconds,
                "deleted_key_seconds": self.deleted_key_seconds,
                "max_page_items": self.max_page_items,
                "skew_seconds": self.clocks.skew_seconds,
                "advance_seconds": self.clocks.advance_seconds}
