// MemoryLeaseStore: LeaseStore in memory, with the same indexes a database
// would keep (by id for prefixes, by due time for the worker).
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "dyncreds/sys/lease_store.h"

namespace dyncreds {

LeaseStore::~LeaseStore() = default;

namespace {

class MemoryLeaseStore final : public LeaseStore {
 public:
  Status PutLease(const Lease& lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    PutLocked(lease);
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
    Unname(it->second.mount, it->second.user_name);
    leases_.erase(it);
    return Status();
  }

  Result<std::vector<Lease>> ListLeases(std::string_view mount, std::string_view prefix, std::string_view after,
                                        std::size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Lease> out;
    auto it = leases_.lower_bound(std::string(prefix));
    if (after > prefix) it = leases_.upper_bound(std::string(after));
    for (; it != leases_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      if (limit != 0 && out.size() == limit) break;
      if (it->second.mount == mount) out.push_back(it->second);
    }
    return out;
  }

  Result<std::vector<Lease>> IrrevocableLeases(std::string_view mount, std::string_view prefix) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Lease> out;
    for (auto it = leases_.lower_bound(std::string(prefix));
         it != leases_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      if (it->second.state == LeaseState::kIrrevocable && it->second.mount == mount) out.push_back(it->second);
    }
    return out;
  }

  // A scan of every mount's due leases: fine for the tests and small hosts
  // this store is for.
  Result<std::vector<Lease>> DueLeases(std::string_view mount, TimePoint now, std::size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Lease> out;
    for (auto it = due_.begin(); it != due_.end() && it->first <= now && out.size() < limit; ++it) {
      const Lease& lease = leases_.at(it->second);
      if (lease.mount == mount) out.push_back(lease);
    }
    return out;
  }

  // A scan, like DueLeases: fine at this store's sizes.
  Result<bool> HoldsUserName(std::string_view mount, std::string_view user_name) override {
    std::lock_guard<std::mutex> lock(mu_);
    return names_.count({std::string(mount), std::string(user_name)}) > 0;
  }

  Result<std::vector<std::string>> ListMounts() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [key, entry] : config_) {
      if (key.second == "config/root") out.push_back(key.first);
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

  Status PutIntent(const Intent& intent) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, added] = intents_.try_emplace(intent.lease_id, intent);
    if (!added) {
      Unname(it->second.mount, it->second.user_name);
      it->second = intent;
    }
    names_.insert({intent.mount, intent.user_name});
    return Status();
  }

  Result<Intent> GetIntent(std::string_view lease_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = intents_.find(std::string(lease_id));
    if (it == intents_.end()) return Status::NotFound("no intent for " + std::string(lease_id));
    return it->second;
  }

  Status DeleteIntent(std::string_view lease_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!EraseIntent(std::string(lease_id))) return Status::NotFound("no intent for " + std::string(lease_id));
    return Status();
  }

  Status PromoteIntent(const Lease& lease) override {
    std::lock_guard<std::mutex> lock(mu_);  // one step: no reader sees neither
    if (!EraseIntent(lease.id)) {
      return Status::Conflict("the intent of lease " + lease.id + " is gone: it was rolled back");
    }
    PutLocked(lease);
    return Status();
  }

  Result<std::vector<Intent>> ListIntents(std::string_view mount, TimePoint created_before) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Intent> out;
    for (const auto& [id, intent] : intents_) {
      if (intent.mount == mount && intent.created_at < created_before) out.push_back(intent);
    }
    std::sort(out.begin(), out.end(), [](const Intent& a, const Intent& b) { return a.created_at < b.created_at; });
    return out;
  }

  Status PutConfig(std::string_view mount, std::string_view key, const ConfigEntry& entry) override {
    std::lock_guard<std::mutex> lock(mu_);
    config_[{std::string(mount), std::string(key)}] = entry;
    return Status();
  }

  Result<ConfigEntry> GetConfig(std::string_view mount, std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = config_.find({std::string(mount), std::string(key)});
    if (it == config_.end()) return Status::NotFound("no " + std::string(key));
    return it->second;
  }

  Status DeleteConfig(std::string_view mount, std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    config_.erase({std::string(mount), std::string(key)});
    return Status();
  }

 private:
  void PutLocked(const Lease& lease) {
    auto it = leases_.find(lease.id);
    if (it != leases_.end()) {
      due_.erase({it->second.due_at, lease.id});
      Unname(it->second.mount, it->second.user_name);
    }
    leases_[lease.id] = lease;
    due_.insert({lease.due_at, lease.id});
    names_.insert({lease.mount, lease.user_name});
  }

  bool EraseIntent(const std::string& lease_id) {
    auto it = intents_.find(lease_id);
    if (it == intents_.end()) return false;
    Unname(it->second.mount, it->second.user_name);
    intents_.erase(it);
    return true;
  }

  // Removes one holder of the name (a lease and its intent may share one).
  void Unname(const std::string& mount, const std::string& user_name) {
    auto it = names_.find({mount, user_name});
    if (it != names_.end()) names_.erase(it);
  }

  using Key = std::pair<std::string, std::string>;
  std::mutex mu_;
  std::map<std::string, Lease> leases_;
  std::set<std::pair<TimePoint, std::string>> due_;
  std::multiset<std::pair<std::string, std::string>> names_;  // (mount, user_name) of every lease and intent
  std::map<Key, Role> roles_;
  std::map<Key, ConfigEntry> config_;
  std::map<std::string, Intent> intents_;
};

}  // namespace

std::unique_ptr<LeaseStore> NewMemoryLeaseStore() { return std::make_unique<MemoryLeaseStore>(); }

}  // namespace dyncreds
