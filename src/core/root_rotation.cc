#include "core/root_rotation.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/key_readiness.h"
#include "util/json_read.h"

namespace dyncreds::core {
namespace {

constexpr char kRecordKey[] = "config/root-rotation";
constexpr std::chrono::seconds kUsableTimeout{60};

std::int64_t Nanos(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<std::string> RootRotation::Rotate() {
  std::lock_guard<std::mutex> rotating(mu_);
  Status earlier = Resume(TimePoint::max());
  if (!earlier.ok()) return earlier.WithContext("finishing an interrupted rotate-root first");
  Result<std::shared_ptr<IamProvider>> provider = host_.provider();
  if (!provider.ok()) return provider.status();
  const std::string old_key = host_.stored_access_key();
  if (old_key.empty()) {
    return Status::InvalidArgument("access_key", "rotate-root needs config/root to hold access_key and secret_key "
                                                 "(a key from the environment is not the engine's to rotate)");
  }
  const TimePoint started = host_.clock->Now();
  Status s = Record(old_key, "", started);
  if (!s.ok()) return s;
  Result<IssuedUserKey> created = (*provider)->CreateOwnAccessKey();
  if (!created.ok()) {
    host_.store->DeleteConfig(host_.mount, kRecordKey);
    return created.status();
  }
  const AwsCredentials& fresh = created->credentials;
  const std::string new_key = fresh.access_key_id();
  s = Record(old_key, new_key, started);
  if (s.ok()) s = WaitUntilUsable(**provider, fresh, *host_.clock, kUsableTimeout);
  if (s.ok()) s = host_.store_key(fresh);
  if (!s.ok()) return Undo(**provider, new_key, s);
  s = Finish(old_key);
  if (!s.ok()) {
    return s.WithContext("the new key " + new_key + " is stored and in use; deleting the old key " + old_key +
                         " will be retried");
  }
  return new_key;
}

Status RootRotation::Recover(TimePoint started_before) {
  std::unique_lock<std::mutex> rotating(mu_, std::try_to_lock);
  return rotating.owns_lock() ? Resume(started_before) : Status();
}

Status RootRotation::Resume(TimePoint started_before) {
  Result<ConfigEntry> entry = host_.store->GetConfig(host_.mount, kRecordKey);
  if (entry.status().Is(ErrorCode::kNotFound)) return Status();
  if (!entry.ok()) return entry.status();
  Result<rapidjson::Document> doc = jsonread::ParseObject(entry->json, kRecordKey);
  auto member = [&doc](const char* name) -> const rapidjson::Value* {
    if (!doc.ok()) return nullptr;
    auto it = doc->FindMember(name);
    return it == doc->MemberEnd() ? nullptr : &it->value;
  };
  const rapidjson::Value* old_v = member("old_access_key");
  const rapidjson::Value* new_v = member("new_access_key");
  const rapidjson::Value* started_v = member("started_at_ns");
  if (!old_v || !old_v->IsString() || !new_v || !new_v->IsString() || !started_v || !started_v->IsInt64()) {
    return Status::Store("stored " + std::string(kRecordKey) + " is not readable: " + entry->json);
  }
  const std::string old_key = old_v->GetString();
  const std::string new_key = new_v->GetString();
  const TimePoint started{std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(started_v->GetInt64()))};
  if (started >= started_before) return Status();
  Result<std::shared_ptr<IamProvider>> provider = host_.provider();
  if (!provider.ok()) return provider.status();
  const std::string stored_key = host_.stored_access_key();
  if (!new_key.empty() && stored_key == new_key) return Finish(old_key);
  if (!new_key.empty()) return Undo(**provider, new_key, Status());
  // The process died before it learned the new key's id. A key of the root
  // user made after the rotation began, other than the stored one, can only
  // be that key (the margin allows for clock skew with AWS).
  Result<std::vector<AccessKeyInfo>> keys = (*provider)->ListOwnAccessKeys();
  if (!keys.ok()) return keys.status().WithContext("finding the key an interrupted rotate-root made");
  for (const AccessKeyInfo& key : *keys) {
    if (key.access_key_id == stored_key || !key.created || *key.created < started - std::chrono::minutes(5)) continue;
    Status s = (*provider)->DeleteOwnAccessKey(key.access_key_id);
    if (!s.ok()) return s;
  }
  return host_.store->DeleteConfig(host_.mount, kRecordKey);
}

Status RootRotation::Record(const std::string& old_key, const std::string& new_key, TimePoint started) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("old_access_key");
  w.String(old_key.c_str());
  w.Key("new_access_key");
  w.String(new_key.c_str());
  w.Key("started_at_ns");
  w.Int64(Nanos(started));
  w.EndObject();
  return host_.store->PutConfig(host_.mount, kRecordKey, ConfigEntry{out.GetString(), SecretString()});
}

// The new key never became config/root's: delete it (acting with the old key).
Status RootRotation::Undo(IamProvider& provider, const std::string& new_key, const Status& why) {
  Status s = provider.DeleteOwnAccessKey(new_key);
  if (s.ok()) s = host_.store->DeleteConfig(host_.mount, kRecordKey);
  if (why.ok()) return s;
  return why.WithContext(s.ok() ? "the new key " + new_key + " was deleted; the old key stays in use"
                                : "deleting the new key " + new_key + " failed too and will be retried: " + s.ToString());
}

// config/root holds the new key: delete the old one (acting with the new key).
Status RootRotation::Finish(const std::string& old_key) {
  Result<std::shared_ptr<IamProvider>> provider = host_.provider();
  if (!provider.ok()) return provider.status();
  Status s = (*provider)->DeleteOwnAccessKey(old_key);
  if (!s.ok()) return s;
  return host_.store->DeleteConfig(host_.mount, kRecordKey);
}

}  // namespace dyncreds::core
