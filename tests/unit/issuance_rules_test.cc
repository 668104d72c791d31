// Vault's lifetime and naming rules for issued credentials (core/issuance_rules).
#include "core/issuance_rules.h"

#include <doctest/doctest.h>

using namespace dyncreds;
using namespace dyncreds::core;
using std::chrono::seconds;

namespace {

LeaseConfig Config(seconds lease, seconds max) {
  LeaseConfig c;
  c.lease = lease;
  c.lease_max = max;
  return c;
}

}  // namespace

TEST_CASE("iam_user lifetime: the request, else the role, else config/lease, capped by max") {
  const LeaseConfig config = Config(seconds(600), seconds(3600));
  Role role;
  CHECK(UserLifetime(&role, config, std::nullopt).ttl == seconds(600));
  CHECK(UserLifetime(&role, config, std::nullopt).max == seconds(3600));
  CHECK(UserLifetime(&role, config, seconds(900)).ttl == seconds(900));
  CHECK(UserLifetime(&role, config, seconds(7200)).ttl == seconds(3600));
  role.default_ttl = seconds(1200);
  role.max_ttl = seconds(1800);
  CHECK(UserLifetime(&role, config, std::nullopt).ttl == seconds(1200));
  CHECK(UserLifetime(&role, config, seconds(3000)).ttl == seconds(1800));
  CHECK(UserLifetime(&role, config, seconds(3000)).max == seconds(1800));
  // A lease whose role is gone falls back to config/lease.
  CHECK(UserLifetime(nullptr, config, std::nullopt).ttl == seconds(600));
}

TEST_CASE("STS lifetime: the request, else default_sts_ttl, else an hour, capped by max_sts_ttl or lease_max") {
  Role role;
  CHECK(StsLifetime(role, Config(seconds(60), seconds(86400)), std::nullopt).ttl == kDefaultStsTtl);
  CHECK(StsLifetime(role, Config(seconds(60), seconds(1800)), std::nullopt).ttl == seconds(1800));
  role.default_sts_ttl = seconds(900);
  role.max_sts_ttl = seconds(43200);
  CHECK(StsLifetime(role, Config(seconds(60), seconds(1800)), std::nullopt).ttl == seconds(900));
  CHECK(StsLifetime(role, Config(seconds(60), seconds(1800)), seconds(20000)).ttl == seconds(20000));
  CHECK(StsLifetime(role, Config(seconds(60), seconds(1800)), seconds(50000)).ttl == seconds(43200));
}

TEST_CASE("role_arn: one of the role's, or its only one; a refusal names the field") {
  Role role;
  role.name = "deploy";
  CHECK(PickRoleArn(role, "").status().field() == "role_arn");
  role.role_arns = {"arn:aws:iam::123456789012:role/a"};
  CHECK(*PickRoleArn(role, "") == "arn:aws:iam::123456789012:role/a");
  role.role_arns.push_back("arn:aws:iam::123456789012:role/b");
  Result<std::string> ambiguous = PickRoleArn(role, "");
  REQUIRE(!ambiguous.ok());
  CHECK(ambiguous.status().message().find("several") != std::string::npos);
  CHECK(*PickRoleArn(role, "arn:aws:iam::123456789012:role/b") == "arn:aws:iam::123456789012:role/b");
  Result<std::string> stranger = PickRoleArn(role, "arn:aws:iam::123456789012:role/c");
  REQUIRE(!stranger.ok());
  CHECK(stranger.status().field() == "role_arn");
}

TEST_CASE("names: IAM's limits per kind, and the field at fault") {
  TemplateData data;
  TemplateEnv env;
  Result<UsernameTemplate> long_name = UsernameTemplate::Parse(std::string(40, 'a'));
  REQUIRE(long_name.ok());
  CHECK(RenderUserName(*long_name, data, env).ok());            // users: up to 64
  Result<std::string> federation = RenderFederationName(*long_name, data, env);  // up to 32
  REQUIRE(!federation.ok());
  CHECK(federation.status().field() == "username_template");
  Result<UsernameTemplate> bad = UsernameTemplate::Parse("a b");
  REQUIRE(bad.ok());
  CHECK(RenderUserName(*bad, data, env).status().field() == "username_template");
  // A session name the caller gives is checked as the caller's.
  CHECK(*SessionName("ci-run", *long_name, data, env) == "ci-run");
  Result<std::string> bad_session = SessionName("x", *long_name, data, env);
  REQUIRE(!bad_session.ok());
  CHECK(bad_session.status().field() == "role_session_name");
  CHECK(*SessionName("", *long_name, data, env) == std::string(40, 'a'));
}
