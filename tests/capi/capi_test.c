/* capi_test: the C ABI, compiled as C99. Every function, and its error
 * paths: NULL arguments, bad JSON, wrong types, unknown options, unknown
 * roles and leases, a closed engine. With DYNCREDS_LOCAL_AWS set (ctest
 * does), also the whole credential lifecycle against the local endpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dyncreds.h"
#include "endpoint_file.h"

static int failures = 0;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

/* Expects `status` with an error naming `field` (NULL: any), then frees it. */
static void expect_error(dyncreds_status got, dyncreds_error* err, dyncreds_status want, const char* field, int line) {
  if (got != want || err == NULL || dyncreds_error_code(err) != want ||
      (field != NULL && strcmp(dyncreds_error_field(err), field) != 0)) {
    fprintf(stderr, "%s:%d: expected %s (field %s), got %s: %s (field %s)\n", __FILE__, line, dyncreds_status_name(want),
            field ? field : "-", dyncreds_status_name(got), err ? dyncreds_error_message(err) : "(no error object)",
            err ? dyncreds_error_field(err) : "-");
    ++failures;
  }
  dyncreds_error_free(err);
}
#define EXPECT_ERROR(call, want, field)         \
  do {                                          \
    dyncreds_error* e_ = NULL;                  \
    dyncreds_status s_ = (call);                \
    expect_error(s_, e_, want, field, __LINE__); \
  } while (0)
/* `call` must use `err` as its error argument. */
#define EXPECT_OK(call)                                                                          \
  do {                                                                                           \
    dyncreds_error* err = NULL;                                                                  \
    dyncreds_status s_ = (call);                                                                 \
    if (s_ != DYNCREDS_OK) {                                                                     \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, dyncreds_error_message(err)); \
      ++failures;                                                                                \
    }                                                                                            \
    dyncreds_error_free(err);                                                                    \
  } while (0)

static int contains(const char* haystack, const char* needle) { return haystack && strstr(haystack, needle) != NULL; }

static void test_basics(void) {
  CHECK(strcmp(dyncreds_version(), DYNCREDS_VERSION_STRING) == 0);
  CHECK(strcmp(dyncreds_status_name(DYNCREDS_OK), "ok") == 0);
  CHECK(strcmp(dyncreds_status_name(DYNCREDS_ENOTFOUND), "not_found") == 0);
  CHECK(strcmp(dyncreds_status_name(DYNCREDS_ENOMEM), "out_of_memory") == 0);
  CHECK(strcmp(dyncreds_status_name((dyncreds_status)99), "unknown") == 0);
  /* NULL-safe frees and accessors. */
  dyncreds_free(NULL);
  dyncreds_error_free(NULL);
  dyncreds_engine_free(NULL);
  CHECK(dyncreds_error_code(NULL) == DYNCREDS_OK);
  CHECK(strcmp(dyncreds_error_message(NULL), "") == 0);
  /* An error argument of NULL is allowed: the status still says what happened. */
  CHECK(dyncreds_engine_open(NULL, NULL, NULL) == DYNCREDS_EINVAL);
}

static void test_engine_errors(void) {
  dyncreds_engine* engine = NULL;
  char* out = NULL;
  EXPECT_ERROR(dyncreds_engine_open(NULL, "{}", &e_), DYNCREDS_EINVAL, "out");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{not json", &e_), DYNCREDS_EINVAL, "options");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "[1]", &e_), DYNCREDS_EINVAL, "options");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"mount\": 7}", &e_), DYNCREDS_EINVAL, "mount");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"colour\": \"red\"}", &e_), DYNCREDS_EINVAL, "colour");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"mount\": \"a/b\"}", &e_), DYNCREDS_EINVAL, "mount");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"worker\": \"yes\"}", &e_), DYNCREDS_EINVAL, "worker");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"audit_fsync\": \"sometimes\"}", &e_), DYNCREDS_EINVAL, "audit_fsync");
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"audit_file\": \"/nonexistent-dir/a.log\"}", &e_), DYNCREDS_EUNAVAILABLE, NULL);
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"store\": \"/nonexistent-dir/x.db\"}", &e_), DYNCREDS_ESTORE, NULL);
  EXPECT_ERROR(dyncreds_engine_open(&engine, "{\"store\": \"x.db\", \"store_key\": \"short\"}", &e_), DYNCREDS_EKEY, NULL);
  CHECK(engine == NULL);

  EXPECT_OK(dyncreds_engine_open(&engine, "{\"worker\": false}", &err));
  CHECK(engine != NULL);

  /* NULL handles and strings. */
  EXPECT_ERROR(dyncreds_config_write(NULL, "root", "{}", &e_), DYNCREDS_EINVAL, "engine");
  EXPECT_ERROR(dyncreds_config_write(engine, NULL, "{}", &e_), DYNCREDS_EINVAL, "name");
  EXPECT_ERROR(dyncreds_config_write(engine, "root", NULL, &e_), DYNCREDS_EINVAL, "json");
  EXPECT_ERROR(dyncreds_config_read(NULL, engine, "root", &e_), DYNCREDS_EINVAL, "out");
  EXPECT_ERROR(dyncreds_role_write(engine, NULL, "{}", &e_), DYNCREDS_EINVAL, "name");
  EXPECT_ERROR(dyncreds_role_read(&out, engine, NULL, &e_), DYNCREDS_EINVAL, "name");
  EXPECT_ERROR(dyncreds_role_list(NULL, engine, &e_), DYNCREDS_EINVAL, "out");
  EXPECT_ERROR(dyncreds_role_delete(engine, NULL, 0, &e_), DYNCREDS_EINVAL, "name");
  EXPECT_ERROR(dyncreds_creds_issue(&out, engine, NULL, NULL, &e_), DYNCREDS_EINVAL, "role");
  EXPECT_ERROR(dyncreds_lease_lookup(&out, engine, NULL, &e_), DYNCREDS_EINVAL, "lease_id");
  EXPECT_ERROR(dyncreds_lease_list(&out, engine, NULL, &e_), DYNCREDS_EINVAL, "prefix");
  EXPECT_ERROR(dyncreds_lease_renew(&out, engine, NULL, 0, &e_), DYNCREDS_EINVAL, "lease_id");
  EXPECT_ERROR(dyncreds_lease_renew(&out, engine, "x", -5, &e_), DYNCREDS_EINVAL, "increment");
  EXPECT_ERROR(dyncreds_lease_revoke(engine, NULL, &e_), DYNCREDS_EINVAL, "lease_id");
  EXPECT_ERROR(dyncreds_lease_revoke_prefix(NULL, engine, NULL, &e_), DYNCREDS_EINVAL, "prefix");
  EXPECT_ERROR(dyncreds_lease_revoke_force(&out, engine, NULL, &e_), DYNCREDS_EINVAL, "prefix");
  EXPECT_ERROR(dyncreds_tidy(NULL, engine, NULL, &e_), DYNCREDS_EINVAL, "out");
  EXPECT_ERROR(dyncreds_tick(NULL, NULL, &e_), DYNCREDS_EINVAL, "engine");
  EXPECT_ERROR(dyncreds_config_rotate_root(NULL, engine, &e_), DYNCREDS_EINVAL, "out");
  EXPECT_ERROR(dyncreds_audit_hmac(&out, engine, NULL, &e_), DYNCREDS_EINVAL, "value");
  EXPECT_ERROR(dyncreds_audit_reopen(NULL, &e_), DYNCREDS_EINVAL, "engine");
  EXPECT_ERROR(dyncreds_metrics_prometheus(NULL, engine, &e_), DYNCREDS_EINVAL, "out");

  /* Bad JSON, wrong types, unknown names. */
  EXPECT_ERROR(dyncreds_config_write(engine, "root", "{\"region\": 5}", &e_), DYNCREDS_EINVAL, "region");
  EXPECT_ERROR(dyncreds_config_write(engine, "nonsense", "{}", &e_), DYNCREDS_EINVAL, "name");
  EXPECT_ERROR(dyncreds_config_write(engine, "lease", "{\"lease\":\"soon\",\"lease_max\":\"1h\"}", &e_), DYNCREDS_EINVAL, "lease");
  EXPECT_ERROR(dyncreds_role_write(engine, "r", "{oops", &e_), DYNCREDS_EINVAL, NULL);
  EXPECT_ERROR(dyncreds_role_write(engine, "r", "{\"credential_type\":\"iam_user\",\"policy_document\":\"{bad\"}", &e_),
               DYNCREDS_EINVAL, "policy_document");
  EXPECT_ERROR(dyncreds_creds_issue(&out, engine, "missing", NULL, &e_), DYNCREDS_ENOTFOUND, NULL);
  EXPECT_ERROR(dyncreds_creds_issue(&out, engine, "missing", "{\"ttl\": true}", &e_), DYNCREDS_EINVAL, "ttl");
  EXPECT_ERROR(dyncreds_creds_issue(&out, engine, "missing", "{\"speed\": 1}", &e_), DYNCREDS_EINVAL, "speed");
  EXPECT_ERROR(dyncreds_lease_lookup(&out, engine, "aws/creds/r/unknown", &e_), DYNCREDS_ENOTFOUND, NULL);
  EXPECT_ERROR(dyncreds_lease_revoke(engine, "aws/creds/r/unknown", &e_), DYNCREDS_ENOTFOUND, NULL);
  EXPECT_ERROR(dyncreds_lease_renew(&out, engine, "aws/creds/r/unknown", 60, &e_), DYNCREDS_ENOTFOUND, NULL);
  EXPECT_ERROR(dyncreds_tidy(&out, engine, "{\"delete_orphans\": 1}", &e_), DYNCREDS_EINVAL, "delete_orphans");
  EXPECT_ERROR(dyncreds_tidy(&out, engine, NULL, &e_), DYNCREDS_EUNAVAILABLE, NULL); /* no config/root */
  EXPECT_ERROR(dyncreds_config_rotate_root(&out, engine, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  CHECK(out == NULL);

  /* Configuration and roles in memory. */
  EXPECT_OK(dyncreds_config_write(engine, "lease", "{\"lease\":\"1h\",\"lease_max\":\"24h\"}", &err));
  EXPECT_OK(dyncreds_config_read(&out, engine, "lease", &err));
  CHECK(contains(out, "\"lease\":\"1h0m0s\""));
  dyncreds_free(out);
  EXPECT_OK(dyncreds_role_write(engine, "ro", "{\"credential_type\":\"iam_user\",\"policy_arns\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}", &err));
  EXPECT_OK(dyncreds_role_read(&out, engine, "ro", &err));
  CHECK(contains(out, "ReadOnlyAccess"));
  dyncreds_free(out);
  EXPECT_OK(dyncreds_role_list(&out, engine, &err));
  CHECK(out && strcmp(out, "[\"ro\"]") == 0);
  dyncreds_free(out);
  EXPECT_ERROR(dyncreds_creds_issue(&out, engine, "ro", NULL, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  EXPECT_OK(dyncreds_lease_list(&out, engine, "", &err));
  CHECK(out && strcmp(out, "[]") == 0);
  dyncreds_free(out);
  size_t n = 99;
  EXPECT_OK(dyncreds_tick(&n, engine, &err));
  CHECK(n == 0);
  EXPECT_OK(dyncreds_role_delete(engine, "ro", 0, &err));
  EXPECT_ERROR(dyncreds_role_read(&out, engine, "ro", &e_), DYNCREDS_ENOTFOUND, NULL);

  /* A closed engine refuses everything, and can still be freed. */
  EXPECT_OK(dyncreds_engine_close(engine, &err));
  EXPECT_OK(dyncreds_engine_close(engine, &err)); /* idempotent */
  EXPECT_ERROR(dyncreds_role_list(&out, engine, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  EXPECT_ERROR(dyncreds_tick(&n, engine, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  EXPECT_ERROR(dyncreds_audit_hmac(&out, engine, "x", &e_), DYNCREDS_EUNAVAILABLE, NULL);
  EXPECT_ERROR(dyncreds_audit_reopen(engine, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  EXPECT_ERROR(dyncreds_metrics_prometheus(&out, engine, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  dyncreds_engine_free(engine);
}

static void test_sign(void) {
  char* out = NULL;
  /* AWS's get-vanilla case from the SigV4 test suite. */
  EXPECT_OK(dyncreds_sigv4_sign(&out,
                                "{\"method\":\"GET\",\"url\":\"https://example.amazonaws.com/\","
                                "\"headers\":{\"Host\":\"example.amazonaws.com\"},\"region\":\"us-east-1\","
                                "\"service\":\"service\",\"access_key\":\"AKIDEXAMPLE\","
                                "\"secret_key\":\"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\","
                                "\"time\":\"2015-08-30T12:36:00Z\"}",
                                &err));
  CHECK(contains(out, "\"X-Amz-Date\":\"20150830T123600Z\""));
  CHECK(contains(out, "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
                      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  dyncreds_free(out);
  out = NULL;
  EXPECT_OK(dyncreds_sigv4_sign(&out,
                                "{\"method\":\"POST\",\"url\":\"https://sts.amazonaws.com/\",\"body\":\"Action=GetCallerIdentity\","
                                "\"region\":\"us-east-1\",\"service\":\"sts\",\"access_key\":\"ASIAEXAMPLE\","
                                "\"secret_key\":\"s\",\"session_token\":\"tok\",\"time\":1700000000}",
                                &err));
  CHECK(contains(out, "\"X-Amz-Security-Token\":\"tok\""));
  CHECK(contains(out, "x-amz-security-token"));
  dyncreds_free(out);
  out = NULL;
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, NULL, &e_), DYNCREDS_EINVAL, "request_json");
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, "{\"method\":\"GET\",\"url\":\"https://x/\"}", &e_), DYNCREDS_EINVAL, "region");
#define SIGN_BASE "\"url\":\"https://x/\",\"region\":\"r\",\"service\":\"s\",\"access_key\":\"a\",\"secret_key\":\"s\""
  /* No method is refused, not signed with an empty method line. */
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, "{" SIGN_BASE "}", &e_), DYNCREDS_EINVAL, "method");
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, "{\"method\":\"GET\"," SIGN_BASE ",\"time\":\"yesterday\"}", &e_),
               DYNCREDS_EINVAL, "time");
  /* Milliseconds, or a time past 2262-04-11, would overflow: refused. */
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, "{\"method\":\"GET\"," SIGN_BASE ",\"time\":1700000000000}", &e_),
               DYNCREDS_EINVAL, "time");
  {
    dyncreds_error* ms = NULL;
    CHECK(dyncreds_sigv4_sign(&out, "{\"method\":\"GET\"," SIGN_BASE ",\"time\":1700000000000}", &ms) == DYNCREDS_EINVAL);
    CHECK(ms != NULL && contains(dyncreds_error_message(ms), "milliseconds?"));
    dyncreds_error_free(ms);
  }
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, "{\"method\":\"GET\"," SIGN_BASE ",\"time\":\"2262-04-12T00:00:00Z\"}", &e_),
               DYNCREDS_EINVAL, "time");
  EXPECT_ERROR(dyncreds_sigv4_sign(&out, "{\"method\":\"GET\"," SIGN_BASE ",\"headers\":[1]}", &e_),
               DYNCREDS_EINVAL, "headers");
  CHECK(out == NULL);
  /* UNSIGNED-PAYLOAD: the header that tells the server so is returned and signed. */
  EXPECT_OK(dyncreds_sigv4_sign(&out, "{\"method\":\"PUT\"," SIGN_BASE ",\"payload_hash\":\"UNSIGNED-PAYLOAD\",\"time\":1700000000}",
                                &err));
  CHECK(contains(out, "\"x-amz-content-sha256\":\"UNSIGNED-PAYLOAD\""));
  CHECK(contains(out, "SignedHeaders=host;x-amz-content-sha256;x-amz-date"));
  dyncreds_free(out);
  out = NULL;
  /* A path ending in a dot segment signs as the path without it, with no
   * trailing slash ("/a/." as "/a"), as botocore and aws-c-auth do. */
  {
    char* dotted = NULL;
    char* plain = NULL;
    EXPECT_OK(dyncreds_sigv4_sign(&dotted, "{\"method\":\"GET\",\"url\":\"https://x/a/.\",\"region\":\"r\",\"service\":\"s\","
                                           "\"access_key\":\"a\",\"secret_key\":\"s\",\"time\":1440938160}", &err));
    EXPECT_OK(dyncreds_sigv4_sign(&plain, "{\"method\":\"GET\",\"url\":\"https://x/a\",\"region\":\"r\",\"service\":\"s\","
                                          "\"access_key\":\"a\",\"secret_key\":\"s\",\"time\":1440938160}", &err));
    CHECK(dotted != NULL && plain != NULL && strcmp(dotted, plain) == 0);
    dyncreds_free(dotted);
    dyncreds_free(plain);
  }
  CHECK(out == NULL);
}

/* --- the lifecycle against the local IAM/STS endpoint --------------------- */

/* What the callbacks received (single-threaded: the engine runs no worker). */
static char audit_log[65536];
static char text_log[65536];
static int audit_events = 0;
static int audit_answer = 0;

static int on_audit(void* ctx, const char* event_json) {
  CHECK(ctx == (void*)audit_log);
  ++audit_events;
  strncat(audit_log, event_json, sizeof audit_log - strlen(audit_log) - 2);
  strcat(audit_log, "\n");
  return audit_answer;
}

static void on_log(void* ctx, dyncreds_log_level level, const char* message) {
  CHECK(ctx == (void*)text_log);
  CHECK(level >= DYNCREDS_LOG_INFO);
  strncat(text_log, message, sizeof text_log - strlen(text_log) - 2);
  strcat(text_log, "\n");
}

static void test_lifecycle(const char* endpoint_file) {
  char* endpoint_json = read_text_file(endpoint_file);
  char iam_endpoint[256], sts_endpoint[256], key_id[128], secret[128], root[1024], lease_id[256], secret_key[128], token[2048];
  char* out = NULL;
  dyncreds_engine* engine = NULL;
  dyncreds_callbacks callbacks;
  size_t n = 0;
  dyncreds_error* aws_err = NULL;

  CHECK(endpoint_json != NULL);
  if (endpoint_json == NULL) return;
  json_string(endpoint_json, "iam_endpoint", iam_endpoint, sizeof iam_endpoint);
  json_string(endpoint_json, "sts_endpoint", sts_endpoint, sizeof sts_endpoint);
  json_string(endpoint_json, "access_key_id", key_id, sizeof key_id);
  json_string(endpoint_json, "secret_access_key", secret, sizeof secret);
  free(endpoint_json);

  memset(&callbacks, 0, sizeof callbacks);
  callbacks.version = DYNCREDS_CALLBACKS_VERSION + 1;
  EXPECT_ERROR(dyncreds_engine_open_with(&engine, NULL, &callbacks, &e_), DYNCREDS_EINVAL, "callbacks.version");
  callbacks.version = DYNCREDS_CALLBACKS_VERSION;
  callbacks.log = on_log;
  callbacks.log_ctx = text_log;
  callbacks.log_level = DYNCREDS_LOG_INFO;
  callbacks.audit = on_audit;
  callbacks.audit_ctx = audit_log;
  EXPECT_OK(dyncreds_engine_open_with(&engine, "{\"worker\": false, \"mount\": \"capi\"}", &callbacks, &err));
  CHECK(engine != NULL);

  snprintf(root, sizeof root,
           "{\"access_key\":\"%s\",\"secret_key\":\"%s\",\"region\":\"us-east-1\","
           "\"iam_endpoint\":\"%s\",\"sts_endpoint\":\"%s\"}",
           key_id, secret, iam_endpoint, sts_endpoint);
  EXPECT_OK(dyncreds_config_write(engine, "root", root, &err));
  EXPECT_OK(dyncreds_config_write(engine, "lease", "{\"lease\":\"1h\",\"lease_max\":\"2h\"}", &err));
  EXPECT_OK(dyncreds_role_write(engine, "reader",
                                "{\"credential_type\":\"iam_user\","
                                "\"policy_arns\":[\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]}",
                                &err));

  /* iam_user: issued, usable (the engine checked with GetCallerIdentity), renewed, revoked. */
  EXPECT_OK(dyncreds_creds_issue(&out, engine, "reader", "{\"ttl\":\"30m\",\"wait_until_usable\":true}", &err));
  CHECK(contains(out, "\"lease_duration\":1800"));
  CHECK(contains(out, "\"access_key\":\"AKIA"));
  json_string(out, "lease_id", lease_id, sizeof lease_id);
  json_string(out, "secret_key", secret_key, sizeof secret_key);
  CHECK(strncmp(lease_id, "capi/creds/reader/", 18) == 0);
  CHECK(strlen(secret_key) == 40);
  dyncreds_free(out);
  out = NULL;

  EXPECT_OK(dyncreds_lease_lookup(&out, engine, lease_id, &err));
  CHECK(contains(out, "\"credential_type\":\"iam_user\""));
  CHECK(!contains(out, secret_key));
  dyncreds_free(out);
  out = NULL;
  EXPECT_OK(dyncreds_lease_renew(&out, engine, lease_id, 3600, &err));
  CHECK(contains(out, lease_id));
  dyncreds_free(out);
  out = NULL;
  EXPECT_OK(dyncreds_lease_list(&out, engine, "capi/creds/", &err));
  CHECK(contains(out, lease_id));
  dyncreds_free(out);
  out = NULL;
  EXPECT_OK(dyncreds_lease_revoke(engine, lease_id, &err));
  EXPECT_ERROR(dyncreds_lease_lookup(&out, engine, lease_id, &e_), DYNCREDS_ENOTFOUND, NULL);

  /* federation_token: a session token, a lease that is not renewable. */
  EXPECT_OK(dyncreds_role_write(engine, "fed",
                                "{\"credential_type\":\"federation_token\","
                                "\"policy_arns\":[\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]}",
                                &err));
  EXPECT_OK(dyncreds_creds_issue(&out, engine, "fed", NULL, &err));
  CHECK(contains(out, "\"renewable\":false"));
  json_string(out, "session_token", token, sizeof token);
  json_string(out, "lease_id", lease_id, sizeof lease_id);
  CHECK(strlen(token) > 100);
  dyncreds_free(out);
  out = NULL;
  EXPECT_ERROR(dyncreds_lease_renew(&out, engine, lease_id, 60, &e_), DYNCREDS_EINVAL, "lease_id");
  EXPECT_OK(dyncreds_lease_revoke_prefix(&n, engine, "capi/creds/fed/", &err));
  CHECK(n == 1);

  /* AWS's own refusal keeps its code and request id. */
  EXPECT_OK(dyncreds_role_write(engine, "assumer",
                                "{\"credential_type\":\"assumed_role\","
                                "\"role_arns\":[\"arn:aws:iam::123456789012:role/does-not-exist\"]}",
                                &err));
  CHECK(dyncreds_creds_issue(&out, engine, "assumer", NULL, &aws_err) == DYNCREDS_EDENIED);
  CHECK(strcmp(dyncreds_error_aws_code(aws_err), "AccessDenied") == 0);
  CHECK(strlen(dyncreds_error_request_id(aws_err)) > 0);
  CHECK(dyncreds_error_http_status(aws_err) == 403);
  dyncreds_error_free(aws_err);
  CHECK(out == NULL);

  /* The audit callback saw every operation, and no secret. */
  /* 12 operations (the refused renewal too), and the rollback of the refused issuance. */
  if (audit_events != 13) fprintf(stderr, "%s", audit_log);
  CHECK(audit_events == 13);
  CHECK(contains(audit_log, "\"operation\":\"intent.rollback\""));
  CHECK(contains(audit_log, "\"operation\":\"creds.issue\",\"path\":\"capi/creds/reader\""));
  CHECK(contains(audit_log, "\"operation\":\"lease.revoke\",\"path\":\"capi/creds/fed/"));
  CHECK(contains(audit_log, "\"reason\":\"prefix\""));
  CHECK(contains(audit_log, "\"aws_code\":\"AccessDenied\""));
  CHECK(!contains(audit_log, secret_key));
  CHECK(!contains(audit_log, token));
  CHECK(!contains(audit_log, secret));

  /* An audit callback that fails is reported through the log callback. */
  /* An audit callback that fails stops the change (fail-closed), and is
   * reported through the log callback. */
  audit_answer = 7;
  EXPECT_ERROR(dyncreds_role_delete(engine, "assumer", 0, &e_), DYNCREDS_EUNAVAILABLE, NULL);
  CHECK(contains(text_log, "audit event role.delete capi/roles/assumer was not recorded: "));
  CHECK(contains(text_log, "the audit callback returned 7"));
  CHECK(!contains(text_log, secret_key));
  audit_answer = 0;
  EXPECT_OK(dyncreds_role_read(&out, engine, "assumer", &err)); /* still there */
  dyncreds_free(out);
  out = NULL;

  /* Metrics in Prometheus text. */
  EXPECT_OK(dyncreds_metrics_prometheus(&out, engine, &err));
  CHECK(contains(out, "dyncreds_operations_total{mount=\"capi\",operation=\"issue\",credential_type=\"iam_user\",outcome=\"success\"} 1\n"));
  CHECK(contains(out, "dyncreds_aws_calls_total{mount=\"capi\",action=\"iam:CreateUser\"} 1\n"));
  dyncreds_free(out);
  out = NULL;

  /* HMACs: what the events carry in place of secrets. */
  EXPECT_OK(dyncreds_audit_hmac(&out, engine, secret_key, &err));
  CHECK(strncmp(out, "hmac-sha256:", 12) == 0 && strlen(out) == 12 + 64);
  CHECK(contains(audit_log, out));
  dyncreds_free(out);
  out = NULL;

  /* The caller named for this thread is in the next event. */
  dyncreds_set_caller("{\"user\":\"carol\"}");
  EXPECT_OK(dyncreds_role_delete(engine, "assumer", 0, &err));
  CHECK(contains(audit_log, "\"caller\":{\"user\":\"carol\"},\"role\":\"assumer\""));
  dyncreds_set_caller(NULL);

  EXPECT_OK(dyncreds_engine_close(engine, &err));
  dyncreds_engine_free(engine);
}

/* The audit file: every event as a line, reopened after a rename; a disk
 * that cannot take the line stops the change (fail-closed). */
static void test_audit_file(void) {
  dyncreds_engine* engine = NULL;
  char* text;
  EXPECT_OK(dyncreds_engine_open(&engine, "{\"worker\":false,\"audit_file\":\"capi-audit.log\"}", &err));
  EXPECT_OK(dyncreds_role_write(engine, "r", "{\"credential_type\":\"federation_token\",\"policy_arns\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}", &err));
  CHECK(rename("capi-audit.log", "capi-audit.log.1") == 0);
  EXPECT_OK(dyncreds_audit_reopen(engine, &err));
  EXPECT_OK(dyncreds_role_delete(engine, "r", 0, &err));
  dyncreds_engine_free(engine);
  text = read_text_file("capi-audit.log.1");
  CHECK(contains(text, "\"operation\":\"role.write\"") && !contains(text, "role.delete"));
  free(text);
  text = read_text_file("capi-audit.log");
  CHECK(contains(text, "\"operation\":\"role.delete\""));
  free(text);
  remove("capi-audit.log");
  remove("capi-audit.log.1");

  engine = NULL;
  EXPECT_OK(dyncreds_engine_open(&engine, "{\"worker\":false,\"audit_file\":\"/dev/full\"}", &err));
  EXPECT_ERROR(dyncreds_role_write(engine, "r", "{\"credential_type\":\"federation_token\",\"policy_arns\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}", &e_),
               DYNCREDS_EUNAVAILABLE, NULL);
  dyncreds_engine_free(engine);
  engine = NULL;
  EXPECT_OK(dyncreds_engine_open(&engine, "{\"worker\":false,\"audit_file\":\"/dev/full\",\"audit_fail_open\":true}", &err));
  EXPECT_OK(dyncreds_role_write(engine, "r", "{\"credential_type\":\"federation_token\",\"policy_arns\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}", &err));
  dyncreds_engine_free(engine);
}

/* The server without a socket: requests handed to dyncreds_server_handle,
 * as a host with its own HTTP stack would. */
static void test_server_handle(void) {
  dyncreds_server* server = NULL;
  char* root = NULL;
  EXPECT_OK(dyncreds_server_start(&server, "{\"listen_address\":\"\",\"default_mounts\":[\"aws\"]}", NULL, &root, &err));
  CHECK(root != NULL && strncmp(root, "hvs.", 4) == 0);
  CHECK(dyncreds_server_port(server) == 0);
  char request[512];
  snprintf(request, sizeof request,
           "{\"method\":\"POST\",\"path\":\"/v1/aws/roles/r\",\"headers\":{\"X-Vault-Token\":\"%s\"},"
           "\"body\":\"{\\\"credential_type\\\":\\\"iam_user\\\"}\"}",
           root ? root : "");
  char* reply = NULL;
  EXPECT_OK(dyncreds_server_handle(server, request, &reply, &err));
  CHECK(contains(reply, "\"status\":204"));
  dyncreds_free(reply);
  reply = NULL;
  EXPECT_OK(dyncreds_server_handle(server, "{\"method\":\"LIST\",\"path\":\"/v1/aws/roles\"}", &reply, &err));
  CHECK(contains(reply, "\"status\":403") && contains(reply, "permission denied"));
  dyncreds_free(reply);
  EXPECT_ERROR(dyncreds_server_handle(server, "{\"path\":\"/v1/sys/health\"}", &reply, &e_), DYNCREDS_EINVAL, "method");
  EXPECT_ERROR(dyncreds_server_handle(server, NULL, &reply, &e_), DYNCREDS_EINVAL, "request_json");
  dyncreds_free(root);
  dyncreds_server_free(server);
  dyncreds_server_free(NULL);
  EXPECT_ERROR(dyncreds_server_start(&server, "{\"listen_address\":\"\",\"colour\":1}", NULL, NULL, &e_), DYNCREDS_EINVAL,
               "colour");
  EXPECT_ERROR(dyncreds_server_start(&server, "{\"listen_address\":\"nowhere\"}", NULL, NULL, &e_), DYNCREDS_EINVAL,
               "listen_address");
}

int main(void) {
  const char* local_aws = getenv("DYNCREDS_LOCAL_AWS");
  test_server_handle();
  test_basics();
  test_engine_errors();
  test_sign();
  test_audit_file();
  if (local_aws != NULL) {
    test_lifecycle(local_aws);
  } else {
    fprintf(stderr, "capi_test: DYNCREDS_LOCAL_AWS is not set; run it through ctest for the lifecycle checks\n");
    ++failures;
  }
  if (failures == 0) printf("capi_test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
