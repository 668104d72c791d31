// child_process.h: runs a program as a child process with its stdout
// captured, so a test can kill it at a chosen moment and read what it said.
#ifndef DYNCREDS_TESTS_SUPPORT_CHILD_PROCESS_H_
#define DYNCREDS_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace dyncreds::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with the current environment; throws on failure.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Running();  // false once it has exited (and it is then reaped)
  void Kill(int signal);
  // Waits for the exit; the exit code, or 128 + the signal that ended it.
  int Wait();
  // Everything written to stdout (call after Wait).
  std::string Output();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_CHILD_PROCESS_H_
