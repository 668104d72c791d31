// vault_reply.h: the shapes Vault's HTTP API answers in: the envelope of a
// logical response, 204s, {"errors":[...]} and the HTTP status each of our
// error codes maps to.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_SERVER_VAULT_REPLY_H_
#define DYNCREDS_SRC_SERVER_VAULT_REPLY_H_

#include <rapidjson/writer.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/server.h"
#include "dyncreds/status.h"
#include "util/secret_buffer.h"

namespace dyncreds::server {

// Replies may carry issued secrets, so they are written into wiping buffers.
using JsonWriter = rapidjson::Writer<util::SecretBuffer>;
using WriteJson = std::function<void(JsonWriter&)>;

// A logical response: {"request_id", "lease_id", "renewable",
// "lease_duration", "data", "wrap_info", "warnings", "auth", "mount_type"}.
struct Envelope {
  std::string lease_id;
  bool renewable = false;
  long long lease_duration = 0;
  std::string mount_type;  // "aws" under an AWS mount, "" elsewhere
  WriteJson data;          // empty: null
  WriteJson auth;          // empty: null
  std::vector<std::string> warnings;
  // Extra top-level members (sys/mounts repeats its data there, as Vault does).
  WriteJson top_level;
};

VaultResponse Reply(const Envelope& envelope);
VaultResponse DataReply(WriteJson data, std::string mount_type = "");
// `members` (keys and values, no braces) as data and, as Vault does for
// sys/mounts and sys/policy, at the top level of the envelope too.
VaultResponse DataAndTopLevelReply(WriteJson members, std::string mount_type);
VaultResponse NoContent();
VaultResponse Errors(int status, const std::vector<std::string>& messages);
VaultResponse Error(int status, std::string_view message);
// A JSON body without the envelope (sys/health).
VaultResponse RawJson(int status, WriteJson body);

// 400 bad input, 404 not found, 502 an AWS error or throttling, 503
// unavailable, 500 a store or internal failure.
int HttpStatusFor(const Status& status);
VaultResponse FromStatus(const Status& status);

// Copies a JSON text into `w` as a value (for documents the core already
// renders: leases, roles, reports). A text that is not JSON becomes null.
void WriteRaw(JsonWriter& w, std::string_view json);
void WriteString(JsonWriter& w, std::string_view s);
void WriteStrings(JsonWriter& w, const std::vector<std::string>& items);

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_VAULT_REPLY_H_
