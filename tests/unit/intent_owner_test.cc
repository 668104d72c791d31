// Who owns an intent, and when that owner is provably dead.
#include "core/intent_owner.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace dyncreds;
using dyncreds::core::JudgeOwner;
using dyncreds::core::OwnerState;

TEST_CASE("this process is alive; an exited one on this host is dead; a reused pid is dead; another host is unknown") {
  const IntentOwner self = core::CurrentProcess();
  REQUIRE_FALSE(self.host.empty());
  CHECK(self.pid == ::getpid());
  CHECK(self.start > 0);
  CHECK(JudgeOwner(self) == OwnerState::kAlive);

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  IntentOwner gone = self;
  gone.pid = child;
  CHECK(JudgeOwner(gone) == OwnerState::kDead);

  IntentOwner reused = self;  // this pid, but a process that started at another time
  reused.start = self.start + 1;
  CHECK(JudgeOwner(reused) == OwnerState::kDead);

  IntentOwner elsewhere = gone;
  elsewhere.host = "another-machine/another-boot/pid:[1]";
  CHECK(JudgeOwner(elsewhere) == OwnerState::kUnknown);
  CHECK(JudgeOwner(IntentOwner{}) == OwnerState::kUnknown);  // recorded before owners were
}
