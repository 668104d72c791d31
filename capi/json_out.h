// json_out.h: the JSON the C ABI returns for leases, issued credentials and
// reports. Secrets are written into a SecretString-backed buffer so no
// unwiped copy is left behind.
#ifndef DYNCREDS_CAPI_JSON_OUT_H_
#define DYNCREDS_CAPI_JSON_OUT_H_

#include <string>
#include <vector>

#include "dyncreds/engine.h"
#include "dyncreds/secret.h"

namespace dyncreds::capi {

std::string LeaseJson(const Lease& lease);
std::string LeasesJson(const std::vector<Lease>& leases);
std::string StringsJson(const std::vector<std::string>& items);
SecretString IssuedJson(const IssuedCredential& issued);  // holds the secret
std::string TidyJson(const TidyReport& report);
std::string ForceRevokeJson(const ForceRevokeReport& report);

}  // namespace dyncreds::capi

#endif  // DYNCREDS_CAPI_JSON_OUT_H_
