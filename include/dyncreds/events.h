// events.h: what an Engine tells its host while it works.
//
//  - Log lines, for operators: a level and a message.
//  - Audit events, for security teams: one per operation that changes or
//    reveals something (configuration, roles, issuance, renewal, every kind
//    of revocation, rollback, orphan deletion, root rotation), saying who
//    (the caller the host names) got which AWS identity, for which role,
//    when, and how it ended.
//
// Neither ever holds a secret access key, session token or root secret. An
// audit event carries instead "hmac-sha256:<hex>" of them under a salt kept
// in the store (as Vault's audit devices do); Engine::AuditHmac computes
// the same for a given value, so an investigator can match a leaked key.
// The host receives both through EngineOptions::log and ::audit, which may
// be called from any thread (the worker's included), concurrently.
#ifndef DYNCREDS_EVENTS_H_
#define DYNCREDS_EVENTS_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "dyncreds/export.h"
#include "dyncreds/status.h"

namespace dyncreds {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error".
DYNCREDS_EXPORT const char* LogLevelName(LogLevel level);

using LogFunction = std::function<void(LogLevel level, std::string_view message)>;

struct AuditEvent {
  std::chrono::system_clock::time_point time;
  std::string mount;
  // "config.write", "config.rotate_root", "role.write", "role.delete",
  // "creds.issue", "lease.renew", "lease.revoke", "intent.rollback",
  // "orphan.delete".
  std::string operation;
  // Vault's path: "aws/config/root", "aws/roles/NAME", "aws/creds/NAME",
  // a lease id, "aws/tidy" (orphan.delete).
  std::string path;
  // lease.revoke: "manual", "prefix", "force", "expired", "role_deleted".
  std::string reason;
  std::string role;
  std::string lease_id;
  // The AWS identity concerned.
  std::string user_name;
  std::string arn;
  std::string access_key_id;
  // hmac-sha256:<hex> of the secrets concerned: the issued secret key and
  // session token (creds.issue), the root secret key (config.write root).
  std::string secret_key_hmac;
  std::string session_token_hmac;
  // Who asked, as the host named it (CallerScope): free text, or a JSON
  // object that ToJson embeds as one. Empty for the engine's own work
  // (expiry, recovery).
  std::string caller;
  Status status;  // ok, or why the operation failed (AWS code and request id kept)

  // One line of JSON: {"time", "mount", "operation", "path", "reason",
  // "caller", "role", "lease_id", "user_name", "arn", "access_key_id",
  // "secret_key_hmac", "session_token_hmac", "outcome": "success"|"failure",
  // "error": {"code", "message", "aws_code", "request_id"}}, empty fields
  // left out.
  DYNCREDS_EXPORT std::string ToJson() const;
};

// Receives every audit event. A non-ok return says the event could not be
// recorded: the engine logs that at error level and, unless the host chose
// EngineOptions::audit_fail_open, fails the operation (see engine.h).
using AuditFunction = std::function<Status(const AuditEvent& event)>;

// Names the caller of the engine calls this thread makes while the scope
// lives; audit events record it. Scopes nest (the inner one wins, the outer
// one is back when it ends).
//
//   { CallerScope who(R"({"user":"alice","ip":"10.0.0.7"})"); engine->Issue("deploy"); }
class DYNCREDS_EXPORT CallerScope {
 public:
  explicit CallerScope(std::string caller);
  ~CallerScope();
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;

  // The calling thread's current caller ("" outside any scope).
  static const std::string& Current();

 private:
  std::string previous_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_EVENTS_H_
