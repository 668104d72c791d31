#include "server/token_store.h"

#include <algorithm>
#include <cstdint>

#include "server/sys_records.h"
#include "util/crypto.h"
#include "util/json_read.h"

namespace dyncreds::server {
namespace {

constexpr char kRootMadeKey[] = "server.root_token_made";

std::string HashKey(const std::string& hash) { return "server.token/" + hash; }
std::string AccessorKey(const std::string& accessor) { return "server.accessor/" + accessor; }
std::string HashOf(const SecretString& token) { return crypto::Hex(crypto::Sha256Of(token.view())); }

// n characters of [0-9A-Za-z] from the CSPRNG, without modulo bias.
Result<std::string> RandomBase62(std::size_t n) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  while (out.size() < n) {
    std::uint8_t bytes[32];
    if (!crypto::RandomBytes(bytes, sizeof bytes)) return Status::Internal("the random number generator failed");
    for (std::uint8_t b : bytes) {
      if (b < 248 && out.size() < n) out.push_back(kAlphabet[b % 62]);
    }
  }
  return out;
}

void SetString(rapidjson::Document& doc, const char* key, const std::string& value) {
  doc.AddMember(rapidjson::StringRef(key), rapidjson::Value(value.c_str(), doc.GetAllocator()), doc.GetAllocator());
}

rapidjson::Document ToDocument(const TokenEntry& e) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  SetString(doc, "accessor", e.accessor);
  SetString(doc, "display_name", e.display_name);
  rapidjson::Value policies(rapidjson::kArrayType);
  for (const std::string& p : e.policies) policies.PushBack(rapidjson::Value(p.c_str(), a), a);
  doc.AddMember("policies", policies, a);
  doc.AddMember("created", static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(e.created)), a);
  doc.AddMember("ttl", static_cast<std::int64_t>(e.ttl.count()), a);
  return doc;
}

Result<TokenEntry> FromDocument(const rapidjson::Document& doc) {
  TokenEntry e;
  const auto str = [&](const char* key) {
    const auto m = doc.FindMember(key);
    return m != doc.MemberEnd() && m->value.IsString() ? jsonread::String(m->value) : std::string();
  };
  const auto num = [&](const char* key) {
    const auto m = doc.FindMember(key);
    return m != doc.MemberEnd() && m->value.IsInt64() ? m->value.GetInt64() : std::int64_t{0};
  };
  e.accessor = str("accessor");
  e.display_name = str("display_name");
  const auto policies = doc.FindMember("policies");
  if (policies != doc.MemberEnd() && policies->value.IsArray()) {
    for (const auto& p : policies->value.GetArray()) {
      if (p.IsString()) e.policies.push_back(jsonread::String(p));
    }
  }
  e.created = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(num("created")));
  e.ttl = std::chrono::seconds(num("ttl"));
  if (e.accessor.empty()) return Status::Store("a token record has no accessor");
  return e;
}

}  // namespace

bool TokenEntry::Root() const { return std::find(policies.begin(), policies.end(), "root") != policies.end(); }

Result<SecretString> TokenStore::Create(TokenEntry* entry, const SecretString& id) {
  SecretString token = id;
  if (token.empty()) {
    Result<std::string> random = RandomBase62(24);
    if (!random.ok()) return random.status();
    token = SecretString("hvs." + *random);
    SecureWipe(random->data(), random->size());
  }
  Result<std::string> accessor = RandomBase62(24);
  if (!accessor.ok()) return accessor.status();
  entry->accessor = *accessor;
  entry->created = clock_->Now();
  const std::string hash = HashOf(token);
  rapidjson::Document index(rapidjson::kObjectType);
  SetString(index, "token_hash", hash);
  if (Status s = WriteSysRecord(store_, HashKey(hash), ToDocument(*entry)); !s.ok()) return s;
  if (Status s = WriteSysRecord(store_, AccessorKey(entry->accessor), index); !s.ok()) return s;
  if (entry->Root()) {
    rapidjson::Document made(rapidjson::kObjectType);
    made.AddMember("made", true, made.GetAllocator());
    if (Status s = WriteSysRecord(store_, kRootMadeKey, made); !s.ok()) return s;
  }
  return token;
}

Result<TokenEntry> TokenStore::LookupHash(const std::string& hash) {
  Result<rapidjson::Document> doc = ReadSysRecord(store_, HashKey(hash));
  if (!doc.ok()) return doc.status();
  Result<TokenEntry> entry = FromDocument(*doc);
  if (!entry.ok()) return entry.status();
  if (entry->ttl.count() > 0 && clock_->Now() >= entry->Expires()) {
    (void)RevokeHash(hash, entry->accessor);
    return Status::NotFound("token expired");
  }
  return entry;
}

Result<TokenEntry> TokenStore::Lookup(const SecretString& token) {
  if (token.empty()) return Status::NotFound("no token");
  return LookupHash(HashOf(token));
}

Result<TokenEntry> TokenStore::LookupAccessor(const std::string& accessor) {
  Result<rapidjson::Document> index = ReadSysRecord(store_, AccessorKey(accessor));
  if (!index.ok()) return index.status();
  const auto hash = index->FindMember("token_hash");
  if (hash == index->MemberEnd() || !hash->value.IsString()) return Status::Store("an accessor record has no token hash");
  return LookupHash(jsonread::String(hash->value));
}

Status TokenStore::RevokeHash(const std::string& hash, const std::string& accessor) {
  if (Status s = DeleteSysRecord(store_, HashKey(hash)); !s.ok()) return s;
  return DeleteSysRecord(store_, AccessorKey(accessor));
}

Status TokenStore::Revoke(const SecretString& token) {
  const std::string hash = HashOf(token);
  Result<TokenEntry> entry = LookupHash(hash);
  if (!entry.ok()) return entry.status().Is(ErrorCode::kNotFound) ? Status() : entry.status();
  return RevokeHash(hash, entry->accessor);
}

Status TokenStore::RevokeAccessor(const std::string& accessor) {
  Result<rapidjson::Document> index = ReadSysRecord(store_, AccessorKey(accessor));
  if (!index.ok()) return index.status();
  const auto hash = index->FindMember("token_hash");
  if (hash == index->MemberEnd() || !hash->value.IsString()) return DeleteSysRecord(store_, AccessorKey(accessor));
  return RevokeHash(jsonread::String(hash->value), accessor);
}

Result<bool> TokenStore::RootMade() {
  Result<rapidjson::Document> made = ReadSysRecord(store_, kRootMadeKey);
  if (made.ok()) return true;
  if (made.status().Is(ErrorCode::kNotFound)) return false;
  return made.status();
}

}  // namespace dyncreds::server
