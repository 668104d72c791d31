// arguments.h: the command line, Vault style: flags as -name=value,
// -name value or --name=value (before or after the command), and fields as
// key=value, where the value may be @file or - (standard input).
#ifndef DYNCREDS_TOOL_ARGUMENTS_H_
#define DYNCREDS_TOOL_ARGUMENTS_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds::tool {

struct Arguments {
  std::vector<std::string> words;             // the command and its operands, in order
  std::map<std::string, std::string> flags;   // name (no dashes) -> value; "true" for switches
};

// Flags that take a value, and switches that do not; any other -name is an error.
struct FlagSpec {
  std::set<std::string> with_value;
  std::set<std::string> switches;
};

Result<Arguments> ParseArguments(int argc, char** argv, const FlagSpec& spec);

// key=value operands as a JSON object. "@path" reads the file, "-" reads
// standard input (once). Values that are JSON objects, arrays, whole numbers
// or true/false are passed as such; anything else is a string. Fields may
// carry a secret (secret_key=-), so the document is a SecretString.
Result<SecretString> FieldsToJson(const std::vector<std::string>& operands);

// One field's value: `value` itself, the file it names after '@', or
// standard input for "-" (once: `*stdin_used` records it).
Result<SecretString> ReadFieldValue(const std::string& key, std::string_view value, bool* stdin_used);

}  // namespace dyncreds::tool

#endif  // DYNCREDS_TOOL_ARGUMENTS_H_
