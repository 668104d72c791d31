"""dyncreds: short-lived AWS credentials from libdyncreds, for Python.

A ctypes binding of the C ABI (capi/dyncreds.h). See engine.py for the
Engine, errors.py for the exceptions, types.py for the returned values.
"""
from ._native import lib as _lib
from .engine import Engine
from .errors import (AwsError, Conflict, DyncredsError, EncryptionKeyError, InternalError, InvalidArgument,
                     MalformedResponse, NotFound, OutOfMemory, PermissionDenied, StoreError, Throttled, Timeout,
                     TransportError, Unavailable)
from .signing import sign_request
from .types import Credentials, ForceRevokeReport, Lease, TidyReport


def version():
    """The version of the loaded libdyncreds, "major.minor.patch"."""
    return _lib.dyncreds_version().decode()


__all__ = ["Engine", "Credentials", "Lease", "ForceRevokeReport", "TidyReport", "sign_request", "version",
           "DyncredsError", "InvalidArgument", "NotFound", "Conflict", "PermissionDenied", "Throttled", "AwsError",
           "TransportError", "Timeout", "MalformedResponse", "StoreError", "EncryptionKeyError", "Unavailable",
           "InternalError", "OutOfMemory"]
