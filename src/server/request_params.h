// request_params.h: a request's parameters as Vault takes them: the JSON
// object in the body and the query string, one set (the body wins), with
// JSON nulls treated as absent (hvac sends null for unset fields).
//
// The body is parsed in place in a wiping buffer: it may carry secret_key.
//
// Thread safety: like a std::string; not copyable or movable (the parsed
// document points into the buffer).
#ifndef DYNCREDS_SRC_SERVER_REQUEST_PARAMS_H_
#define DYNCREDS_SRC_SERVER_REQUEST_PARAMS_H_

#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/secret.h"
#include "dyncreds/server.h"
#include "dyncreds/status.h"

namespace dyncreds::server {

// A duration value: a number of seconds, or a string such as "15m".
Result<std::chrono::seconds> DurationOf(const rapidjson::Value& v, std::string_view field);

// Calls `each(key, value)`, both decoded, for each pair of an encoded query
// string, in order.
void ForEachQueryPair(std::string_view query, const std::function<void(std::string, std::string)>& each);

// Go's strconv.ParseBool, which Vault uses for list= and other flags.
Result<bool> ParseGoBool(std::string_view text, std::string_view field);

class RequestParams {
 public:
  RequestParams() = default;
  RequestParams(const RequestParams&) = delete;
  RequestParams& operator=(const RequestParams&) = delete;

  // kInvalidArgument "error parsing JSON" for a body that is not one object.
  Status Load(const VaultRequest& request);

  bool Has(std::string_view key) const { return Value(key) != nullptr; }
  // The value itself (nullptr if absent), for nested objects.
  const rapidjson::Value* Value(std::string_view key) const;
  // A string, or a number or boolean as text; kInvalidArgument naming the key
  // for objects and arrays.
  Result<std::string> String(std::string_view key) const;
  // A duration: "15m", "1h30m", "3600s" or a number of seconds.
  Result<std::optional<std::chrono::seconds>> Duration(std::string_view key) const;
  Result<bool> Bool(std::string_view key, bool absent) const;
  // A list: a JSON array of strings, or one comma-separated string.
  Result<std::vector<std::string>> Strings(std::string_view key) const;
  // Every parameter as one JSON object (for the engine's JSON writers). It may
  // hold secrets.
  SecretString ObjectJson() const;

 private:
  SecretString buffer_;  // the body; the document's strings point into it
  rapidjson::Document doc_;
};

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_REQUEST_PARAMS_H_
