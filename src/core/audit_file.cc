#include "dyncreds/audit_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dyncreds {
namespace {

Result<int> OpenForAppend(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Make(ErrorCode::kUnavailable, "cannot open audit log " + path + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<AuditFile>> AuditFile::Open(AuditFileOptions options) {
  if (options.path.empty()) return Status::InvalidArgument("audit_file", "must name a file");
  Result<int> fd = OpenForAppend(options.path);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<AuditFile>(new AuditFile(std::move(options), *fd));
}

AuditFile::AuditFile(AuditFileOptions options, int fd) : options_(std::move(options)), fd_(fd) {}

AuditFile::~AuditFile() { ::close(fd_); }

Status AuditFile::Write(const AuditEvent& event) {
  const std::string line = event.ToJson() + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  // One write(2): with O_APPEND the line lands whole at the end.
  const ssize_t written = ::write(fd_, line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size())) {
    return Status::Make(ErrorCode::kUnavailable, "writing audit log " + options_.path + ": " +
                                                     (written < 0 ? std::strerror(errno) : "short write"));
  }
  if (options_.fsync == AuditFsync::kEvery && ::fdatasync(fd_) != 0) {
    return Status::Make(ErrorCode::kUnavailable, "syncing audit log " + options_.path + ": " + std::strerror(errno));
  }
  return Status();
}

Status AuditFile::Reopen() {
  Result<int> fd = OpenForAppend(options_.path);
  if (!fd.ok()) return fd.status();
  std::lock_guard<std::mutex> lock(mu_);
  ::close(fd_);
  fd_ = *fd;
  return Status();
}

AuditFunction AuditFile::Function() {
  return [this](const AuditEvent& event) { return Write(event); };
}

}  // namespace dyncreds
