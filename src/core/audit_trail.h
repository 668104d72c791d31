// audit_trail.h: how the engine records audit events: handing them to the
// host's audit function, what a failure to record means (fail-closed or
// fail-open), and the store's salt for HMACs of secrets.
#ifndef DYNCREDS_SRC_CORE_AUDIT_TRAIL_H_
#define DYNCREDS_SRC_CORE_AUDIT_TRAIL_H_

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "dyncreds/events.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

class AuditTrail {
 public:
  using LogError = std::function<void(const std::string&)>;
  AuditTrail(AuditFunction audit, bool fail_open, LeaseStore* store, LogError log_error);

  // Records the event with the operation's outcome, and returns the
  // outcome: for what cannot be undone or only takes access away
  // (revocations, rollbacks), a failure to record is logged, never blocking.
  Status Audit(AuditEvent event, Status outcome) const;
  // Hands the event to the audit function; logs a failure and returns it.
  Status Record(const AuditEvent& event) const;
  bool fail_open() const { return fail_open_; }

  // The error a fail-closed engine returns when it could not record `event`.
  static Status Failure(const AuditEvent& event, const Status& why, const std::string& what_happened);

  // "hmac-sha256:<hex>" under the store's audit salt, made (32 random
  // bytes) the first time it is needed and kept for every mount of the store.
  Result<std::string> Hmac(std::string_view value) const;

  // One audited change: a failure before its commit point is recorded as
  // such; at the commit point (just before the store write) its success is
  // recorded, and in fail-closed mode a failure to record stops it; a
  // commit that fails after that is recorded again, as a failure.
  class Change {
   public:
    Change(const AuditTrail& trail, AuditEvent event) : trail_(trail), event_(std::move(event)) {}
    AuditEvent& event() { return event_; }
    // Call just before the store write; a non-ok result means: do not.
    Status Commit();
    // Returns `outcome`, after recording it if that is still owed.
    Status Finish(Status outcome);

   private:
    const AuditTrail& trail_;
    AuditEvent event_;
    bool committed_ = false;
    Status blocked_;
  };

 private:
  AuditFunction audit_;
  bool fail_open_;
  LeaseStore* store_;
  LogError log_error_;
  mutable std::mutex salt_mu_;
  mutable std::string salt_;  // once read or made
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_AUDIT_TRAIL_H_
