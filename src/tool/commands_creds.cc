// creds NAME: issues credentials and prints them in the chosen format.
#include <rapidjson/document.h>

#include "commands.h"
#include "dyncreds/json.h"
#include "dyncreds/ttl.h"
#include "util/json_read.h"

namespace dyncreds::tool {
namespace {

Result<IssueOptions> Options(const Context& c) {
  IssueOptions o;
  if (!c.Flag("ttl").empty()) {
    Result<std::chrono::seconds> ttl = ParseTtl(c.Flag("ttl"), "ttl");
    if (!ttl.ok()) return ttl.status();
    if (ttl->count() <= 0) return Status::InvalidArgument("ttl", "must be positive");
    o.ttl = *ttl;
  }
  o.role_arn = c.Flag("role-arn");
  o.role_session_name = c.Flag("role-session-name");
  o.mfa_code = c.Flag("mfa-code");
  o.wait_until_usable = c.Switch("wait");
  return o;
}

// When the lease ends, for keys that carry no expiration of their own.
std::string LeaseEnd(Engine& engine, const std::string& lease_id) {
  Result<Lease> lease = engine.Lookup(lease_id);
  if (!lease.ok()) return "";
  Result<rapidjson::Document> doc = jsonread::ParseObject(LeaseToJson(*lease), "lease");
  return doc.ok() ? jsonread::String((*doc)["expires_at"]) : "";
}

}  // namespace

int Creds(Context& c) {
  Result<IssueOptions> options = Options(c);
  if (!options.ok()) return Fail(options.status());
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = (*opened)->engine();
  Result<IssuedCredential> issued = engine.Issue(c.operands[0], *options);
  if (!issued.ok()) return Fail(issued.status());
  const SecretString json = IssuedCredentialToJson(*issued);
  switch (c.format) {
    case Format::kEnv:
      PrintCredentialsForShell(json.view());
      break;
    case Format::kCredentialProcess:
      PrintCredentialProcess(json.view(), LeaseEnd(engine, issued->lease_id));
      break;
    default:
      PrintObject(json.view(), c.format);
  }
  return kExitOk;
}

}  // namespace dyncreds::tool
