// mount_table.h: the AWS engines enabled on the server, at any path
// ("aws", "aws-us-west-2", "team/aws"), kept in the store so they survive
// restarts. A request path belongs to the mount that is its longest
// segment-wise prefix.
//
// Thread safety: every method may be called from many threads at once.
#ifndef DYNCREDS_SRC_SERVER_MOUNT_TABLE_H_
#define DYNCREDS_SRC_SERVER_MOUNT_TABLE_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/status.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::server {

struct MountEntry {
  std::string path;  // without slashes at either end
  std::string type = "aws";
  std::string description;
  std::chrono::seconds default_lease_ttl{0};  // 0: the system default
  std::chrono::seconds max_lease_ttl{0};
  std::string accessor;  // "aws_" + 8 hex digits
  std::string uuid;
};

// kInvalidArgument naming "path" unless `path` can be a mount: segments of
// letters, digits, '-', '_', '.', not "sys", "auth", "identity", "cubbyhole".
Status CheckMountPath(std::string_view path);
// Trims slashes at both ends.
std::string NormalizeMountPath(std::string_view path);

class MountTable {
 public:
  explicit MountTable(LeaseStore* store) : store_(store) {}

  Status Load();
  std::vector<MountEntry> List() const;
  std::optional<MountEntry> Find(std::string_view path) const;
  bool Has(std::string_view path) const;
  // The mount `request_path` ("aws/creds/x") falls under, and the rest
  // ("creds/x") in `*rest`.
  std::optional<MountEntry> Route(std::string_view request_path, std::string* rest) const;

  // kInvalidArgument if the path is taken or overlaps another mount.
  Status Add(MountEntry entry);
  Status Remove(std::string_view path);
  Status Update(const MountEntry& entry);

 private:
  Status Save(const std::vector<MountEntry>& mounts);  // REQUIRES: mu_ held

  LeaseStore* store_;
  mutable std::mutex mu_;
  std::vector<MountEntry> mounts_;  // GUARDED_BY(mu_)
};

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_MOUNT_TABLE_H_
