// QueryClient against a scripted HTTP server on 127.0.0.1: success, every
// error shape, retries (throttling, 5xx, timeouts, refused connections),
// no retry on AccessDenied, clock-skew correction, malformed replies,
// keep-alive and concurrent use.
#include <doctest/doctest.h>

#include <cstdlib>
#include <thread>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "support/fake_clock.h"
#include "support/scripted_http_server.h"
#include "util/time_format.h"
#include "dyncreds/curl_transport.h"

using namespace dyncreds;
using namespace dyncreds::aws;
using dyncreds::testing::FakeClock;
using dyncreds::testing::ScriptedHttpServer;
using dyncreds::testing::ScriptedResponse;

namespace {

const char kCreateUserReply[] = R"(<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <CreateUserResult><User><Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLE</UserId>
  <Arn>arn:aws:iam::123456789012:user/alice</Arn><CreateDate>2026-11-21T10:00:00Z</CreateDate></User>
  </CreateUserResult><ResponseMetadata><RequestId>req-ok-1</RequestId></ResponseMetadata>
</CreateUserResponse>)";

std::string ErrorXml(const std::string& code, const std::string& message) {
  return "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
         "<Code>" + code + "</Code><Message>" + message + "</Message></Error>"
         "<RequestId>req-" + code + "</RequestId></ErrorResponse>";
}

// A client wired to the scripted server, a fake clock and zero jitter
// recorded through the clock's sleeps.
struct Fixture {
  ScriptedHttpServer server;
  FakeClock clock;
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<QueryClient> client;
  AwsCredentials creds{"AKIDEXAMPLE", SecretString("secret/key+example")};

  explicit Fixture(CurlTransportOptions topts = {}, RetryPolicy retry = {}) {
    transport = NewCurlTransport(topts);
    QueryClientOptions o;
    o.service = "iam";
    o.api_version = kIamApiVersion;
    o.endpoint = {server.url(), "us-east-1", "aws"};
    o.transport = transport.get();
    o.clock = &clock;
    o.retry = retry;
    o.jitter = [] { return 0.5; };
    client = std::make_unique<QueryClient>(std::move(o));
  }

  Result<QueryReply> CreateUser(const std::string& name = "alice") {
    QueryRequest r("CreateUser", kIamApiVersion);
    r.Add("UserName", name);
    return client->Call(r, creds);
  }
};

}  // namespace

TEST_CASE("a successful call sends a signed form POST and parses the typed reply") {
  Fixture f;
  f.server.EnqueueXml(200, kCreateUserReply);
  Result<QueryReply> reply = f.CreateUser("alice smith");
  REQUIRE(reply.ok());
  CHECK(reply->request_id() == "req-ok-1");
  Result<IamUser> user = ParseUser(*reply);
  REQUIRE(user.ok());
  CHECK(user->user_name == "alice");
  CHECK(user->arn == "arn:aws:iam::123456789012:user/alice");
  CHECK(user->create_date == timefmt::ParseIso8601("2026-11-21T10:00:00Z"));

  auto reqs = f.server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].target == "/");
  CHECK(reqs[0].body == "Action=CreateUser&Version=2010-05-08&UserName=alice+smith");
  CHECK(*reqs[0].FindHeader("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
  CHECK(*reqs[0].FindHeader("Host") == "127.0.0.1:" + std::to_string(f.server.port()));
  CHECK(*reqs[0].FindHeader("X-Amz-Date") == "20251121T044000Z");
  const std::string auth = *reqs[0].FindHeader("Authorization");
  CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251121/us-east-1/iam/aws4_request, "
                   "SignedHeaders=content-type;host;x-amz-date, Signature=", 0) == 0);
  CHECK(f.clock.sleeps().empty());
}

TEST_CASE("every AWS error shape keeps code, message, request id and HTTP status") {
  struct Shape {
    const char* name;
    std::string body;
    const char* request_id;
  };
  const Shape shapes[] = {
      {"Error directly under ErrorResponse", ErrorXml("NoSuchEntity", "The user with name bob cannot be found."), "req-NoSuchEntity"},
      {"Errors/Error with RequestID",
       "<Response><Errors><Error><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error></Errors><RequestID>rid-2</RequestID></Response>",
       "rid-2"},
      {"ErrorResponse/Errors/Error",
       "<ErrorResponse><Errors><Error><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error></Errors><RequestId>rid-3</RequestId></ErrorResponse>",
       "rid-3"},
      {"CDATA and a namespace prefix",
       "<?xml version=\"1.0\"?><iam:ErrorResponse xmlns:iam=\"https://iam.amazonaws.com/doc/2010-05-08/\"><iam:Error><iam:Code><![CDATA[NoSuchEntity]]></iam:Code><iam:Message><![CDATA[The user with name bob cannot be found.]]></iam:Message></iam:Error><iam:RequestId>rid-4</iam:RequestId></iam:ErrorResponse>",
       "rid-4"},
      {"no namespace at all",
       "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error><RequestId>rid-5</RequestId></ErrorResponse>",
       "rid-5"},
  };
  for (const Shape& shape : shapes) {
    CAPTURE(shape.name);
    Fixture f;
    f.server.EnqueueXml(404, shape.body);
    Result<QueryReply> reply = f.CreateUser();
    REQUIRE(!reply.ok());
    CHECK(reply.status().code() == ErrorCode::kNotFound);
    REQUIRE(reply.status().aws() != nullptr);
    CHECK(reply.status().aws()->code == "NoSuchEntity");
    CHECK(reply.status().aws()->message == "The user with name bob cannot be found.");
    CHECK(reply.status().aws()->request_id == shape.request_id);
    CHECK(reply.status().aws()->http_status == 404);
    CHECK(reply.status().ToString().find("NoSuchEntity") != std::string::npos);
    CHECK(f.server.requests().size() == 1);  // not retried
  }
}

TEST_CASE("throttling is retried with backoff, then succeeds") {
  Fixture f;
  f.server.EnqueueXml(400, ErrorXml("Throttling", "Rate exceeded"));
  f.server.EnqueueXml(400, ErrorXml("Throttling", "Rate exceeded"));
  f.server.EnqueueXml(200, kCreateUserReply);
  REQUIRE(f.CreateUser().ok());
  CHECK(f.server.requests().size() == 3);
  auto sleeps = f.clock.sleeps();
  REQUIRE(sleeps.size() == 2);
  // Full jitter at 0.5: half of 1 s, then half of 2 s.
  CHECK(sleeps[0] == std::chrono::milliseconds(500));
  CHECK(sleeps[1] == std::chrono::milliseconds(1000));
  CHECK(f.client->stats().throttles.load() == 2);
  CHECK(f.client->stats().retries.load() == 2);
}

TEST_CASE("throttling that persists is reported as its own error kind") {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.server.EnqueueXml(400, ErrorXml("Throttling", "Rate exceeded"));
  Result<QueryReply> reply = f.CreateUser();
  REQUIRE(!reply.ok());
  CHECK(reply.status().code() == ErrorCode::kThrottled);
  CHECK(reply.status().aws()->code == "Throttling");
  CHECK(reply.status().message().find("after 3 attempts") != std::string::npos);
  CHECK(f.server.requests().size() == 3);
}

TEST_CASE("503 is retried; the last failure is returned after max attempts") {
  Fixture f;
  f.server.EnqueueXml(503, "");
  f.server.EnqueueXml(200, kCreateUserReply);
  REQUIRE(f.CreateUser().ok());
  CHECK(f.server.requests().size() == 2);

  Fixture g;
  for (int i = 0; i < 3; ++i) g.server.EnqueueXml(503, "<html>busy</html>");
  Result<QueryReply> reply = g.CreateUser();
  REQUIRE(!reply.ok());
  CHECK(reply.status().aws()->http_status == 503);
  CHECK(reply.status().aws()->request_id == "req-header-503");  // from x-amzn-RequestId
  CHECK(g.server.requests().size() == 3);
}

TEST_CASE("AccessDenied and validation errors are never retried") {
  for (const char* code : {"AccessDenied", "ValidationError", "MalformedPolicyDocument"}) {
    CAPTURE(code);
    Fixture f;
    f.server.EnqueueXml(code[0] == 'A' ? 403 : 400, ErrorXml(code, "no"));
    Result<QueryReply> reply = f.CreateUser();
    REQUIRE(!reply.ok());
    CHECK(reply.status().aws()->code == code);
    CHECK(f.server.requests().size() == 1);
    CHECK(f.clock.sleeps().empty());
  }
  Fixture f;
  f.server.EnqueueXml(403, ErrorXml("AccessDenied", "no"));
  CHECK(f.CreateUser().status().code() == ErrorCode::kPermissionDenied);
}

TEST_CASE("a timeout is a kTimeout error, retried") {
  CurlTransportOptions topts;
  topts.total_timeout = std::chrono::milliseconds(150);
  RetryPolicy retry;
  retry.max_attempts = 2;
  Fixture f(topts, retry);
  ScriptedResponse slow;
  slow.delay = std::chrono::milliseconds(1000);
  slow.body = kCreateUserReply;
  f.server.Enqueue(slow);
  f.server.Enqueue(slow);
  Result<QueryReply> reply = f.CreateUser();
  REQUIRE(!reply.ok());
  CHECK(reply.status().code() == ErrorCode::kTimeout);
  CHECK(f.server.requests().size() == 2);
}

TEST_CASE("a refused connection is a kTransport error, retried") {
  std::string dead_url;
  {
    ScriptedHttpServer s;  // take a free port, then close it
    dead_url = s.url();
  }
  FakeClock clock;
  auto transport = NewCurlTransport();
  QueryClientOptions o;
  o.service = "iam";
  o.api_version = kIamApiVersion;
  o.endpoint = {dead_url, "us-east-1", "aws"};
  o.transport = transport.get();
  o.clock = &clock;
  o.jitter = [] { return 0.0; };
  QueryClient client(o);
  QueryRequest r("GetUser", kIamApiVersion);
  Result<QueryReply> reply = client.Call(r, AwsCredentials("AKID", SecretString("s")));
  REQUIRE(!reply.ok());
  CHECK(reply.status().code() == ErrorCode::kTransport);
  CHECK(client.stats().attempts.load() == 3);
}

TEST_CASE("a dropped connection is retried on a new connection") {
  Fixture f;
  ScriptedResponse drop;
  drop.drop_connection = true;
  f.server.Enqueue(drop);
  f.server.EnqueueXml(200, kCreateUserReply);
  REQUIRE(f.CreateUser().ok());
  CHECK(f.server.requests().size() == 2);
}

TEST_CASE("truncated or garbage XML gives a clear error, not a crash") {
  const char* bodies[] = {
      "<CreateUserResponse><CreateUserResult><User><UserName>al",
      "this is not xml at all",
      "",
      "<SomethingElse/>",
      "<CreateUserResponse><CreateUserResult></CreateUserResult></CreateUserResponse>",
  };
  for (const char* body : bodies) {
    CAPTURE(body);
    Fixture f;
    f.server.EnqueueXml(200, body);
    Result<QueryReply> reply = f.CreateUser();
    if (reply.ok()) {
      Result<IamUser> user = ParseUser(*reply);  // the envelope was fine, the content is not
      REQUIRE(!user.ok());
      CHECK(user.status().code() == ErrorCode::kMalformedResponse);
      CHECK(user.status().message().find("User") != std::string::npos);
    } else {
      CHECK(reply.status().code() == ErrorCode::kMalformedResponse);
      CHECK(reply.status().message().find("CreateUser") != std::string::npos);
    }
  }
  Fixture g;
  g.server.EnqueueXml(500, "<ErrorResponse><Error><Code>Intern");  // garbage error body
  g.server.EnqueueXml(200, kCreateUserReply);
  CHECK(g.CreateUser().ok());
}

TEST_CASE("a clock-skew error corrects the signing clock from Date and retries once") {
  Fixture f;
  // The server is one hour ahead of our (fake) clock.
  ScriptedResponse skewed;
  skewed.status = 403;
  skewed.headers.push_back({"Date", "Fri, 21 Nov 2025 05:40:00 GMT"});
  skewed.body = ErrorXml("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
  f.server.Enqueue(skewed);
  f.server.EnqueueXml(200, kCreateUserReply);
  REQUIRE(f.CreateUser().ok());
  auto reqs = f.server.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(*reqs[0].FindHeader("X-Amz-Date") == "20251121T044000Z");
  CHECK(*reqs[1].FindHeader("X-Amz-Date") == "20251121T054000Z");
  CHECK(f.client->clock_offset() == std::chrono::hours(1));
  CHECK(f.clock.sleeps().empty());

  // Without a skewed Date, SignatureDoesNotMatch is a real signature error.
  Fixture g;
  g.server.EnqueueXml(403, ErrorXml("SignatureDoesNotMatch", "bad signature"));
  Result<QueryReply> reply = g.CreateUser();
  CHECK(reply.status().code() == ErrorCode::kPermissionDenied);
  CHECK(g.server.requests().size() == 1);
}

TEST_CASE("connections are kept alive across calls") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.server.EnqueueXml(200, kCreateUserReply);
  for (int i = 0; i < 5; ++i) REQUIRE(f.CreateUser().ok());
  CHECK(f.server.connections() == 1);
}

TEST_CASE("a response larger than the cap is refused") {
  CurlTransportOptions topts;
  topts.max_response_bytes = 1024;
  RetryPolicy retry;
  retry.max_attempts = 1;
  Fixture f(topts, retry);
  f.server.EnqueueXml(200, std::string(4096, 'x'));
  Result<QueryReply> reply = f.CreateUser();
  REQUIRE(!reply.ok());
  CHECK(reply.status().code() == ErrorCode::kTransport);
  CHECK(reply.status().message().find("exceeds 1024 bytes") != std::string::npos);
}

TEST_CASE("the retry quota stops retries when exhausted") {
  RetryPolicy retry;
  retry.max_attempts = 5;
  retry.initial_quota = 10;  // two retries' worth
  Fixture f({}, retry);
  for (int i = 0; i < 5; ++i) f.server.EnqueueXml(503, "");
  Result<QueryReply> reply = f.CreateUser();
  REQUIRE(!reply.ok());
  CHECK(reply.status().message().find("retry quota exhausted") != std::string::npos);
  CHECK(f.server.requests().size() == 3);
}

TEST_CASE("AWS_MAX_ATTEMPTS sets the default number of attempts") {
  ::setenv("AWS_MAX_ATTEMPTS", "5", 1);
  CHECK(RetryPolicy::FromEnvironment().max_attempts == 5);
  ::setenv("AWS_MAX_ATTEMPTS", "zero", 1);
  CHECK(RetryPolicy::FromEnvironment().max_attempts == 3);
  ::unsetenv("AWS_MAX_ATTEMPTS");
  CHECK(RetryPolicy::FromEnvironment().max_attempts == 3);
}

TEST_CASE("backoff is full jitter, exponential, capped at 20 s") {
  RetryPolicy p;
  CHECK(BackoffDelay(p, 1, 1.0) == std::chrono::seconds(1));
  CHECK(BackoffDelay(p, 3, 1.0) == std::chrono::seconds(4));
  CHECK(BackoffDelay(p, 10, 1.0) == std::chrono::seconds(20));
  CHECK(BackoffDelay(p, 10, 0.25) == std::chrono::seconds(5));
  CHECK(BackoffDelay(p, 2, 0.0) == std::chrono::seconds(0));
  CHECK(ClassifyAwsError("Throttling", 400) == RetryClass::kThrottling);
  CHECK(ClassifyAwsError("RequestLimitExceeded", 503) == RetryClass::kThrottling);
  CHECK(ClassifyAwsError("LimitExceeded", 409) == RetryClass::kNotRetryable);  // IAM quota
  CHECK(ClassifyAwsError("", 502) == RetryClass::kTransient);
  CHECK(ClassifyAwsError("AccessDenied", 403) == RetryClass::kNotRetryable);
}

TEST_CASE("one client is safe to use from many threads") {
  Fixture f;
  constexpr int kThreads = 8, kCalls = 25;
  for (int i = 0; i < kThreads * kCalls; ++i) f.server.EnqueueXml(200, kCreateUserReply);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) ok += f.CreateUser().ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok.load() == kThreads * kCalls);
  CHECK(f.server.connections() <= kThreads);
}
