// The libcurl HttpTransport. One CURL easy handle serves one request at a
// time; idle handles are pooled, and each keeps its connections open, so
// successive calls reuse TCP and TLS sessions (keep-alive) whichever thread
// makes them.
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <strings.h>

#include <algorithm>
#include <cstring>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "dyncreds/sys/http_transport.h"
#include "dyncreds/secret.h"
#include "dyncreds/curl_transport.h"

namespace dyncreds {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Everything one transfer accumulates.
struct Transfer {
  HttpResponse response;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

// Grows `s` without leaving copies of its old contents in freed memory:
// response bodies may hold secret keys.
void AppendWiping(std::string& s, const char* data, std::size_t n) {
  if (s.size() + n > s.capacity()) {
    std::string bigger;
    bigger.reserve(std::max(s.capacity() * 2, s.size() + n));
    bigger.append(s);
    if (!s.empty()) SecureWipe(&s[0], s.size());
    s.swap(bigger);
  }
  s.append(data, n);
}

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  AppendWiping(t->response.body, data, n);
  // `data` is libcurl's receive buffer, which it keeps for the handle's next
  // transfer: the bytes of a reply carrying a new key would stay there.
  SecureWipe(data, n);
  return n;
}

// OpenSSL keeps decrypted records in its own read buffer; this makes it wipe
// them once they are read.
CURLcode CleansePlaintext(CURL*, void* ssl_ctx, void*) {
  SSL_CTX_set_options(static_cast<SSL_CTX*>(ssl_ctx), SSL_OP_CLEANSE_PLAINTEXT);
  return CURLE_OK;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 100 Continue, say)
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  if (colon == 14 && strncasecmp(line.data(), "content-length", 14) == 0) {
    std::size_t len = std::strtoull(std::string(value).c_str(), nullptr, 10);
    if (len <= t->max_bytes && len > t->response.body.capacity()) t->response.body.reserve(len);
  }
  return n;
}

// A curl_slist that wipes its strings when freed (X-Amz-Security-Token).
class HeaderList {
 public:
  ~HeaderList() {
    for (curl_slist* p = list_; p != nullptr; p = p->next) SecureWipe(p->data, strlen(p->data));
    curl_slist_free_all(list_);
  }
  bool Append(const std::string& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (next == nullptr) return false;
    list_ = next;
    return true;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const CurlTransportOptions& options) : options_(options) {
    GlobalInitOnce();
    if (options_.ca_bundle.empty()) {
      if (const char* env = std::getenv("AWS_CA_BUNDLE")) options_.ca_bundle = env;
    }
  }

  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    CURL* handle = Acquire();
    if (handle == nullptr) return Status::Transport("curl_easy_init failed");
    Result<HttpResponse> result = Perform(handle, request);
    Release(handle);
    return result;
  }

 private:
  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < options_.max_idle_connections) {
      idle_.push_back(handle);
      return;
    }
    curl_easy_cleanup(handle);
  }

  Result<HttpResponse> Perform(CURL* h, const HttpRequest& request) {
    // reset keeps the handle's live connections and DNS cache.
    curl_easy_reset(h);
    Transfer transfer;
    transfer.max_bytes = options_.max_response_bytes;
    char errbuf[CURL_ERROR_SIZE] = {0};
    HeaderList headers;
    for (const HttpHeader& hdr : request.headers) {
      // "Name:" alone would remove a header curl adds; send empty values as "Name;".
      if (!headers.Append(hdr.name + (hdr.value.empty() ? ";" : ": " + hdr.value))) {
        return Status::Transport("out of memory building request headers");
      }
    }
    headers.Append("Expect:");  // no 100-continue round trip for small bodies

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    // HTTP/1.1, which IAM and STS speak: its body passes through the one
    // buffer OnBody wipes (HTTP/2 would add nghttp2's stream buffers).
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, &CleansePlaintext);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    if (!options_.proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      if (request.method != "POST") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }

    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);  // `headers` dies before the handle
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
      if (!transfer.response.body.empty()) {
        SecureWipe(&transfer.response.body[0], transfer.response.body.size());
      }
      const std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
      if (transfer.too_large) {
        return Status::Transport("response from " + request.url + " exceeds " +
                                 std::to_string(options_.max_response_bytes) + " bytes");
      }
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        return Status::Timeout("request to " + request.url + " timed out: " + detail);
      }
      return Status::Transport("request to " + request.url + " failed: " + detail);
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }

  CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // GUARDED_BY(mu_)
};

}  // namespace

std::unique_ptr<HttpTransport> NewCurlTransport(const CurlTransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace dyncreds
