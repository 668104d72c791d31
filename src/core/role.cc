#include "dyncreds/role.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <set>

#include "dyncreds/ttl.h"
#include "util/json_read.h"

namespace dyncreds {
namespace {

struct Problem {
  std::string field;
  std::string message;
};
using Problems = std::vector<Problem>;

Status ToStatus(const Problems& problems) {
  if (problems.empty()) return Status();
  std::string message;
  for (const Problem& p : problems) {
    if (!message.empty()) message += "; ";
    message += p.field + ": " + p.message;
  }
  return Status::InvalidArgument(problems.front().field, message);
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    std::string item = Trim(s.substr(0, comma));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::size_t NonWhitespace(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += std::isspace(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

// --- reading JSON members ------------------------------------------------------

class RoleReader {
 public:
  explicit RoleReader(Problems* problems) : problems_(problems) {}

  void Fail(const char* field, std::string message) { problems_->push_back({field, std::move(message)}); }

  void String(const rapidjson::Value& v, const char* field, std::string* out) {
    if (!v.IsString()) return Fail(field, "must be a string");
    *out = Trim(std::string_view(v.GetString(), v.GetStringLength()));
  }

  void List(const rapidjson::Value& v, const char* field, std::vector<std::string>* out) {
    std::vector<std::string> items;
    if (v.IsString()) {
      items = SplitComma(std::string_view(v.GetString(), v.GetStringLength()));
    } else if (v.IsArray()) {
      for (const auto& item : v.GetArray()) {
        if (!item.IsString()) return Fail(field, "must be a list of strings");
        std::string s = Trim(item.GetString());
        if (!s.empty()) items.push_back(std::move(s));
      }
    } else {
      return Fail(field, "must be a list of strings or a comma-separated string");
    }
    *out = std::move(items);
  }

  void TagList(const rapidjson::Value& v, const char* field, Tags* out) {
    Tags tags;
    auto add_pair = [&](std::string_view kv) {
      const std::size_t eq = kv.find('=');
      if (eq == std::string_view::npos) {
        Fail(field, "\"" + std::string(kv) + "\" is not key=value");
        return false;
      }
      tags.emplace_back(Trim(kv.substr(0, eq)), Trim(kv.substr(eq + 1)));
      return true;
    };
    if (v.IsObject()) {
      for (const auto& m : v.GetObject()) {
        if (!m.value.IsString()) return Fail(field, "tag values must be strings");
        tags.emplace_back(m.name.GetString(), m.value.GetString());
      }
    } else if (v.IsString()) {
      for (const std::string& kv : SplitComma(v.GetString())) {
        if (!add_pair(kv)) return;
      }
    } else if (v.IsArray()) {
      for (const auto& item : v.GetArray()) {
        if (!item.IsString()) return Fail(field, "must be a list of key=value strings");
        if (!add_pair(item.GetString())) return;
      }
    } else {
      return Fail(field, "must be an object, a list of key=value strings or \"k=v,k2=v2\"");
    }
    *out = std::move(tags);
  }

  void Duration(const rapidjson::Value& v, const char* field, std::chrono::seconds* out) {
    if (v.IsInt64()) {
      if (v.GetInt64() < 0) return Fail(field, "must not be negative");
      *out = std::chrono::seconds(v.GetInt64());
    } else if (v.IsString()) {
      Result<std::chrono::seconds> ttl = ParseTtl(v.GetString(), field);
      if (!ttl.ok()) return Fail(field, ttl.status().message());
      *out = *ttl;
    } else {
      Fail(field, "must be a number of seconds or a duration string such as \"1h\"");
    }
  }

  void Count(const rapidjson::Value& v, const char* field, int* out) {
    if (!v.IsInt() || v.GetInt() < 0) return Fail(field, "must be a whole number >= 0");
    *out = v.GetInt();
  }

  void PolicyDocument(const rapidjson::Value& v, const char* field, std::string* out) {
    rapidjson::Document doc;
    const rapidjson::Value* policy = &v;
    if (v.IsString()) {
      const std::string text = Trim(v.GetString());
      if (text.empty()) {  // an empty string clears it, as in Vault
        out->clear();
        return;
      }
      Result<rapidjson::Document> parsed = jsonread::Parse(text, field);
      if (!parsed.ok()) return Fail(field, "cannot parse policy document: not JSON");
      doc = std::move(*parsed);
      policy = &doc;
    }
    if (!policy->IsObject()) return Fail(field, "must be a JSON object (an IAM policy)");
    if (!policy->HasMember("Statement")) return Fail(field, "an IAM policy needs a \"Statement\"");
    rapidjson::StringBuffer compact;
    rapidjson::Writer<rapidjson::StringBuffer> writer(compact);
    policy->Accept(writer);
    *out = compact.GetString();
  }

 private:
  Problems* problems_;
};

bool ParseCredentialType(std::string_view s, CredentialType* out) {
  for (CredentialType t : {CredentialType::kIamUser, CredentialType::kAssumedRole,
                           CredentialType::kFederationToken, CredentialType::kSessionToken}) {
    if (s == CredentialTypeName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

// --- rules ----------------------------------------------------------------------

// arn:<partition>:iam::<account>:<resource_prefix>...
bool IsIamArn(std::string_view arn, std::string_view resource_prefix, bool aws_account_ok) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const std::size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string_view resource = arn.substr(start);
  const std::string_view account = parts[4];
  const bool account_ok = (account.size() == 12 &&
                           account.find_first_not_of("0123456789") == std::string_view::npos) ||
                          (aws_account_ok && account == "aws");
  return parts[0] == "arn" && parts[1].rfind("aws", 0) == 0 && parts[2] == "iam" &&
         parts[3].empty() && account_ok && resource.size() > resource_prefix.size() &&
         resource.substr(0, resource_prefix.size()) == resource_prefix;
}

bool IsUserPath(std::string_view path) {
  if (path == "/") return true;
  if (path.size() < 2 || path.size() > 512 || path.front() != '/' || path.back() != '/') return false;
  for (char c : path) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

bool IsTagText(std::string_view s) {
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == ' ' || c >= 0x80 || std::string_view("_.:/=+-@").find(static_cast<char>(c)) != std::string_view::npos)) {
      return false;
    }
  }
  return true;
}

bool IsNameChars(std::string_view s, std::string_view extra) {
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '_' && extra.find(static_cast<char>(c)) == std::string_view::npos) return false;
  }
  return true;
}

void CheckTags(const Tags& tags, const char* field, Problems* problems) {
  if (tags.size() > 50) problems->push_back({field, "at most 50 tags, not " + std::to_string(tags.size())});
  std::set<std::string> seen;
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128 || !IsTagText(key)) {
      problems->push_back({field, "tag key \"" + key + "\" must be 1-128 letters, digits, spaces or _.:/=+-@"});
    }
    if (value.size() > 256 || !IsTagText(value)) {
      problems->push_back({field, "tag value for \"" + key + "\" must be 0-256 letters, digits, spaces or _.:/=+-@"});
    }
    if (!seen.insert(key).second) problems->push_back({field, "tag key \"" + key + "\" appears twice"});
  }
}

void CheckRules(const Role& r, Problems* problems) {
  auto fail = [&](const char* field, std::string message) { problems->push_back({field, std::move(message)}); };
  const CredentialType type = r.credential_type;
  const bool iam_user = type == CredentialType::kIamUser;
  const bool sts = IsStsType(type);
  const std::string type_name = CredentialTypeName(type);
  auto only_for = [&](bool present, bool allowed, const char* field, const char* types) {
    if (present && !allowed) fail(field, std::string("only valid for ") + types + " roles, not " + type_name);
  };

  only_for(!r.role_arns.empty(), type == CredentialType::kAssumedRole, "role_arns", "assumed_role");
  only_for(!r.session_tags.empty(), type == CredentialType::kAssumedRole, "session_tags", "assumed_role");
  only_for(!r.external_id.empty(), type == CredentialType::kAssumedRole, "external_id", "assumed_role");
  only_for(!r.iam_tags.empty(), iam_user, "iam_tags", "iam_user");
  only_for(r.user_path != "/", iam_user, "user_path", "iam_user");
  only_for(!r.permissions_boundary_arn.empty(), iam_user, "permissions_boundary_arn", "iam_user");
  only_for(r.default_ttl.count() != 0, iam_user, "default_ttl", "iam_user (STS roles use default_sts_ttl)");
  only_for(r.max_ttl.count() != 0, iam_user, "max_ttl", "iam_user (STS roles use max_sts_ttl)");
  only_for(r.default_sts_ttl.count() != 0, sts, "default_sts_ttl", "assumed_role, federation_token and session_token");
  only_for(r.max_sts_ttl.count() != 0, sts, "max_sts_ttl", "assumed_role, federation_token and session_token");
  only_for(!r.mfa_serial_number.empty(),
           type == CredentialType::kSessionToken || type == CredentialType::kAssumedRole,
           "mfa_serial_number", "session_token and assumed_role");
  if (type == CredentialType::kSessionToken && (!r.policy_arns.empty() || !r.policy_document.empty())) {
    fail(!r.policy_document.empty() ? "policy_document" : "policy_arns",
         "cannot supply a policy when using credential_type session_token");
  }
  if (type == CredentialType::kFederationToken && r.policy_arns.empty() && r.policy_document.empty() &&
      r.iam_groups.empty()) {
    fail("policy_document", "a federation_token role needs policy_document, policy_arns or iam_groups");
  }
  if (r.max_sts_ttl.count() != 0 && r.default_sts_ttl > r.max_sts_ttl) {
    fail("default_sts_ttl", "must be less than or equal to max_sts_ttl");
  }
  if (r.max_ttl.count() != 0 && r.default_ttl > r.max_ttl) fail("default_ttl", "must be less than or equal to max_ttl");

  for (const std::string& arn : r.role_arns) {
    if (!IsIamArn(arn, "role/", false)) fail("role_arns", "\"" + arn + "\" is not an IAM role ARN (arn:aws:iam::123456789012:role/name)");
  }
  for (const std::string& arn : r.policy_arns) {
    if (!IsIamArn(arn, "policy/", true)) fail("policy_arns", "\"" + arn + "\" is not an IAM policy ARN (arn:aws:iam::aws:policy/Name)");
  }
  if (!r.permissions_boundary_arn.empty() && !IsIamArn(r.permissions_boundary_arn, "policy/", true)) {
    fail("permissions_boundary_arn", "\"" + r.permissions_boundary_arn + "\" is not an IAM policy ARN");
  }
  if (!IsUserPath(r.user_path)) fail("user_path", "must be \"/\" or start and end with '/', with printable ASCII between (at most 512)");
  for (const std::string& g : r.iam_groups) {
    if (g.size() > 128 || !IsNameChars(g, "+=,.@-")) fail("iam_groups", "\"" + g + "\" is not a valid IAM group name");
  }
  if (!r.external_id.empty() && (r.external_id.size() < 2 || r.external_id.size() > 1224 || !IsNameChars(r.external_id, "+=,.@:/-"))) {
    fail("external_id", "must be 2-1224 characters of letters, digits and +=,.@:/-");
  }
  if (!r.mfa_serial_number.empty() && (r.mfa_serial_number.size() < 9 || r.mfa_serial_number.size() > 256 ||
                                       !IsNameChars(r.mfa_serial_number, "+=/:,.@-"))) {
    fail("mfa_serial_number", "must be an MFA device ARN or a 9-256 character serial number");
  }
  CheckTags(r.iam_tags, "iam_tags", problems);
  CheckTags(r.session_tags, "session_tags", problems);
  if (iam_user && NonWhitespace(r.policy_document) > kMaxInlineUserPolicyChars) {
    fail("policy_document", "is " + std::to_string(NonWhitespace(r.policy_document)) +
                                " characters; IAM allows " + std::to_string(kMaxInlineUserPolicyChars) +
                                " (without whitespace) in a user's inline policies");
  }
  if (sts && r.policy_document.size() > kMaxSessionPolicyChars) {
    fail("policy_document", "is " + std::to_string(r.policy_document.size()) + " characters; STS allows " +
                                std::to_string(kMaxSessionPolicyChars) + " in a session policy");
  }
  if (sts && r.policy_arns.size() > 10) fail("policy_arns", "STS allows at most 10 session policy ARNs");
}

}  // namespace

const char* CredentialTypeName(CredentialType type) {
  switch (type) {
    case CredentialType::kIamUser: return "iam_user";
    case CredentialType::kAssumedRole: return "assumed_role";
    case CredentialType::kFederationToken: return "federation_token";
    case CredentialType::kSessionToken: return "session_token";
  }
  return "unknown";
}

bool IsStsType(CredentialType type) { return type != CredentialType::kIamUser; }

Status ValidateRoleName(std::string_view name) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (name.empty() || name.size() > 128 || !word(name.front()) || !word(name.back()) ||
      !IsNameChars(name, "-.@")) {
    return Status::InvalidArgument("name", "role name \"" + std::string(name) +
                                               "\" must be 1-128 letters, digits, '_', '-', '.' or '@', "
                                               "starting and ending with a letter, digit or '_'");
  }
  return Status();
}

Status ValidateRole(const Role& role) {
  Status name = ValidateRoleName(role.name);
  if (!name.ok()) return name;
  Problems problems;
  CheckRules(role, &problems);
  return ToStatus(problems);
}

Result<Role> ApplyRoleJson(std::string_view name, std::string_view json, const Role* existing) {
  Status name_ok = ValidateRoleName(name);
  if (!name_ok.ok()) return name_ok;
  Result<rapidjson::Document> doc = jsonread::ParseObject(json, "role");
  if (!doc.ok()) return doc.status();
  Role role = existing ? *existing : Role();
  role.name = std::string(name);
  Problems problems;
  RoleReader read(&problems);
  bool type_given = false;
  for (const auto& m : doc->GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value& v = m.value;
    if (key == "credential_type") {
      type_given = true;
      if (!v.IsString() || !ParseCredentialType(v.GetString(), &role.credential_type)) {
        read.Fail("credential_type", "must be one of iam_user, assumed_role, federation_token, session_token");
      }
    } else if (key == "role_arns") { read.List(v, "role_arns", &role.role_arns);
    } else if (key == "policy_arns") { read.List(v, "policy_arns", &role.policy_arns);
    } else if (key == "iam_groups") { read.List(v, "iam_groups", &role.iam_groups);
    } else if (key == "policy_document") { read.PolicyDocument(v, "policy_document", &role.policy_document);
    } else if (key == "iam_tags") { read.TagList(v, "iam_tags", &role.iam_tags);
    } else if (key == "session_tags") { read.TagList(v, "session_tags", &role.session_tags);
    } else if (key == "external_id") { read.String(v, "external_id", &role.external_id);
    } else if (key == "mfa_serial_number") { read.String(v, "mfa_serial_number", &role.mfa_serial_number);
    } else if (key == "user_path") { read.String(v, "user_path", &role.user_path);
    } else if (key == "permissions_boundary_arn") { read.String(v, "permissions_boundary_arn", &role.permissions_boundary_arn);
    } else if (key == "default_sts_ttl") { read.Duration(v, "default_sts_ttl", &role.default_sts_ttl);
    } else if (key == "max_sts_ttl") { read.Duration(v, "max_sts_ttl", &role.max_sts_ttl);
    } else if (key == "default_ttl" || key == "ttl") {  // "ttl": as seed 004 writes it
      read.Duration(v, std::string(key).c_str(), &role.default_ttl);
    } else if (key == "max_ttl") { read.Duration(v, "max_ttl", &role.max_ttl);
    } else if (key == "max_active_leases") { read.Count(v, "max_active_leases", &role.max_active_leases);
    } else if (key == "name") {  // as RoleToJson writes it; must agree with the path's name
      if (!v.IsString() || name != v.GetString()) read.Fail("name", "does not match the role's name");
    } else {
      problems.push_back({std::string(key), "unknown field"});
    }
  }
  if (existing == nullptr && !type_given) {
    problems.push_back({"credential_type", "is required when creating a role"});
  }
  if (problems.empty()) CheckRules(role, &problems);
  if (!problems.empty()) return ToStatus(problems);
  return role;
}

std::string RoleToJson(const Role& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto list = [&](const char* key, const std::vector<std::string>& items) {
    w.Key(key);
    w.StartArray();
    for (const std::string& s : items) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    w.EndArray();
  };
  auto tags = [&](const char* key, const Tags& t) {
    w.Key(key);
    w.StartObject();
    for (const auto& [k, v] : t) {
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    }
    w.EndObject();
  };
  auto str = [&](const char* key, const std::string& s) {
    w.Key(key);
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  str("name", r.name);
  str("credential_type", CredentialTypeName(r.credential_type));
  list("role_arns", r.role_arns);
  list("policy_arns", r.policy_arns);
  str("policy_document", r.policy_document);
  list("iam_groups", r.iam_groups);
  tags("iam_tags", r.iam_tags);
  tags("session_tags", r.session_tags);
  str("external_id", r.external_id);
  str("mfa_serial_number", r.mfa_serial_number);
  str("user_path", r.user_path);
  str("permissions_boundary_arn", r.permissions_boundary_arn);
  w.Key("default_sts_ttl"); w.Int64(r.default_sts_ttl.count());
  w.Key("max_sts_ttl"); w.Int64(r.max_sts_ttl.count());
  w.Key("default_ttl"); w.Int64(r.default_ttl.count());
  w.Key("max_ttl"); w.Int64(r.max_ttl.count());
  w.Key("max_active_leases"); w.Int(r.max_active_leases);
  w.EndObject();
  return buffer.GetString();
}

}  // namespace dyncreds
