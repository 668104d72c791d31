#include "core/session_policy.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/json_read.h"

namespace dyncreds::core {

std::string CombinePolicies(const std::string& role_document, const std::vector<std::string>& group_documents) {
  if (group_documents.empty()) return role_document;
  rapidjson::Document combined;
  combined.SetObject();
  auto& alloc = combined.GetAllocator();
  rapidjson::Value statements(rapidjson::kArrayType);
  std::vector<std::string> all = group_documents;
  if (!role_document.empty()) all.insert(all.begin(), role_document);
  for (const std::string& text : all) {
    Result<rapidjson::Document> doc = jsonread::ParseObject(text, "policy_document");
    if (!doc.ok() || !doc->HasMember("Statement")) continue;
    rapidjson::Value& s = (*doc)["Statement"];
    if (s.IsArray()) {
      for (auto& item : s.GetArray()) statements.PushBack(rapidjson::Value(item, alloc), alloc);
    } else {
      statements.PushBack(rapidjson::Value(s, alloc), alloc);
    }
  }
  combined.AddMember("Version", "2012-10-17", alloc);
  combined.AddMember("Statement", statements, alloc);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  combined.Accept(w);
  return out.GetString();
}

}  // namespace dyncreds::core
