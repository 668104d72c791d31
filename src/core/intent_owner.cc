#include "core/intent_owner.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace dyncreds::core {
namespace {

std::string FirstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string Link(const char* path) {
  char target[256];
  const ssize_t n = ::readlink(path, target, sizeof target);
  return n > 0 ? std::string(target, static_cast<std::size_t>(n)) : std::string();
}

// The host identity: the machine id and this boot (a pid is only
// meaningful until reboot) and the PID namespace (containers sharing a
// host and a store see different pids). "" if the boot cannot be told.
std::string HostIdentity() {
  std::string machine = FirstLine("/etc/machine-id");
  if (machine.empty()) machine = FirstLine("/var/lib/dbus/machine-id");
  const std::string boot = FirstLine("/proc/sys/kernel/random/boot_id");
  const std::string pid_ns = Link("/proc/self/ns/pid");
  if (boot.empty() || pid_ns.empty()) return "";
  return machine + "/" + boot + "/" + pid_ns;
}

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks
// after boot; 0 if there is no such process. The fields after the command
// name (which may hold spaces and parentheses) start after its last ')'.
std::int64_t StartTime(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::stoll(field);
  }
  return 0;
}

// Read once: the host, its boot and the PID namespace do not change.
const std::string& ThisHost() {
  static const std::string host = HostIdentity();
  return host;
}

}  // namespace

IntentOwner CurrentProcess() {
  IntentOwner self;  // not cached: a forked child is another owner
  self.host = ThisHost();
  self.pid = ::getpid();
  self.start = StartTime(self.pid);
  return self;
}

OwnerState JudgeOwner(const IntentOwner& owner) {
  if (owner.host.empty() || owner.pid <= 0 || owner.host != ThisHost()) return OwnerState::kUnknown;
  const std::int64_t started = StartTime(owner.pid);
  if (started == 0 || started != owner.start) return OwnerState::kDead;  // gone, or the pid was reused
  return OwnerState::kAlive;
}

}  // namespace dyncreds::core
