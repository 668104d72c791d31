// Percent-encoding as AWS wants it, form bodies, URL splitting (util/uri).
#include <doctest/doctest.h>

#include "util/uri.h"

using namespace dyncreds;

TEST_CASE("RFC 3986 encoding keeps unreserved characters only") {
  CHECK(uri::Encoded("AZaz09-._~") == "AZaz09-._~");
  CHECK(uri::Encoded("a b/c*+=&") == "a%20b%2Fc%2A%2B%3D%26");
  CHECK(uri::Encoded("a/b", true) == "a/b");
  CHECK(uri::Encoded("\xe1\x88\xb4") == "%E1%88%B4");
  CHECK(uri::Decoded("a%20b%2fc%zz%") == "a b/c%zz%");
  CHECK(uri::FormDecoded("a+b%2B") == "a b+");
}

TEST_CASE("form encoding is botocore's: space as '+', everything else %XX") {
  std::string out;
  uri::AppendFormEncoded("a b/~*+=&\xc3\xbc", &out);
  CHECK(out == "a+b%2F~%2A%2B%3D%26%C3%BC");
}

TEST_CASE("URLs split into scheme, host, port, path and query") {
  uri::UrlParts p;
  REQUIRE(uri::SplitUrl("https://IAM.amazonaws.com:443/a/b?x=1#frag", &p));
  CHECK(p.scheme == "https");
  CHECK(p.host == "IAM.amazonaws.com");
  CHECK(p.port == "443");
  CHECK(p.path == "/a/b");
  CHECK(p.query == "x=1");
  CHECK(uri::HostHeaderFor(p) == "IAM.amazonaws.com");
  REQUIRE(uri::SplitUrl("http://127.0.0.1:8080", &p));
  CHECK(p.path == "/");
  CHECK(uri::HostHeaderFor(p) == "127.0.0.1:8080");
  REQUIRE(uri::SplitUrl("http://[::1]:9000/", &p));
  CHECK(p.host == "[::1]");
  CHECK(p.port == "9000");
  CHECK_FALSE(uri::SplitUrl("iam.amazonaws.com/", &p));
  CHECK_FALSE(uri::SplitUrl("https:///path", &p));
}
