// Percent-encoding, form bodies, URL splitting, time formats, secrets.
#include <doctest/doctest.h>

#include "aws/query_request.h"
#include "dyncreds/credentials.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"
#include "util/time_format.h"
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

TEST_CASE("QueryRequest flattens lists, structure lists and tags in order") {
  aws::QueryRequest r("AssumeRole", "2011-06-15");
  r.Add("RoleArn", "arn:aws:iam::1:role/r");
  r.AddStructList("PolicyArns", "arn", {"arn:a", "arn:b"});
  r.AddTags("Tags", {{"team", "blue green"}});
  r.AddList("TransitiveTagKeys", {});
  CHECK(r.FormBody() ==
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
        "&PolicyArns.member.1.arn=arn%3Aa&PolicyArns.member.2.arn=arn%3Ab"
        "&Tags.member.1.Key=team&Tags.member.1.Value=blue+green");
  REQUIRE(r.Find("RoleArn") != nullptr);
  CHECK(r.Find("Nope") == nullptr);
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

TEST_CASE("ISO 8601 and HTTP dates parse strictly, in UTC") {
  using namespace std::chrono;
  auto base = timefmt::ParseIso8601("2015-08-30T12:36:00Z");
  REQUIRE(base);
  CHECK(base->time_since_epoch() == seconds(1440938160));
  CHECK(timefmt::ParseIso8601("2015-08-30T12:36:00.123Z") == *base + milliseconds(123));
  CHECK(timefmt::ParseIso8601("2015-08-30T14:36:00+02:00") == *base);
  CHECK(timefmt::FormatIso8601(*base) == "2015-08-30T12:36:00Z");
  char amz[16];
  timefmt::FormatAmzDate(*base, amz);
  CHECK(std::string(amz, 16) == "20150830T123600Z");
  CHECK(timefmt::ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT") == *base);
  for (const char* bad : {"", "2015-08-30", "2015-13-01T00:00:00Z", "2015-02-30T00:00:00Z",
                          "2015-08-30T12:36:00", "2015-08-30T12:36:00Zjunk", "2015-08-30T25:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(timefmt::ParseIso8601(bad).has_value());
  }
  CHECK_FALSE(timefmt::ParseHttpDate("Sun, 30 Foo 2015 12:36:00 GMT").has_value());
}

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

TEST_CASE("Status names its field and keeps AWS details") {
  Status s = Status::InvalidArgument("ttl", "must be a duration such as 30m");
  CHECK(s.ToString() == "invalid_argument: ttl: must be a duration such as 30m");
  AwsErrorDetails d{404, "Sender", "NoSuchEntity", "gone", "rid-1"};
  Status a = Status::FromAws(ErrorCode::kNotFound, "DeleteUser failed", d).WithContext("revoke");
  CHECK(a.code() == ErrorCode::kNotFound);
  CHECK(a.aws()->request_id == "rid-1");
  CHECK(a.ToString() == "not_found: revoke: DeleteUser failed: NoSuchEntity: gone (HTTP 404, request id rid-1)");
  Status copy = a;
  CHECK(copy.aws()->code == "NoSuchEntity");
  CHECK(Status().ok());
  Result<int> r(Status::NotFound("x"));
  CHECK_FALSE(r.ok());
  Result<int> v(5);
  CHECK(*v == 5);
}
