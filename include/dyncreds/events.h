// events.h: what an Engine tells its host while it works.
//
//  - Log lines, for operators: a level and a message.
//  - Audit events, for security teams: one per operation that changes or
//    reveals something (configuration, roles, issuance, renewal, every kind
//    of revocation, rollback, orphan deletion, root rotation), saying who
//    got which AWS identity, for which role, when, and how it ended.
//
// Neither ever holds a secret access key, session token or root secret.
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
  Status status;  // ok, or why the operation failed (AWS code and request id kept)

  // One line of JSON: {"time", "mount", "operation", "path", "reason",
  // "role", "lease_id", "user_name", "arn", "access_key_id", "outcome":
  // "success"|"failure", "error": {"code", "message", "aws_code",
  // "request_id"}}, empty fields left out.
  DYNCREDS_EXPORT std::string ToJson() const;
};

// Receives every audit event. A non-ok return says the event could not be
// recorded; the engine logs that at error level.
using AuditFunction = std::function<Status(const AuditEvent& event)>;

}  // namespace dyncreds

#endif  // DYNCREDS_EVENTS_H_
