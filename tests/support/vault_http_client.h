// vault_http_client.h: a keep-alive HTTP/1.1 client for a dyncreds server
// (libcurl easy handle), as the server's tests and benchmark drive it: one
// connection, reused for every request, with the token header set.
//
// Thread safety: one client per thread.
#ifndef DYNCREDS_TESTS_SUPPORT_VAULT_HTTP_CLIENT_H_
#define DYNCREDS_TESTS_SUPPORT_VAULT_HTTP_CLIENT_H_

#include <string>

namespace dyncreds::testing {

struct VaultHttpReply {
  long status = 0;  // 0: the request did not complete (the error is in body)
  std::string body;
};

class VaultHttpClient {
 public:
  VaultHttpClient(std::string base_url, std::string token);
  ~VaultHttpClient();
  VaultHttpClient(const VaultHttpClient&) = delete;
  VaultHttpClient& operator=(const VaultHttpClient&) = delete;

  // `path` after /v1/ ("aws/creds/deploy"); `body` JSON or "".
  VaultHttpReply Call(const std::string& method, const std::string& path, const std::string& body = "");

 private:
  std::string base_url_;
  void* curl_;         // CURL*
  void* headers_;      // curl_slist*
};

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_VAULT_HTTP_CLIENT_H_
