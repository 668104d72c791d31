// util/json_read: the one way JSON is read.
#include "util/json_read.h"

#include <doctest/doctest.h>

using namespace dyncreds;

TEST_CASE("Parse takes any JSON value and names the field, the problem and the offset when it cannot") {
  Result<rapidjson::Document> list = jsonread::Parse(R"(["a", 1])", "roles");
  REQUIRE(list.ok());
  CHECK(list->IsArray());
  Result<rapidjson::Document> bad = jsonread::Parse(R"({"a": })", "policy_document");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
  CHECK(bad.status().ToString().find("policy_document") != std::string::npos);
  CHECK(bad.status().ToString().find("is not JSON") != std::string::npos);
  CHECK(bad.status().ToString().find("offset 6") != std::string::npos);
}

TEST_CASE("ParseObject refuses what is not one object") {
  CHECK(jsonread::ParseObject(R"({"a":1})", "role").ok());
  for (const char* text : {"[1]", "\"s\"", "{", ""}) {
    Result<rapidjson::Document> doc = jsonread::ParseObject(text, "role");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.status().ToString().find("role") != std::string::npos);
  }
}

TEST_CASE("in place: the strings live in the wiping buffer, not in the document") {
  SecretString buffer;
  const std::string text = R"({"secret_key": "abc\u0000def", "n": 2})";
  Result<rapidjson::Document> doc = jsonread::ParseObjectInPlace(text, "config", &buffer);
  REQUIRE(doc.ok());
  const rapidjson::Value& secret = (*doc)["secret_key"];
  CHECK(jsonread::String(secret) == std::string("abc\0def", 7));
  const char* begin = buffer.view().data();
  CHECK(secret.GetString() >= begin);
  CHECK(secret.GetString() < begin + buffer.size());
  SecretString other;
  CHECK_FALSE(jsonread::ParseInPlace("[1,", "list", &other).ok());
  CHECK(jsonread::ParseInPlace("[1]", "list", &other)->IsArray());
}
