#include "aws/endpoints.h"

#include <cstdlib>
#include <cctype>
#include <initializer_list>

#include "util/uri.h"

namespace dyncreds::aws {
namespace {

struct Partition {
  const char* name;
  // Region names are "<prefix>-<word>-<digits>" with one of these prefixes
  // (the partitions' regionRegex in endpoints.json, which is of that form).
  std::initializer_list<std::string_view> region_prefixes;
  const char* dns_suffix;
  // IAM's one endpoint and its credential scope; nullptr: the generic
  // iam.{region}.{dnsSuffix}, signed for the region itself.
  const char* iam_host;
  const char* iam_signing_region;
};

// From botocore's endpoints.json (partitions and their iam/sts entries).
const Partition kPartitions[] = {
    {"aws", {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"}, "amazonaws.com",
     "iam.amazonaws.com", "us-east-1"},
    {"aws-cn", {"cn"}, "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
    {"aws-us-gov", {"us-gov"}, "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
    {"aws-iso", {"us-iso"}, "c2s.ic.gov", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
    {"aws-iso-b", {"us-isob"}, "sc2s.sgov.gov", "iam.us-isob-east-1.sc2s.sgov.gov",
     "us-isob-east-1"},
    {"aws-iso-e", {"eu-isoe"}, "cloud.adc-e.uk", nullptr, nullptr},
    {"aws-iso-f", {"us-isof"}, "csp.hci.ic.gov", "iam.us-isof-south-1.csp.hci.ic.gov",
     "us-isof-south-1"},
    {"aws-eusc", {"eusc-de"}, "amazonaws.eu", nullptr, nullptr},
};

// Regions that used the global STS endpoint under the legacy setting.
const char* const kLegacyGlobalStsRegions[] = {
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global",
    "ca-central-1",   "eu-central-1", "eu-north-1",   "eu-west-1",      "eu-west-2",
    "eu-west-3",      "sa-east-1",  "us-east-1",      "us-east-2",      "us-west-1",
    "us-west-2"};

// "<prefix>-<word>-<digits>", word as regex \w+.
bool MatchesRegionShape(std::string_view region, std::string_view prefix) {
  if (region.size() <= prefix.size() + 1 || region.compare(0, prefix.size(), prefix) != 0 ||
      region[prefix.size()] != '-') {
    return false;
  }
  std::string_view rest = region.substr(prefix.size() + 1);
  std::size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size()) return false;
  for (char c : rest.substr(0, dash)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  for (char c : rest.substr(dash + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

const Partition& PartitionFor(std::string_view region) {
  for (const Partition& p : kPartitions) {
    for (std::string_view prefix : p.region_prefixes) {
      if (MatchesRegionShape(region, prefix)) return p;
    }
  }
  return kPartitions[0];  // botocore's default, and "aws-global"
}

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// An explicit URL (config, then AWS_ENDPOINT_URL_<SVC>, then AWS_ENDPOINT_URL).
std::string OverrideUrl(const EndpointConfig& config, const char* service_env) {
  if (!config.endpoint_url.empty()) return config.endpoint_url;
  if (!config.use_environment) return {};
  std::string url = EnvOr(service_env);
  if (url.empty()) url = EnvOr("AWS_ENDPOINT_URL");
  return url;
}

Result<ServiceEndpoint> FromOverride(const EndpointConfig& config, std::string url,
                                     const char* field) {
  uri::UrlParts parts;
  if (!uri::SplitUrl(url, &parts) || (parts.scheme != "http" && parts.scheme != "https")) {
    return Status::InvalidArgument(field, "not an http(s) URL: '" + url + "'");
  }
  while (url.size() > parts.scheme.size() + 3 && url.back() == '/') url.pop_back();
  ServiceEndpoint e;
  e.url = std::move(url);
  e.signing_region = !config.signing_region.empty() ? config.signing_region
                     : !config.region.empty()       ? config.region
                                                    : "us-east-1";
  e.partition = PartitionOf(e.signing_region);
  return e;
}

Status MissingRegion(const char* service) {
  return Status::InvalidArgument(
      "region", std::string("no region to resolve the ") + service +
                    " endpoint; set region (or AWS_REGION) or an explicit endpoint URL");
}

}  // namespace

std::string PartitionOf(std::string_view region) { return PartitionFor(region).name; }

Result<ServiceEndpoint> ResolveIamEndpoint(const EndpointConfig& config) {
  std::string url = OverrideUrl(config, "AWS_ENDPOINT_URL_IAM");
  if (!url.empty()) return FromOverride(config, std::move(url), "iam_endpoint");
  if (config.region.empty()) return MissingRegion("IAM");
  const Partition& p = PartitionFor(config.region);
  ServiceEndpoint e;
  e.partition = p.name;
  if (p.iam_host != nullptr) {
    e.url = std::string("https://") + p.iam_host;
    e.signing_region = p.iam_signing_region;
  } else {
    e.url = "https://iam." + config.region + "." + p.dns_suffix;
    e.signing_region = config.region;
  }
  return e;
}

Result<ServiceEndpoint> ResolveStsEndpoint(const EndpointConfig& config) {
  std::string url = OverrideUrl(config, "AWS_ENDPOINT_URL_STS");
  if (!url.empty()) return FromOverride(config, std::move(url), "sts_endpoint");
  if (config.region.empty()) return MissingRegion("STS");
  const Partition& p = PartitionFor(config.region);
  bool global = config.region == "aws-global";
  if (config.sts_global) {
    for (const char* r : kLegacyGlobalStsRegions) global = global || config.region == r;
  }
  ServiceEndpoint e;
  e.partition = p.name;
  if (global) {
    e.url = "https://sts.amazonaws.com";
    e.signing_region = "us-east-1";
  } else {
    e.url = "https://sts." + config.region + "." + p.dns_suffix;
    e.signing_region = config.region;
  }
  return e;
}

}  // namespace dyncreds::aws
