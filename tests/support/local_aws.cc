#include "support/local_aws.h"

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "aws/iam_sts_api.h"
#include "support/test_data.h"
#include "dyncreds/curl_transport.h"

namespace dyncreds::testing {
namespace {

const char* StringField(const rapidjson::Document& doc, const char* name) {
  auto it = doc.FindMember(name);
  if (it == doc.MemberEnd() || !it->value.IsString()) {
    throw std::runtime_error(std::string("local endpoint ready file lacks \"") + name + "\"");
  }
  return it->value.GetString();
}

}  // namespace

LocalAws LocalAws::FromEnvironment(const char* variable) {
  const char* path = std::getenv(variable);
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error(
        std::string(variable) + " is not set: run these tests through ctest, which starts the local "
        "endpoint (tests/local_aws/ctl.py start --dir DIR) and points it at DIR/endpoint.json");
  }
  rapidjson::Document doc;
  std::string text = ReadFile(path);
  if (doc.Parse(text.c_str()).HasParseError() || !doc.IsObject()) {
    throw std::runtime_error(std::string("cannot parse ") + path);
  }
  LocalAws aws;
  aws.url_ = StringField(doc, "endpoint");
  aws.iam_url_ = StringField(doc, "iam_endpoint");
  aws.sts_url_ = StringField(doc, "sts_endpoint");
  aws.account_id_ = StringField(doc, "account_id");
  aws.access_key_id_ = StringField(doc, "access_key_id");
  aws.secret_access_key_ = StringField(doc, "secret_access_key");
  if (auto it = doc.FindMember("ca_bundle"); it != doc.MemberEnd() && it->value.IsString()) {
    aws.ca_bundle_ = it->value.GetString();
  }
  CurlTransportOptions options;
  options.ca_bundle = aws.ca_bundle_;
  aws.transport_ = NewCurlTransport(options);
  return aws;
}

AwsCredentials LocalAws::AdminCredentials() const {
  return AwsCredentials(access_key_id_, SecretString(secret_access_key_));
}

std::unique_ptr<aws::QueryClient> LocalAws::NewClient(std::string_view service,
                                                      HttpTransport* transport,
                                                      aws::RetryPolicy retry) const {
  aws::QueryClientOptions options;
  options.service = std::string(service);
  options.api_version = service == "sts" ? aws::kStsApiVersion : aws::kIamApiVersion;
  options.endpoint = {service == "sts" ? sts_url_ : iam_url_, "us-east-1", "aws"};
  options.transport = transport;
  options.retry = retry;
  return std::make_unique<aws::QueryClient>(std::move(options));
}

rapidjson::Document LocalAws::Admin(const char* method, const std::string& path,
                                    const std::string& body) {
  HttpRequest request;
  request.method = method;
  request.url = url_ + "/_admin/" + path;
  request.body = body;
  if (!body.empty()) request.SetHeader("Content-Type", "application/json");
  Result<HttpResponse> response = transport_->Send(request);
  if (!response.ok()) {
    throw std::runtime_error("local endpoint control " + path + ": " + response.status().ToString());
  }
  if (response->status != 200) {
    throw std::runtime_error("local endpoint control " + path + ": HTTP " +
                             std::to_string(response->status) + " " + response->body);
  }
  rapidjson::Document doc;
  if (doc.Parse(response->body.c_str()).HasParseError()) {
    throw std::runtime_error("local endpoint control " + path + ": reply is not JSON");
  }
  return doc;
}

void LocalAws::Reset() { Admin("POST", "reset"); }

AwsCredentials LocalAws::AddPrincipal(const std::string& spec_json) {
  rapidjson::Document key = Admin("POST", "principals", spec_json);
  return AwsCredentials(key["access_key_id"].GetString(), SecretString(key["secret_access_key"].GetString()));
}

AwsCredentials LocalAws::SeedsRoot(const std::string& extra_statements) {
  return AddPrincipal(R"({"name":"vault-root","seeds_policy":true,"statements":)" +
                      (extra_statements.empty() ? std::string("[]") : extra_statements) + "}");
}

int LocalAws::AddFault(const std::string& spec_json) {
  return Admin("POST", "faults", spec_json)["id"].GetInt();
}

int LocalAws::FaultHits(int id) {
  rapidjson::Document faults = Admin("GET", "faults");
  for (const auto& rule : faults["faults"].GetArray()) {
    if (rule["id"].GetInt() == id) return rule["hits"].GetInt();
  }
  throw std::runtime_error("no fault " + std::to_string(id) + " on the local endpoint");
}

void LocalAws::ClearFaults() { Admin("DELETE", "faults"); }
void LocalAws::ClearCalls() { Admin("DELETE", "calls"); }
void LocalAws::Configure(const std::string& settings_json) { Admin("POST", "settings", settings_json); }
rapidjson::Document LocalAws::State() { return Admin("GET", "state"); }
rapidjson::Document LocalAws::Calls() { return Admin("GET", "calls"); }

int LocalAws::Connections() { return Admin("GET", "connections")["accepted"].GetInt(); }

int LocalAws::CountCalls(std::string_view action) {
  rapidjson::Document calls = Calls();
  int n = 0;
  for (const auto& call : calls["calls"].GetArray()) {
    if (action == call["action"].GetString()) ++n;
  }
  return n;
}

bool Eventually(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace dyncreds::testing
