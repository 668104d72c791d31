#include "core/root_config.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <optional>
#include <utility>

#include "util/json_read.h"

namespace dyncreds::core {

Status MergeRootJson(std::string_view json, RootConfig* root) {
  SecretString buffer;
  Result<rapidjson::Document> doc = jsonread::ParseObjectInPlace(json, kRootConfigKey, &buffer);
  if (!doc.ok()) return doc.status();
  for (const auto& m : doc->GetObject()) {
    const std::string key = jsonread::String(m.name);
    const rapidjson::Value& v = m.value;
    std::string* target = key == "access_key"          ? &root->access_key
                          : key == "region"            ? &root->region
                          : key == "iam_endpoint"      ? &root->iam_endpoint
                          : key == "sts_endpoint"      ? &root->sts_endpoint
                          : key == "sts_region"        ? &root->sts_region
                          : key == "username_template" ? &root->username_template
                                                       : nullptr;
    if (target != nullptr) {
      if (!v.IsString()) return Status::InvalidArgument(key, "must be a string");
      *target = jsonread::String(v);
    } else if (key == "secret_key") {
      if (!v.IsString()) return Status::InvalidArgument(key, "must be a string");
      root->secret_key = SecretString(std::string_view(v.GetString(), v.GetStringLength()));
    } else if (key == "max_retries") {
      if (!v.IsInt() || v.GetInt() < -1) return Status::InvalidArgument(key, "must be -1 (the default) or a count >= 0");
      root->max_retries = v.GetInt();
    } else {
      return Status::InvalidArgument(key, "unknown field of config/root");
    }
  }
  return Status();
}

std::string RootJson(const RootConfig& r) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"access_key", &r.access_key},
                                   {"region", &r.region}, {"iam_endpoint", &r.iam_endpoint},
                                   {"sts_endpoint", &r.sts_endpoint}, {"sts_region", &r.sts_region},
                                   {"username_template", &r.username_template}}) {
    w.Key(key);
    w.String(value->c_str(), static_cast<rapidjson::SizeType>(value->size()));
  }
  w.Key("max_retries");
  w.Int(r.max_retries);
  w.EndObject();
  return out.GetString();
}

AwsCredentials RootCredentials(const RootConfig& root) {
  if (!root.access_key.empty()) return AwsCredentials(root.access_key, SecretString(root.secret_key.view()));
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string_view(v ? v : "");
  };
  return AwsCredentials(std::string(env("AWS_ACCESS_KEY_ID")), SecretString(env("AWS_SECRET_ACCESS_KEY")),
                        SecretString(env("AWS_SESSION_TOKEN")), std::nullopt);
}

}  // namespace dyncreds::core
