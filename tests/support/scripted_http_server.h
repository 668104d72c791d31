// scripted_http_server.h: a small HTTP/1.1 server on 127.0.0.1 for client
// tests. It answers requests, in order, with the responses a test queued:
// a status and body, a delay, or a dropped connection. It records every
// request. Keep-alive is honoured, so connection reuse can be asserted.
// Started by the constructor on a free port, stopped by the destructor.
#ifndef DYNCREDS_TESTS_SUPPORT_SCRIPTED_HTTP_SERVER_H_
#define DYNCREDS_TESTS_SUPPORT_SCRIPTED_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dyncreds/http.h"

namespace dyncreds::testing {

struct ScriptedResponse {
  int status = 200;
  std::vector<HttpHeader> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering
  bool drop_connection = false;        // close the socket instead of answering
};

struct RecordedRequest {
  std::string method;
  std::string target;
  std::vector<HttpHeader> headers;
  std::string body;
  int connection = 0;  // which accepted connection carried it (1-based)

  const std::string* FindHeader(std::string_view name) const;
};

class ScriptedHttpServer {
 public:
  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Queues a response; with none queued the server answers 599.
  void Enqueue(ScriptedResponse response);
  void EnqueueXml(int status, std::string body);
  std::vector<RecordedRequest> requests();
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd, int connection);
  ScriptedResponse NextResponse();

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::deque<ScriptedResponse> queue_;    // GUARDED_BY(mu_)
  std::vector<RecordedRequest> seen_;     // GUARDED_BY(mu_)
  std::vector<int> open_fds_;             // GUARDED_BY(mu_)
  std::vector<std::thread> workers_;      // GUARDED_BY(mu_)
};

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_SCRIPTED_HTTP_SERVER_H_
