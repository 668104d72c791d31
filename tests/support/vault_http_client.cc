#include "support/vault_http_client.h"

#include <curl/curl.h>

namespace dyncreds::testing {
namespace {

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

VaultHttpClient::VaultHttpClient(std::string base_url, std::string token)
    : base_url_(std::move(base_url)), curl_(curl_easy_init()), headers_(nullptr) {
  const std::string header = "X-Vault-Token: " + token;
  headers_ = curl_slist_append(nullptr, header.c_str());
  headers_ = curl_slist_append(static_cast<curl_slist*>(headers_), "Content-Type: application/json");
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
}

VaultHttpClient::~VaultHttpClient() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

VaultHttpReply VaultHttpClient::Call(const std::string& method, const std::string& path, const std::string& body) {
  CURL* c = static_cast<CURL*>(curl_);
  VaultHttpReply reply;
  const std::string url = base_url_ + "/v1/" + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(c, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method == "GET" || method == "HEAD" ? nullptr : method.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    reply.body = curl_easy_strerror(rc);
    return reply;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace dyncreds::testing
