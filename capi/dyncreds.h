/* dyncreds.h: the C ABI of libdyncreds, for C programs and for Python
 * (ctypes), Go (cgo) and any other FFI. Valid C99.
 *
 * Rules (after leveldb's c.h, SQLite and libgit2):
 *  1. Objects are opaque handles: dyncreds_engine, dyncreds_error.
 *  2. Every function that can fail returns a dyncreds_status (0 is
 *     DYNCREDS_OK) and takes `dyncreds_error** err` last. On failure, if err
 *     is not NULL, *err receives an error object (code, message, the input
 *     field at fault, AWS's error code, message and request id) that the
 *     caller frees with dyncreds_error_free. On success *err is untouched.
 *  3. Outputs come first and are named out. Strings the library returns are
 *     NUL-terminated, allocated by the library, and freed with
 *     dyncreds_free, which first wipes them (they may hold a secret access
 *     key or session token). Strings passed in are borrowed for the call.
 *  4. Structured values travel as JSON (UTF-8): options, roles, leases,
 *     reports. The field names are those of the C++ API and of Vault.
 *  5. NULL where a handle or string is required is refused with
 *     DYNCREDS_EINVAL naming the argument; nothing aborts, exits or throws
 *     across this boundary.
 *  6. Thread safety: a dyncreds_engine may be used from many threads at
 *     once, except that dyncreds_engine_free must not race with other calls
 *     on the same engine. Error objects and strings belong to one thread at
 *     a time. Free functions are NULL-safe.
 */
#ifndef DYNCREDS_C_H_
#define DYNCREDS_C_H_

#include <stddef.h>
#include <stdint.h>

#include "dyncreds/export.h"
#include "dyncreds/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same numbers as dyncreds::ErrorCode, plus DYNCREDS_ENOMEM. */
typedef enum dyncreds_status {
  DYNCREDS_OK = 0,
  DYNCREDS_EINVAL = 1,        /* bad input; dyncreds_error_field names it */
  DYNCREDS_ENOTFOUND = 2,     /* unknown role, lease or AWS entity */
  DYNCREDS_ECONFLICT = 3,     /* exists already, limit reached, rolled back */
  DYNCREDS_EDENIED = 4,       /* AWS refused: access denied, bad or expired keys */
  DYNCREDS_ETHROTTLED = 5,    /* AWS kept throttling after every retry */
  DYNCREDS_EAWS = 6,          /* any other error reply from AWS */
  DYNCREDS_ETRANSPORT = 7,    /* network: DNS, connect, TLS, reset */
  DYNCREDS_ETIMEOUT = 8,      /* a timeout expired */
  DYNCREDS_EMALFORMED = 9,    /* a reply that could not be understood */
  DYNCREDS_ESTORE = 10,       /* the lease store failed (locked, corrupt, ...) */
  DYNCREDS_EKEY = 11,         /* missing or wrong store encryption key */
  DYNCREDS_EUNAVAILABLE = 12, /* closed engine, or no config/root yet */
  DYNCREDS_EINTERNAL = 13,    /* a bug in libdyncreds */
  DYNCREDS_ENOMEM = 14        /* out of memory */
} dyncreds_status;

typedef struct dyncreds_engine dyncreds_engine;
typedef struct dyncreds_error dyncreds_error;
typedef struct dyncreds_server dyncreds_server;

/* --- version, memory, errors ------------------------------------------- */

/* "major.minor.patch" of the library loaded at run time (compare with
 * DYNCREDS_VERSION_STRING, the headers compiled against). Static string. */
DYNCREDS_EXPORT const char* dyncreds_version(void);

/* Wipes and frees a string the library returned. NULL-safe. */
DYNCREDS_EXPORT void dyncreds_free(char* s);

/* A static name for a status: "ok", "invalid_argument", "not_found", ... */
DYNCREDS_EXPORT const char* dyncreds_status_name(dyncreds_status status);

/* Accessors: the strings live as long as the error; "" when absent. */
DYNCREDS_EXPORT dyncreds_status dyncreds_error_code(const dyncreds_error* err);
DYNCREDS_EXPORT const char* dyncreds_error_message(const dyncreds_error* err);
DYNCREDS_EXPORT const char* dyncreds_error_field(const dyncreds_error* err);
DYNCREDS_EXPORT const char* dyncreds_error_aws_code(const dyncreds_error* err);
DYNCREDS_EXPORT const char* dyncreds_error_aws_message(const dyncreds_error* err);
DYNCREDS_EXPORT const char* dyncreds_error_request_id(const dyncreds_error* err);
DYNCREDS_EXPORT int dyncreds_error_http_status(const dyncreds_error* err); /* 0 when not from AWS */
DYNCREDS_EXPORT void dyncreds_error_free(dyncreds_error* err);

/* --- engines ------------------------------------------------------------- */

/* Opens an engine. options_json (NULL or "{}" for all defaults):
 *   "mount"            "aws"
 *   "store"            path of the SQLite store; ":memory:" (the default)
 *                      keeps everything in memory
 *   "store_key"        base64 of the 32-byte store key, or
 *   "store_key_file"   a file holding it; default: DYNCREDS_STORE_KEY_FILE,
 *                      then DYNCREDS_STORE_KEY
 *   "worker"           true: revoke on a thread of the engine's own;
 *                      false: the host calls dyncreds_tick (default true)
 *   "poll_interval_ms" how often the worker looks for due leases (1000)
 *   "ca_bundle"        CA certificates for TLS to AWS (default: the system's,
 *                      or AWS_CA_BUNDLE)
 *   "audit_file"       append each audit event to this JSON-lines file
 *                      (created 0600); with the audit callback, both must
 *                      take an event for it to count as recorded
 *   "audit_fsync"      "every" (default: each line on disk before the
 *                      operation goes on) or "never"
 *   "audit_fail_open"  false (default, fail-closed): when an audit event
 *                      cannot be recorded, configuration, role and renewal
 *                      changes do not happen, and a credential just issued
 *                      is revoked and the call fails with
 *                      DYNCREDS_EUNAVAILABLE; revocations always proceed.
 *                      true: everything proceeds; the failure is logged.
 * *out receives the engine, freed with dyncreds_engine_free. */
DYNCREDS_EXPORT dyncreds_status dyncreds_engine_open(dyncreds_engine** out, const char* options_json,
                                                     dyncreds_error** err);
/* --- log and audit callbacks -------------------------------------------- */

typedef enum dyncreds_log_level {
  DYNCREDS_LOG_DEBUG = 0,
  DYNCREDS_LOG_INFO = 1,
  DYNCREDS_LOG_WARNING = 2,
  DYNCREDS_LOG_ERROR = 3
} dyncreds_log_level;

/* A log line for operators (UTF-8, never a secret); `message` is valid
 * during the call only. */
typedef void (*dyncreds_log_fn)(void* ctx, dyncreds_log_level level, const char* message);

/* One audit event per operation that changes or reveals something, as a
 * JSON object valid during the call only: "time" (RFC 3339, ms), "mount",
 * "operation" ("config.write", "config.rotate_root", "role.write",
 * "role.delete", "creds.issue", "lease.renew", "lease.revoke",
 * "intent.rollback", "orphan.delete"), "path", "reason" (lease.revoke:
 * "manual", "prefix", "force", "expired", "role_deleted"), "role",
 * "lease_id", "user_name", "arn", "access_key_id", "outcome" ("success" |
 * "failure"), and on failure "error": {"code", "message", "aws_code",
 * "request_id"}, "caller" (see dyncreds_set_caller), "secret_key_hmac" and
 * "session_token_hmac" ("hmac-sha256:<hex>", see dyncreds_audit_hmac).
 * Never a secret. Return 0 once the event is recorded; any other value
 * means it was not, which is logged and, unless "audit_fail_open", stops
 * the operation (see dyncreds_engine_open). */
typedef int (*dyncreds_audit_fn)(void* ctx, const char* event_json);

#define DYNCREDS_CALLBACKS_VERSION 1

/* Zero-initialize, set version to DYNCREDS_CALLBACKS_VERSION (so later
 * versions of the library can add fields), then the callbacks wanted.
 * Callbacks run on any thread (the engine's worker included), possibly
 * several at once, until dyncreds_engine_close returns; their ctx must
 * stay valid until then. A callback must not call into the same engine. */
typedef struct dyncreds_callbacks {
  unsigned int version;
  dyncreds_log_fn log;            /* NULL: no log lines */
  void* log_ctx;
  dyncreds_log_level log_level;   /* lines below this level are not passed */
  dyncreds_audit_fn audit;        /* NULL: no audit events */
  void* audit_ctx;
} dyncreds_callbacks;

/* dyncreds_engine_open with callbacks (NULL: none); the struct is copied. */
DYNCREDS_EXPORT dyncreds_status dyncreds_engine_open_with(dyncreds_engine** out, const char* options_json,
                                                          const dyncreds_callbacks* callbacks, dyncreds_error** err);
/* Stops the worker and closes the store; later calls on the engine fail
 * with DYNCREDS_EUNAVAILABLE. Idempotent. */
DYNCREDS_EXPORT dyncreds_status dyncreds_engine_close(dyncreds_engine* engine, dyncreds_error** err);
/* Closes (if still open) and frees. NULL-safe. */
DYNCREDS_EXPORT void dyncreds_engine_free(dyncreds_engine* engine);

/* --- configuration: "root" (config/root) and "lease" (config/lease) ------ */

DYNCREDS_EXPORT dyncreds_status dyncreds_config_write(dyncreds_engine* engine, const char* name, const char* json,
                                                      dyncreds_error** err);
/* The document as JSON; config/root's never includes secret_key. */
DYNCREDS_EXPORT dyncreds_status dyncreds_config_read(char** out, dyncreds_engine* engine, const char* name,
                                                     dyncreds_error** err);
/* config/rotate-root; *out receives the new access key id. */
DYNCREDS_EXPORT dyncreds_status dyncreds_config_rotate_root(char** out, dyncreds_engine* engine, dyncreds_error** err);

/* --- roles (Vault's field names) ------------------------------------------ */

DYNCREDS_EXPORT dyncreds_status dyncreds_role_write(dyncreds_engine* engine, const char* name, const char* json,
                                                    dyncreds_error** err);
DYNCREDS_EXPORT dyncreds_status dyncreds_role_read(char** out, dyncreds_engine* engine, const char* name,
                                                   dyncreds_error** err);
/* A JSON array of role names. */
DYNCREDS_EXPORT dyncreds_status dyncreds_role_list(char** out, dyncreds_engine* engine, dyncreds_error** err);
/* revoke_leases != 0 revokes the role's leases first (the role stays if any fails). */
DYNCREDS_EXPORT dyncreds_status dyncreds_role_delete(dyncreds_engine* engine, const char* name, int revoke_leases,
                                                     dyncreds_error** err);

/* --- credentials -------------------------------------------------------------- */

/* Issues credentials for a role. options_json (NULL for defaults): "ttl"
 * (seconds or "30m"), "role_arn", "role_session_name", "mfa_code",
 * "display_name", "wait_until_usable" (bool), "usable_timeout" (seconds).
 * *out receives {"lease_id", "lease_duration" (s), "renewable",
 * "access_key", "secret_key", "session_token" (STS), "expiration" (STS,
 * RFC 3339), "arn", "user_name"}; it holds the secret: dyncreds_free wipes it. */
DYNCREDS_EXPORT dyncreds_status dyncreds_creds_issue(char** out, dyncreds_engine* engine, const char* role,
                                                     const char* options_json, dyncreds_error** err);

/* --- leases --------------------------------------------------------------------- */

/* A lease as JSON: id, mount, role, credential_type, user_name,
 * access_key_id, arn, issued_at, expires_at, max_expires_at (RFC 3339),
 * renewable, state ("active" | "irrevocable"), revoke_attempts, last_error. */
DYNCREDS_EXPORT dyncreds_status dyncreds_lease_lookup(char** out, dyncreds_engine* engine, const char* lease_id,
                                                      dyncreds_error** err);
/* A JSON array of leases under prefix ("" for all), in id order. */
DYNCREDS_EXPORT dyncreds_status dyncreds_lease_list(char** out, dyncreds_engine* engine, const char* prefix,
                                                    dyncreds_error** err);
/* Extends by increment_seconds from now (0: the role's TTL), never past
 * the max TTL; *out receives the renewed lease. */
DYNCREDS_EXPORT dyncreds_status dyncreds_lease_renew(char** out, dyncreds_engine* engine, const char* lease_id,
                                                     int64_t increment_seconds, dyncreds_error** err);
DYNCREDS_EXPORT dyncreds_status dyncreds_lease_revoke(dyncreds_engine* engine, const char* lease_id,
                                                      dyncreds_error** err);
/* *out (may be NULL) receives how many leases were revoked. */
DYNCREDS_EXPORT dyncreds_status dyncreds_lease_revoke_prefix(size_t* out, dyncreds_engine* engine, const char* prefix,
                                                             dyncreds_error** err);
/* Drops the leases even when AWS cleanup fails; *out receives
 * {"revoked": [ids], "dropped": [{"lease_id", "error"}]}. */
DYNCREDS_EXPORT dyncreds_status dyncreds_lease_revoke_force(char** out, dyncreds_engine* engine, const char* prefix,
                                                            dyncreds_error** err);

/* --- maintenance ------------------------------------------------------------------ */

/* options_json (NULL for defaults): "path_prefix" ("/"), "delete_orphans"
 * (false). *out receives {"rolled_back", "settling", "orphans", "deleted", "failed":
 * [{"name", "error"}], "irrevocable": [leases]}. */
DYNCREDS_EXPORT dyncreds_status dyncreds_tidy(char** out, dyncreds_engine* engine, const char* options_json,
                                              dyncreds_error** err);
/* Revokes what is due now (and runs recovery when it is time), for hosts
 * that drive time themselves ("worker": false). *out (may be NULL)
 * receives how many leases were handled. */
DYNCREDS_EXPORT dyncreds_status dyncreds_tick(size_t* out, dyncreds_engine* engine, dyncreds_error** err);

/* --- audit ----------------------------------------------------------------------- */

/* Names the caller (free text, or a JSON object recorded as one) of the
 * calls the calling thread makes from now on, on every engine, for their
 * audit events; NULL clears it. The string is copied. */
DYNCREDS_EXPORT void dyncreds_set_caller(const char* caller);
/* *out receives "hmac-sha256:<hex>" of value under the store's audit salt:
 * what audit events carry in place of secrets, so a leaked key can be
 * matched against them. */
DYNCREDS_EXPORT dyncreds_status dyncreds_audit_hmac(char** out, dyncreds_engine* engine, const char* value,
                                                    dyncreds_error** err);
/* *out receives the engine's metrics in Prometheus' text exposition
 * format (dyncreds_* families: operations and latency per credential type,
 * AWS calls, retries and throttles per action, leases, revocation lag). */
DYNCREDS_EXPORT dyncreds_status dyncreds_metrics_prometheus(char** out, dyncreds_engine* engine, dyncreds_error** err);
/* Opens the "audit_file" again (after log rotation renamed it); no-op
 * without one. */
DYNCREDS_EXPORT dyncreds_status dyncreds_audit_reopen(dyncreds_engine* engine, dyncreds_error** err);

/* --- the Vault-compatible HTTP server ------------------------------------------- */

/* Starts Vault's HTTP API for the AWS engine (dyncreds/server.h).
 * options_json: the host options of dyncreds_engine_open but "mount"
 * ("store", "store_key", "store_key_file", "worker", "poll_interval_ms",
 * "ca_bundle", "audit_file", "audit_fsync", "audit_fail_open"), and
 *   "listen_address"   "127.0.0.1:8200"; port 0 picks a free one; "" serves
 *                      no socket: requests come through dyncreds_server_handle
 *   "tls_cert_file", "tls_key_file"   PEM files: HTTPS only (TLS 1.2, 1.3)
 *   "threads" (4), "max_connections" (1024), "max_body_bytes" (1 MiB),
 *   "max_header_bytes" (32768), "idle_timeout" (seconds or "60s")
 *   "root_token_id"    the root token to make instead of a random one
 *   "default_mounts"   mounts to enable if absent, e.g. ["aws"]
 * On a store's first start a root token is made; *root_token (if not NULL)
 * receives it (free with dyncreds_free; NULL when none was made). Only its
 * hash is kept. *out receives the server, freed (and stopped: requests in
 * flight finish) with dyncreds_server_free. */
DYNCREDS_EXPORT dyncreds_status dyncreds_server_start(dyncreds_server** out, const char* options_json,
                                                      const dyncreds_callbacks* callbacks, char** root_token,
                                                      dyncreds_error** err);
/* The port it listens on (0 without a socket). */
DYNCREDS_EXPORT int dyncreds_server_port(const dyncreds_server* server);
/* Reopens the audit file and reloads the TLS certificate and key (SIGHUP). */
DYNCREDS_EXPORT dyncreds_status dyncreds_server_reload(dyncreds_server* server, dyncreds_error** err);
/* One request from the host's own HTTP stack. request_json: {"method",
 * "path" ("/v1/..."), "query" (encoded, optional), "headers": {name: value},
 * "body", "client_address"}. *response_json receives {"status",
 * "content_type", "body"}: it may hold issued secrets; dyncreds_free wipes it. */
DYNCREDS_EXPORT dyncreds_status dyncreds_server_handle(dyncreds_server* server, const char* request_json,
                                                       char** response_json, dyncreds_error** err);
DYNCREDS_EXPORT void dyncreds_server_free(dyncreds_server* server);

/* --- SigV4 signing of any AWS request -------------------------------------------- */

/* request_json: {"method" (required), "url", "headers": {name: value}
 * (optional), "body" or "payload_hash" (optional; "UNSIGNED-PAYLOAD"
 * allowed), "region", "service", "access_key", "secret_key",
 * "session_token" (optional), "time" (RFC 3339 or Unix seconds, 1970 to
 * 2262-04-11; default now)}.
 * *out receives {"headers": {name: value}}: the headers to add to the
 * request (Authorization, X-Amz-Date, and X-Amz-Security-Token when a
 * session token is given, x-amz-content-sha256 with UNSIGNED-PAYLOAD).
 * The canonical path is normalized as botocore does for every service but
 * S3 (dot segments and empty segments removed; a trailing slash kept only
 * when the path ends in one). Hop-by-hop headers (connection, keep-alive,
 * te, transfer-encoding, upgrade, proxy-authorization), expect, user-agent
 * and x-amzn-trace-id are not signed: proxies change them. */
DYNCREDS_EXPORT dyncreds_status dyncreds_sigv4_sign(char** out, const char* request_json, dyncreds_error** err);

#ifdef __cplusplus
}
#endif

#endif /* DYNCREDS_C_H_ */
