#include "core/audit_trail.h"

#include "util/crypto.h"

namespace dyncreds::core {
namespace {

constexpr char kSaltKey[] = "audit/salt";  // under mount "": one per store

}  // namespace

AuditTrail::AuditTrail(AuditFunction audit, bool fail_open, LeaseStore* store, LogError log_error)
    : audit_(std::move(audit)), fail_open_(fail_open), store_(store), log_error_(std::move(log_error)) {}

Status AuditTrail::Audit(AuditEvent event, Status outcome) const {
  event.status = outcome;
  Record(event);
  return outcome;
}

Status AuditTrail::Record(const AuditEvent& event) const {
  if (!audit_) return Status();
  Status recorded;
  try {
    recorded = audit_(event);
  } catch (...) {
    recorded = Status::Make(ErrorCode::kInternal, "the audit function threw");
  }
  if (!recorded.ok()) {
    log_error_("audit event " + event.operation + " " + event.path + " was not recorded: " + recorded.ToString());
  }
  return recorded;
}

Status AuditTrail::Failure(const AuditEvent& event, const Status& why, const std::string& what_happened) {
  return Status::Make(ErrorCode::kUnavailable, "the audit log could not record " + event.operation + " " + event.path +
                                                   " (" + why.ToString() + "), so " + what_happened);
}

Result<std::string> AuditTrail::Hmac(std::string_view value) const {
  std::lock_guard<std::mutex> lock(salt_mu_);
  if (salt_.empty()) {
    Result<ConfigEntry> stored = store_->GetConfig("", kSaltKey);
    if (stored.ok()) {
      salt_ = stored->json;
    } else if (stored.status().Is(ErrorCode::kNotFound)) {
      std::uint8_t bytes[32];
      if (!crypto::RandomBytes(bytes, sizeof bytes)) return Status::Internal("no random bytes for the audit salt");
      std::string fresh;
      crypto::AppendHex(bytes, sizeof bytes, &fresh);
      Status put = store_->PutConfig("", kSaltKey, ConfigEntry{fresh, SecretString()});
      if (!put.ok()) return put.WithContext("storing the audit salt");
      salt_ = fresh;
    } else {
      return stored.status().WithContext("reading the audit salt");
    }
  }
  return "hmac-sha256:" + crypto::Hex(crypto::HmacSha256(salt_, value));
}

Status AuditTrail::Change::Commit() {
  committed_ = true;
  Status recorded = trail_.Record(event_);
  if (recorded.ok() || trail_.fail_open()) return Status();
  blocked_ = Failure(event_, recorded, "nothing was changed");
  return blocked_;
}

Status AuditTrail::Change::Finish(Status outcome) {
  if (!blocked_.ok()) return outcome;
  if (!committed_ || !outcome.ok()) {
    event_.status = outcome;
    trail_.Record(event_);
  }
  return outcome;
}

}  // namespace dyncreds::core
