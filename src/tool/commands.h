// commands.h: the tool's commands. Each takes the parsed command line and
// returns the process exit code: 0 success, 1 the operation failed, 2 bad
// usage or input (nothing was changed).
#ifndef DYNCREDS_TOOL_COMMANDS_H_
#define DYNCREDS_TOOL_COMMANDS_H_

#include <signal.h>

#include <string>
#include <vector>

#include "arguments.h"
#include "output.h"
#include "state.h"

namespace dyncreds::tool {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Context {
  std::vector<std::string> operands;  // after the command's own words
  std::map<std::string, std::string> flags;
  StoreOptions store;
  Format format = Format::kTable;

  bool Switch(const char* name) const { return flags.count(name) && flags.at(name) == "true"; }
  std::string Flag(const char* name) const { return flags.count(name) ? flags.at(name) : ""; }
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and the threads
// it starts after), for run and server to take them with sigwait; returns
// that set.
sigset_t BlockServiceSignals();

// Prints "Error: ..." and returns the exit code for `status`.
int Fail(const Status& status);

int ConfigWrite(Context& c);
int ConfigRead(Context& c);
int ConfigRotateRoot(Context& c);
int RoleWrite(Context& c);
int RoleRead(Context& c);
int RoleList(Context& c);
int RoleDelete(Context& c);
int Creds(Context& c);
int LeaseLookup(Context& c);
int LeaseList(Context& c);
int LeaseRenew(Context& c);
int LeaseRevoke(Context& c);
int Tidy(Context& c);
int Run(Context& c);
int AuditHmac(Context& c);
int Metrics(Context& c);
int Server(Context& c);
int Read(Context& c);
int Write(Context& c);
int List(Context& c);
int Delete(Context& c);
int SecretsEnable(Context& c);
int SecretsDisable(Context& c);
int SecretsList(Context& c);
int TokenCreate(Context& c);
int TokenLookup(Context& c);
int TokenRevoke(Context& c);
int PolicyWrite(Context& c);
// lease lookup/renew/revoke against a server (verb: "lookup", "renew", "revoke").
int RemoteLease(Context& c, const std::string& verb);

}  // namespace dyncreds::tool

#endif  // DYNCREDS_TOOL_COMMANDS_H_
