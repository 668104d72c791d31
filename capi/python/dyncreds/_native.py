"""Loads libdyncreds and declares the C functions (capi/dyncreds.h).

The library is loaded on first use, from DYNCREDS_LIBRARY (a path), else
wherever the system's loader finds libdyncreds.so.0; importing the package
never fails for want of it. Strings the library returns are kept as raw
pointers so that they can be handed back to dyncreds_free, which wipes them:
they may hold a secret access key or session token.
"""
import ctypes
import ctypes.util
import os
import threading

from .errors import LibraryNotFound, error_from_native

_error_p = ctypes.c_void_p
_engine_p = ctypes.c_void_p
_out_str = ctypes.POINTER(ctypes.c_void_p)
_err_out = ctypes.POINTER(_error_p)

LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)
AUDIT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)
CALLBACKS_VERSION = 1


class Callbacks(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("log", LOG_FN),
        ("log_ctx", ctypes.c_void_p),
        ("log_level", ctypes.c_int),
        ("audit", AUDIT_FN),
        ("audit_ctx", ctypes.c_void_p),
    ]


def _declare_all(cdll):
    def _declare(name, restype, *argtypes):
        fn = getattr(cdll, name)
        fn.restype = restype
        fn.argtypes = list(argtypes)

    _c = ctypes.c_char_p
    _declare("dyncreds_version", _c)
    _declare("dyncreds_free", None, ctypes.c_void_p)
    _declare("dyncreds_status_name", _c, ctypes.c_int)
    _declare("dyncreds_error_code", ctypes.c_int, _error_p)
    for _name in ("message", "field", "aws_code", "aws_message", "request_id"):
        _declare("dyncreds_error_" + _name, _c, _error_p)
    _declare("dyncreds_error_http_status", ctypes.c_int, _error_p)
    _declare("dyncreds_error_free", None, _error_p)
    _declare("dyncreds_engine_open_with", ctypes.c_int, ctypes.POINTER(_engine_p), _c, ctypes.POINTER(Callbacks), _err_out)
    _declare("dyncreds_engine_close", ctypes.c_int, _engine_p, _err_out)
    _declare("dyncreds_engine_free", None, _engine_p)
    _declare("dyncreds_config_write", ctypes.c_int, _engine_p, _c, _c, _err_out)
    _declare("dyncreds_config_read", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_config_rotate_root", ctypes.c_int, _out_str, _engine_p, _err_out)
    _declare("dyncreds_role_write", ctypes.c_int, _engine_p, _c, _c, _err_out)
    _declare("dyncreds_role_read", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_role_list", ctypes.c_int, _out_str, _engine_p, _err_out)
    _declare("dyncreds_role_delete", ctypes.c_int, _engine_p, _c, ctypes.c_int, _err_out)
    _declare("dyncreds_creds_issue", ctypes.c_int, _out_str, _engine_p, _c, _c, _err_out)
    _declare("dyncreds_lease_lookup", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_lease_list", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_lease_renew", ctypes.c_int, _out_str, _engine_p, _c, ctypes.c_int64, _err_out)
    _declare("dyncreds_lease_revoke", ctypes.c_int, _engine_p, _c, _err_out)
    _declare("dyncreds_lease_revoke_prefix", ctypes.c_int, ctypes.POINTER(ctypes.c_size_t), _engine_p, _c, _err_out)
    _declare("dyncreds_lease_revoke_force", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_tidy", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_tick", ctypes.c_int, ctypes.POINTER(ctypes.c_size_t), _engine_p, _err_out)
    _declare("dyncreds_sigv4_sign", ctypes.c_int, _out_str, _c, _err_out)
    _declare("dyncreds_set_caller", None, _c)
    _declare("dyncreds_audit_hmac", ctypes.c_int, _out_str, _engine_p, _c, _err_out)
    _declare("dyncreds_audit_reopen", ctypes.c_int, _engine_p, _err_out)
    _declare("dyncreds_metrics_prometheus", ctypes.c_int, _out_str, _engine_p, _err_out)
    _declare("dyncreds_server_start", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), _c, ctypes.POINTER(Callbacks),
             ctypes.POINTER(ctypes.c_void_p), _err_out)
    _declare("dyncreds_server_port", ctypes.c_int, ctypes.c_void_p)
    _declare("dyncreds_server_reload", ctypes.c_int, ctypes.c_void_p, _err_out)
    _declare("dyncreds_server_handle", ctypes.c_int, ctypes.c_void_p, _c, ctypes.POINTER(ctypes.c_void_p), _err_out)
    _declare("dyncreds_server_free", None, ctypes.c_void_p)


def _open():
    path = os.environ.get("DYNCREDS_LIBRARY") or ctypes.util.find_library("dyncreds") or "libdyncreds.so.0"
    try:
        cdll = ctypes.CDLL(path)
    except OSError as e:
        raise LibraryNotFound(
            f"libdyncreds could not be loaded from {path!r} ({e}): install it where the system's loader "
            "finds it, or set DYNCREDS_LIBRARY to the path of libdyncreds.so") from None
    _declare_all(cdll)
    return cdll


class _Library:
    """libdyncreds, loaded (once, by whichever thread comes first) when a
    function of it is first asked for."""

    def __init__(self):
        self._cdll = None
        self._lock = threading.Lock()

    def __getattr__(self, name):
        if self._cdll is None:
            with self._lock:
                if self._cdll is None:
                    self._cdll = _open()
        return getattr(self._cdll, name)


lib = _Library()


def encode(text):
    """A str (or None) as the borrowed UTF-8 string a C function takes."""
    return None if text is None else text.encode("utf-8")


def call(fn, *args):
    """Calls a dyncreds function whose last argument is dyncreds_error**;
    raises the matching DyncredsError when it fails."""
    err = _error_p()
    status = fn(*args, ctypes.byref(err))
    if status != 0:
        try:
            raise error_from_native(status, lib, err)
        finally:
            lib.dyncreds_error_free(err)


def call_string(fn, *args):
    """Like call(), for functions whose first argument is char** out: returns
    the string, then wipes and frees the library's copy."""
    out = ctypes.c_void_p()
    call(fn, ctypes.byref(out), *args)
    try:
        return ctypes.string_at(out.value).decode("utf-8")
    finally:
        lib.dyncreds_free(out)
