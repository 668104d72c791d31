#include "server/policy_store.h"

#include <algorithm>
#include <cctype>

#include "server/sys_records.h"
#include "util/json_read.h"

namespace dyncreds::server {
namespace {

constexpr char kIndexKey[] = "server.policies";
constexpr char kDefaultPolicy[] = R"({"path": {
  "auth/token/lookup-self": {"capabilities": ["read"]},
  "auth/token/renew-self": {"capabilities": ["update"]},
  "auth/token/revoke-self": {"capabilities": ["update"]}}})";

std::string PolicyKey(const std::string& name) { return "server.policy/" + name; }

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > 128) return Status::InvalidArgument("name", "must be 1 to 128 characters");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return Status::InvalidArgument("name", "may hold letters, digits, '-', '_' and '.' only");
    }
  }
  if (name == "root" || name == "default") {
    return Status::InvalidArgument("name", "\"" + name + "\" is built in and cannot be changed");
  }
  return Status();
}

std::vector<std::string> Names(const Result<rapidjson::Document>& index) {
  std::vector<std::string> names;
  if (!index.ok()) return names;
  const auto list = index->FindMember("names");
  if (list == index->MemberEnd() || !list->value.IsArray()) return names;
  for (const auto& n : list->value.GetArray()) {
    if (n.IsString()) names.push_back(jsonread::String(n));
  }
  return names;
}

}  // namespace

Status PolicyStore::SetListed(const std::string& name, bool listed) {
  std::lock_guard<std::mutex> lock(index_mu_);
  Result<rapidjson::Document> index = ReadSysRecord(store_, kIndexKey);
  if (!index.ok() && !index.status().Is(ErrorCode::kNotFound)) return index.status();
  std::vector<std::string> names = Names(index);
  names.erase(std::remove(names.begin(), names.end(), name), names.end());
  if (listed) names.push_back(name);
  std::sort(names.begin(), names.end());
  rapidjson::Document doc(rapidjson::kObjectType);
  rapidjson::Value list(rapidjson::kArrayType);
  for (const std::string& n : names) list.PushBack(rapidjson::Value(n.c_str(), doc.GetAllocator()), doc.GetAllocator());
  doc.AddMember("names", list, doc.GetAllocator());
  return WriteSysRecord(store_, kIndexKey, doc);
}

Status PolicyStore::Put(const std::string& name, const std::string& text) {
  if (Status s = CheckName(name); !s.ok()) return s;
  Result<std::vector<PathRule>> rules = ParseAclPolicy(text);
  if (!rules.ok()) return rules.status();
  rapidjson::Document doc(rapidjson::kObjectType);
  doc.AddMember("policy", rapidjson::Value(text.c_str(), doc.GetAllocator()), doc.GetAllocator());
  if (Status s = WriteSysRecord(store_, PolicyKey(name), doc); !s.ok()) return s;
  return SetListed(name, true);
}

Result<std::string> PolicyStore::Get(const std::string& name) {
  if (name == "default") return std::string(kDefaultPolicy);
  if (name == "root") return Status::NotFound("the root policy has no rules: it allows everything");
  Result<rapidjson::Document> doc = ReadSysRecord(store_, PolicyKey(name));
  if (!doc.ok()) return doc.status();
  const auto text = doc->FindMember("policy");
  if (text == doc->MemberEnd() || !text->value.IsString()) return Status::Store("policy record without text");
  return jsonread::String(text->value);
}

Status PolicyStore::Delete(const std::string& name) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = DeleteSysRecord(store_, PolicyKey(name)); !s.ok()) return s;
  return SetListed(name, false);
}

Result<std::vector<std::string>> PolicyStore::List() {
  Result<rapidjson::Document> index = ReadSysRecord(store_, kIndexKey);
  if (!index.ok() && !index.status().Is(ErrorCode::kNotFound)) return index.status();
  std::vector<std::string> names = Names(index);
  names.push_back("default");
  names.push_back("root");
  std::sort(names.begin(), names.end());
  return names;
}

Result<Acl> PolicyStore::AclFor(const std::vector<std::string>& policies) {
  if (std::find(policies.begin(), policies.end(), "root") != policies.end()) return Acl::Root();
  Acl acl;
  for (const std::string& name : policies) {
    Result<std::string> text = Get(name);
    if (!text.ok()) {
      if (text.status().Is(ErrorCode::kNotFound)) continue;
      return text.status();
    }
    Result<std::vector<PathRule>> rules = ParseAclPolicy(*text);
    if (!rules.ok()) return rules.status();
    acl.Add(*rules);
  }
  return acl;
}

}  // namespace dyncreds::server
