// aws_iam_provider.h: the IamProvider that speaks AWS's IAM and STS Query
// APIs (SigV4-signed, over an HttpTransport), configured as Vault's
// config/root is.
//
// Thread safety: the provider NewAwsIamProvider returns may be called from
// many threads at once.
#ifndef DYNCREDS_AWS_IAM_PROVIDER_H_
#define DYNCREDS_AWS_IAM_PROVIDER_H_

#include <memory>
#include <string>

#include "dyncreds/credentials.h"
#include "dyncreds/export.h"
#include "dyncreds/metrics.h"
#include "dyncreds/status.h"
#include "dyncreds/sys/clock.h"
#include "dyncreds/sys/http_transport.h"
#include "dyncreds/sys/iam_provider.h"

namespace dyncreds {

// Vault's config/root, for the AWS provider.
struct AwsProviderConfig {
  AwsCredentials credentials;  // the key libdyncreds acts with
  std::string region;          // "": AWS_REGION, AWS_DEFAULT_REGION, then us-east-1
  std::string iam_endpoint;    // "": from the region's partition (or AWS_ENDPOINT_URL_IAM)
  std::string sts_endpoint;    // "": regional STS (or AWS_ENDPOINT_URL_STS)
  std::string sts_region;      // with sts_endpoint: the region to sign STS calls for
  int max_retries = -1;        // retries after the first attempt; -1: the SDKs' default (2)
  HttpTransport* transport = nullptr;  // default: a CurlTransport owned by the provider
  Clock* clock = nullptr;              // default: Clock::System()
  AwsCallObserver on_call;             // told of every AWS call (metrics); may be empty
};

// kInvalidArgument naming the field for a bad region or endpoint.
DYNCREDS_EXPORT Result<std::unique_ptr<IamProvider>> NewAwsIamProvider(AwsProviderConfig config);

}  // namespace dyncreds

#endif  // DYNCREDS_AWS_IAM_PROVIDER_H_
