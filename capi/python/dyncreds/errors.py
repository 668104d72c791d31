"""Exceptions for the status codes of capi/dyncreds.h.

Every error is a DyncredsError; its subclass says what kind (NotFound,
PermissionDenied, ...). Errors from AWS keep AWS's code, message, request
id and HTTP status.
"""


class DyncredsError(Exception):
    status = None  # the dyncreds_status number, set on each subclass
    code = "error"  # its name, as dyncreds_status_name gives it

    def __init__(self, message, field="", aws_code="", aws_message="", request_id="", http_status=0):
        super().__init__(message)
        self.message = message
        self.field = field  # the input field at fault, for invalid input
        self.aws_code = aws_code
        self.aws_message = aws_message
        self.request_id = request_id
        self.http_status = http_status


class LibraryNotFound(OSError):
    """libdyncreds could not be loaded: install it, or set DYNCREDS_LIBRARY."""


def _kind(name, status, code):
    return type(name, (DyncredsError,), {"status": status, "code": code})


InvalidArgument = _kind("InvalidArgument", 1, "invalid_argument")
NotFound = _kind("NotFound", 2, "not_found")
Conflict = _kind("Conflict", 3, "conflict")
PermissionDenied = _kind("PermissionDenied", 4, "permission_denied")
Throttled = _kind("Throttled", 5, "throttled")
AwsError = _kind("AwsError", 6, "aws_error")
TransportError = _kind("TransportError", 7, "transport")
Timeout = _kind("Timeout", 8, "timeout")
MalformedResponse = _kind("MalformedResponse", 9, "malformed_response")
StoreError = _kind("StoreError", 10, "store")
EncryptionKeyError = _kind("EncryptionKeyError", 11, "encryption_key")
Unavailable = _kind("Unavailable", 12, "unavailable")
InternalError = _kind("InternalError", 13, "internal")
OutOfMemory = _kind("OutOfMemory", 14, "out_of_memory")

_BY_STATUS = {k.status: k for k in (InvalidArgument, NotFound, Conflict, PermissionDenied, Throttled, AwsError,
                                     TransportError, Timeout, MalformedResponse, StoreError, EncryptionKeyError,
                                     Unavailable, InternalError, OutOfMemory)}


def error_from_native(status, lib, err):
    """The exception for a failed call: status, and the error object (may be NULL)."""
    kind = _BY_STATUS.get(status, DyncredsError)
    if not err:
        return kind(lib.dyncreds_status_name(status).decode())

    def text(accessor):
        return getattr(lib, "dyncreds_error_" + accessor)(err).decode("utf-8", "replace")

    return kind(text("message"), field=text("field"), aws_code=text("aws_code"), aws_message=text("aws_message"),
                request_id=text("request_id"), http_status=lib.dyncreds_error_http_status(err))
