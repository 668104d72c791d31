// SecretString and the credentials holding it (dyncreds/secret.h, dyncreds/credentials.h).
#include <doctest/doctest.h>

#include "dyncreds/credentials.h"
#include "dyncreds/secret.h"

using namespace dyncreds;

TEST_CASE("SecretString copies, moves, compares and wipes") {
  SecretString a("s3cr3t");
  SecretString b = a;
  CHECK(b.Equals("s3cr3t"));
  SecretString c = std::move(b);
  CHECK(b.empty());
  CHECK(c.view() == "s3cr3t");
  c.clear();
  CHECK(c.empty());
  SecretString d = SecretString::OfSize(3);
  d.mutable_data()[0] = 'x';
  CHECK(d.size() == 3);
  CHECK_FALSE(a.Equals("s3cr3"));
}

TEST_CASE("credentials fingerprint the secret without holding it twice") {
  AwsCredentials one("AKID", SecretString("secret-1"));
  AwsCredentials same("AKID2", SecretString("secret-1"));
  AwsCredentials other("AKID", SecretString("secret-2"));
  CHECK(one.secret_fingerprint() == same.secret_fingerprint());
  CHECK(one.secret_fingerprint() != other.secret_fingerprint());
}
