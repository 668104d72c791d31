// config write/read root|lease, config rotate-root.
#include <rapidjson/writer.h>

#include "commands.h"
#include "util/json_read.h"
#include "util/secret_buffer.h"

namespace dyncreds::tool {
namespace {

// Adds access_key/secret_key from the AWS environment or profile when the
// fields name neither.
Result<SecretString> WithAwsKeys(SecretString fields) {
  SecretString parsed;
  Result<rapidjson::Document> doc = jsonread::ParseObjectInPlace(fields.view(), "fields", &parsed);
  if (!doc.ok()) return doc.status();
  if (doc->HasMember("access_key") || doc->HasMember("secret_key")) return fields;
  Result<AwsKeys> keys = AwsKeysFromEnvironment();
  if (!keys.ok()) return keys.status();
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  w.StartObject();
  for (const auto& m : doc->GetObject()) {
    m.name.Accept(w);
    m.value.Accept(w);
  }
  w.Key("access_key");
  w.String(keys->access_key.c_str(), static_cast<rapidjson::SizeType>(keys->access_key.size()));
  w.Key("secret_key");
  w.String(keys->secret_key.view().data(), static_cast<rapidjson::SizeType>(keys->secret_key.view().size()));
  w.EndObject();
  return out.Take();
}

Status CheckName(const std::string& name) {
  if (name == "root" || name == "lease") return Status();
  return Status::InvalidArgument("name", "config name must be root or lease, not \"" + name + "\"");
}

}  // namespace

int ConfigWrite(Context& c) {
  const std::string name = c.operands[0];
  Status s = CheckName(name);
  if (!s.ok()) return Fail(s);
  Result<SecretString> fields = FieldsToJson({c.operands.begin() + 1, c.operands.end()});
  if (fields.ok() && name == "root") fields = WithAwsKeys(std::move(*fields));
  if (!fields.ok()) return Fail(fields.status());
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = (*opened)->engine();
  s = name == "root" ? engine.WriteRootConfig(fields->view()) : engine.WriteLeaseConfig(fields->view());
  if (!s.ok()) return Fail(s);
  PrintSuccess("Data written to: " + c.store.mount + "/config/" + name, c.format);
  return kExitOk;
}

int ConfigRead(Context& c) {
  Status s = CheckName(c.operands[0]);
  if (!s.ok()) return Fail(s);
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = (*opened)->engine();
  Result<std::string> doc = c.operands[0] == "root" ? engine.ReadRootConfig() : engine.ReadLeaseConfig();
  if (!doc.ok()) return Fail(doc.status());
  PrintObject(*doc, c.format);
  return kExitOk;
}

int ConfigRotateRoot(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<std::string> key = (*opened)->engine().RotateRoot();
  if (!key.ok()) return Fail(key.status());
  PrintObject(R"({"access_key":")" + *key + "\"}", c.format);
  return kExitOk;
}

}  // namespace dyncreds::tool
