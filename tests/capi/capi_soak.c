/* capi_soak: issues and revokes credentials through the C ABI in a loop,
 * against the local IAM/STS endpoint with a durable SQLite store, and checks
 * that the heap does not grow: after a warm-up (connection and page caches
 * filled), the bytes malloc has handed out must stay flat. A leak of even
 * 40 bytes per iteration fails it. Usage: capi_soak [ITERATIONS]; the
 * endpoint file comes from DYNCREDS_LOCAL_AWS, as for the other tests. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dyncreds.h"
#include "endpoint_file.h"

static void fail(const char* what, dyncreds_error* err) {
  fprintf(stderr, "capi_soak: %s: %s\n", what, err ? dyncreds_error_message(err) : "?");
  exit(1);
}

static size_t heap_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == NULL) return -1;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* One round: an iam_user credential (4 IAM calls) and a federation token,
 * each looked up and revoked, every string freed. */
static void round_trip(dyncreds_engine* engine) {
  static const char* roles[] = {"reader", "fed"};
  dyncreds_error* err = NULL;
  int i;
  for (i = 0; i < 2; ++i) {
    char* issued = NULL;
    char* lease = NULL;
    char lease_id[256];
    const char* at;
    if (dyncreds_creds_issue(&issued, engine, roles[i], NULL, &err) != DYNCREDS_OK) fail("issue", err);
    at = strstr(issued, "\"lease_id\":\"");
    if (at == NULL) fail("no lease_id in the reply", NULL);
    at += strlen("\"lease_id\":\"");
    snprintf(lease_id, sizeof lease_id, "%.*s", (int)strcspn(at, "\""), at);
    dyncreds_free(issued);
    if (dyncreds_lease_lookup(&lease, engine, lease_id, &err) != DYNCREDS_OK) fail("lookup", err);
    dyncreds_free(lease);
    if (dyncreds_lease_revoke(engine, lease_id, &err) != DYNCREDS_OK) fail("revoke", err);
  }
  /* Errors allocate too: an unknown lease, freed. */
  if (dyncreds_lease_revoke(engine, "soak/creds/none/x", &err) != DYNCREDS_ENOTFOUND) fail("unknown lease", err);
  dyncreds_error_free(err);
}

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? atoi(argv[1]) : 1500;
  const int warmup = 300;
  const char* endpoint_file = getenv("DYNCREDS_LOCAL_AWS");
  char text[4096] = "", endpoint[256], sts_endpoint[256], key_id[128], secret[128], options[512], root[1024];
  char store[] = "/tmp/dyncreds-soak-XXXXXX";
  dyncreds_engine* engine = NULL;
  dyncreds_error* err = NULL;
  size_t heap_after_warmup, heap_end;
  long rss_after_warmup, rss_end;
  char* endpoint_json;
  int i;

  endpoint_json = endpoint_file ? read_text_file(endpoint_file) : NULL;
  if (endpoint_json == NULL) {
    fprintf(stderr, "capi_soak: set DYNCREDS_LOCAL_AWS to the local endpoint's endpoint.json\n");
    return 1;
  }
  snprintf(text, sizeof text, "%s", endpoint_json);
  free(endpoint_json);
  json_string(text, "iam_endpoint", endpoint, sizeof endpoint);
  json_string(text, "sts_endpoint", sts_endpoint, sizeof sts_endpoint);
  json_string(text, "access_key_id", key_id, sizeof key_id);
  json_string(text, "secret_access_key", secret, sizeof secret);
  if (mkdtemp(store) == NULL) fail("mkdtemp", NULL);

  snprintf(options, sizeof options,
           "{\"mount\":\"soak\",\"worker\":false,\"store\":\"%s/leases.db\","
           "\"store_key\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}",
           store);
  if (dyncreds_engine_open(&engine, options, &err) != DYNCREDS_OK) fail("open", err);
  snprintf(root, sizeof root,
           "{\"access_key\":\"%s\",\"secret_key\":\"%s\",\"region\":\"us-east-1\",\"iam_endpoint\":\"%s\","
           "\"sts_endpoint\":\"%s\"}",
           key_id, secret, endpoint, sts_endpoint);
  if (dyncreds_config_write(engine, "root", root, &err) != DYNCREDS_OK) fail("config root", err);
  if (dyncreds_role_write(engine, "reader",
                          "{\"credential_type\":\"iam_user\",\"policy_arns\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}",
                          &err) != DYNCREDS_OK) {
    fail("role", err);
  }
  if (dyncreds_role_write(engine, "fed",
                          "{\"credential_type\":\"federation_token\","
                          "\"policy_arns\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}",
                          &err) != DYNCREDS_OK) {
    fail("role", err);
  }

  for (i = 0; i < warmup; ++i) round_trip(engine);
  malloc_trim(0);
  heap_after_warmup = heap_in_use();
  rss_after_warmup = rss_kib();
  for (i = 0; i < iterations; ++i) round_trip(engine);
  malloc_trim(0);
  heap_end = heap_in_use();
  rss_end = rss_kib();

  dyncreds_engine_free(engine);
  snprintf(text, sizeof text, "%s/leases.db", store);
  unlink(text);
  rmdir(store);

  printf("capi_soak: %d rounds (2 issuances, 2 lookups, 2 revocations, 1 refused revocation each) after %d warm-up\n",
         iterations, warmup);
  printf("capi_soak: heap in use %zu -> %zu bytes (%+ld), resident %ld -> %ld KiB\n", heap_after_warmup, heap_end,
         (long)heap_end - (long)heap_after_warmup, rss_after_warmup, rss_end);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  /* A sanitizer's allocator keeps freed memory on purpose and glibc's
   * counters do not see it: here the sanitizer is the oracle (LeakSanitizer
   * reports any leak at exit; TSan any race in the loop). */
  printf("capi_soak: heap flatness not measured under a sanitizer; it checks leaks and races instead\n");
  return 0;
#endif
  /* 32 KiB of slack for allocator and cache churn; a leak of 40 bytes per
   * round over 1500 rounds is 60 KiB. */
  if (heap_end > heap_after_warmup + 32 * 1024) {
    fprintf(stderr, "capi_soak: the heap grew by %zu bytes\n", heap_end - heap_after_warmup);
    return 1;
  }
  return 0;
}
