/* endpoint_file.h: reading the local endpoint's endpoint.json from C tests,
 * without a JSON library: its values are flat strings. */
#ifndef DYNCREDS_TESTS_CAPI_ENDPOINT_FILE_H_
#define DYNCREDS_TESTS_CAPI_ENDPOINT_FILE_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The string value of "key" in a flat JSON object ({"key": "value"} or
 * {"key":"value"}), copied into out; "" when absent. */
static void json_string(const char* json, const char* key, char* out, size_t size) {
  char pattern[64];
  const char* at;
  size_t n = 0;
  snprintf(pattern, sizeof pattern, "\"%s\": \"", key);
  at = strstr(json, pattern);
  if (at == NULL) {
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    at = strstr(json, pattern);
  }
  out[0] = '\0';
  if (at == NULL) return;
  at += strlen(pattern);
  while (at[n] != '"' && at[n] != '\0' && n + 1 < size) ++n;
  memcpy(out, at, n);
  out[n] = '\0';
}

/* The file's text (up to 64 KiB), malloc'ed; NULL if it cannot be read. */
static char* read_text_file(const char* path) {
  FILE* f = fopen(path, "rb");
  char* text;
  size_t n;
  if (f == NULL) return NULL;
  text = calloc(1, 65536);
  n = fread(text, 1, 65535, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

#endif /* DYNCREDS_TESTS_CAPI_ENDPOINT_FILE_H_ */
