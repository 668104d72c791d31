// Status: the field at fault and AWS's details kept (dyncreds/status.h).
#include <doctest/doctest.h>

#include "dyncreds/status.h"

using namespace dyncreds;

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
