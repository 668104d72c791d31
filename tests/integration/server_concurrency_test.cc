// The server under load: 32 keep-alive clients issuing and revoking for 20 s
// over HTTP, against an SQLite store and an IAM that answers at once; then
// every lease is accounted for: each one issued and not revoked is in the
// store and listed, each revoked one is gone, and IAM saw exactly one
// CreateUser per issuance and one DeleteUser per revocation.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <future>
#include <mutex>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "dyncreds/server.h"
#include "dyncreds/store_key.h"
#include "dyncreds/sys/lease_store.h"
#include "support/instant_iam_transport.h"
#include "support/temp_dir.h"
#include "support/vault_http_client.h"

using namespace dyncreds;

namespace {

constexpr int kClients = 32;
constexpr auto kDuration = std::chrono::seconds(20);

class CountingTransport : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (request.body.find("Action=CreateUser&") != std::string::npos) ++create_user;
    if (request.body.find("Action=DeleteUser&") != std::string::npos) ++delete_user;
    return instant.Send(request);
  }
  std::atomic<long> create_user{0};
  std::atomic<long> delete_user{0};
  testing::InstantIamTransport instant;
};

// CreateUser says it has started, then takes `delay`: an AWS call in
// flight when the server is told to stop.
class SlowTransport : public HttpTransport {
 public:
  explicit SlowTransport(std::chrono::milliseconds delay) : delay_(delay) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (request.body.find("Action=CreateUser&") != std::string::npos) {
      std::call_once(once_, [this] { entered.set_value(); });
      std::this_thread::sleep_for(delay_);
    }
    return instant.Send(request);
  }
  std::promise<void> entered;
  testing::InstantIamTransport instant;

 private:
  std::chrono::milliseconds delay_;
  std::once_flag once_;
};

ServerOptions OptionsOn(const std::string& store, HttpTransport* transport) {
  ServerOptions o;
  o.host.store = store;
  o.host.store_key = ParseStoreKey(NewStoreKeyBase64().view(), "test").value();
  o.host.transport = transport;
  o.api.root_token_id = SecretString("root");
  o.api.default_mounts = {"aws"};
  o.listen_address = "127.0.0.1:0";
  return o;
}

void Configure(const std::string& url) {
  testing::VaultHttpClient admin(url, "root");
  REQUIRE(admin.Call("POST", "aws/config/root",
                     R"({"access_key":"AKIDEXAMPLE","secret_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",)"
                     R"("iam_endpoint":"https://iam.example.test"})").status == 204);
  REQUIRE(admin.Call("POST", "aws/roles/deploy",
                     R"({"credential_type":"iam_user","policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]})")
              .status == 204);
}

struct ClientTally {
  std::vector<std::string> kept;
  std::vector<std::string> revoked;
  std::vector<std::string> failures;
};

void RunClient(const std::string& url, std::chrono::steady_clock::time_point until, ClientTally* tally) {
  testing::VaultHttpClient client(url, "root");
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    testing::VaultHttpReply issued = client.Call("POST", "aws/creds/deploy", "{}");
    rapidjson::Document doc;
    doc.Parse(issued.body.c_str());
    if (issued.status != 200 || !doc.IsObject() || !doc.HasMember("lease_id")) {
      tally->failures.push_back("issue: " + std::to_string(issued.status) + " " + issued.body);
      continue;
    }
    std::string lease = doc["lease_id"].GetString();
    if (i % 2 == 0) {
      tally->kept.push_back(std::move(lease));
      continue;
    }
    testing::VaultHttpReply revoked = client.Call("PUT", "sys/leases/revoke", R"({"lease_id":")" + lease + "\"}");
    if (revoked.status != 204) {
      tally->failures.push_back("revoke: " + std::to_string(revoked.status) + " " + revoked.body);
      tally->kept.push_back(std::move(lease));
    } else {
      tally->revoked.push_back(std::move(lease));
    }
  }
}

}  // namespace

TEST_CASE("32 clients issue and revoke for 20 s over HTTP; every lease is accounted for") {
  testing::TempDir dir;
  CountingTransport transport;
  Result<std::unique_ptr<Server>> started = Server::Start(OptionsOn(dir.File("store.db"), &transport));
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  Server& server = **started;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  Configure(url);

  std::vector<ClientTally> tallies(kClients);
  const auto until = std::chrono::steady_clock::now() + kDuration;
  std::vector<std::thread> clients;
  for (ClientTally& t : tallies) clients.emplace_back(RunClient, url, until, &t);
  for (std::thread& t : clients) t.join();

  std::set<std::string> kept, revoked;
  std::vector<std::string> failures;
  for (const ClientTally& t : tallies) {
    kept.insert(t.kept.begin(), t.kept.end());
    revoked.insert(t.revoked.begin(), t.revoked.end());
    failures.insert(failures.end(), t.failures.begin(), t.failures.end());
  }
  const std::size_t issued = kept.size() + revoked.size();
  MESSAGE(issued, " issued, ", revoked.size(), " revoked by ", kClients, " clients in ",
          kDuration.count(), " s");
  CHECK_MESSAGE(failures.empty(), failures.size(), " failures, the first: ", failures.empty() ? "" : failures[0]);
  REQUIRE(kept.size() + revoked.size() > static_cast<std::size_t>(kClients));  // the clients did run
  LeaseStore& store = server.host().store();
  CHECK(store.CountLeases("aws", "deploy").value() == kept.size());
  for (const std::string& id : kept) {
    if (!store.GetLease(id).ok()) FAIL_CHECK("issued lease missing: ", id);
  }
  for (const std::string& id : revoked) {
    if (!store.GetLease(id).status().Is(ErrorCode::kNotFound)) FAIL_CHECK("revoked lease still stored: ", id);
  }
  CHECK(transport.create_user.load() == static_cast<long>(kept.size() + revoked.size()));
  CHECK(transport.delete_user.load() == static_cast<long>(revoked.size()));
  CHECK(store.ListIntents("aws", TimePoint::max()).value().empty());  // no issuance left half done
  server.Stop();
}

TEST_CASE("Stop finishes the requests in flight, then refuses new connections") {
  SlowTransport transport(std::chrono::milliseconds(800));
  Result<std::unique_ptr<Server>> started = Server::Start(OptionsOn(":memory:", &transport));
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  Server& server = **started;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  Configure(url);
  testing::VaultHttpReply in_flight;
  std::thread client([&] {
    testing::VaultHttpClient c(url, "root");
    in_flight = c.Call("POST", "aws/creds/deploy", "{}");
  });
  transport.entered.get_future().wait();  // the request is inside CreateUser now
  server.Stop();
  client.join();
  CHECK(in_flight.status == 200);  // answered, though Stop began while AWS was still being called
  CHECK(in_flight.body.find("\"lease_id\"") != std::string::npos);
  testing::VaultHttpClient late(url, "root");
  CHECK(late.Call("GET", "sys/health").status == 0);  // nobody listens any more
  CHECK(server.host().store().CountLeases("aws", "deploy").value() == 1);
}
