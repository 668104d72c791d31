// audit_file.h: an append-only JSON-lines audit log, one event per line.
//
//   auto log = AuditFile::Open({"/var/log/dyncreds/audit.log"}).value();   // created 0600
//   EngineOptions options;
//   options.audit = log->Function();
//   ...on SIGHUP, after logrotate has renamed the file: log->Reopen();
//
// Every line is written with one write(2) on a file opened O_APPEND, so
// lines from several processes never interleave. With AuditFsync::kEvery
// (the default) a line is on disk before the operation it records goes on.
//
// Thread safety: Write, Reopen and the function may be called from many
// threads at once.
#ifndef DYNCREDS_AUDIT_FILE_H_
#define DYNCREDS_AUDIT_FILE_H_

#include <memory>
#include <mutex>
#include <string>

#include "dyncreds/events.h"
#include "dyncreds/export.h"
#include "dyncreds/status.h"

namespace dyncreds {

enum class AuditFsync {
  kEvery,  // fdatasync after every line: nothing recorded is lost
  kNever,  // leave it to the kernel: faster, the last lines may be lost in a crash
};

struct AuditFileOptions {
  std::string path;
  AuditFsync fsync = AuditFsync::kEvery;
};

class DYNCREDS_EXPORT AuditFile {
 public:
  // Opens (creating it 0600) the file for appending.
  static Result<std::unique_ptr<AuditFile>> Open(AuditFileOptions options);
  ~AuditFile();
  AuditFile(const AuditFile&) = delete;
  AuditFile& operator=(const AuditFile&) = delete;

  // Appends the event as one line.
  Status Write(const AuditEvent& event);
  // Opens the path again (a new file if it was renamed away), for log
  // rotation. On error the old file stays in use.
  Status Reopen();
  // An AuditFunction that writes here; the AuditFile must outlive its use.
  AuditFunction Function();

 private:
  explicit AuditFile(AuditFileOptions options, int fd);
  AuditFileOptions options_;
  std::mutex mu_;
  int fd_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_AUDIT_FILE_H_
