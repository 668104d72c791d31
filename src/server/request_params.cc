#include "server/request_params.h"

#include <rapidjson/writer.h>

#include "dyncreds/ttl.h"
#include "util/json_read.h"
#include "util/secret_buffer.h"
#include "util/uri.h"

namespace dyncreds::server {
namespace {

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

Result<bool> ParseGoBool(std::string_view t, std::string_view field) {
  if (t == "1" || t == "t" || t == "T" || t == "true" || t == "TRUE" || t == "True") return true;
  if (t == "0" || t == "f" || t == "F" || t == "false" || t == "FALSE" || t == "False") return false;
  return Status::InvalidArgument(std::string(field), "must be a boolean (true or false), got \"" + std::string(t) + "\"");
}

Status RequestParams::Load(const VaultRequest& request) {
  if (IsBlank(request.body)) {
    doc_.SetObject();
  } else {
    Result<rapidjson::Document> doc = jsonread::ParseInPlace(request.body, "request body", &buffer_);
    if (!doc.ok()) return Status::InvalidArgument("body", "error parsing JSON: " + doc.status().message());
    if (!doc->IsObject()) return Status::InvalidArgument("body", "error parsing JSON: the body must be one JSON object");
    doc_.Swap(*doc);
  }
  // Nulls are absent.
  for (auto m = doc_.MemberBegin(); m != doc_.MemberEnd();) {
    m = m->value.IsNull() ? doc_.EraseMember(m) : m + 1;
  }
  // The query string adds what the body does not have.
  ForEachQueryPair(request.query, [this](std::string key, std::string value) {
    if (key.empty() || Has(key)) return;
    auto& a = doc_.GetAllocator();
    doc_.AddMember(rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), a),
                   rapidjson::Value(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), a), a);
  });
  return Status();
}

const rapidjson::Value* RequestParams::Value(std::string_view key) const {
  const auto m = doc_.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
  return m == doc_.MemberEnd() ? nullptr : &m->value;
}

Result<std::string> RequestParams::String(std::string_view key) const {
  const rapidjson::Value* v = Value(key);
  if (v == nullptr) return std::string();
  if (v->IsString()) return jsonread::String(*v);
  if (v->IsBool()) return std::string(v->GetBool() ? "true" : "false");
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  return Status::InvalidArgument(std::string(key), "must be a string");
}

Result<std::chrono::seconds> DurationOf(const rapidjson::Value& v, std::string_view field) {
  if (v.IsInt64()) {
    if (v.GetInt64() < 0) return Status::InvalidArgument(std::string(field), "must not be negative");
    return std::chrono::seconds(v.GetInt64());
  }
  if (!v.IsString()) return Status::InvalidArgument(std::string(field), "must be a duration such as \"15m\" or a number of seconds");
  return ParseTtl(jsonread::String(v), field);
}

void ForEachQueryPair(std::string_view query, const std::function<void(std::string, std::string)>& each) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    each(uri::FormDecoded(pair.substr(0, eq)), eq == std::string_view::npos ? "" : uri::FormDecoded(pair.substr(eq + 1)));
  }
}

Result<std::optional<std::chrono::seconds>> RequestParams::Duration(std::string_view key) const {
  const rapidjson::Value* v = Value(key);
  if (v == nullptr) return std::optional<std::chrono::seconds>();
  Result<std::chrono::seconds> ttl = DurationOf(*v, key);
  if (!ttl.ok()) return ttl.status();
  return std::optional<std::chrono::seconds>(*ttl);
}

Result<bool> RequestParams::Bool(std::string_view key, bool absent) const {
  const rapidjson::Value* v = Value(key);
  if (v == nullptr) return absent;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) return ParseGoBool(jsonread::String(*v), key);
  return Status::InvalidArgument(std::string(key), "must be a boolean");
}

Result<std::vector<std::string>> RequestParams::Strings(std::string_view key) const {
  std::vector<std::string> out;
  const rapidjson::Value* v = Value(key);
  if (v == nullptr) return out;
  if (v->IsArray()) {
    for (const rapidjson::Value& item : v->GetArray()) {
      if (!item.IsString()) return Status::InvalidArgument(std::string(key), "must be a list of strings");
      out.push_back(jsonread::String(item));
    }
    return out;
  }
  if (!v->IsString()) return Status::InvalidArgument(std::string(key), "must be a list of strings");
  std::string_view rest(v->GetString(), v->GetStringLength());
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

SecretString RequestParams::ObjectJson() const {
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  doc_.Accept(w);
  return out.Take();
}

}  // namespace dyncreds::server
