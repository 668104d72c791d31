// root_rotation.h: config/rotate-root, and finishing or undoing a rotation
// that a crash interrupted.
//
// A rotation is recorded in the mount's config/root-rotation document (old
// key id, new key id once known, start time) for its whole course:
//   1. record the rotation;  2. CreateAccessKey;  3. record the new key id;
//   4. wait until the new key works;  5. store it as config/root's key;
//   6. delete the old key;  7. drop the record.
// Recovery reads the record: if config/root already holds the new key, it
// deletes the old one; otherwise it deletes the new one. Either way the
// stored key keeps working, and the root user ends with one key.
#ifndef DYNCREDS_SRC_CORE_ROOT_ROTATION_H_
#define DYNCREDS_SRC_CORE_ROOT_ROTATION_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "dyncreds/sys/clock.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

class RootRotation {
 public:
  // What a rotation needs from its engine.
  struct Host {
    LeaseStore* store = nullptr;
    std::string mount;
    Clock* clock = nullptr;
    std::function<Result<std::shared_ptr<IamProvider>>()> provider;  // acting with the stored key
    std::function<std::string()> stored_access_key;  // "" when config/root holds no key of its own
    std::function<Status(const AwsCredentials&)> store_key;  // makes it config/root's key, durably
  };

  explicit RootRotation(Host host) : host_(std::move(host)) {}

  // Rotates now (finishing an interrupted rotation first); the new key id.
  Result<std::string> Rotate();
  // Finishes or undoes a rotation recorded before `started_before` (a later
  // one may still be running elsewhere), unless a rotation is running here.
  Status Recover(TimePoint started_before);

 private:
  Status Resume(TimePoint started_before);  // with mu_ held
  Status Record(const std::string& old_key, const std::string& new_key, TimePoint started);
  Status Undo(IamProvider& provider, const std::string& new_key, const Status& why);
  Status Finish(const std::string& old_key);

  Host host_;
  std::mutex mu_;  // one rotation at a time
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_ROOT_ROTATION_H_
