#include "api_client.h"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>

#include "dyncreds/server.h"
#include "util/json_read.h"
#include "util/secret_buffer.h"

namespace dyncreds::tool {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string FirstEnv(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (!Env(n).empty()) return Env(n);
  }
  return "";
}

// DYNCREDS_TOKEN, VAULT_TOKEN, else ~/.vault-token (as `vault login` leaves it).
SecretString TokenFromEnvironment() {
  std::string token = FirstEnv({"DYNCREDS_TOKEN", "VAULT_TOKEN"});
  if (token.empty() && !Env("HOME").empty()) {
    std::ifstream in(Env("HOME") + "/.vault-token");
    std::getline(in, token);
  }
  SecretString out(token);
  SecureWipe(token.data(), token.size());
  return out;
}

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<util::SecretBuffer*>(out)->Append(std::string_view(data, size * n));
  return size * n;
}

class RemoteApiClient : public ApiClient {
 public:
  RemoteApiClient(std::string address, SecretString token, std::string ca_file)
      : address_(std::move(address)), token_(std::move(token)), ca_file_(std::move(ca_file)) {
    while (!address_.empty() && address_.back() == '/') address_.pop_back();
  }

  Result<ApiReply> Call(const std::string& method, const std::string& path, const std::string& query,
                        std::string_view body) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Status::Internal("libcurl could not start");
    const std::string url = address_ + "/v1/" + path + (query.empty() ? "" : "?" + query);
    std::string header = "X-Vault-Token: " + std::string(token_.view());
    curl_slist* headers = curl_slist_append(nullptr, header.c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    util::SecretBuffer received;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
    const CURLcode rc = curl_easy_perform(curl);
    ApiReply reply;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    SecureWipe(header.data(), header.size());  // it held the token
    if (rc != CURLE_OK) {
      return Status::Make(ErrorCode::kTransport, address_ + ": " + curl_easy_strerror(rc));
    }
    reply.body = received.Take();
    return reply;
  }

 private:
  std::string address_;
  SecretString token_;
  std::string ca_file_;
};

// The Vault API over the local store, in this process: the caller owns the
// store, so requests act as root and no token is involved.
class LocalApiClient : public ApiClient {
 public:
  static Result<std::unique_ptr<ApiClient>> Open(const StoreOptions& store) {
    auto client = std::unique_ptr<LocalApiClient>(new LocalApiClient);
    StoreOptions no_main = store;
    Result<HostOptions> host = HostOptionsFor(no_main);
    if (!host.ok()) return host.status();
    host->mount.clear();
    Result<std::unique_ptr<Host>> opened = Host::Open(std::move(*host));
    if (!opened.ok()) return opened.status();
    client->host_ = std::move(*opened);
    VaultApiOptions options;
    options.trusted_caller = true;
    options.default_mounts = {store.mount};  // the tool's -mount, and every mount the store has
    Result<std::vector<std::string>> mounts = client->host_->ListMounts();
    if (!mounts.ok()) return mounts.status();
    options.default_mounts.insert(options.default_mounts.end(), mounts->begin(), mounts->end());
    Result<std::unique_ptr<VaultApi>> api = VaultApi::Open(client->host_.get(), std::move(options));
    if (!api.ok()) return api.status();
    client->api_ = std::move(*api);
    return std::unique_ptr<ApiClient>(std::move(client));
  }

  Result<ApiReply> Call(const std::string& method, const std::string& path, const std::string& query,
                        std::string_view body) override {
    VaultRequest request;
    request.method = method;
    request.path = "/v1/" + path;
    request.query = query;
    request.body = std::string(body);
    request.client_address = "local";
    VaultResponse response = api_->Handle(request);
    SecureWipe(request.body.data(), request.body.size());
    ApiReply reply;
    reply.status = response.status;
    reply.body = std::move(response.body);
    return reply;
  }

 private:
  LocalApiClient() = default;
  std::unique_ptr<Host> host_;  // outlives api_ (declared first)
  std::unique_ptr<VaultApi> api_;
};

}  // namespace

bool RemoteAddressSet() { return !FirstEnv({"DYNCREDS_ADDR", "VAULT_ADDR"}).empty(); }

Result<std::unique_ptr<ApiClient>> ConnectApi(const Context& c) {
  if (!RemoteAddressSet()) return LocalApiClient::Open(c.store);
  SecretString token = TokenFromEnvironment();
  if (token.empty()) {
    return Status::InvalidArgument("token", "no token: set DYNCREDS_TOKEN or VAULT_TOKEN, or write ~/.vault-token");
  }
  std::string ca = c.Flag("tls-ca-cert");
  if (ca.empty()) ca = FirstEnv({"DYNCREDS_CACERT", "VAULT_CACERT"});
  return std::unique_ptr<ApiClient>(
      new RemoteApiClient(FirstEnv({"DYNCREDS_ADDR", "VAULT_ADDR"}), std::move(token), std::move(ca)));
}

Status ReplyStatus(const ApiReply& reply, const std::string& path) {
  if (reply.status >= 200 && reply.status < 300) return Status();
  std::string message;
  Result<rapidjson::Document> doc = jsonread::Parse(reply.body.view(), "reply");
  if (doc.ok() && doc->IsObject() && doc->HasMember("errors") && (*doc)["errors"].IsArray()) {
    for (const auto& e : (*doc)["errors"].GetArray()) {
      if (e.IsString()) message += (message.empty() ? "" : "; ") + jsonread::String(e);
    }
  }
  if (message.empty()) message = reply.status == 404 ? "no value found at " + path : "HTTP " + std::to_string(reply.status);
  const ErrorCode code = reply.status == 400 || reply.status == 405 || reply.status == 413 ? ErrorCode::kInvalidArgument
                         : reply.status == 403                                             ? ErrorCode::kPermissionDenied
                         : reply.status == 404                                             ? ErrorCode::kNotFound
                                                                                           : ErrorCode::kUnavailable;
  return Status::Make(code, "Code: " + std::to_string(reply.status) + ". Errors: " + message);
}

}  // namespace dyncreds::tool
