#include "aws/iam_sts_api.h"

#include <cstdlib>

#include "util/uri.h"

namespace dyncreds::aws {
namespace {

Status Missing(const QueryReply& reply, const std::string& what) {
  return Status::MalformedResponse("reply to " + reply.action() + " has no " + what);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Calls fn(c) for each non-whitespace character of an element's text
// (PCDATA and CDATA alike).
template <typename Fn>
void ForEachTextChar(const pugi::xml_node& node, Fn fn) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_pcdata && c.type() != pugi::node_cdata) continue;
    for (const char* p = c.value(); *p; ++p) {
      if (!IsSpace(*p)) fn(*p);
    }
  }
}

// The element's text with every whitespace character removed, built in place
// into a SecretString: no stray copy of the secret is made.
SecretString ChildSecret(const pugi::xml_node& parent, std::string_view name) {
  pugi::xml_node node = Child(parent, name);
  std::size_t n = 0;
  ForEachTextChar(node, [&n](char) { ++n; });
  SecretString secret = SecretString::OfSize(n);
  char* out = secret.mutable_data();
  ForEachTextChar(node, [&out](char c) { *out++ = c; });
  return secret;
}

std::string StripSpaces(std::string s) {
  std::string out;
  for (char c : s) {
    if (!IsSpace(c)) out.push_back(c);
  }
  return out;
}

// Reads IsTruncated and Marker of a paginated result.
template <typename T>
void ReadPagination(const pugi::xml_node& result, Page<T>* page) {
  page->is_truncated = ChildText(result, "IsTruncated") == "true";
  page->marker = StripSpaces(ChildText(result, "Marker"));
}

IamUser ReadUser(const pugi::xml_node& u) {
  IamUser user;
  user.path = ChildText(u, "Path");
  user.user_name = ChildText(u, "UserName");
  user.user_id = ChildText(u, "UserId");
  user.arn = ChildText(u, "Arn");
  user.create_date = ChildTime(u, "CreateDate");
  user.permissions_boundary_arn =
      ChildText(Child(u, "PermissionsBoundary"), "PermissionsBoundaryArn");
  for (pugi::xml_node t = Child(u, "Tags").first_child(); t; t = t.next_sibling()) {
    if (t.type() == pugi::node_element) {
      user.tags.emplace_back(ChildText(t, "Key"), ChildText(t, "Value"));
    }
  }
  return user;
}

AccessKeyMetadata ReadKeyMetadata(const pugi::xml_node& k) {
  AccessKeyMetadata m;
  m.user_name = ChildText(k, "UserName");
  m.access_key_id = ChildText(k, "AccessKeyId");
  m.status = ChildText(k, "Status");
  m.create_date = ChildTime(k, "CreateDate");
  return m;
}

// Calls `fn` on each <member> of the list element `list_name` in the result.
template <typename Fn>
bool ForEachMember(const QueryReply& reply, std::string_view list_name, Fn fn) {
  pugi::xml_node list = Child(reply.result(), list_name);
  if (!list) return false;
  for (pugi::xml_node m = list.first_child(); m; m = m.next_sibling()) {
    if (m.type() == pugi::node_element && LocalName(m) == "member") fn(m);
  }
  return true;
}

template <typename T, typename ReadFn>
Result<Page<T>> ReadList(const QueryReply& reply, const char* list_name, ReadFn read) {
  Page<T> page;
  if (!ForEachMember(reply, list_name, [&](const pugi::xml_node& m) {
        page.items.push_back(read(m));
      })) {
    return Missing(reply, list_name);
  }
  ReadPagination(reply.result(), &page);
  return page;
}

}  // namespace

Result<IamUser> ParseUser(const QueryReply& reply) {
  pugi::xml_node u = Child(reply.result(), "User");
  if (!u) return Missing(reply, "User");
  IamUser user = ReadUser(u);
  // The root user has no UserName (GetUser called with root keys); every
  // user has an Arn.
  if (user.arn.empty()) return Missing(reply, "User/Arn");
  return user;
}

Result<NewAccessKey> ParseCreateAccessKey(const QueryReply& reply) {
  pugi::xml_node k = Child(reply.result(), "AccessKey");
  if (!k) return Missing(reply, "AccessKey");
  NewAccessKey key;
  key.metadata = ReadKeyMetadata(k);
  key.secret_access_key = ChildSecret(k, "SecretAccessKey");
  if (key.metadata.access_key_id.empty()) return Missing(reply, "AccessKey/AccessKeyId");
  if (key.secret_access_key.empty()) return Missing(reply, "AccessKey/SecretAccessKey");
  return key;
}

Result<Page<AccessKeyMetadata>> ParseListAccessKeys(const QueryReply& reply) {
  return ReadList<AccessKeyMetadata>(reply, "AccessKeyMetadata", ReadKeyMetadata);
}

Result<Page<AttachedPolicy>> ParseListAttachedPolicies(const QueryReply& reply) {
  return ReadList<AttachedPolicy>(reply, "AttachedPolicies", [](const pugi::xml_node& m) {
    return AttachedPolicy{ChildText(m, "PolicyName"), ChildText(m, "PolicyArn")};
  });
}

Result<Page<std::string>> ParsePolicyNames(const QueryReply& reply) {
  Page<std::string> page;
  pugi::xml_node list = Child(reply.result(), "PolicyNames");
  if (!list) return Missing(reply, "PolicyNames");
  for (pugi::xml_node m = list.first_child(); m; m = m.next_sibling()) {
    if (m.type() == pugi::node_element) page.items.push_back(m.text().get());
  }
  ReadPagination(reply.result(), &page);
  return page;
}

Result<Page<std::string>> ParseMemberField(const QueryReply& reply, const char* list_name,
                                           const char* field) {
  return ReadList<std::string>(reply, list_name,
                               [field](const pugi::xml_node& m) { return ChildText(m, field); });
}

Result<Page<IamGroup>> ParseListGroups(const QueryReply& reply) {
  return ReadList<IamGroup>(reply, "Groups", [](const pugi::xml_node& m) {
    return IamGroup{ChildText(m, "Path"), ChildText(m, "GroupName"), ChildText(m, "GroupId"),
                    ChildText(m, "Arn")};
  });
}

Result<Page<IamUser>> ParseListUsers(const QueryReply& reply) {
  return ReadList<IamUser>(reply, "Users", ReadUser);
}

Result<Page<ManagedPolicy>> ParseListPolicies(const QueryReply& reply) {
  return ReadList<ManagedPolicy>(reply, "Policies", [](const pugi::xml_node& m) {
    return ManagedPolicy{ChildText(m, "PolicyName"), ChildText(m, "Arn"), ChildTime(m, "CreateDate")};
  });
}

Result<Page<std::pair<std::string, std::string>>> ParseTags(const QueryReply& reply) {
  return ReadList<std::pair<std::string, std::string>>(
      reply, "Tags", [](const pugi::xml_node& m) {
        return std::make_pair(ChildText(m, "Key"), ChildText(m, "Value"));
      });
}

Result<std::string> ParsePolicyDocument(const QueryReply& reply) {
  pugi::xml_node doc = Child(reply.result(), "PolicyDocument");
  if (!doc) return Missing(reply, "PolicyDocument");
  // IAM returns policy documents URL-encoded (RFC 3986).
  return uri::Decoded(ChildText(reply.result(), "PolicyDocument"));
}

Result<StsSession> ParseStsSession(const QueryReply& reply) {
  pugi::xml_node c = Child(reply.result(), "Credentials");
  if (!c) return Missing(reply, "Credentials");
  std::string key_id = ChildText(c, "AccessKeyId");
  if (key_id.empty()) return Missing(reply, "Credentials/AccessKeyId");
  SecretString secret = ChildSecret(c, "SecretAccessKey");
  if (secret.empty()) return Missing(reply, "Credentials/SecretAccessKey");
  SecretString token = ChildSecret(c, "SessionToken");
  if (token.empty()) return Missing(reply, "Credentials/SessionToken");
  std::optional<TimePoint> expiration = ChildTime(c, "Expiration");
  if (!expiration) return Missing(reply, "Credentials/Expiration (ISO 8601)");
  StsSession session;
  session.credentials =
      AwsCredentials(std::move(key_id), std::move(secret), std::move(token), expiration);
  for (const char* who : {"AssumedRoleUser", "FederatedUser"}) {
    if (pugi::xml_node u = Child(reply.result(), who)) {
      session.arn = ChildText(u, "Arn");
      session.principal_id = ChildText(u, "AssumedRoleId");
      if (session.principal_id.empty()) session.principal_id = ChildText(u, "FederatedUserId");
    }
  }
  session.source_identity = ChildText(reply.result(), "SourceIdentity");
  std::string packed = ChildText(reply.result(), "PackedPolicySize");
  if (!packed.empty()) session.packed_policy_size = std::atoi(packed.c_str());
  return session;
}

Result<CallerIdentity> ParseCallerIdentity(const QueryReply& reply) {
  CallerIdentity id{ChildText(reply.result(), "UserId"), ChildText(reply.result(), "Account"),
                    ChildText(reply.result(), "Arn")};
  if (id.arn.empty()) return Missing(reply, "Arn");
  return id;
}

}  // namespace dyncreds::aws
