// json_read.h: reading JSON documents (RapidJSON) the one way libdyncreds
// does: an object or a clear error naming what it should have been, and, for
// documents that may carry a secret, parsed in place inside a buffer that
// wipes itself, so the secret leaves no unwiped copy in freed memory.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_UTIL_JSON_READ_H_
#define DYNCREDS_UTIL_JSON_READ_H_

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds::jsonread {

// `json` as any JSON value; kInvalidArgument naming `what`, the parser's
// complaint and its offset otherwise.
Result<rapidjson::Document> Parse(std::string_view json, std::string_view what);

// Parse, in place in a copy of `json` held by `*buffer`: the document's
// strings point into it, and it wipes itself when it goes. `*buffer` must
// outlive the document.
Result<rapidjson::Document> ParseInPlace(std::string_view json, std::string_view what, SecretString* buffer);

// `json` as one JSON object; kInvalidArgument naming `what` otherwise.
Result<rapidjson::Document> ParseObject(std::string_view json, std::string_view what);

// ParseObject, parsed in place as ParseInPlace does.
Result<rapidjson::Document> ParseObjectInPlace(std::string_view json, std::string_view what, SecretString* buffer);

// A string value (which may hold NULs) as a std::string.
inline std::string String(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

}  // namespace dyncreds::jsonread

#endif  // DYNCREDS_UTIL_JSON_READ_H_
