// output.h: how the tool prints: Vault's Key/Value tables, JSON, shell
// export lines, and the AWS credential_process document; progress on a
// terminal for long operations.
#ifndef DYNCREDS_TOOL_OUTPUT_H_
#define DYNCREDS_TOOL_OUTPUT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/events.h"
#include "dyncreds/status.h"

namespace dyncreds::tool {

enum class Format { kTable, kJson, kEnv, kCredentialProcess };

Result<Format> ParseFormat(const std::string& name);

// A JSON object: a Key/Value table (nested values as compact JSON), or the
// JSON itself, indented.
void PrintObject(std::string_view json, Format format);
// A JSON array of objects or strings: a "Keys" list of `key` of each
// element (the element itself for strings), or the JSON, indented.
void PrintList(std::string_view json_array, const char* key, Format format);
// A line for a person (table format only; JSON output stays pure).
void PrintSuccess(const std::string& message, Format format);

// "2026-11-21T08:00:00Z info message" on standard error, one line at a time
// (the logs of run and server).
void LogLine(LogLevel level, std::string_view message);

// Issued credentials ({"access_key", "secret_key", ...} from the engine) as
// export lines or as the credential_process document. `expiration` is the
// lease's end (RFC 3339) for keys that carry none of their own.
void PrintCredentialsForShell(std::string_view json);
void PrintCredentialProcess(std::string_view json, const std::string& expiration);

// "revoking: 1,200 of 5,000" on standard error, rewritten in place, when
// it is a terminal; silent otherwise.
class Progress {
 public:
  explicit Progress(std::string what);
  void Update(std::size_t done, std::size_t found);
  void Finish();

 private:
  std::string what_;
  bool terminal_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace dyncreds::tool

#endif  // DYNCREDS_TOOL_OUTPUT_H_
