// Store keys from text, files and the environment.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <fstream>

#include "dyncreds/store_key.h"
#include "support/temp_dir.h"

using namespace dyncreds;

namespace {

const std::string kRaw = "0123456789abcdef0123456789abcdef";
const std::string kBase64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";  // base64 of kRaw

}  // namespace

TEST_CASE("a key is 32 raw bytes or their base64") {
  CHECK(ParseStoreKey(kRaw, "k")->view() == kRaw);
  CHECK(ParseStoreKey(kBase64, "k")->view() == kRaw);
  CHECK(ParseStoreKey("  " + kBase64 + "\n", "k")->view() == kRaw);
  for (const std::string& bad : {std::string("short"), kBase64.substr(0, 40), std::string(44, '!'), kRaw + "x"}) {
    Status s = ParseStoreKey(bad, "the test key").status();
    CHECK(s.code() == ErrorCode::kEncryptionKey);
    CHECK(s.message().find("the test key") != std::string::npos);
  }
}

TEST_CASE("keys come from DYNCREDS_STORE_KEY_FILE, then DYNCREDS_STORE_KEY") {
  testing::TempDir dir;
  const std::string raw_file = dir.File("raw.key");
  std::ofstream(raw_file, std::ios::binary) << kRaw;
  const std::string b64_file = dir.File("b64.key");
  std::ofstream(b64_file) << kBase64 << "\n";

  unsetenv("DYNCREDS_STORE_KEY_FILE");
  unsetenv("DYNCREDS_STORE_KEY");
  CHECK(StoreKeyFromEnvironment()->empty());
  setenv("DYNCREDS_STORE_KEY", kBase64.c_str(), 1);
  CHECK(StoreKeyFromEnvironment()->view() == kRaw);
  setenv("DYNCREDS_STORE_KEY", kRaw.c_str(), 1);  // the variable holds base64 only
  CHECK(StoreKeyFromEnvironment().status().code() == ErrorCode::kEncryptionKey);
  setenv("DYNCREDS_STORE_KEY_FILE", raw_file.c_str(), 1);  // the file wins
  CHECK(StoreKeyFromEnvironment()->view() == kRaw);
  setenv("DYNCREDS_STORE_KEY_FILE", b64_file.c_str(), 1);
  CHECK(StoreKeyFromEnvironment()->view() == kRaw);
  setenv("DYNCREDS_STORE_KEY_FILE", dir.File("missing.key").c_str(), 1);
  Status s = StoreKeyFromEnvironment().status();
  CHECK(s.code() == ErrorCode::kEncryptionKey);
  CHECK(s.message().find("missing.key") != std::string::npos);
  unsetenv("DYNCREDS_STORE_KEY_FILE");
  unsetenv("DYNCREDS_STORE_KEY");
}

TEST_CASE("a new key is base64 of 32 fresh bytes") {
  SecretString a = NewStoreKeyBase64();
  SecretString b = NewStoreKeyBase64();
  CHECK(a.size() == 44);
  CHECK(ParseStoreKey(a.view(), "new")->size() == 32);
  CHECK(!a.Equals(b.view()));
}
