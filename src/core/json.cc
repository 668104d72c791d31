#include "dyncreds/json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/secret_buffer.h"
#include "util/time_format.h"

namespace dyncreds {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

template <typename AnyWriter>
void Str(AnyWriter& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

template <typename AnyWriter>
void Time(AnyWriter& w, const char* key, TimePoint t) { Str(w, key, timefmt::FormatIso8601(t)); }

void WriteLease(Writer& w, const Lease& l) {
  w.StartObject();
  Str(w, "id", l.id);
  Str(w, "mount", l.mount);
  Str(w, "role", l.role);
  Str(w, "credential_type", CredentialTypeName(l.type));
  Str(w, "user_name", l.user_name);
  Str(w, "access_key_id", l.access_key_id);
  Str(w, "arn", l.arn);
  Time(w, "issued_at", l.issued_at);
  Time(w, "expires_at", l.expires_at);
  Time(w, "max_expires_at", l.max_expires_at);
  w.Key("renewable");
  w.Bool(l.renewable);
  Str(w, "state", l.state == LeaseState::kActive ? "active" : "irrevocable");
  w.Key("revoke_attempts");
  w.Int(l.revoke_attempts);
  Str(w, "last_error", l.last_error);
  w.EndObject();
}

void WriteStrings(Writer& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const std::string& s : items) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}

void WriteFailures(Writer& w, const char* name_key, const std::vector<std::pair<std::string, std::string>>& failures) {
  w.StartArray();
  for (const auto& [name, error] : failures) {
    w.StartObject();
    Str(w, name_key, name);
    Str(w, "error", error);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string LeaseToJson(const Lease& lease) {
  rapidjson::StringBuffer out;
  Writer w(out);
  WriteLease(w, lease);
  return out.GetString();
}

std::string LeasesToJson(const std::vector<Lease>& leases) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartArray();
  for (const Lease& l : leases) WriteLease(w, l);
  w.EndArray();
  return out.GetString();
}

std::string StringsToJson(const std::vector<std::string>& items) {
  rapidjson::StringBuffer out;
  Writer w(out);
  WriteStrings(w, items);
  return out.GetString();
}

SecretString IssuedCredentialToJson(const IssuedCredential& c) {
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  w.StartObject();
  Str(w, "lease_id", c.lease_id);
  w.Key("lease_duration");
  w.Int64(c.lease_duration.count());
  w.Key("renewable");
  w.Bool(c.renewable);
  Str(w, "access_key", c.credentials.access_key_id());
  Str(w, "secret_key", c.credentials.secret_access_key().view());
  if (!c.credentials.session_token().empty()) Str(w, "session_token", c.credentials.session_token().view());
  if (c.credentials.expiration()) Time(w, "expiration", *c.credentials.expiration());
  Str(w, "arn", c.arn);
  Str(w, "user_name", c.user_name);
  w.EndObject();
  return out.Take();
}

std::string TidyReportToJson(const TidyReport& r) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("rolled_back");
  WriteStrings(w, r.rolled_back);
  w.Key("settling");
  WriteStrings(w, r.settling);
  w.Key("orphans");
  WriteStrings(w, r.orphans);
  w.Key("deleted");
  WriteStrings(w, r.deleted);
  w.Key("failed");
  WriteFailures(w, "name", r.failed);
  w.Key("irrevocable");
  w.StartArray();
  for (const Lease& l : r.irrevocable) WriteLease(w, l);
  w.EndArray();
  w.EndObject();
  return out.GetString();
}

std::string ForceRevokeReportToJson(const ForceRevokeReport& r) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("revoked");
  WriteStrings(w, r.revoked);
  w.Key("dropped");
  WriteFailures(w, "lease_id", r.dropped);
  w.EndObject();
  return out.GetString();
}

}  // namespace dyncreds
