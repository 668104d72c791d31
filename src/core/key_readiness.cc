#include "core/key_readiness.h"

#include <algorithm>

#include "dyncreds/ttl.h"

namespace dyncreds::core {

Status WaitUntilUsable(IamProvider& provider, const AwsCredentials& credentials, Clock& clock,
                       std::chrono::seconds timeout) {
  const auto deadline = clock.Now() + timeout;
  auto delay = std::chrono::milliseconds(250);
  for (;;) {
    Result<Identity> who = provider.WhoAmI(credentials);
    if (who.ok()) return Status();
    const bool propagating = who.status().aws() != nullptr && who.status().aws()->code == "InvalidClientTokenId";
    if (!propagating) return who.status().WithContext("checking the new key");
    if (clock.Now() + delay > deadline) {
      return Status::Timeout("the new access key was not usable within " + FormatTtl(timeout) +
                             " (IAM still answered InvalidClientTokenId)");
    }
    clock.SleepFor(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(4000));
  }
}

}  // namespace dyncreds::core
