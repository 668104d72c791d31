// IAM/STS Query API requests: lists, structure lists and tags flattened in order (aws/query_request).
#include <doctest/doctest.h>

#include "aws/query_request.h"

using namespace dyncreds;

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
