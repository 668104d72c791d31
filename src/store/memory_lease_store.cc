// MemoryLeaseStore: LeaseStore in memory, with the same indexes a database
// would keep (by id for prefixes, by due time for the worker).
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "dyncreds/lease_store.h"

namespace dyncreds {

LeaseStore::~LeaseStore() = default;

namespace {

class MemoryLeaseStore final : public LeaseStore {
 public:
  Status PutLease(const Lease& lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(lease.id);
    if (it != leases_.end()) due_.erase({it->second.due_at, lease.id});
    leases_[lease.id] = lease;
    due_.insert({lease.due_at, lease.id});
    return Status();
  }

  Result<Lease> GetLease(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(std::string(id));
    if (it == leases_.end()) return Status::NotFound("no lease " + std::string(id));
    return it->second;
  }

  Status DeleteLease(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(std::string(id));
    if (it == leases_.end()) return Status::NotFound("no lease " + std::string(id));
    due_.erase({it->second.due_at, it->first});
    leases_.erase(it);
    return Status();
  }

  Result<std::vector<Lease>> ListLeases(std::string_view prefix) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Lease> out;
    for (auto it = leases_.lower_bound(std::string(prefix));
         it != leases_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::vector<Lease>> DueLeases(TimePoint now, std::size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Lease> out;
    for (auto it = due_.begin(); it != due_.end() && it->first <= now && out.size() < limit; ++it) {
      out.push_back(leases_.at(it->second));
    }
    return out;
  }

  Result<std::size_t> CountLeases(std::string_view mount, std::string_view role) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string prefix = std::string(mount) + "/creds/" + std::string(role) + "/";
    std::size_t n = 0;
    for (auto it = leases_.lower_bound(prefix); it != leases_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      ++n;
    }
    return n;
  }

  Status PutRole(std::string_view mount, const Role& role) override {
    std::lock_guard<std::mutex> lock(mu_);
    roles_[{std::string(mount), role.name}] = role;
    return Status();
  }

  Result<Role> GetRole(std::string_view mount, std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = roles_.find({std::string(mount), std::string(name)});
    if (it == roles_.end()) return Status::NotFound("no role \"" + std::string(name) + "\"");
    return it->second;
  }

  Status DeleteRole(std::string_view mount, std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (roles_.erase({std::string(mount), std::string(name)}) == 0) {
      return Status::NotFound("no role \"" + std::string(name) + "\"");
    }
    return Status();
  }

  Result<std::vector<std::string>> ListRoles(std::string_view mount) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [key, role] : roles_) {
      if (key.first == mount) out.push_back(key.second);
    }
    return out;
  }

  Status PutConfig(std::string_view mount, std::string_view key, std::string_view json) override {
    std::lock_guard<std::mutex> lock(mu_);
    config_[{std::string(mount), std::string(key)}] = std::string(json);
    return Status();
  }

  Result<std::string> GetConfig(std::string_view mount, std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = config_.find({std::string(mount), std::string(key)});
    if (it == config_.end()) return Status::NotFound("no " + std::string(key));
    return it->second;
  }

 private:
  using Key = std::pair<std::string, std::string>;
  std::mutex mu_;
  std::map<std::string, Lease> leases_;
  std::set<std::pair<TimePoint, std::string>> due_;
  std::map<Key, Role> roles_;
  std::map<Key, std::string> config_;
};

}  // namespace

std::unique_ptr<LeaseStore> NewMemoryLeaseStore() { return std::make_unique<MemoryLeaseStore>(); }

}  // namespace dyncreds
