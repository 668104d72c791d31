#include "server/acl_policy.h"

#include <algorithm>
#include <tuple>

#include "util/json_read.h"

namespace dyncreds::server {
namespace {

Result<unsigned> CapabilityNamed(std::string_view name) {
  if (name == "create") return static_cast<unsigned>(kCreate);
  if (name == "read") return static_cast<unsigned>(kRead);
  if (name == "update") return static_cast<unsigned>(kUpdate);
  if (name == "delete") return static_cast<unsigned>(kDelete);
  if (name == "list") return static_cast<unsigned>(kList);
  if (name == "sudo") return static_cast<unsigned>(kSudo);
  if (name == "deny") return static_cast<unsigned>(kDeny);
  return Status::InvalidArgument("policy", "unknown capability \"" + std::string(name) +
                                               "\" (create, read, update, delete, list, sudo, deny)");
}

Result<unsigned> Capabilities(const std::string& pattern, const rapidjson::Value& rule) {
  const std::string where = "path \"" + pattern + "\"";
  if (!rule.IsObject()) return Status::InvalidArgument("policy", where + " must be an object with \"capabilities\"");
  const auto caps = rule.FindMember("capabilities");
  if (caps == rule.MemberEnd() || !caps->value.IsArray()) {
    return Status::InvalidArgument("policy", where + " needs \"capabilities\": a list");
  }
  unsigned out = 0;
  for (const rapidjson::Value& name : caps->value.GetArray()) {
    if (!name.IsString()) return Status::InvalidArgument("policy", where + ": capabilities must be strings");
    Result<unsigned> cap = CapabilityNamed(jsonread::String(name));
    if (!cap.ok()) return Status::InvalidArgument("policy", where + ": " + cap.status().message());
    out |= *cap;
  }
  return out;
}

// Vault's priority (higher tuple = more specific).
auto Specificity(const std::string& p) {
  const std::size_t plus = p.find('+');
  const bool glob = !p.empty() && p.back() == '*';
  const std::size_t first_wild = std::min(plus == std::string::npos ? p.size() : plus, glob ? p.size() - 1 : p.size());
  const auto pluses = std::count(p.begin(), p.end(), '+');
  return std::make_tuple(first_wild, !glob, -pluses, p.size(), std::string_view(p));
}

}  // namespace

Result<std::vector<PathRule>> ParseAclPolicy(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') {
    return Status::InvalidArgument("policy", "must be an ACL policy in Vault's JSON form ({\"path\": {...}}); HCL is not supported");
  }
  Result<rapidjson::Document> doc = jsonread::ParseObject(text, "policy");
  if (!doc.ok()) return doc.status();
  const auto paths = doc->FindMember("path");
  if (paths == doc->MemberEnd() || !paths->value.IsObject()) {
    return Status::InvalidArgument("policy", "needs \"path\": an object of path patterns");
  }
  std::vector<PathRule> rules;
  for (const auto& m : paths->value.GetObject()) {
    PathRule rule;
    rule.pattern = jsonread::String(m.name);
    while (!rule.pattern.empty() && rule.pattern.front() == '/') rule.pattern.erase(0, 1);
    const std::size_t star = rule.pattern.find('*');
    if (star != std::string::npos && star + 1 != rule.pattern.size()) {
      return Status::InvalidArgument("policy", "path \"" + rule.pattern + "\": '*' may only end a pattern");
    }
    Result<unsigned> caps = Capabilities(rule.pattern, m.value);
    if (!caps.ok()) return caps.status();
    rule.capabilities = *caps;
    rules.push_back(std::move(rule));
  }
  return rules;
}

bool PatternMatches(std::string_view pattern, std::string_view path) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '*' && i + 1 == pattern.size()) return true;
    if (c == '+') {
      // One whole segment: at a segment start, up to the next '/'.
      if (j > 0 && path[j - 1] != '/') return false;
      const std::size_t end = path.find('/', j);
      const std::size_t seg_end = end == std::string_view::npos ? path.size() : end;
      if (seg_end == j) return false;
      j = seg_end;
      ++i;
      continue;
    }
    if (j >= path.size() || path[j] != c) return false;
    ++i;
    ++j;
  }
  return j == path.size();
}

Acl Acl::Root() {
  Acl acl;
  acl.root_ = true;
  return acl;
}

void Acl::Add(const std::vector<PathRule>& rules) {
  for (const PathRule& rule : rules) {
    unsigned& merged = rules_[rule.pattern];
    merged = (merged | rule.capabilities);
  }
}

unsigned Acl::CapabilitiesOn(std::string_view path) const {
  const std::string* best = nullptr;
  unsigned caps = 0;
  for (const auto& [pattern, c] : rules_) {
    if (!PatternMatches(pattern, path)) continue;
    if (best == nullptr || Specificity(pattern) > Specificity(*best)) {
      best = &pattern;
      caps = c;
    }
  }
  return (caps & kDeny) ? 0 : caps;
}

bool Acl::Allows(std::string_view path, unsigned any_of, bool needs_sudo) const {
  if (root_) return true;
  const unsigned caps = CapabilitiesOn(path);
  return (caps & any_of) != 0 && (!needs_sudo || (caps & kSudo) != 0);
}

}  // namespace dyncreds::server
