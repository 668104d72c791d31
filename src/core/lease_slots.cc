#include "core/lease_slots.h"

namespace dyncreds::core {

Result<LeaseSlots::Slot> LeaseSlots::Reserve(const Role& role) {
  std::lock_guard<std::mutex> lock(mu_);
  if (role.max_active_leases > 0) {
    Result<std::size_t> active = count_(role.name);
    if (!active.ok()) return active.status();
    const std::size_t total = *active + in_flight_[role.name];
    if (total >= static_cast<std::size_t>(role.max_active_leases)) {
      return Status::Conflict("role " + role.name + " already has " + std::to_string(total) +
                              " active leases (max_active_leases " + std::to_string(role.max_active_leases) + ")");
    }
  }
  ++in_flight_[role.name];
  return Slot(this, role.name);
}

void LeaseSlots::Release(const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  if (--in_flight_[role] == 0) in_flight_.erase(role);
}

}  // namespace dyncreds::core
