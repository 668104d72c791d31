"""Engine: one mount of the AWS secrets engine, over the C ABI.

    with dyncreds.Engine(store="leases.db", store_key_file="store.key") as engine:
        engine.write_root_config(access_key="AKIA...", secret_key="...", region="us-east-1")
        engine.write_role("reader", credential_type="iam_user",
                          policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
        creds = engine.issue("reader", ttl="15m", wait_until_usable=True)
        ... creds.access_key, creds.secret_key ...
        engine.revoke(creds.lease_id)

Thread safety: an Engine may be used from many threads at once, and
close() may be called while other threads use it (their calls then raise
Unavailable). The log and audit functions are called from any thread,
including the engine's own worker.
"""
import ctypes
import json

from . import _native
from ._native import call, call_string, encode, lib
from .types import Credentials, ForceRevokeReport, Lease, TidyReport

LOG_LEVELS = {"debug": 0, "info": 1, "warning": 2, "error": 3}
_LEVEL_NAMES = {v: k for k, v in LOG_LEVELS.items()}


def _json(value):
    return json.dumps(value, separators=(",", ":"))


def _options(**fields):
    """The options JSON for a C call, without the fields left as None."""
    return _json({k: v for k, v in fields.items() if v is not None})


class Engine:
    def __init__(self, mount="aws", store=":memory:", store_key=None, store_key_file=None, worker=True,
                 poll_interval_ms=None, ca_bundle=None, log=None, log_level="info", audit=None, audit_file=None,
                 audit_fsync=None, audit_fail_open=None):
        """Opens an engine. `store` is an SQLite file (":memory:" keeps
        nothing); `store_key` (base64) or `store_key_file` seals the root
        secret at rest. `log(level, message)` receives log lines at
        `log_level` and above; `audit(event)` receives each audit event as
        a dict; an exception it raises means the event was not recorded.
        `audit_file` appends every event to a JSON-lines file (0600),
        `audit_fsync` "every" (default) or "never". Unless
        `audit_fail_open`, an event that cannot be recorded stops what it
        records (Unavailable), except revocations. `worker=False` leaves
        revocation to tick()."""
        if log_level not in LOG_LEVELS:
            raise ValueError("log_level must be one of " + ", ".join(LOG_LEVELS))
        self._callbacks = _native.Callbacks(version=_native.CALLBACKS_VERSION, log_level=LOG_LEVELS[log_level])
        if log is not None:
            self._callbacks.log = _native.LOG_FN(
                lambda _ctx, level, message: log(_LEVEL_NAMES.get(level, "error"), message.decode("utf-8", "replace")))
        if audit is not None:
            def on_audit(_ctx, event):
                try:
                    audit(json.loads(event))
                    return 0
                except Exception:  # the event was not recorded: the engine logs it, and may refuse
                    return 1
            self._callbacks.audit = _native.AUDIT_FN(on_audit)
        options = _options(mount=mount, store=store, store_key=store_key, store_key_file=store_key_file,
                           worker=worker, poll_interval_ms=poll_interval_ms, ca_bundle=ca_bundle,
                           audit_file=audit_file, audit_fsync=audit_fsync, audit_fail_open=audit_fail_open)
        self._handle = ctypes.c_void_p()
        call(lib.dyncreds_engine_open_with, ctypes.byref(self._handle), encode(options), ctypes.byref(self._callbacks))
        self.mount = mount

    # --- lifetime -----------------------------------------------------------------

    def close(self):
        """Stops the worker and closes the store. Idempotent. The handle
        itself is freed when the object is collected, so a thread still
        inside a call never touches freed memory."""
        if self._handle:
            call(lib.dyncreds_engine_close, self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            lib.dyncreds_engine_free(handle)
            self._handle = None

    # --- configuration ------------------------------------------------------------

    def write_root_config(self, **fields):
        """config/root: access_key, secret_key, region, iam_endpoint,
        sts_endpoint, sts_region, max_retries, username_template."""
        call(lib.dyncreds_config_write, self._handle, b"root", encode(_json(fields)))

    def read_root_config(self):
        """config/root without its secret_key, as a dict."""
        return json.loads(call_string(lib.dyncreds_config_read, self._handle, b"root"))

    def write_lease_config(self, lease, lease_max):
        """config/lease: durations such as "768h" (or seconds)."""
        call(lib.dyncreds_config_write, self._handle, b"lease", encode(_json({"lease": lease, "lease_max": lease_max})))

    def read_lease_config(self):
        return json.loads(call_string(lib.dyncreds_config_read, self._handle, b"lease"))

    def rotate_root(self):
        """Replaces the root key with a new one; returns its access key id."""
        return call_string(lib.dyncreds_config_rotate_root, self._handle)

    # --- roles ----------------------------------------------------------------------

    def write_role(self, name, fields=None, **more):
        """Creates or updates a role from Vault's fields (a dict, keywords,
        or both), e.g. credential_type="iam_user", policy_arns=[...]."""
        call(lib.dyncreds_role_write, self._handle, encode(name), encode(_json({**(fields or {}), **more})))

    def read_role(self, name):
        return json.loads(call_string(lib.dyncreds_role_read, self._handle, encode(name)))

    def list_roles(self):
        return json.loads(call_string(lib.dyncreds_role_list, self._handle))

    def delete_role(self, name, revoke_leases=False):
        call(lib.dyncreds_role_delete, self._handle, encode(name), int(revoke_leases))

    # --- credentials and leases -------------------------------------------------------

    def issue(self, role, ttl=None, role_arn=None, role_session_name=None, mfa_code=None, display_name=None,
              wait_until_usable=None, usable_timeout=None):
        """Issues credentials for `role`; `ttl` in seconds or as "30m"."""
        options = _options(ttl=ttl, role_arn=role_arn, role_session_name=role_session_name, mfa_code=mfa_code,
                           display_name=display_name, wait_until_usable=wait_until_usable,
                           usable_timeout=usable_timeout)
        reply = call_string(lib.dyncreds_creds_issue, self._handle, encode(role), encode(options))
        return Credentials.from_json(json.loads(reply))

    def lookup(self, lease_id):
        return Lease.from_json(json.loads(call_string(lib.dyncreds_lease_lookup, self._handle, encode(lease_id))))

    def list_leases(self, prefix=""):
        reply = call_string(lib.dyncreds_lease_list, self._handle, encode(prefix))
        return [Lease.from_json(x) for x in json.loads(reply)]

    def renew(self, lease_id, increment=0):
        """Extends the lease by `increment` seconds from now (0: the role's TTL)."""
        reply = call_string(lib.dyncreds_lease_renew, self._handle, encode(lease_id), int(increment))
        return Lease.from_json(json.loads(reply))

    def revoke(self, lease_id):
        call(lib.dyncreds_lease_revoke, self._handle, encode(lease_id))

    def revoke_prefix(self, prefix):
        """Revokes every lease under `prefix`; returns how many."""
        count = ctypes.c_size_t()
        call(lib.dyncreds_lease_revoke_prefix, ctypes.byref(count), self._handle, encode(prefix))
        return count.value

    def revoke_force(self, prefix):
        reply = call_string(lib.dyncreds_lease_revoke_force, self._handle, encode(prefix))
        return ForceRevokeReport.from_json(json.loads(reply))

    # --- audit ----------------------------------------------------------------------

    def audit_hmac(self, value):
        """"hmac-sha256:<hex>" of value under the store's audit salt, as audit
        events carry secrets: for matching a leaked key against them."""
        return call_string(lib.dyncreds_audit_hmac, self._handle, encode(value))

    def metrics(self):
        """The engine's metrics in Prometheus' text exposition format."""
        return call_string(lib.dyncreds_metrics_prometheus, self._handle)

    def audit_reopen(self):
        """Opens audit_file again, after log rotation renamed it."""
        call(lib.dyncreds_audit_reopen, self._handle)

    # --- maintenance ----------------------------------------------------------------

    def tidy(self, path_prefix=None, delete_orphans=None):
        options = _options(path_prefix=path_prefix, delete_orphans=delete_orphans)
        return TidyReport.from_json(json.loads(call_string(lib.dyncreds_tidy, self._handle, encode(options))))

    def tick(self):
        """Revokes what is due now (for engines opened with worker=False)."""
        count = ctypes.c_size_t()
        call(lib.dyncreds_tick, ctypes.byref(count), self._handle)
        return count.value
