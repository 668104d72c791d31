// lease_slots.h: max_active_leases, counted as a role's stored leases plus
// its issuances in flight, so concurrent issuances cannot pass the cap. A
// slot is held by a LeaseSlots::Slot and given back when it goes, however
// the issuance ends (an exception included).
//
// Thread safety: LeaseSlots may be used from many threads at once.
#ifndef DYNCREDS_SRC_CORE_LEASE_SLOTS_H_
#define DYNCREDS_SRC_CORE_LEASE_SLOTS_H_

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "dyncreds/role.h"
#include "dyncreds/status.h"

namespace dyncreds::core {

class LeaseSlots {
 public:
  // How many leases a role has in the store.
  using CountLeases = std::function<Result<std::size_t>(const std::string& role)>;
  explicit LeaseSlots(CountLeases count) : count_(std::move(count)) {}

  class Slot {
   public:
    Slot(Slot&& other) noexcept : slots_(other.slots_), role_(std::move(other.role_)) { other.slots_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (slots_ != nullptr) slots_->Release(role_);
    }

   private:
    friend class LeaseSlots;
    Slot(LeaseSlots* slots, std::string role) : slots_(slots), role_(std::move(role)) {}
    LeaseSlots* slots_;
    std::string role_;
  };

  // A slot for one issuance of `role`, or kConflict when the role is at its
  // max_active_leases (0: no cap).
  Result<Slot> Reserve(const Role& role);

 private:
  void Release(const std::string& role);

  CountLeases count_;
  std::mutex mu_;
  std::map<std::string, std::size_t> in_flight_;  // GUARDED_BY(mu_)
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_LEASE_SLOTS_H_
