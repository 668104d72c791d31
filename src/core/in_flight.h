// in_flight.h: the issuances running in this engine, from before an intent
// is written until the issuance returns. Recovery never rolls back the
// intent of one of them, however long it takes (the grace period is for
// owners that cannot be judged).
//
// Thread safety: safe for concurrent use.
#ifndef DYNCREDS_SRC_CORE_IN_FLIGHT_H_
#define DYNCREDS_SRC_CORE_IN_FLIGHT_H_

#include <mutex>
#include <set>
#include <string>

namespace dyncreds::core {

class InFlightIssuances {
 public:
  // Marks a lease id in flight for the Entry's lifetime (so an exception or
  // an early return cannot leave it marked).
  class Entry {
   public:
    Entry(InFlightIssuances& set, std::string lease_id) : set_(set), lease_id_(std::move(lease_id)) {
      std::lock_guard<std::mutex> lock(set_.mu_);
      set_.ids_.insert(lease_id_);
    }
    ~Entry() {
      std::lock_guard<std::mutex> lock(set_.mu_);
      set_.ids_.erase(lease_id_);
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

   private:
    InFlightIssuances& set_;
    const std::string lease_id_;
  };

  bool Contains(const std::string& lease_id) const {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_.count(lease_id) > 0;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> ids_;  // GUARDED_BY(mu_)
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_IN_FLIGHT_H_
