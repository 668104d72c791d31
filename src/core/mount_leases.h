// mount_leases.h: the leases of one mount, addressed as Vault addresses
// them: by lease id (another mount's lease is not found here, so it is
// never renewed or revoked with this mount's keys) and by path prefix, read
// by segments ("aws" means "aws/", never "aws-us-west-2/...").
//
// Thread safety: every method may be called from any thread at once.
#ifndef DYNCREDS_SRC_CORE_MOUNT_LEASES_H_
#define DYNCREDS_SRC_CORE_MOUNT_LEASES_H_

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/engine.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

class MountLeases {
 public:
  static constexpr std::size_t kPage = 1000;  // leases read at a time by ForEach

  MountLeases(LeaseStore& store, std::string mount) : store_(store), mount_(std::move(mount)) {}

  // The lease, if it is this mount's.
  Result<Lease> Get(std::string_view id) const;

  // The store prefix a caller's prefix means: "" and "x/" as given, a lease
  // id as itself (that lease alone), anything else as a path segment.
  Result<std::string> SegmentPrefix(std::string_view prefix) const;

  // A page of the leases under `prefix`, after the id `after`.
  Result<std::vector<Lease>> List(std::string_view prefix, std::string_view after, std::size_t limit) const;

  // Runs fn on every lease under `prefix`, a page at a time and up to
  // `parallelism` at once (fn gets a mutex shared by the calls of a page),
  // telling `progress` after each; returns how many it saw. Leases fn
  // deletes do not disturb the paging.
  using LeaseFn = std::function<void(const Lease&, std::mutex&)>;
  Result<std::size_t> ForEach(std::string_view prefix, int parallelism, const ProgressFunction& progress,
                              const LeaseFn& fn) const;

  const std::string& mount() const { return mount_; }

 private:
  Result<std::vector<Lease>> Page(const std::string& segment_prefix, std::string_view after, std::size_t limit) const;

  LeaseStore& store_;
  const std::string mount_;
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_MOUNT_LEASES_H_
