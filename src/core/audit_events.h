// audit_events.h: the audit events of one mount's operations, each with
// its time, mount, caller (CallerScope) and Vault path ("aws/roles/NAME",
// "aws/creds/NAME", a lease id), and what the operation is about.
//
// Thread safety: an AuditEvents may be used from many threads at once.
#ifndef DYNCREDS_SRC_CORE_AUDIT_EVENTS_H_
#define DYNCREDS_SRC_CORE_AUDIT_EVENTS_H_

#include <string>
#include <string_view>

#include "dyncreds/events.h"
#include "dyncreds/lease.h"
#include "dyncreds/sys/clock.h"

namespace dyncreds::core {

class AuditEvents {
 public:
  AuditEvents(std::string mount, Clock* clock) : mount_(std::move(mount)), clock_(clock) {}

  // `path` is relative to the mount ("config/root") or already a lease id.
  AuditEvent Event(const char* operation, std::string path) const;
  AuditEvent Role(const char* operation, std::string_view role) const;
  AuditEvent Issue(std::string_view role) const;
  AuditEvent OfLease(const char* operation, const Lease& lease) const;
  AuditEvent Revoke(const Lease& lease, const char* reason) const;

 private:
  const std::string mount_;
  Clock* const clock_;
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_AUDIT_EVENTS_H_
