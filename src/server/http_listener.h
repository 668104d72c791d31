// http_listener.h: HTTP/1.1 on a socket of our own, with libmicrohttpd: a
// thread pool over epoll, keep-alive, TLS 1.2/1.3 (GnuTLS), limits on
// connections, header and body size, and an idle timeout. Every complete
// request goes to one handler function; what it returns is sent back, its
// body wiped once sent.
//
// Thread safety: the handler is called from the pool's threads at once.
// Quiesce and Stop are called by one thread, once each.
#ifndef DYNCREDS_SRC_SERVER_HTTP_LISTENER_H_
#define DYNCREDS_SRC_SERVER_HTTP_LISTENER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "dyncreds/events.h"
#include "dyncreds/secret.h"
#include "dyncreds/server.h"
#include "dyncreds/status.h"

struct MHD_Daemon;

namespace dyncreds::server {

using RequestHandler = std::function<VaultResponse(const VaultRequest&)>;

struct ListenerOptions {
  std::string address = "127.0.0.1:0";  // "host:port" or "[v6]:port"
  int listen_fd = -1;                   // a bound socket to take over instead (reload)
  std::string tls_cert_pem;             // both set: HTTPS only
  SecretString tls_key_pem;             // ending in a NUL (libmicrohttpd takes a C string)
  unsigned threads = 4;
  unsigned max_connections = 1024;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 32768;
  std::chrono::seconds idle_timeout{60};
  LogFunction log;  // libmicrohttpd's own complaints, at warning level
};

class HttpListener {
 public:
  static Result<std::unique_ptr<HttpListener>> Start(ListenerOptions options, RequestHandler handler);
  ~HttpListener();  // Stop(0 s) if not stopped
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const { return port_; }
  int listen_fd() const;
  // Stops accepting connections and gives up the listening socket, for a
  // successor already started on it (listen_fd); Stop then leaves it open.
  void HandOver();
  // Stops accepting, waits up to `grace` for the requests in flight to be
  // answered, then closes every connection and stops.
  void Stop(std::chrono::seconds grace);

 private:
  struct Callbacks;  // libmicrohttpd's callbacks, in http_listener.cc

  HttpListener(ListenerOptions options, RequestHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  ListenerOptions options_;
  RequestHandler handler_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  bool handed_over_ = false;
  std::mutex mu_;
  std::condition_variable idle_;
  int in_flight_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_HTTP_LISTENER_H_
