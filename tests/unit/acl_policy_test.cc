// Vault's ACL policies in their JSON form: parsing, `*` and `+` patterns,
// the most specific pattern deciding, deny, sudo, and merged policies.
#include <doctest/doctest.h>

#include "server/acl_policy.h"

using namespace dyncreds;
using namespace dyncreds::server;

namespace {

Acl AclOf(const char* text) {
  Acl acl;
  acl.Add(ParseAclPolicy(text).value());
  return acl;
}

}  // namespace

TEST_CASE("patterns: a trailing * matches any rest, + exactly one segment") {
  CHECK(PatternMatches("aws/creds/*", "aws/creds/deploy"));
  CHECK(PatternMatches("aws/creds/*", "aws/creds/"));
  CHECK(PatternMatches("aws/creds/dep*", "aws/creds/deploy"));
  CHECK_FALSE(PatternMatches("aws/creds/*", "aws/roles/deploy"));
  CHECK(PatternMatches("aws/creds/deploy", "aws/creds/deploy"));
  CHECK_FALSE(PatternMatches("aws/creds/deploy", "aws/creds/deploy2"));
  CHECK(PatternMatches("+/creds/deploy", "aws-us-west-2/creds/deploy"));
  CHECK_FALSE(PatternMatches("+/creds/deploy", "team/aws/creds/deploy"));
  CHECK(PatternMatches("+/+/deploy", "team/creds/deploy"));
  CHECK_FALSE(PatternMatches("aws/+", "aws/"));
}

TEST_CASE("parsing refuses what Vault refuses, naming the problem") {
  CHECK(ParseAclPolicy(R"(path "aws/*" { capabilities = ["read"] })").status().message().find("JSON") !=
        std::string::npos);
  CHECK_FALSE(ParseAclPolicy(R"({"path":{"aws/*/x":{"capabilities":["read"]}}})").ok());
  CHECK(ParseAclPolicy(R"({"path":{"aws/*":{"capabilities":["fly"]}}})").status().message().find("fly") !=
        std::string::npos);
  CHECK_FALSE(ParseAclPolicy(R"({"path":{"aws/*":{"capabilities":"read"}}})").ok());
  CHECK_FALSE(ParseAclPolicy(R"({"nopath":{}})").ok());
  CHECK(ParseAclPolicy(R"({"path":{"aws/*":{"capabilities":["read","list"]}}})").ok());
}

TEST_CASE("the most specific matching pattern decides, deny wins, sudo is its own capability") {
  const Acl acl = AclOf(R"({"path":{
      "aws/*": {"capabilities": ["read", "list"]},
      "aws/creds/admin": {"capabilities": ["deny"]},
      "aws/creds/+": {"capabilities": ["read"]},
      "sys/leases/revoke-prefix/*": {"capabilities": ["update"]},
      "sys/leases/revoke-force/*": {"capabilities": ["update", "sudo"]}}})");
  CHECK(acl.Allows("aws/roles/x", kRead, false));
  CHECK(acl.Allows("aws/roles/", kList, false));
  CHECK_FALSE(acl.Allows("aws/roles/x", kUpdate | kCreate, false));
  CHECK(acl.Allows("aws/creds/deploy", kRead, false));
  CHECK_FALSE(acl.Allows("aws/creds/deploy", kList, false));  // "aws/creds/+" is more specific than "aws/*"
  CHECK_FALSE(acl.Allows("aws/creds/admin", kRead, false));   // exact deny
  CHECK_FALSE(acl.Allows("sys/leases/revoke-prefix/aws", kUpdate, true));
  CHECK(acl.Allows("sys/leases/revoke-force/aws", kUpdate, true));
  CHECK_FALSE(acl.Allows("secret/x", kRead, false));
  CHECK(Acl::Root().Allows("anything/at/all", kSudo, true));
}

TEST_CASE("policies merge: the same pattern in two gets both sets, a deny in either wins") {
  Acl acl;
  acl.Add(ParseAclPolicy(R"({"path":{"aws/roles/*":{"capabilities":["read"]}}})").value());
  acl.Add(ParseAclPolicy(R"({"path":{"aws/roles/*":{"capabilities":["list"]}}})").value());
  CHECK(acl.Allows("aws/roles/x", kRead, false));
  CHECK(acl.Allows("aws/roles/", kList, false));
  acl.Add(ParseAclPolicy(R"({"path":{"aws/roles/*":{"capabilities":["deny"]}}})").value());
  CHECK_FALSE(acl.Allows("aws/roles/x", kRead, false));
}
