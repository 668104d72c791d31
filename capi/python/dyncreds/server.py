"""Server: Vault's HTTP API for the AWS engine, in this process, over the C ABI.

    with dyncreds.Server(store="leases.db", store_key_file="store.key",
                         listen_address="127.0.0.1:0", default_mounts=["aws"]) as server:
        print(server.root_token)      # made on the store's first start, else None
        ... clients talk to http://127.0.0.1:{server.port}/v1/aws/... ...

With listen_address="" there is no socket: a host with an HTTP stack of its
own passes each request to handle(). Thread safety: handle() and port may
be used from many threads at once; close() only once no call is running.
"""
import ctypes
import json

from ._native import call, encode, lib


class Server:
    def __init__(self, store=":memory:", store_key=None, store_key_file=None, listen_address="127.0.0.1:8200",
                 tls_cert_file=None, tls_key_file=None, root_token_id=None, default_mounts=None, audit_file=None,
                 **more):
        """Starts the server; the options are dyncreds_server_start's
        (capi/dyncreds.h), e.g. threads, max_body_bytes, idle_timeout."""
        options = {"store": store, "store_key": store_key, "store_key_file": store_key_file,
                   "listen_address": listen_address, "tls_cert_file": tls_cert_file, "tls_key_file": tls_key_file,
                   "root_token_id": root_token_id, "default_mounts": default_mounts, "audit_file": audit_file, **more}
        options = json.dumps({k: v for k, v in options.items() if v is not None})
        self._handle = ctypes.c_void_p()
        token = ctypes.c_void_p()
        call(lib.dyncreds_server_start, ctypes.byref(self._handle), encode(options), None, ctypes.byref(token))
        self.root_token = None
        if token.value:
            try:
                self.root_token = ctypes.string_at(token.value).decode("utf-8")
            finally:
                lib.dyncreds_free(token)

    @property
    def port(self):
        return lib.dyncreds_server_port(self._handle)

    def reload(self):
        """Reopens the audit file and reloads the TLS certificate and key."""
        call(lib.dyncreds_server_reload, self._handle)

    def handle(self, method, path, headers=None, body="", query="", client_address=""):
        """One request ("/v1/..."); returns (status, content_type, body)."""
        request = json.dumps({"method": method, "path": path, "query": query, "headers": headers or {},
                              "body": body, "client_address": client_address})
        out = ctypes.c_void_p()
        call(lib.dyncreds_server_handle, self._handle, encode(request), ctypes.byref(out))
        try:
            reply = json.loads(ctypes.string_at(out.value).decode("utf-8"))
        finally:
            lib.dyncreds_free(out)
        return reply["status"], reply["content_type"], reply["body"]

    def close(self):
        """Finishes the requests in flight and stops. Idempotent."""
        if self._handle:
            lib.dyncreds_server_free(self._handle)
            self._handle = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
