// server: Vault's HTTP API for the AWS engine, in the foreground until
// SIGINT or SIGTERM, like `vault server` (and `-dev` like `vault server
// -dev`). It runs the revocation worker of every mount.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "commands.h"
#include "dyncreds/server.h"
#include "dyncreds/store_key.h"
#include "dyncreds/ttl.h"

namespace dyncreds::tool {
namespace {

constexpr char kDefaultAddress[] = "127.0.0.1:8200";

// The root token, once: on standard output (not the log), and to
// -root-token-file (created 0600) when asked.
void ReportRootToken(const std::string& file, const SecretString& token) {
  std::printf("Root Token: %.*s\n", static_cast<int>(token.size()), token.view().data());
  std::fflush(stdout);
  if (file.empty()) return;
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const bool written = fd >= 0 && write(fd, token.view().data(), token.size()) == static_cast<ssize_t>(token.size());
  if (fd >= 0) close(fd);
  LogLine(written ? LogLevel::kInfo : LogLevel::kError,
          written ? "root token written to " + file : "could not write the root token to " + file);
}

Result<ServerOptions> ServerOptionsOf(const Context& c, const std::string& root_token_file) {
  const bool dev = c.Switch("dev");
  EngineSettings settings;
  settings.worker = true;
  settings.log = LogLine;
  if (!c.Flag("poll-interval").empty()) {
    Result<std::chrono::seconds> poll = ParseTtl(c.Flag("poll-interval"), "poll-interval");
    if (!poll.ok()) return poll.status();
    settings.poll_interval = *poll;
  }
  ServerOptions o;
  if (dev) {
    o.host.store = ":memory:";
    o.host.audit_file = c.store.audit_file;
    o.host.log = settings.log;
    o.host.poll_interval = settings.poll_interval;
    Result<SecretString> key = ParseStoreKey(NewStoreKeyBase64().view(), "dev");  // dies with the in-memory store
    if (!key.ok()) return key.status();
    o.host.store_key = std::move(*key);
    o.host.key_from_environment = false;
    o.api.default_mounts = {"aws"};
    o.api.root_token_id = SecretString(c.Flag("dev-root-token-id"));
    o.listen_address = c.Flag("dev-listen-address").empty() ? kDefaultAddress : c.Flag("dev-listen-address");
  } else {
    Result<HostOptions> host = HostOptionsFor(c.store, settings);
    if (!host.ok()) return host.status();
    o.host = std::move(*host);
    o.listen_address = c.Flag("listen-address").empty() ? kDefaultAddress : c.Flag("listen-address");
  }
  if (!c.Flag("idle-timeout").empty()) {
    Result<std::chrono::seconds> idle = ParseTtl(c.Flag("idle-timeout"), "idle-timeout");
    if (!idle.ok()) return idle.status();
    if (idle->count() <= 0) return Status::InvalidArgument("idle-timeout", "must be positive");
    o.idle_timeout = *idle;
  }
  o.tls_cert_file = c.Flag("tls-cert-file");
  o.tls_key_file = c.Flag("tls-key-file");
  o.api.on_root_token = [root_token_file](const SecretString& token) { ReportRootToken(root_token_file, token); };
  return o;
}

}  // namespace

int Server(Context& c) {
  for (const char* dev_only : {"dev-listen-address", "dev-root-token-id"}) {
    if (!c.Flag(dev_only).empty() && !c.Switch("dev")) {
      return Fail(Status::InvalidArgument(dev_only, "is only for -dev"));
    }
  }
  Result<ServerOptions> options = ServerOptionsOf(c, c.Flag("root-token-file"));
  if (!options.ok()) return Fail(options.status());
  // Blocked before any thread starts, so every thread inherits the mask and
  // the signals wait for sigwait below.
  sigset_t signals = BlockServiceSignals();
  const bool tls = !options->tls_cert_file.empty();
  const std::string address = options->listen_address;
  Result<std::unique_ptr<dyncreds::Server>> server = dyncreds::Server::Start(std::move(*options));
  if (!server.ok()) return Fail(server.status());
  const std::string host = address.substr(0, address.rfind(':'));
  LogLine(LogLevel::kInfo, std::string("listening on ") + (tls ? "https://" : "http://") + host + ":" +
                               std::to_string((*server)->port()) + (c.Switch("dev") ? " (dev mode: in-memory store)" : "") +
                               "; SIGINT or SIGTERM stops, SIGHUP reopens the audit file and reloads TLS");
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      Status s = (*server)->Reload();
      LogLine(s.ok() ? LogLevel::kInfo : LogLevel::kError, s.ok() ? "reloaded" : "reload failed: " + s.ToString());
      continue;
    }
    LogLine(LogLevel::kInfo, std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                                 ": finishing the requests in flight");
    break;
  }
  (*server)->Stop();
  server->reset();
  LogLine(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace dyncreds::tool
