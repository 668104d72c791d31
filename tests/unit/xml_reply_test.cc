// Parses every reply in ../shared/aws-samples with our XML layer and checks
// the values its index.json (and botocore's own expected parses) give.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string>

#include "aws/iam_sts_api.h"
#include "aws/xml_reply.h"
#include "support/test_data.h"
#include "util/time_format.h"

namespace fs = std::filesystem;
using namespace dyncreds;
using namespace dyncreds::aws;
using dyncreds::testing::ReadFile;
using dyncreds::testing::SharedDir;

namespace {

// Field name -> the value our typed parsers found, for one success reply.
using Fields = std::map<std::string, std::string>;

std::string Time(const std::optional<TimePoint>& t) { return t ? timefmt::FormatIso8601(*t) : ""; }

// Runs the typed parser for `operation`; fills what index.json may expect.
Fields ParseTyped(const QueryReply& reply, const std::string& operation) {
  Fields f;
  auto fail = [&](const Status& s) { FAIL_CHECK(s.ToString()); };
  if (operation == "CreateUser" || operation == "GetUser") {
    auto u = ParseUser(reply);
    if (!u.ok()) return fail(u.status()), f;
    f = {{"UserName", u->user_name}, {"UserId", u->user_id}, {"Arn", u->arn},
         {"CreateDate", Time(u->create_date)}};
  } else if (operation == "CreateAccessKey") {
    auto k = ParseCreateAccessKey(reply);
    if (!k.ok()) return fail(k.status()), f;
    f = {{"UserName", k->metadata.user_name}, {"AccessKeyId", k->metadata.access_key_id},
         {"Status", k->metadata.status},
         {"SecretAccessKey_whitespace_stripped", std::string(k->secret_access_key.view())}};
  } else if (operation == "ListAccessKeys") {
    auto p = ParseListAccessKeys(reply);
    if (!p.ok()) return fail(p.status()), f;
    f = {{"member_count", std::to_string(p->items.size())},
         {"IsTruncated", p->is_truncated ? "true" : "false"},
         {"Marker_whitespace_stripped", p->marker}};
    if (!p->items.empty()) {
      f["UserName"] = p->items[0].user_name;
      f["AccessKeyId"] = p->items[0].access_key_id;
      f["Status"] = p->items[0].status;
      f["CreateDate"] = Time(p->items[0].create_date);
    }
  } else if (operation == "ListAttachedUserPolicies") {
    auto p = ParseListAttachedPolicies(reply);
    if (!p.ok()) return fail(p.status()), f;
    f = {{"member_count", std::to_string(p->items.size())},
         {"IsTruncated", p->is_truncated ? "true" : "false"},
         {"PolicyName", p->items.at(0).policy_name}, {"PolicyArn", p->items.at(0).policy_arn}};
  } else if (operation == "ListUserPolicies") {
    auto p = ParsePolicyNames(reply);
    if (!p.ok()) return fail(p.status()), f;
    f = {{"member_count", std::to_string(p->items.size())},
         {"IsTruncated", p->is_truncated ? "true" : "false"}};
  } else if (operation == "ListGroupsForUser") {
    auto p = ParseListGroups(reply);
    if (!p.ok()) return fail(p.status()), f;
    f = {{"member_count", std::to_string(p->items.size())},
         {"IsTruncated", p->is_truncated ? "true" : "false"},
         {"GroupName", p->items.at(0).group_name}, {"Arn", p->items.at(0).arn}};
  } else if (operation == "ListPolicies") {
    auto p = ParseListPolicies(reply);
    if (!p.ok()) return fail(p.status()), f;
    f = {{"member_count", std::to_string(p->items.size())},
         {"IsTruncated", p->is_truncated ? "true" : "false"},
         {"Marker_whitespace_stripped", p->marker},
         {"PolicyName", p->items.at(0).policy_name}, {"Arn", p->items.at(0).arn},
         {"CreateDate", Time(p->items.at(0).create_date)}};
  } else if (operation == "AssumeRole" || operation == "GetFederationToken" ||
             operation == "GetSessionToken") {
    auto s = ParseStsSession(reply);
    if (!s.ok()) return fail(s.status()), f;
    f = {{"AccessKeyId", s->credentials.access_key_id()},
         {"SecretAccessKey_whitespace_stripped", std::string(s->credentials.secret_access_key().view())},
         {"SessionToken_whitespace_stripped", std::string(s->credentials.session_token().view())},
         {"Expiration", Time(s->credentials.expiration())},
         {"Arn", s->arn},
         {"AssumedRoleId", s->principal_id},
         {"FederatedUserId", s->principal_id},
         {"SourceIdentity", s->source_identity},
         {"PackedPolicySize", s->packed_policy_size ? std::to_string(*s->packed_policy_size) : ""}};
  } else if (operation == "GetCallerIdentity") {
    auto id = ParseCallerIdentity(reply);
    if (!id.ok()) return fail(id.status()), f;
    f = {{"UserId", id->user_id}, {"Account", id->account}, {"Arn", id->arn}};
  }
  return f;
}

// index.json gives times as written in the file; compare as instants.
std::string Normalize(const std::string& key, const std::string& value) {
  if (key == "CreateDate" || key == "Expiration") {
    auto t = timefmt::ParseIso8601(value);
    return t ? timefmt::FormatIso8601(*t) : "unparsable:" + value;
  }
  return value;
}

}  // namespace

TEST_CASE("every sample in aws-samples/index.json parses to its expected values") {
  const fs::path root = SharedDir() / "aws-samples";
  std::string json = ReadFile(root / "index.json");
  rapidjson::Document index;
  index.Parse(json.c_str());
  REQUIRE(!index.HasParseError());
  const auto& samples = index["samples"];
  REQUIRE(samples.Size() >= 30);
  int checked_fields = 0;
  for (const auto& sample : samples.GetArray()) {
    const std::string file = sample["file"].GetString();
    const std::string operation = sample["operation"].GetString();
    const auto& expected = sample["expected"];
    CAPTURE(file);
    std::string body = ReadFile(root / file);
    if (std::string(sample["kind"].GetString()) == "error") {
      AwsErrorDetails d;
      REQUIRE(ParseErrorReply(body, &d));
      CHECK(d.code == expected["code"].GetString());
      CHECK(d.message == expected["message"].GetString());
      CHECK(d.type == expected["type"].GetString());
      CHECK(d.request_id == expected["request_id"].GetString());
      checked_fields += 4;
      continue;
    }
    Result<QueryReply> reply = QueryReply::Parse(body, operation);
    REQUIRE_MESSAGE(reply.ok(), reply.status().ToString());
    CHECK(reply->request_id() == expected["request_id"].GetString());
    Fields fields = ParseTyped(*reply, operation);
    for (auto it = expected.MemberBegin(); it != expected.MemberEnd(); ++it) {
      const std::string key = it->name.GetString();
      if (key == "request_id" || key.find("_has_embedded_whitespace") != std::string::npos) continue;
      CAPTURE(key);
      REQUIRE_MESSAGE(fields.count(key), "no typed parser field for " << key);
      std::string want = it->value.IsString() ? it->value.GetString()
                         : it->value.IsBool() ? (it->value.GetBool() ? "true" : "false")
                                              : std::to_string(it->value.GetInt());
      CHECK(Normalize(key, fields[key]) == Normalize(key, want));
      ++checked_fields;
    }
  }
  CHECK(checked_fields > 100);
}

TEST_CASE("botocore's IAM/STS response fixtures parse like botocore parses them") {
  const fs::path root = SharedDir() / "aws-samples" / "botocore-fixtures";
  auto load_json = [](const fs::path& p, rapidjson::Document* d) {
    std::string text = ReadFile(p);
    d->Parse(text.c_str());
    REQUIRE(!d->HasParseError());
  };
  // Each fixture's operation, from its name.
  const std::map<std::string, std::string> ops = {
      {"iam-get-user", "GetUser"},           {"iam-get-user-policy", "GetUserPolicy"},
      {"iam-list-access-keys", "ListAccessKeys"}, {"iam-list-groups", "ListGroups"},
      {"iam-list-roles", "ListRoles"},       {"iam-list-users", "ListUsers"},
      {"sts-get-session-token", "GetSessionToken"}};
  int files = 0;
  for (const auto& e : fs::directory_iterator(root / "responses")) {
    if (e.path().extension() != ".xml") continue;
    const std::string stem = e.path().stem().string();
    CAPTURE(stem);
    REQUIRE(ops.count(stem));
    rapidjson::Document want;
    load_json(e.path().parent_path() / (stem + ".json"), &want);
    Result<QueryReply> reply = QueryReply::Parse(ReadFile(e.path()), ops.at(stem));
    REQUIRE_MESSAGE(reply.ok(), reply.status().ToString());
    CHECK(reply->request_id() == want["ResponseMetadata"]["RequestId"].GetString());
    ++files;
    const std::string op = ops.at(stem);
    if (op == "GetUser") {
      // The root user: no UserName in the reply.
      REQUIRE(!want["User"].HasMember("UserName"));
      CHECK(ParseUser(*reply)->user_name.empty());
      CHECK(ParseUser(*reply)->user_id == want["User"]["UserId"].GetString());
      CHECK(ParseUser(*reply)->arn == want["User"]["Arn"].GetString());
    } else if (op == "GetUserPolicy") {
      // botocore gives the decoded document as parsed JSON: compare as JSON.
      rapidjson::Document ours;
      ours.Parse(ParsePolicyDocument(*reply)->c_str());
      REQUIRE(!ours.HasParseError());
      CHECK(ours == want["PolicyDocument"]);
    } else if (op == "ListAccessKeys") {
      auto page = ParseListAccessKeys(*reply);
      REQUIRE(page->items.size() == want["AccessKeyMetadata"].Size());
      CHECK(page->items[0].access_key_id == want["AccessKeyMetadata"][0]["AccessKeyId"].GetString());
    } else if (op == "ListGroups") {
      auto page = ParseListGroups(*reply);
      REQUIRE(page->items.size() == want["Groups"].Size());
      CHECK(page->items[0].group_name == want["Groups"][0]["GroupName"].GetString());
      CHECK(page->is_truncated == want["IsTruncated"].GetBool());
    } else if (op == "ListUsers") {
      auto page = ParseListUsers(*reply);
      REQUIRE(page->items.size() == want["Users"].Size());
      for (std::size_t i = 0; i < page->items.size(); ++i) {
        CHECK(page->items[i].user_name == want["Users"][static_cast<unsigned>(i)]["UserName"].GetString());
        CHECK(page->items[i].path == want["Users"][static_cast<unsigned>(i)]["Path"].GetString());
      }
    } else if (op == "GetSessionToken") {
      auto s = ParseStsSession(*reply);
      REQUIRE(s.ok());
      CHECK(s->credentials.access_key_id() == want["Credentials"]["AccessKeyId"].GetString());
      // botocore keeps the doc sample's line wrapping inside the token; we
      // drop whitespace from tokens (real ones never contain any).
      std::string token = want["Credentials"]["SessionToken"].GetString();
      token.erase(std::remove_if(token.begin(), token.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }), token.end());
      CHECK(std::string(s->credentials.session_token().view()) == token);
    }
    // ListRoles: libdyncreds reads no role lists; the envelope and request id
    // are checked above.
  }
  CHECK(files == 7);
  for (const auto& e : fs::directory_iterator(root / "errors")) {
    if (e.path().extension() != ".xml") continue;
    CAPTURE(e.path().filename().string());
    rapidjson::Document want;
    load_json(e.path().parent_path() / (e.path().stem().string() + ".json"), &want);
    AwsErrorDetails d;
    REQUIRE(ParseErrorReply(ReadFile(e.path()), &d));
    CHECK(d.code == want["Error"]["Code"].GetString());
    CHECK(d.message == want["Error"]["Message"].GetString());
    CHECK(d.request_id == want["ResponseMetadata"]["RequestId"].GetString());
  }
}
