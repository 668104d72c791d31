// Roles: Vault's field names and rules per credential type, merging writes,
// the errors a bad role gives (naming the field, nothing changed), TTL strings.
#include <doctest/doctest.h>

#include <string>

#include "dyncreds/role.h"
#include "dyncreds/ttl.h"

using namespace dyncreds;
using namespace std::chrono_literals;

namespace {

Role MustApply(const std::string& json, const Role* existing = nullptr, const char* name = "r") {
  Result<Role> role = ApplyRoleJson(name, json, existing);
  REQUIRE_MESSAGE(role.ok(), role.status().ToString());
  return *role;
}

Status Refused(const std::string& json, const Role* existing = nullptr) {
  Result<Role> role = ApplyRoleJson("r", json, existing);
  REQUIRE_MESSAGE(!role.ok(), "accepted: " << json);
  CHECK(role.status().code() == ErrorCode::kInvalidArgument);
  return role.status();
}

}  // namespace

TEST_CASE("TTL strings are parsed strictly") {
  CHECK(ParseTtl("3600", "ttl").value() == 3600s);
  CHECK(ParseTtl("90s", "ttl").value() == 90s);
  CHECK(ParseTtl("30m", "ttl").value() == 1800s);
  CHECK(ParseTtl("1h30m", "ttl").value() == 5400s);
  CHECK(ParseTtl("768h", "ttl").value() == 2764800s);
  CHECK(ParseTtl("1.5h", "ttl").value() == 5400s);
  CHECK(ParseTtl("7d", "ttl").value() == 604800s);
  CHECK(ParseTtl("1500ms", "ttl").status().message().find("whole number of seconds") != std::string::npos);
  for (const char* bad : {"", "-5", "1x", "h", "1h ", " 1h", "1.2.3s", "99999999999999h", "1e3", "10 m"}) {
    CAPTURE(bad);
    Result<std::chrono::seconds> r = ParseTtl(bad, "default_ttl");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().field() == "default_ttl");
  }
  CHECK(FormatTtl(5400s) == "1h30m0s");
  CHECK(FormatTtl(45s) == "45s");
  CHECK(FormatTtl(0s) == "0s");
}

TEST_CASE("a TTL that parses formats and parses back (found by fuzz_ttl)") {
  // Seconds alone were allowed up to 12 digits while "h"/"d" stopped at a
  // century, so 7269269718 parsed but its own FormatTtl did not.
  CHECK_FALSE(ParseTtl("7269269718", "ttl").ok());
  const std::chrono::seconds century = ParseTtl("876000h", "ttl").value();
  CHECK(ParseTtl(std::to_string(century.count()), "ttl").value() == century);
  CHECK(ParseTtl(FormatTtl(century), "ttl").value() == century);
  // A number too long for a double threw std::out_of_range out of ParseTtl.
  const std::string huge = std::string(400, '9') + "ns";
  CHECK(ParseTtl(huge, "ttl").status().message().find("too large") != std::string::npos);
}

TEST_CASE("an iam_user role with Vault's fields, in every accepted form") {
  Role r = MustApply(R"({"credential_type": "iam_user",
      "policy_arns": "arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::123456789012:policy/team/p",
      "policy_document": "{ \"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}] }",
      "iam_groups": ["devs", "ops"], "iam_tags": ["team=infra", "cost=42"],
      "user_path": "/dyncreds/", "permissions_boundary_arn": "arn:aws:iam::aws:policy/PowerUserAccess",
      "default_ttl": "1h", "max_ttl": 86400, "max_active_leases": 100})");
  CHECK(r.credential_type == CredentialType::kIamUser);
  CHECK(r.policy_arns == std::vector<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                  "arn:aws:iam::123456789012:policy/team/p"});
  // Compacted, as Vault's json.Compact does: whitespace gone, order kept.
  CHECK(r.policy_document ==
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})");
  CHECK(r.iam_groups == std::vector<std::string>{"devs", "ops"});
  CHECK(r.iam_tags == Tags{{"team", "infra"}, {"cost", "42"}});
  CHECK(r.default_ttl == 3600s);
  CHECK(r.max_ttl == 86400s);
  CHECK(r.max_active_leases == 100);
  CHECK(MustApply(R"({"credential_type":"iam_user","iam_tags":{"a":"1","b":"2"}})").iam_tags == Tags{{"a", "1"}, {"b", "2"}});
  CHECK(MustApply(R"({"credential_type":"iam_user","iam_tags":"a=1,b=2"})").iam_tags == Tags{{"a", "1"}, {"b", "2"}});
}

TEST_CASE("a write merges into the stored role; an empty policy_document clears it") {
  Role first = MustApply(R"({"credential_type":"assumed_role","role_arns":["arn:aws:iam::123456789012:role/a"],
                             "default_sts_ttl":"15m","policy_document":{"Statement":[]}})");
  Role second = MustApply(R"({"max_sts_ttl":"2h"})", &first);
  CHECK(second.role_arns == first.role_arns);
  CHECK(second.default_sts_ttl == 900s);
  CHECK(second.max_sts_ttl == 7200s);
  CHECK(second.policy_document == R"({"Statement":[]})");
  CHECK(MustApply(R"({"policy_document":""})", &second).policy_document.empty());
}

TEST_CASE("role JSON round-trips with Vault's field names") {
  Role r = MustApply(R"({"credential_type":"assumed_role","role_arns":"arn:aws:iam::123456789012:role/a",
                         "session_tags":{"lease":"x"},"external_id":"ext-123","default_sts_ttl":900})");
  const std::string json = RoleToJson(r);
  CHECK(json.find(R"("credential_type":"assumed_role")") != std::string::npos);
  CHECK(json.find(R"("session_tags":{"lease":"x"})") != std::string::npos);
  CHECK(json.find(R"("default_sts_ttl":900)") != std::string::npos);
  Role again = MustApply(json);
  CHECK(RoleToJson(again) == json);
}

TEST_CASE("fields that belong to other credential types are refused, naming the field") {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"credential_type":"iam_user","role_arns":"arn:aws:iam::123456789012:role/a"})", "role_arns"},
      {R"({"credential_type":"iam_user","session_tags":{"a":"b"}})", "session_tags"},
      {R"({"credential_type":"iam_user","external_id":"abc"})", "external_id"},
      {R"({"credential_type":"iam_user","default_sts_ttl":900})", "default_sts_ttl"},
      {R"({"credential_type":"iam_user","max_sts_ttl":900})", "max_sts_ttl"},
      {R"({"credential_type":"iam_user","mfa_serial_number":"arn:aws:iam::123456789012:mfa/x"})", "mfa_serial_number"},
      {R"({"credential_type":"assumed_role","iam_tags":{"a":"b"}})", "iam_tags"},
      {R"({"credential_type":"assumed_role","user_path":"/x/"})", "user_path"},
      {R"({"credential_type":"assumed_role","permissions_boundary_arn":"arn:aws:iam::aws:policy/X"})", "permissions_boundary_arn"},
      {R"({"credential_type":"assumed_role","default_ttl":"1h"})", "default_ttl"},
      {R"({"credential_type":"federation_token","max_ttl":"1h","policy_arns":"arn:aws:iam::aws:policy/X"})", "max_ttl"},
      {R"({"credential_type":"session_token","policy_arns":"arn:aws:iam::aws:policy/X"})", "policy_arns"},
      {R"({"credential_type":"session_token","policy_document":{"Statement":[]}})", "policy_document"},
      {R"({"credential_type":"federation_token"})", "policy_document"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    CHECK(Refused(c.json).field() == c.field);
  }
}

TEST_CASE("values are checked: ARNs, paths, TTL order, tags, policies, names") {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"credential_type":"bogus"})", "credential_type"},
      {R"({"policy_arns":"arn:aws:iam::aws:policy/X"})", "credential_type"},  // required on create
      {R"({"credential_type":"assumed_role","role_arns":"arn:aws:iam::123:role/a"})", "role_arns"},
      {R"({"credential_type":"assumed_role","role_arns":"arn:aws:s3:::bucket"})", "role_arns"},
      {R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:role/X"})", "policy_arns"},
      {R"({"credential_type":"iam_user","permissions_boundary_arn":"nope"})", "permissions_boundary_arn"},
      {R"({"credential_type":"iam_user","user_path":"no-slashes"})", "user_path"},
      {R"({"credential_type":"iam_user","default_ttl":"2h","max_ttl":"1h"})", "default_ttl"},
      {R"({"credential_type":"session_token","default_sts_ttl":"2h","max_sts_ttl":"1h"})", "default_sts_ttl"},
      {R"({"credential_type":"iam_user","default_ttl":"soon"})", "default_ttl"},
      {R"({"credential_type":"iam_user","default_ttl":-5})", "default_ttl"},
      {R"({"credential_type":"iam_user","iam_tags":["novalue"]})", "iam_tags"},
      {R"({"credential_type":"iam_user","iam_tags":{"bad&key":"v"}})", "iam_tags"},
      {R"({"credential_type":"iam_user","iam_tags":"a=1,a=2"})", "iam_tags"},
      {R"({"credential_type":"iam_user","policy_document":"{not json"})", "policy_document"},
      {R"({"credential_type":"iam_user","policy_document":"[1,2]"})", "policy_document"},
      {R"({"credential_type":"iam_user","policy_document":{"Version":"2012-10-17"}})", "policy_document"},
      {R"({"credential_type":"iam_user","iam_groups":"bad group!"})", "iam_groups"},
      {R"({"credential_type":"assumed_role","external_id":"x"})", "external_id"},
      {R"({"credential_type":"session_token","mfa_serial_number":"short"})", "mfa_serial_number"},
      {R"({"credential_type":"iam_user","max_active_leases":-1})", "max_active_leases"},
      {R"({"credential_type":"iam_user","polcy_arns":"typo"})", "polcy_arns"},
      {R"({"credential_type":"iam_user","name":"other"})", "name"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    CHECK(Refused(c.json).field() == c.field);
  }
  CHECK(ApplyRoleJson("bad name", R"({"credential_type":"iam_user"})", nullptr).status().field() == "name");
  CHECK(ApplyRoleJson("-dash", R"({"credential_type":"iam_user"})", nullptr).status().field() == "name");
  CHECK(ApplyRoleJson("ok.name@x", R"({"credential_type":"iam_user"})", nullptr).ok());
  CHECK(ApplyRoleJson("r", "[]", nullptr).status().field() == "role");
}

TEST_CASE("policy size limits: a user's inline policy and an STS session policy") {
  const std::string pad(2000, 'x');
  const std::string big = R"({"credential_type":"iam_user","policy_document":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::)" + pad + R"("}]}})";
  Status s = Refused(big);
  CHECK(s.field() == "policy_document");
  CHECK(s.message().find("2048") != std::string::npos);
  const std::string sts = R"({"credential_type":"federation_token","policy_document":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::)" + pad + R"("}]}})";
  CHECK(Refused(sts).field() == "policy_document");
  std::string arns;
  for (int i = 0; i < 11; ++i) arns += (i ? "," : "") + std::string("arn:aws:iam::aws:policy/P") + std::to_string(i);
  CHECK(Refused(R"({"credential_type":"assumed_role","policy_arns":")" + arns + "\"}").field() == "policy_arns");
}

TEST_CASE("every problem is reported, and a refused write leaves the stored role as it was") {
  Role stored = MustApply(R"({"credential_type":"iam_user","default_ttl":"1h"})");
  const Role before = stored;
  Status s = Refused(R"({"default_ttl":"bogus","user_path":"x","role_arns":"arn:aws:iam::123456789012:role/a"})", &stored);
  CHECK(s.message().find("default_ttl") != std::string::npos);
  CHECK(s.message().find("user_path") == std::string::npos);  // type rules run once the fields parse
  CHECK(RoleToJson(stored) == RoleToJson(before));
  Status rules = Refused(R"({"user_path":"x","role_arns":"arn:aws:iam::123456789012:role/a"})", &stored);
  CHECK(rules.message().find("user_path") != std::string::npos);
  CHECK(rules.message().find("role_arns") != std::string::npos);
}
