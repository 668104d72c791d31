// VaultApi::Handle in-process, over a Host whose mounts talk to an
// IAM that answers at once: Vault's routes, envelope and statuses; tokens and
// ACL policies (read without list, create versus update, sudo, nothing
// learnt without a token); bad input that changes nothing; mounts enabled,
// tuned and disabled; AWS throttling as 502; audit events naming the caller.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <mutex>

#include "dyncreds/host.h"
#include "dyncreds/server.h"
#include "dyncreds/store_key.h"
#include "dyncreds/sys/lease_store.h"
#include "support/instant_iam_transport.h"
#include "support/temp_dir.h"
#include "util/crypto.h"

using namespace dyncreds;

namespace {

constexpr char kRoot[] = "root-token-for-tests";
constexpr char kRootSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// AWS answering Throttling to CreateUser while `throttle` is set.
class ThrottlingTransport : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (throttle && request.body.find("Action=CreateUser") != std::string::npos) {
      HttpResponse r;
      r.status = 400;
      r.body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
               "</Error><RequestId>9f0e-throttled</RequestId></ErrorResponse>";
      return r;
    }
    return instant.Send(request);
  }
  std::atomic<bool> throttle{false};
  testing::InstantIamTransport instant;
};

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
  rapidjson::Document json;
  std::string Error() const {
    return json.IsObject() && json.HasMember("errors") && json["errors"].Size() > 0 ? json["errors"][0].GetString() : "";
  }
};

struct Fixture {
  ThrottlingTransport transport;
  std::mutex audit_mu;
  std::vector<AuditEvent> audit;
  std::unique_ptr<Host> host;
  std::unique_ptr<VaultApi> api;
  std::vector<std::string> root_tokens_reported;

  explicit Fixture(const std::string& store = ":memory:") {
    HostOptions h;
    h.mount.clear();
    h.store = store;
    h.store_key = ParseStoreKey(NewStoreKeyBase64().view(), "test").value();
    h.transport = &transport;
    h.worker = false;
    h.audit = [this](const AuditEvent& e) {
      std::lock_guard<std::mutex> lock(audit_mu);
      audit.push_back(e);
      return Status();
    };
    Result<std::unique_ptr<Host>> opened = Host::Open(std::move(h));
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    host = std::move(*opened);
    VaultApiOptions o;
    o.root_token_id = SecretString(kRoot);
    o.default_mounts = {"aws"};
    o.on_root_token = [this](const SecretString& t) { root_tokens_reported.emplace_back(t.view()); };
    Result<std::unique_ptr<VaultApi>> api_opened = VaultApi::Open(host.get(), std::move(o));
    REQUIRE_MESSAGE(api_opened.ok(), api_opened.status().ToString());
    api = std::move(*api_opened);
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = kRoot, const std::string& query = "") {
    VaultRequest r;
    r.method = method;
    r.path = "/v1/" + path;
    r.query = query;
    r.body = body;
    r.client_address = "192.0.2.7";
    if (!token.empty()) r.headers.emplace_back("X-Vault-Token", token);
    VaultResponse response = api->Handle(r);
    Reply out;
    out.status = response.status;
    out.content_type = response.content_type;
    out.body = std::string(response.body.view());
    if (!out.body.empty()) out.json.Parse(out.body.c_str());
    return out;
  }

  void Configure(const std::string& mount = "aws") {
    REQUIRE(Call("POST", mount + "/config/root",
                 std::string(R"({"access_key":"AKIDEXAMPLE","secret_key":")") + kRootSecret +
                     R"(","iam_endpoint":"https://iam.example.test"})").status == 204);
    REQUIRE(Call("POST", mount + "/roles/deploy",
                 R"({"credential_type":"iam_user","policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]})")
                .status == 204);
  }

  // A token with one policy holding `rules` (Vault's JSON form).
  std::string TokenWith(const std::string& name, const std::string& rules) {
    rapidjson::Document policy(rapidjson::kObjectType);
    policy.AddMember("policy", rapidjson::Value(rules.c_str(), policy.GetAllocator()), policy.GetAllocator());
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    policy.Accept(w);
    REQUIRE(Call("PUT", "sys/policy/" + name, out.GetString()).status == 204);
    Reply made = Call("POST", "auth/token/create", R"({"policies":[")" + name + R"("],"display_name":"ci"})");
    REQUIRE(made.status == 200);
    return made.json["auth"]["client_token"].GetString();
  }

  std::vector<std::string> Roles() {
    Reply r = Call("LIST", "aws/roles");
    std::vector<std::string> out;
    if (r.status != 200) return out;
    for (const auto& k : r.json["data"]["keys"].GetArray()) out.emplace_back(k.GetString());
    return out;
  }
};

}  // namespace

TEST_CASE("the envelope, 204s and Vault's empty 404 for a list") {
  Fixture f;
  CHECK(f.root_tokens_reported == std::vector<std::string>{kRoot});
  Reply empty = f.Call("LIST", "aws/roles");
  CHECK(empty.status == 404);
  CHECK(empty.body == R"({"errors":[]})");
  CHECK(empty.content_type == "application/json");
  f.Configure();
  Reply root = f.Call("GET", "aws/config/root");
  REQUIRE(root.status == 200);
  CHECK(std::string(root.json["data"]["access_key"].GetString()) == "AKIDEXAMPLE");
  CHECK_FALSE(root.json["data"].HasMember("secret_key"));
  CHECK(root.body.find(kRootSecret) == std::string::npos);
  for (const char* key : {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings",
                          "auth", "mount_type"}) {
    CHECK_MESSAGE(root.json.HasMember(key), key);
  }
  CHECK(std::string(root.json["mount_type"].GetString()) == "aws");
  CHECK(f.Roles() == std::vector<std::string>{"deploy"});
  CHECK(f.Call("GET", "aws/roles", "", kRoot, "list=1").status == 200);
  CHECK(f.Call("GET", "aws/roles").status == 405);  // a folder reads only as a list
  Reply missing = f.Call("GET", "aws/roles/nope");
  CHECK(missing.status == 404);
  CHECK(f.Call("DELETE", "aws/roles/nope").status == 204);  // deleting nothing is done, as in Vault
}

TEST_CASE("creds, then sys/leases lookup, renew, list, revoke and revoke-prefix") {
  Fixture f;
  f.Configure();
  Reply issued = f.Call("GET", "aws/creds/deploy", "", kRoot, "ttl=15m");
  REQUIRE(issued.status == 200);
  const std::string lease = issued.json["lease_id"].GetString();
  CHECK(lease.rfind("aws/creds/deploy/", 0) == 0);
  CHECK(issued.json["renewable"].GetBool());
  CHECK(issued.json["data"]["session_token"].IsNull());
  CHECK(std::string(issued.json["data"]["access_key"].GetString()) == "AKIAEXAMPLEEXAMPLE12");

  Reply looked = f.Call("PUT", "sys/leases/lookup", R"({"lease_id":")" + lease + "\"}");
  REQUIRE(looked.status == 200);
  CHECK(std::string(looked.json["data"]["id"].GetString()) == lease);
  CHECK(looked.json["data"]["last_renewal"].IsNull());
  Reply renewed = f.Call("PUT", "sys/leases/renew", R"({"lease_id":")" + lease + R"(","increment":"10m"})");
  REQUIRE(renewed.status == 200);
  CHECK(renewed.json["lease_duration"].GetInt64() <= 600);
  CHECK(renewed.json["lease_duration"].GetInt64() >= 598);
  Reply folders = f.Call("LIST", "sys/leases/lookup/aws/creds");
  REQUIRE(folders.status == 200);
  CHECK(std::string(folders.json["data"]["keys"][0].GetString()) == "deploy/");

  CHECK(f.Call("PUT", "sys/leases/revoke", R"({"lease_id":")" + lease + "\"}").status == 204);
  Reply gone = f.Call("PUT", "sys/leases/lookup", R"({"lease_id":")" + lease + "\"}");
  CHECK(gone.status == 400);
  CHECK(gone.Error() == "invalid lease");
  for (int i = 0; i < 3; ++i) REQUIRE(f.Call("POST", "aws/creds/deploy").status == 200);
  CHECK(f.Call("PUT", "sys/leases/revoke-prefix/aws/creds/deploy").status == 204);
  CHECK(f.host->store().CountLeases("aws", "deploy").value() == 0);
}

TEST_CASE("a token learns nothing without the right policy") {
  Fixture f;
  f.Configure();
  const Reply no_token = f.Call("GET", "aws/roles/deploy", "", "");
  const Reply bad_token = f.Call("GET", "aws/roles/deploy", "", "hvs.not-a-token");
  const Reply bad_token_unknown_path = f.Call("GET", "no/such/path", "", "hvs.not-a-token");
  for (const Reply* r : {&no_token, &bad_token, &bad_token_unknown_path}) {
    CHECK(r->status == 403);
    CHECK(r->body == R"({"errors":["permission denied"]})");
  }
  CHECK(f.Call("GET", "no/such/path").status == 404);  // root sees that it does not exist

  const std::string reader = f.TokenWith("reader", R"({"path":{"aws/roles/*":{"capabilities":["read"]}}})");
  CHECK(f.Call("GET", "aws/roles/deploy", "", reader).status == 200);
  CHECK(f.Call("LIST", "aws/roles", "", reader).status == 403);
  CHECK(f.Call("GET", "aws/roles", "", reader, "list=true").status == 403);
  CHECK(f.Call("POST", "aws/roles/deploy", R"({"max_ttl":"1h"})", reader).status == 403);
  CHECK(f.Call("GET", "no/such/path", "", reader).status == 403);
  CHECK(f.Call("GET", "auth/token/lookup-self", "", reader).status == 200);  // the default policy

  // create versus update: a role that exists needs update, a new one create.
  const std::string updater = f.TokenWith("updater", R"({"path":{"aws/roles/*":{"capabilities":["update"]}}})");
  CHECK(f.Call("POST", "aws/roles/deploy", R"({"max_ttl":"1h"})", updater).status == 204);
  CHECK(f.Call("POST", "aws/roles/fresh", R"({"credential_type":"iam_user"})", updater).status == 403);
  CHECK(f.Roles() == std::vector<std::string>{"deploy"});

  // revoke-prefix needs sudo on top of update.
  const std::string revoker = f.TokenWith("revoker", R"({"path":{"sys/leases/revoke-prefix/*":{"capabilities":["update"]}}})");
  CHECK(f.Call("PUT", "sys/leases/revoke-prefix/aws", "", revoker).status == 403);
  const std::string sudoer =
      f.TokenWith("sudoer", R"({"path":{"sys/leases/revoke-prefix/*":{"capabilities":["update","sudo"]}}})");
  CHECK(f.Call("PUT", "sys/leases/revoke-prefix/aws", "", sudoer).status == 204);

  // deny wins over a broader grant; a child token gets no policy its parent lacks.
  const std::string denied = f.TokenWith("denied", R"({"path":{"aws/*":{"capabilities":["read","list"]},
      "aws/creds/*":{"capabilities":["deny"]}}})");
  CHECK(f.Call("LIST", "aws/roles", "", denied).status == 200);
  CHECK(f.Call("GET", "aws/creds/deploy", "", denied).status == 403);
  const std::string creator =
      f.TokenWith("creator", R"({"path":{"auth/token/create":{"capabilities":["update"]}}})");
  Reply escalate = f.Call("POST", "auth/token/create", R"({"policies":["root"]})", creator);
  CHECK(escalate.status == 400);
  CHECK(escalate.Error().find("subset") != std::string::npos);
  CHECK(f.Call("POST", "auth/token/create", R"({"policies":["creator"]})", creator).status == 200);

  // Revoked tokens stop working.
  CHECK(f.Call("POST", "auth/token/revoke-self", "", reader).status == 204);
  CHECK(f.Call("GET", "aws/roles/deploy", "", reader).status == 403);
}

TEST_CASE("tokens are stored as hashes and audit events name the caller, never the token") {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  Fixture f(path);
  f.Configure();
  const std::string token = f.TokenWith("issuer", R"({"path":{"aws/creds/*":{"capabilities":["read"]}}})");
  REQUIRE(f.Call("GET", "aws/creds/deploy", "", token).status == 200);
  Reply self = f.Call("GET", "auth/token/lookup-self", "", token);
  const std::string accessor = self.json["data"]["accessor"].GetString();
  CHECK(std::string(self.json["data"]["display_name"].GetString()) == "token-ci");
  std::lock_guard<std::mutex> lock(f.audit_mu);
  const AuditEvent* issue = nullptr;
  for (const AuditEvent& e : f.audit) {
    CHECK(e.ToJson().find(token) == std::string::npos);
    CHECK(e.ToJson().find(kRoot) == std::string::npos);
    if (e.operation == "creds.issue") issue = &e;
  }
  REQUIRE(issue != nullptr);
  rapidjson::Document caller;
  caller.Parse(issue->caller.c_str());
  REQUIRE(caller.IsObject());
  CHECK(std::string(caller["accessor"].GetString()) == accessor);
  CHECK(std::string(caller["display_name"].GetString()) == "token-ci");
  CHECK(std::string(caller["remote_address"].GetString()) == "192.0.2.7");
  // The store's files (the database and its write-ahead log) hold each
  // token's SHA-256, never the token.
  std::string bytes;
  for (const std::string& file : {path, path + "-wal"}) {
    std::ifstream in(file, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  REQUIRE(bytes.size() > 0);
  for (const std::string& raw : {std::string(kRoot), token}) {
    CHECK(bytes.find(raw) == std::string::npos);
    CHECK(bytes.find(crypto::Hex(crypto::Sha256Of(raw))) != std::string::npos);
  }
}

TEST_CASE("bad input gets 400 naming the problem and changes nothing") {
  Fixture f;
  f.Configure();
  auto role_data = [&f] {
    Reply r = f.Call("GET", "aws/roles/deploy");
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    r.json["data"].Accept(w);
    return std::string(out.GetString());
  };
  const std::string before = role_data();
  struct Case {
    const char* body;
    const char* says;
  } cases[] = {
      {"{bad", "error parsing JSON"},
      {R"({"credential_type": "iam_u)", "error parsing JSON"},
      {"[1,2]", "one JSON object"},
      {R"({"credential_type": 5})", "credential_type"},
      {R"({"max_ttl": "forever"})", "max_ttl"},
      {R"({"policy_arns": {"a": 1}})", "policy_arns"},
      {R"({"no_such_field": 1})", "no_such_field"},
  };
  for (const Case& c : cases) {
    Reply r = f.Call("POST", "aws/roles/deploy", c.body);
    CHECK_MESSAGE(r.status == 400, c.body);
    CHECK_MESSAGE(r.Error().find(c.says) != std::string::npos, c.body, " -> ", r.Error());
  }
  Reply nulls = f.Call("POST", "aws/roles/deploy", R"({"policy_arns": null, "max_ttl": null})");
  CHECK(nulls.status == 204);  // nulls are absent: nothing to change
  CHECK(role_data() == before);
  CHECK(f.Roles() == std::vector<std::string>{"deploy"});
  CHECK(f.Call("PATCH", "aws/roles/deploy").status == 405);
  CHECK(f.Call("HEAD", "aws/roles/deploy").status == 405);
  CHECK(f.Call("GET", "aws/roles", "", kRoot, "list=maybe").status == 400);
  Reply no_lease = f.Call("PUT", "sys/leases/lookup", R"({"lease_id":"aws/creds/deploy/nope"})");
  CHECK(no_lease.status == 400);
  CHECK(no_lease.Error() == "invalid lease");
}

TEST_CASE("mounts: enable at any path, overlap and reserved paths refused, tune, disable revokes") {
  Fixture f;
  CHECK(f.Call("POST", "sys/mounts/aws-us-west-2", R"({"type":"aws","description":"west","config":
      {"default_lease_ttl":"1h","max_lease_ttl":"4h"},"options":null,"local":false,"seal_wrap":false})").status == 204);
  Reply mounts = f.Call("GET", "sys/mounts");
  REQUIRE(mounts.status == 200);
  CHECK(mounts.json["data"].HasMember("aws-us-west-2/"));
  CHECK(mounts.json.HasMember("aws-us-west-2/"));  // copied to the top level, as Vault does
  CHECK(mounts.json["data"]["aws-us-west-2/"]["config"]["max_lease_ttl"].GetInt64() == 4 * 3600);
  CHECK(f.Call("POST", "sys/mounts/aws-us-west-2/nested", R"({"type":"aws"})").status == 400);
  CHECK(f.Call("POST", "sys/mounts/sys", R"({"type":"aws"})").status == 400);
  CHECK(f.Call("POST", "sys/mounts/kv", R"({"type":"kv"})").Error().find("kv") != std::string::npos);
  CHECK(f.Call("POST", "sys/mounts/aws-us-west-2/tune", R"({"max_lease_ttl":"8h"})").status == 204);
  CHECK(f.Call("GET", "sys/mounts/aws-us-west-2/tune").json["data"]["max_lease_ttl"].GetInt64() == 8 * 3600);

  f.Configure("aws-us-west-2");
  Reply issued = f.Call("GET", "aws-us-west-2/creds/deploy");
  REQUIRE(issued.status == 200);
  CHECK(issued.json["lease_duration"].GetInt64() == 3600);  // the mount's default_lease_ttl
  CHECK(f.Call("DELETE", "sys/mounts/aws-us-west-2").status == 204);
  CHECK(f.host->store().CountLeases("aws-us-west-2", "deploy").value() == 0);
  CHECK(f.host->store().ListRoles("aws-us-west-2").value().empty());
  CHECK(f.Call("GET", "aws-us-west-2/roles/deploy").status == 404);
  CHECK_FALSE(f.Call("GET", "sys/mounts").json["data"].HasMember("aws-us-west-2/"));
}

TEST_CASE("AWS throttling answers 502 upstream rate limited, with AWS's code and request id") {
  Fixture f;
  f.Configure();
  f.transport.throttle = true;
  Reply r = f.Call("GET", "aws/creds/deploy");
  CHECK(r.status == 502);
  CHECK(r.Error().rfind("upstream rate limited", 0) == 0);
  CHECK(r.Error().find("Throttling") != std::string::npos);
  CHECK(r.Error().find("9f0e-throttled") != std::string::npos);
}

TEST_CASE("sys/health needs no token; sys/metrics does, and renders every mount once per family") {
  Fixture f;
  Reply health = f.Call("GET", "sys/health", "", "");
  CHECK(health.status == 200);
  CHECK_FALSE(health.json["sealed"].GetBool());
  CHECK(f.Call("HEAD", "sys/health", "", "").body.empty());
  CHECK(f.Call("GET", "sys/health", "", "", "activecode=299").status == 299);
  CHECK(f.Call("GET", "sys/metrics", "", "").status == 403);
  REQUIRE(f.Call("POST", "sys/mounts/second", R"({"type":"aws"})").status == 204);
  Reply metrics = f.Call("GET", "sys/metrics", "", kRoot, "format=prometheus");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type.rfind("text/plain", 0) == 0);
  std::size_t helps = 0;
  for (std::size_t at = 0; (at = metrics.body.find("# HELP dyncreds_pending_issuances ", at)) != std::string::npos; ++at) {
    ++helps;
  }
  CHECK(helps == 1);
  CHECK(metrics.body.find(R"(dyncreds_pending_issuances{mount="aws"})") != std::string::npos);
  CHECK(metrics.body.find(R"(dyncreds_pending_issuances{mount="second"})") != std::string::npos);
}

TEST_CASE("the console's files under /ui/, with a strict CSP and no token needed; / redirects there") {
  Fixture f;
  VaultRequest r;
  r.method = "GET";
  r.path = "/";
  VaultResponse redirect = f.api->Handle(r);
  CHECK(redirect.status == 307);
  REQUIRE(redirect.headers.size() == 1);
  CHECK(redirect.headers[0] == std::make_pair(std::string("Location"), std::string("/ui/")));
  for (const char* path : {"/ui/", "/ui/console.js", "/ui/console.css", "/ui/regions.js"}) {
    r.path = path;
    VaultResponse page = f.api->Handle(r);
    CHECK_MESSAGE(page.status == 200, path);
    CHECK(page.body.size() > 100);
    bool strict = false;
    for (const auto& [name, value] : page.headers) {
      if (name == "Content-Security-Policy") strict = value.find("script-src 'self'") != std::string::npos &&
                                                      value.find("unsafe-inline") == std::string::npos;
    }
    CHECK_MESSAGE(strict, path);
  }
  r.path = "/ui/";
  CHECK(f.api->Handle(r).content_type == "text/html; charset=utf-8");
  r.path = "/ui/console.js";
  CHECK(f.api->Handle(r).content_type == "text/javascript; charset=utf-8");
  r.path = "/ui/../v1/sys/mounts";
  CHECK(f.api->Handle(r).status == 404);
  r.path = "/ui/secret.txt";
  CHECK(f.api->Handle(r).status == 404);
  r.method = "POST";
  r.path = "/ui/";
  CHECK(f.api->Handle(r).status == 405);
  r.method = "HEAD";
  VaultResponse head = f.api->Handle(r);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
}
