// server.cc: the Vault API on an address of its own: a Host (store, audit,
// the mounts' engines and workers), a VaultApi over it, and an HttpListener
// that hands it every request.
#include <fstream>
#include <mutex>

#include "dyncreds/server.h"
#include "server/http_listener.h"
#include "util/secret_buffer.h"

namespace dyncreds {

namespace {

constexpr std::chrono::seconds kStopGrace{30};  // requests in flight get this long to finish

Status ReadPem(const std::string& path, const char* field, SecretString* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(field, "cannot read " + path);
  util::SecretBuffer buffer;
  buffer.AppendAll(in);
  if (buffer.view().find("-----BEGIN ") == std::string_view::npos) {
    return Status::InvalidArgument(field, path + " holds no PEM block");
  }
  buffer.Put('\0');  // libmicrohttpd takes C strings
  *out = buffer.Take();
  return Status();
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServerOptions options) : options_(std::move(options)) {}

  Status Start() {
    HostOptions host = options_.host;
    host.mount.clear();  // the API opens the mounts its table lists
    Result<std::unique_ptr<Host>> opened = Host::Open(std::move(host));
    if (!opened.ok()) return opened.status();
    host_ = std::move(*opened);
    Result<std::unique_ptr<VaultApi>> api = VaultApi::Open(host_.get(), options_.api);
    if (!api.ok()) return api.status();
    api_ = std::move(*api);
    if (options_.listen_address.empty()) return Status();  // requests come through api().Handle
    Result<std::unique_ptr<server::HttpListener>> listener = Listen(-1);
    if (!listener.ok()) return listener.status();
    listener_ = std::move(*listener);
    return Status();
  }

  // A new listener on `fd` (-1: bind listen_address), with the TLS files as
  // they are now.
  Result<std::unique_ptr<server::HttpListener>> Listen(int fd) {
    server::ListenerOptions o;
    o.address = options_.listen_address;
    o.listen_fd = fd;
    if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
      SecretString cert;
      if (Status s = ReadPem(options_.tls_cert_file, "tls_cert_file", &cert); !s.ok()) return s;
      if (Status s = ReadPem(options_.tls_key_file, "tls_key_file", &o.tls_key_pem); !s.ok()) return s;
      o.tls_cert_pem = std::string(cert.view().substr(0, cert.size() - 1));  // without its NUL
    }
    o.threads = options_.threads;
    o.max_connections = options_.max_connections;
    o.max_body_bytes = options_.max_body_bytes;
    o.max_header_bytes = options_.max_header_bytes;
    o.idle_timeout = options_.idle_timeout;
    o.log = options_.host.log;
    VaultApi* api = api_.get();
    return server::HttpListener::Start(std::move(o), [api](const VaultRequest& r) { return api->Handle(r); });
  }

  Status Reload() {
    std::lock_guard<std::mutex> lock(mu_);
    Status audit = host_->ReopenAuditFile();
    if (listener_ && (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty())) {
      // The successor takes over the socket; the old listener finishes what
      // it has in flight. A bad file keeps the old listener serving.
      Result<std::unique_ptr<server::HttpListener>> next = Listen(listener_->listen_fd());
      if (!next.ok()) return next.status().WithContext("reloading the TLS certificate");
      listener_->HandOver();
      listener_->Stop(kStopGrace);
      listener_ = std::move(*next);
    }
    return audit;
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (listener_) listener_->Stop(kStopGrace);
    listener_.reset();
  }

  int port() {
    std::lock_guard<std::mutex> lock(mu_);
    return listener_ ? listener_->port() : 0;
  }

  Host& host() { return *host_; }
  VaultApi& api() { return *api_; }

 private:
  ServerOptions options_;
  std::unique_ptr<Host> host_;
  std::unique_ptr<VaultApi> api_;
  std::mutex mu_;  // guards listener_
  std::unique_ptr<server::HttpListener> listener_;
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->Start(); !s.ok()) return s;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { impl_->Stop(); }

int Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
Status Server::Reload() { return impl_->Reload(); }
Host& Server::host() { return impl_->host(); }
VaultApi& Server::api() { return impl_->api(); }

}  // namespace dyncreds
