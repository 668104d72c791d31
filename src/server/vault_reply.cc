#include "server/vault_reply.h"

#include <rapidjson/reader.h>

#include <array>
#include <cstdint>

#include "util/crypto.h"

namespace dyncreds::server {

namespace {

void WriteOrNull(JsonWriter& w, const WriteJson& write) {
  if (write) {
    write(w);
  } else {
    w.Null();
  }
}

VaultResponse Finish(int status, util::SecretBuffer* out) {
  VaultResponse r;
  r.status = status;
  r.body = out->Take();
  return r;
}

}  // namespace

void WriteString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const std::string& item : items) WriteString(w, item);
  w.EndArray();
}

void WriteRaw(JsonWriter& w, std::string_view json) {
  rapidjson::Reader reader;
  rapidjson::MemoryStream in(json.data(), json.size());
  if (reader.Parse(in, w).IsError()) w.Null();
}

VaultResponse Reply(const Envelope& e) {
  util::SecretBuffer out;
  JsonWriter w(out);
  w.StartObject();
  w.Key("request_id");
  WriteString(w, crypto::RandomUuid());
  w.Key("lease_id");
  WriteString(w, e.lease_id);
  w.Key("renewable");
  w.Bool(e.renewable);
  w.Key("lease_duration");
  w.Int64(e.lease_duration);
  w.Key("data");
  WriteOrNull(w, e.data);
  w.Key("wrap_info");
  w.Null();
  w.Key("warnings");
  if (e.warnings.empty()) {
    w.Null();
  } else {
    WriteStrings(w, e.warnings);
  }
  w.Key("auth");
  WriteOrNull(w, e.auth);
  if (!e.mount_type.empty()) {
    w.Key("mount_type");
    WriteString(w, e.mount_type);
  }
  if (e.top_level) e.top_level(w);
  w.EndObject();
  return Finish(200, &out);
}

VaultResponse DataReply(WriteJson data, std::string mount_type) {
  Envelope e;
  e.data = std::move(data);
  e.mount_type = std::move(mount_type);
  return Reply(e);
}

VaultResponse DataAndTopLevelReply(WriteJson members, std::string mount_type) {
  Envelope e;
  e.mount_type = std::move(mount_type);
  e.data = [&members](JsonWriter& w) {
    w.StartObject();
    members(w);
    w.EndObject();
  };
  e.top_level = members;
  return Reply(e);
}

VaultResponse NoContent() {
  VaultResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

VaultResponse Errors(int status, const std::vector<std::string>& messages) {
  util::SecretBuffer out;
  JsonWriter w(out);
  w.StartObject();
  w.Key("errors");
  WriteStrings(w, messages);
  w.EndObject();
  return Finish(status, &out);
}

VaultResponse Error(int status, std::string_view message) { return Errors(status, {std::string(message)}); }

VaultResponse RawJson(int status, WriteJson body) {
  util::SecretBuffer out;
  JsonWriter w(out);
  body(w);
  return Finish(status, &out);
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kConflict:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kPermissionDenied:  // AWS refused us: an upstream error, not the client's token
    case ErrorCode::kThrottled:
    case ErrorCode::kAwsError:
    case ErrorCode::kTransport:
    case ErrorCode::kTimeout:
    case ErrorCode::kMalformedResponse:
      return 502;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kStore:
    case ErrorCode::kEncryptionKey:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {

// Status::ToString without its code name (Vault's messages carry none), and
// without the field twice when the message already starts with it.
std::string ErrorText(const Status& status) {
  std::string text = status.ToString();
  const std::string code = std::string(ErrorCodeName(status.code())) + ": ";
  if (text.rfind(code, 0) == 0) text.erase(0, code.size());
  const std::string& field = status.field();
  if (!field.empty() && text.rfind(field + ": " + field + ": ", 0) == 0) text.erase(0, field.size() + 2);
  return text;
}

}  // namespace

VaultResponse FromStatus(const Status& status) {
  std::string message = ErrorText(status);
  if (status.Is(ErrorCode::kThrottled)) message = "upstream rate limited: " + message;
  return Error(HttpStatusFor(status), message);
}

}  // namespace dyncreds::server
