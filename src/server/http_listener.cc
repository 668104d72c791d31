#include "server/http_listener.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "util/uri.h"

namespace dyncreds::server {

namespace {

// One request from its request line to its completion.
struct Pending {
  std::string raw_uri;  // as sent: path and query still encoded
  bool headers_seen = false;
  bool too_large = false;
  std::string body;
};

}  // namespace

struct HttpListener::Callbacks {
  // Called once per request, at its request line: the raw URI (libmicrohttpd
  // hands the access handler a decoded path without the query).
  static void* OnRequestLine(void* cls, const char* uri, MHD_Connection*) {
    auto* self = static_cast<HttpListener*>(cls);
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      ++self->in_flight_;
    }
    auto* pending = new Pending;
    pending->raw_uri = uri;
    return pending;
  }

  static void OnCompleted(void* cls, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
    auto* self = static_cast<HttpListener*>(cls);
    auto* pending = static_cast<Pending*>(*con_cls);
    if (pending == nullptr) return;
    SecureWipe(pending->body.data(), pending->body.size());  // may have carried secret_key
    delete pending;
    *con_cls = nullptr;
    std::lock_guard<std::mutex> lock(self->mu_);
    if (--self->in_flight_ == 0) self->idle_.notify_all();
  }

  static MHD_Result OnAccess(void* cls, MHD_Connection* connection, const char*, const char* method, const char*,
                             const char* upload_data, std::size_t* upload_data_size, void** con_cls) {
    auto* self = static_cast<HttpListener*>(cls);
    auto* pending = static_cast<Pending*>(*con_cls);
    if (pending == nullptr) return MHD_NO;  // no request line was seen: nothing to answer
    if (!pending->headers_seen) {
      pending->headers_seen = true;
      // A declared length over the limit is refused before it is sent.
      const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (length != nullptr && std::strtoull(length, nullptr, 10) > self->options_.max_body_bytes) {
        pending->too_large = true;
        return Send(connection, TooLarge(*self));
      }
      return MHD_YES;
    }
    if (*upload_data_size > 0) {
      if (!pending->too_large && pending->body.size() + *upload_data_size > self->options_.max_body_bytes) {
        pending->too_large = true;
        SecureWipe(pending->body.data(), pending->body.size());
        pending->body.clear();
        pending->body.shrink_to_fit();
      }
      if (!pending->too_large) pending->body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (pending->too_large) return Send(connection, TooLarge(*self));
    return Send(connection, self->handler_(RequestOf(connection, *pending, method)));
  }

  static VaultResponse TooLarge(const HttpListener& self) {
    VaultResponse r;
    r.status = 413;
    r.body = SecretString(R"({"errors":["request body too large: the limit is )" +
                          std::to_string(self.options_.max_body_bytes) + R"( bytes"]})");
    return r;
  }

  static VaultRequest RequestOf(MHD_Connection* connection, Pending& pending, const char* method) {
    VaultRequest request;
    request.method = method;
    const std::string_view uri = pending.raw_uri;
    const std::size_t q = uri.find('?');
    request.path = uri::Decoded(uri.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(uri.substr(q + 1));
    MHD_get_connection_values(
        connection, MHD_HEADER_KIND,
        [](void* cls, MHD_ValueKind, const char* key, const char* value) -> MHD_Result {
          static_cast<VaultRequest*>(cls)->headers.emplace_back(key, value == nullptr ? "" : value);
          return MHD_YES;
        },
        &request);
    request.body = std::move(pending.body);
    pending.body.clear();
    request.client_address = ClientAddress(connection);
    return request;
  }

  static std::string ClientAddress(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == nullptr || info->client_addr == nullptr) return "";
    char text[INET6_ADDRSTRLEN] = {};
    const sockaddr* a = info->client_addr;
    if (a->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, text, sizeof text);
    } else if (a->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, text, sizeof text);
    }
    return text;
  }

  // Sends `reply`; its body is handed over and wiped when libmicrohttpd is
  // done with it.
  static MHD_Result Send(MHD_Connection* connection, VaultResponse reply) {
    auto* body = new SecretString(std::move(reply.body));
    MHD_Response* response = MHD_create_response_from_buffer_with_free_callback_cls(
        body->size(), body->mutable_data(), [](void* cls) { delete static_cast<SecretString*>(cls); }, body);
    if (response == nullptr) {
      delete body;
      return MHD_NO;
    }
    if (!reply.content_type.empty()) {
      MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type.c_str());
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (const auto& [name, value] : reply.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(reply.status), response);
    MHD_destroy_response(response);
    return queued;
  }

  static void Log(void* cls, const char* format, va_list ap) {
    auto* self = static_cast<HttpListener*>(cls);
    if (!self->options_.log) return;
    char line[512];
    std::vsnprintf(line, sizeof line, format, ap);
    std::string text(line);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    self->options_.log(LogLevel::kWarning, "http: " + text);
  }
};

namespace {

// "127.0.0.1:8200", "[::1]:8200", ":8200" (all IPv4 addresses).
Status ParseAddress(const std::string& address, sockaddr_storage* out, socklen_t* len) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("listen_address", "must be host:port, got \"" + address + "\"");
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  char* end = nullptr;
  const unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port > 65535) {
    return Status::InvalidArgument("listen_address", "has no valid port: \"" + address + "\"");
  }
  std::memset(out, 0, sizeof *out);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(out);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6->sin6_addr) != 1) {
      return Status::InvalidArgument("listen_address", "has no valid IPv6 address: \"" + address + "\"");
    }
    *len = sizeof(sockaddr_in6);
    return Status();
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  auto* a4 = reinterpret_cast<sockaddr_in*>(out);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1) {
    return Status::InvalidArgument("listen_address", "has no valid IPv4 address: \"" + address + "\"");
  }
  *len = sizeof(sockaddr_in);
  return Status();
}

}  // namespace

Result<std::unique_ptr<HttpListener>> HttpListener::Start(ListenerOptions options, RequestHandler handler) {
  std::unique_ptr<HttpListener> self(new HttpListener(std::move(options), std::move(handler)));
  const ListenerOptions& o = self->options_;
  const bool tls = !o.tls_cert_pem.empty() || !o.tls_key_pem.empty();
  if (tls && (o.tls_cert_pem.empty() || o.tls_key_pem.empty())) {
    return Status::InvalidArgument("tls_cert_file", "TLS needs both a certificate and a key");
  }
  if (tls && o.tls_key_pem.view().back() != '\0') {
    return Status::InvalidArgument("tls_key_file", "the key must end in a NUL");
  }
  sockaddr_storage address{};
  socklen_t address_len = 0;
  if (o.listen_fd < 0) {
    if (Status s = ParseAddress(o.address, &address, &address_len); !s.ok()) return s;
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (tls) flags |= MHD_USE_TLS;
  if (address.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  // The connection's memory pool holds the request line and headers; a
  // request whose headers do not fit is answered 431 by libmicrohttpd.
  const std::size_t pool = o.max_header_bytes + 16384;
  MHD_OptionItem items[16];
  int n = 0;
  items[n++] = {MHD_OPTION_URI_LOG_CALLBACK, reinterpret_cast<intptr_t>(&Callbacks::OnRequestLine), self.get()};
  items[n++] = {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Callbacks::OnCompleted), self.get()};
  items[n++] = {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(o.threads == 0 ? 1 : o.threads), nullptr};
  items[n++] = {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(o.max_connections), nullptr};
  items[n++] = {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(o.idle_timeout.count()), nullptr};
  items[n++] = {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(pool), nullptr};
  items[n++] = {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, nullptr};
  if (o.listen_fd >= 0) {
    items[n++] = {MHD_OPTION_LISTEN_SOCKET, o.listen_fd, nullptr};
  } else {
    items[n++] = {MHD_OPTION_SOCK_ADDR, 0, &address};
  }
  if (tls) {
    items[n++] = {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(o.tls_cert_pem.c_str())};
    items[n++] = {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(o.tls_key_pem.view().data())};
    items[n++] = {MHD_OPTION_HTTPS_PRIORITIES, 0,
                  const_cast<char*>("NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE")};
  }
  items[n++] = {MHD_OPTION_END, 0, nullptr};
  (void)address_len;
  // The logger goes first, or libmicrohttpd logs its option parsing to stderr.
  self->daemon_ = MHD_start_daemon(flags, 0, nullptr, nullptr, &Callbacks::OnAccess, self.get(),
                                   MHD_OPTION_EXTERNAL_LOGGER, &Callbacks::Log, self.get(), MHD_OPTION_ARRAY, items,
                                   MHD_OPTION_END);
  if (self->daemon_ == nullptr) {
    return Status::Unavailable(tls ? "could not start the HTTPS listener on " + o.address +
                                         " (address in use, or the TLS certificate or key is not valid PEM)"
                                   : "could not listen on " + o.address + " (address in use or not available)");
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(self->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  self->port_ = info == nullptr ? 0 : info->port;
  return self;
}

int HttpListener::listen_fd() const {
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_LISTEN_FD);
  return info == nullptr ? -1 : info->listen_fd;
}

void HttpListener::HandOver() {
  if (daemon_ == nullptr || handed_over_) return;
  MHD_quiesce_daemon(daemon_);
  handed_over_ = true;
}

void HttpListener::Stop(std::chrono::seconds grace) {
  if (daemon_ == nullptr) return;
  const int fd = handed_over_ ? -1 : MHD_quiesce_daemon(daemon_);
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait_for(lock, grace, [this] { return in_flight_ == 0; });
  }
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
  if (fd >= 0) close(fd);
}

HttpListener::~HttpListener() { Stop(std::chrono::seconds(0)); }

}  // namespace dyncreds::server
