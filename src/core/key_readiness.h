// key_readiness.h: waiting for a new access key to work. IAM is eventually
// consistent: a key CreateAccessKey just returned may be refused for a few
// seconds (InvalidClientTokenId) before it works everywhere.
#ifndef DYNCREDS_SRC_CORE_KEY_READINESS_H_
#define DYNCREDS_SRC_CORE_KEY_READINESS_H_

#include <chrono>

#include "dyncreds/sys/clock.h"
#include "dyncreds/credentials.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/status.h"

namespace dyncreds::core {

// Polls sts:GetCallerIdentity with the key, backing off from 250 ms to 4 s,
// until it works (OK), fails otherwise (that error), or `timeout` passes
// (kTimeout).
Status WaitUntilUsable(IamProvider& provider, const AwsCredentials& credentials, Clock& clock,
                       std::chrono::seconds timeout);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_KEY_READINESS_H_
