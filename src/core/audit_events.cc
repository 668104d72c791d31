#include "core/audit_events.h"

namespace dyncreds::core {

AuditEvent AuditEvents::Event(const char* operation, std::string path) const {
  AuditEvent event;
  event.time = clock_->Now();
  event.mount = mount_;
  event.operation = operation;
  event.caller = CallerScope::Current();
  event.path = path.rfind(mount_ + "/", 0) == 0 || path.empty() ? std::move(path) : mount_ + "/" + path;
  return event;
}

AuditEvent AuditEvents::Role(const char* operation, std::string_view role) const {
  AuditEvent event = Event(operation, "roles/" + std::string(role));
  event.role = std::string(role);
  return event;
}

AuditEvent AuditEvents::Issue(std::string_view role) const {
  AuditEvent event = Event("creds.issue", "creds/" + std::string(role));
  event.role = std::string(role);
  return event;
}

AuditEvent AuditEvents::OfLease(const char* operation, const Lease& lease) const {
  AuditEvent event = Event(operation, lease.id);
  event.role = lease.role;
  event.lease_id = lease.id;
  event.user_name = lease.user_name;
  event.arn = lease.arn;
  event.access_key_id = lease.access_key_id;
  return event;
}

AuditEvent AuditEvents::Revoke(const Lease& lease, const char* reason) const {
  AuditEvent event = OfLease("lease.revoke", lease);
  event.reason = reason;
  return event;
}

}  // namespace dyncreds::core
