// creds NAME: issues credentials and prints them in the chosen format.
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <ctime>

#include "api_client.h"
#include "commands.h"
#include "dyncreds/json.h"
#include "dyncreds/ttl.h"
#include "util/json_read.h"
#include "util/secret_buffer.h"

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

// RFC 3339, `seconds` from now (a lease's end, for credential_process).
std::string SecondsFromNow(long long seconds) {
  const std::time_t at = std::time(nullptr) + seconds;
  std::tm utc{};
  gmtime_r(&at, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The Vault reply of <mount>/creds/NAME as IssuedCredentialToJson's shape.
SecretString FlatCredentials(const rapidjson::Document& reply) {
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  w.StartObject();
  for (const char* key : {"lease_id", "lease_duration", "renewable"}) {
    w.Key(key);
    reply[key].Accept(w);
  }
  for (const auto& m : reply["data"].GetObject()) {
    if (m.value.IsNull() || jsonread::String(m.name) == "security_token") continue;
    w.Key(m.name.GetString(), m.name.GetStringLength());
    m.value.Accept(w);
  }
  w.EndObject();
  return out.Take();
}

void Print(const Context& c, std::string_view json, const std::string& expiration) {
  switch (c.format) {
    case Format::kEnv:
      PrintCredentialsForShell(json);
      break;
    case Format::kCredentialProcess:
      PrintCredentialProcess(json, expiration);
      break;
    default:
      PrintObject(json, c.format);
  }
}

// creds against a server (DYNCREDS_ADDR): <mount>/creds/NAME over the API.
int RemoteCreds(Context& c) {
  if (c.Switch("wait")) return Fail(Status::InvalidArgument("wait", "works on a local store only"));
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  for (const auto& [flag, key] : {std::pair<const char*, const char*>{"ttl", "ttl"}, {"role-arn", "role_arn"},
                                  {"role-session-name", "role_session_name"}, {"mfa-code", "mfa_code"}}) {
    if (!c.Flag(flag).empty()) body.AddMember(rapidjson::StringRef(key), rapidjson::Value(c.Flag(flag).c_str(), a), a);
  }
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> w(text);
  body.Accept(w);
  Result<std::unique_ptr<ApiClient>> api = ConnectApi(c);
  if (!api.ok()) return Fail(api.status());
  const std::string path = c.store.mount + "/creds/" + c.operands[0];
  Result<ApiReply> reply = (*api)->Call("POST", path, "", text.GetString());
  if (!reply.ok()) return Fail(reply.status());
  if (Status s = ReplyStatus(*reply, path); !s.ok()) return Fail(s);
  SecretString buffer;
  Result<rapidjson::Document> doc = jsonread::ParseInPlace(reply->body.view(), "reply", &buffer);
  if (!doc.ok() || !doc->IsObject() || !doc->HasMember("data")) return Fail(Status::Internal("the server's reply has no data"));
  const SecretString json = FlatCredentials(*doc);
  Print(c, json.view(), SecondsFromNow((*doc)["lease_duration"].GetInt64()));
  return kExitOk;
}

}  // namespace

int Creds(Context& c) {
  if (RemoteAddressSet()) return RemoteCreds(c);
  Result<IssueOptions> options = Options(c);
  if (!options.ok()) return Fail(options.status());
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = (*opened)->engine();
  Result<IssuedCredential> issued = engine.Issue(c.operands[0], *options);
  if (!issued.ok()) return Fail(issued.status());
  const SecretString json = IssuedCredentialToJson(*issued);
  Print(c, json.view(), LeaseEnd(engine, issued->lease_id));
  return kExitOk;
}

}  // namespace dyncreds::tool
