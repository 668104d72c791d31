#include "dyncreds/events.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/json_read.h"
#include "util/time_format.h"

namespace dyncreds {
namespace {

thread_local std::string current_caller;

}  // namespace

CallerScope::CallerScope(std::string caller) : previous_(std::move(current_caller)) {
  current_caller = std::move(caller);
}

CallerScope::~CallerScope() { current_caller = std::move(previous_); }

const std::string& CallerScope::Current() { return current_caller; }

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "unknown";
}

std::string AuditEvent::ToJson() const {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto field = [&w](const char* key, const std::string& value) {
    if (value.empty()) return;
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  field("time", timefmt::FormatIso8601Millis(time));
  field("mount", mount);
  field("operation", operation);
  field("path", path);
  field("reason", reason);
  if (!caller.empty()) {
    w.Key("caller");
    Result<rapidjson::Document> structured = jsonread::ParseObject(caller, "caller");
    if (structured.ok()) {
      structured->Accept(w);
    } else {
      w.String(caller.c_str(), static_cast<rapidjson::SizeType>(caller.size()));
    }
  }
  field("role", role);
  field("lease_id", lease_id);
  field("user_name", user_name);
  field("arn", arn);
  field("access_key_id", access_key_id);
  field("secret_key_hmac", secret_key_hmac);
  field("session_token_hmac", session_token_hmac);
  w.Key("outcome");
  w.String(status.ok() ? "success" : "failure");
  if (!status.ok()) {
    w.Key("error");
    w.StartObject();
    field("code", ErrorCodeName(status.code()));
    field("message", status.ToString());
    if (const AwsErrorDetails* aws = status.aws()) {
      field("aws_code", aws->code);
      field("request_id", aws->request_id);
    }
    w.EndObject();
  }
  w.EndObject();
  return out.GetString();
}

}  // namespace dyncreds
