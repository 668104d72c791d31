"""dyncreds: short-lived AWS credentials from libdyncreds, for Python.

A ctypes binding of the C ABI (capi/dyncreds.h). See engine.py for the
Engine, errors.py for the exceptions, types.py for the returned values.
"""
import json

from ._native import lib as _lib
from .engine import Engine
from .server import Server
from .errors import (AwsError, Conflict, DyncredsError, EncryptionKeyError, InternalError, InvalidArgument,
                     LibraryNotFound, MalformedResponse, NotFound, OutOfMemory, PermissionDenied, StoreError, Throttled, Timeout,
                     TransportError, Unavailable)
from .signing import sign_request
from .types import Credentials, ForceRevokeReport, Lease, TidyReport


class caller:
    """Names the caller in the audit events of engine calls this thread
    makes inside the block: free text, or a dict recorded as a JSON object.

        with dyncreds.caller({"user": "alice"}):
            engine.issue("readonly")
    """

    def __init__(self, who):
        self._who = who if isinstance(who, str) else json.dumps(who)

    def __enter__(self):
        _lib.dyncreds_set_caller(self._who.encode("utf-8"))
        return self

    def __exit__(self, *exc):
        _lib.dyncreds_set_caller(None)


def version():
    """The version of the loaded libdyncreds, "major.minor.patch"."""
    return _lib.dyncreds_version().decode()


__all__ = ["Engine", "caller", "Credentials", "Lease", "ForceRevokeReport", "TidyReport", "sign_request", "version",
           "DyncredsError", "LibraryNotFound", "InvalidArgument", "NotFound", "Conflict", "PermissionDenied", "Throttled", "AwsError",
           "TransportError", "Timeout", "MalformedResponse", "StoreError", "EncryptionKeyError", "Unavailable",
           "InternalError", "OutOfMemory"]
