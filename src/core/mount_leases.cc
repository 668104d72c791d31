#include "core/mount_leases.h"

#include "core/parallel.h"

namespace dyncreds::core {

Result<Lease> MountLeases::Get(std::string_view id) const {
  Result<Lease> lease = store_.GetLease(id);
  if (lease.ok() && lease->mount != mount_) {
    return Status::NotFound("no lease " + std::string(id) + " in mount " + mount_);
  }
  return lease;
}

Result<std::string> MountLeases::SegmentPrefix(std::string_view prefix) const {
  std::string p(prefix);
  if (p.empty() || p.back() == '/') return p;
  Result<Lease> exact = Get(p);
  if (exact.ok()) return p;
  if (!exact.status().Is(ErrorCode::kNotFound)) return exact.status();
  return p + "/";
}

Result<std::vector<Lease>> MountLeases::List(std::string_view prefix, std::string_view after,
                                             std::size_t limit) const {
  Result<std::string> p = SegmentPrefix(prefix);
  if (!p.ok()) return p.status();
  return Page(*p, after, limit);
}

// A segment prefix that does not end in '/' is a lease id: that lease
// alone, not every id it begins (".../1" is not ".../10").
Result<std::vector<Lease>> MountLeases::Page(const std::string& segment_prefix, std::string_view after,
                                             std::size_t limit) const {
  const bool exact = !segment_prefix.empty() && segment_prefix.back() != '/';
  if (!exact) return store_.ListLeases(mount_, segment_prefix, after, limit);
  std::vector<Lease> page;
  if (limit == 0 || std::string_view(segment_prefix) <= after) return page;
  Result<Lease> lease = Get(segment_prefix);
  if (lease.ok()) {
    page.push_back(std::move(*lease));
  } else if (!lease.status().Is(ErrorCode::kNotFound)) {  // gone since: an empty page
    return lease.status();
  }
  return page;
}

Result<std::size_t> MountLeases::ForEach(std::string_view raw_prefix, int parallelism,
                                         const ProgressFunction& progress, const LeaseFn& fn) const {
  Result<std::string> prefix = SegmentPrefix(raw_prefix);
  if (!prefix.ok()) return prefix.status();
  std::string after;
  std::size_t seen = 0;
  std::size_t done = 0;
  for (;;) {
    Result<std::vector<Lease>> page = Page(*prefix, after, kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) return seen;
    seen += page->size();
    RunParallel(*page, parallelism, [&](const Lease& lease, std::mutex& mu) {
      fn(lease, mu);
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (progress) progress(done, seen);
    });
    after = page->back().id;
  }
}

}  // namespace dyncreds::core
