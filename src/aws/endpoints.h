// endpoints.h: where IAM and STS live for a region, and how to sign for them.
//
// Partitions (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e,
// aws-iso-f, aws-eusc) follow botocore's endpoints.json. IAM is a global
// service with one endpoint per partition; STS is resolved to the regional
// endpoint (the SDKs' default) unless the legacy global endpoint is asked for.
#ifndef DYNCREDS_SRC_AWS_ENDPOINTS_H_
#define DYNCREDS_SRC_AWS_ENDPOINTS_H_

#include <string>
#include <string_view>

#include "dyncreds/status.h"

namespace dyncreds::aws {

struct ServiceEndpoint {
  std::string url;             // "https://iam.amazonaws.com"
  std::string signing_region;  // "us-east-1"
  std::string partition;       // "aws"
};

struct EndpointConfig {
  std::string region;         // required unless an endpoint URL is given
  std::string endpoint_url;   // explicit override (config's iam_endpoint/sts_endpoint)
  std::string signing_region; // with endpoint_url; default: region, else us-east-1
  bool sts_global = false;    // STS: legacy global endpoint for the legacy regions
  bool use_environment = true;// honour AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL
};

// The partition a region belongs to ("aws" when nothing else matches, as
// botocore does).
std::string PartitionOf(std::string_view region);

Result<ServiceEndpoint> ResolveIamEndpoint(const EndpointConfig& config);
Result<ServiceEndpoint> ResolveStsEndpoint(const EndpointConfig& config);

}  // namespace dyncreds::aws

#endif  // DYNCREDS_SRC_AWS_ENDPOINTS_H_
