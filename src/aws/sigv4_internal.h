// sigv4_internal.h: SigV4 building blocks exposed for stage-by-stage tests.
#ifndef DYNCREDS_SRC_AWS_SIGV4_INTERNAL_H_
#define DYNCREDS_SRC_AWS_SIGV4_INTERNAL_H_

#include <string>
#include <string_view>

#include "dyncreds/secret.h"
#include "util/crypto.h"

namespace dyncreds::sigv4 {

// kSigning = HMAC chain over "AWS4"+secret, date (yyyymmdd), region, service,
// "aws4_request". The result is a secret too: wipe it after use.
crypto::Digest DeriveSigningKey(const SecretString& secret, std::string_view yyyymmdd,
                                std::string_view region, std::string_view service);

// Appends the canonical URI of a wire path: normalized (remove_dot_segments,
// '//' collapsed) if `normalize`, each segment percent-encoded again if
// `double_encode` (every service but S3).
void AppendCanonicalPath(std::string_view path, bool normalize, bool double_encode,
                         std::string* out);

}  // namespace dyncreds::sigv4

#endif  // DYNCREDS_SRC_AWS_SIGV4_INTERNAL_H_
