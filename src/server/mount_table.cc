#include "server/mount_table.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "server/sys_records.h"
#include "util/crypto.h"
#include "util/json_read.h"

namespace dyncreds::server {
namespace {

constexpr char kMountsKey[] = "server.mounts";

std::string RandomHex(std::size_t bytes) {
  std::uint8_t b[16] = {};
  crypto::RandomBytes(b, std::min(bytes, sizeof b));
  std::string hex;
  crypto::AppendHex(b, std::min(bytes, sizeof b), &hex);
  return hex;
}

// Is `prefix` a whole-segment prefix of `path` (or equal to it)?
bool SegmentPrefix(std::string_view prefix, std::string_view path) {
  return path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string Str(const rapidjson::Value& obj, const char* key) {
  const auto m = obj.FindMember(key);
  return m != obj.MemberEnd() && m->value.IsString() ? jsonread::String(m->value) : std::string();
}

std::int64_t Int(const rapidjson::Value& obj, const char* key) {
  const auto m = obj.FindMember(key);
  return m != obj.MemberEnd() && m->value.IsInt64() ? m->value.GetInt64() : 0;
}

}  // namespace

std::string NormalizeMountPath(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

Status CheckMountPath(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("path", "must not be empty");
  if (path.size() > 128) return Status::InvalidArgument("path", "must be at most 128 characters");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return Status::InvalidArgument("path", "has an empty, '.' or '..' segment");
    }
    for (char c : segment) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        return Status::InvalidArgument("path", "may hold letters, digits, '-', '_', '.' and '/' only");
      }
    }
    start = end + 1;
  }
  const std::string_view first = path.substr(0, path.find('/'));
  for (const char* reserved : {"sys", "auth", "identity", "cubbyhole"}) {
    if (first == reserved) return Status::InvalidArgument("path", "\"" + std::string(first) + "/\" is reserved");
  }
  return Status();
}

Status MountTable::Load() {
  Result<rapidjson::Document> doc = ReadSysRecord(store_, kMountsKey);
  std::vector<MountEntry> mounts;
  if (!doc.ok() && !doc.status().Is(ErrorCode::kNotFound)) return doc.status();
  if (doc.ok()) {
    const auto list = doc->FindMember("mounts");
    if (list != doc->MemberEnd() && list->value.IsArray()) {
      for (const auto& m : list->value.GetArray()) {
        if (!m.IsObject()) continue;
        MountEntry e;
        e.path = Str(m, "path");
        e.type = Str(m, "type");
        e.description = Str(m, "description");
        e.default_lease_ttl = std::chrono::seconds(Int(m, "default_lease_ttl"));
        e.max_lease_ttl = std::chrono::seconds(Int(m, "max_lease_ttl"));
        e.accessor = Str(m, "accessor");
        e.uuid = Str(m, "uuid");
        if (!e.path.empty()) mounts.push_back(std::move(e));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  mounts_ = std::move(mounts);
  return Status();
}

Status MountTable::Save(const std::vector<MountEntry>& mounts) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const MountEntry& e : mounts) {
    rapidjson::Value m(rapidjson::kObjectType);
    m.AddMember("path", rapidjson::Value(e.path.c_str(), a), a);
    m.AddMember("type", rapidjson::Value(e.type.c_str(), a), a);
    m.AddMember("description", rapidjson::Value(e.description.c_str(), a), a);
    m.AddMember("default_lease_ttl", static_cast<std::int64_t>(e.default_lease_ttl.count()), a);
    m.AddMember("max_lease_ttl", static_cast<std::int64_t>(e.max_lease_ttl.count()), a);
    m.AddMember("accessor", rapidjson::Value(e.accessor.c_str(), a), a);
    m.AddMember("uuid", rapidjson::Value(e.uuid.c_str(), a), a);
    list.PushBack(m, a);
  }
  doc.AddMember("mounts", list, a);
  return WriteSysRecord(store_, kMountsKey, doc);
}

std::vector<MountEntry> MountTable::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MountEntry> out = mounts_;
  std::sort(out.begin(), out.end(), [](const MountEntry& a, const MountEntry& b) { return a.path < b.path; });
  return out;
}

std::optional<MountEntry> MountTable::Find(std::string_view path) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const MountEntry& e : mounts_) {
    if (e.path == path) return e;
  }
  return std::nullopt;
}

bool MountTable::Has(std::string_view path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::any_of(mounts_.begin(), mounts_.end(), [&](const MountEntry& e) { return e.path == path; });
}

std::optional<MountEntry> MountTable::Route(std::string_view request_path, std::string* rest) const {
  std::lock_guard<std::mutex> lock(mu_);
  const MountEntry* best = nullptr;
  for (const MountEntry& e : mounts_) {
    if (SegmentPrefix(e.path, request_path) && (best == nullptr || e.path.size() > best->path.size())) best = &e;
  }
  if (best == nullptr) return std::nullopt;
  const std::string_view after = request_path.substr(best->path.size());
  rest->assign(after.empty() ? after : after.substr(1));
  return *best;
}

Status MountTable::Add(MountEntry entry) {
  if (Status s = CheckMountPath(entry.path); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  for (const MountEntry& e : mounts_) {
    if (SegmentPrefix(e.path, entry.path) || SegmentPrefix(entry.path, e.path)) {
      return Status::InvalidArgument("path", "path is already in use at " + e.path + "/");
    }
  }
  entry.accessor = entry.type + "_" + RandomHex(4);
  entry.uuid = crypto::RandomUuid();
  std::vector<MountEntry> next = mounts_;
  next.push_back(std::move(entry));
  if (Status s = Save(next); !s.ok()) return s;
  mounts_ = std::move(next);
  return Status();
}

Status MountTable::Remove(std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MountEntry> next;
  for (const MountEntry& e : mounts_) {
    if (e.path != path) next.push_back(e);
  }
  if (next.size() == mounts_.size()) return Status::InvalidArgument("path", "no mount at " + std::string(path) + "/");
  if (Status s = Save(next); !s.ok()) return s;
  mounts_ = std::move(next);
  return Status();
}

Status MountTable::Update(const MountEntry& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MountEntry> next = mounts_;
  auto found = std::find_if(next.begin(), next.end(), [&](const MountEntry& e) { return e.path == entry.path; });
  if (found == next.end()) return Status::InvalidArgument("path", "no mount at " + entry.path + "/");
  *found = entry;
  if (Status s = Save(next); !s.ok()) return s;
  mounts_ = std::move(next);
  return Status();
}

}  // namespace dyncreds::server
