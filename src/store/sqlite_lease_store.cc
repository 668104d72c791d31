// SqliteLeaseStore: LeaseStore over one SQLite file (see
// dyncreds/sqlite_lease_store.h). Writes go through one connection with
// group commit; reads use a small pool of connections, which WAL lets run
// beside the writer.
#include "dyncreds/sqlite_lease_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "dyncreds/store_key.h"
#include "store/sqlite_db.h"
#include "store/sqlite_group_commit.h"
#include "store/sqlite_schema.h"
#include "util/aead.h"

namespace dyncreds {
namespace {

using store::SqliteDb;
using store::Statement;

constexpr char kKeyCheckPlaintext[] = "dyncreds store key check";
constexpr char kKeyCheckAad[] = "meta/key_check";
constexpr std::size_t kMaxIdleReaders = 8;

std::int64_t ToNanos(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint FromNanos(std::int64_t n) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(n)));
}

// The smallest string greater than every string starting with `prefix`
// (ids are UTF-8, which never contains the byte 0xff).
std::string PrefixEnd(std::string_view prefix) {
  if (prefix.empty()) return "\xff";
  std::string end(prefix);
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

#define DYNCREDS_LEASE_COLUMNS                                                                              \
  "id, mount, role, type, user_name, access_key_id, arn, issued_at, expires_at, max_expires_at, renewable, " \
  "state, due_at, revoke_attempts, last_error"

// An upsert, so a lease keeps its row (and its place) when it changes.
constexpr char kPutLease[] =
    "INSERT INTO leases (" DYNCREDS_LEASE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (id) DO UPDATE SET "
    "mount = excluded.mount, role = excluded.role, type = excluded.type, user_name = excluded.user_name, "
    "access_key_id = excluded.access_key_id, arn = excluded.arn, issued_at = excluded.issued_at, "
    "expires_at = excluded.expires_at, max_expires_at = excluded.max_expires_at, renewable = excluded.renewable, "
    "state = excluded.state, due_at = excluded.due_at, revoke_attempts = excluded.revoke_attempts, "
    "last_error = excluded.last_error";
constexpr char kGetLease[] = "SELECT " DYNCREDS_LEASE_COLUMNS " FROM leases WHERE id = ?1";
constexpr char kDeleteLease[] = "DELETE FROM leases WHERE id = ?1";
constexpr char kListFrom[] = "SELECT " DYNCREDS_LEASE_COLUMNS
                             " FROM leases WHERE mount = ?4 AND id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3";
constexpr char kListAfter[] = "SELECT " DYNCREDS_LEASE_COLUMNS
                              " FROM leases WHERE mount = ?4 AND id > ?1 AND id < ?2 ORDER BY id LIMIT ?3";
constexpr char kIrrevocable[] = "SELECT " DYNCREDS_LEASE_COLUMNS
                                " FROM leases WHERE state = 1 AND mount = ?3 AND id >= ?1 AND id < ?2 ORDER BY id";
constexpr char kDue[] = "SELECT " DYNCREDS_LEASE_COLUMNS
                        " FROM leases WHERE mount = ?3 AND due_at <= ?1 ORDER BY due_at LIMIT ?2";
constexpr char kCount[] = "SELECT count(*) FROM leases WHERE id >= ?1 AND id < ?2";
constexpr char kHoldsUserName[] =
    "SELECT EXISTS (SELECT 1 FROM leases WHERE mount = ?1 AND user_name = ?2) OR "
    "EXISTS (SELECT 1 FROM intents WHERE mount = ?1 AND user_name = ?2)";
constexpr char kListMounts[] = "SELECT mount FROM config WHERE key = 'config/root' ORDER BY mount";
#undef DYNCREDS_LEASE_COLUMNS

constexpr char kPutRole[] = "INSERT OR REPLACE INTO roles (mount, name, json) VALUES (?1, ?2, ?3)";
constexpr char kGetRole[] = "SELECT json FROM roles WHERE mount = ?1 AND name = ?2";
constexpr char kDeleteRole[] = "DELETE FROM roles WHERE mount = ?1 AND name = ?2";
constexpr char kListRoles[] = "SELECT name FROM roles WHERE mount = ?1 ORDER BY name";

#define DYNCREDS_INTENT_COLUMNS "lease_id, mount, role, type, user_name, created_at, owner_host, owner_pid, owner_start, user_absent_at"
constexpr char kPutIntent[] = "INSERT OR REPLACE INTO intents (" DYNCREDS_INTENT_COLUMNS
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr char kGetIntent[] = "SELECT " DYNCREDS_INTENT_COLUMNS " FROM intents WHERE lease_id = ?1";
constexpr char kDeleteIntent[] = "DELETE FROM intents WHERE lease_id = ?1";
constexpr char kListIntents[] =
    "SELECT " DYNCREDS_INTENT_COLUMNS " FROM intents WHERE mount = ?1 AND created_at < ?2 ORDER BY created_at";
#undef DYNCREDS_INTENT_COLUMNS

constexpr char kPutConfig[] = "INSERT OR REPLACE INTO config (mount, key, json, sealed_secret) VALUES (?1, ?2, ?3, ?4)";
constexpr char kGetConfig[] = "SELECT json, sealed_secret FROM config WHERE mount = ?1 AND key = ?2";
constexpr char kDeleteConfig[] = "DELETE FROM config WHERE mount = ?1 AND key = ?2";

constexpr char kGetMeta[] = "SELECT value FROM meta WHERE key = ?1";
constexpr char kPutMetaOnce[] = "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)";

void BindLease(Statement& s, const Lease& l) {
  s.Bind(1, l.id).Bind(2, l.mount).Bind(3, l.role).Bind(4, static_cast<std::int64_t>(l.type));
  s.Bind(5, l.user_name).Bind(6, l.access_key_id).Bind(7, l.arn);
  s.Bind(8, ToNanos(l.issued_at)).Bind(9, ToNanos(l.expires_at)).Bind(10, ToNanos(l.max_expires_at));
  s.Bind(11, std::int64_t{l.renewable}).Bind(12, static_cast<std::int64_t>(l.state)).Bind(13, ToNanos(l.due_at));
  s.Bind(14, std::int64_t{l.revoke_attempts}).Bind(15, l.last_error);
}

Lease ReadLease(const Statement& s) {
  Lease l;
  l.id = s.Text(0);
  l.mount = s.Text(1);
  l.role = s.Text(2);
  l.type = static_cast<CredentialType>(s.Int(3));
  l.user_name = s.Text(4);
  l.access_key_id = s.Text(5);
  l.arn = s.Text(6);
  l.issued_at = FromNanos(s.Int(7));
  l.expires_at = FromNanos(s.Int(8));
  l.max_expires_at = FromNanos(s.Int(9));
  l.renewable = s.Int(10) != 0;
  l.state = static_cast<LeaseState>(s.Int(11));
  l.due_at = FromNanos(s.Int(12));
  l.revoke_attempts = static_cast<int>(s.Int(13));
  l.last_error = s.Text(14);
  return l;
}

Intent ReadIntent(const Statement& s) {
  Intent i;
  i.lease_id = s.Text(0);
  i.mount = s.Text(1);
  i.role = s.Text(2);
  i.type = static_cast<CredentialType>(s.Int(3));
  i.user_name = s.Text(4);
  i.created_at = FromNanos(s.Int(5));
  i.owner.host = s.Text(6);
  i.owner.pid = s.Int(7);
  i.owner.start = s.Int(8);
  if (s.Int(9) != 0) i.user_absent_at = FromNanos(s.Int(9));
  return i;
}

// Runs a prepared query and collects one value per row with `read`.
template <typename T, typename Bind, typename Read>
Result<std::vector<T>> Query(SqliteDb& db, const char* sql, Bind bind, Read read) {
  Result<Statement> s = db.Prepare(sql);
  if (!s.ok()) return s.status();
  bind(*s);
  std::vector<T> out;
  Status status;
  while (s->Step(&status)) out.push_back(read(*s));
  if (!status.ok()) return status;
  return out;
}

// The one row of a query, or kNotFound with `missing`.
template <typename T, typename Bind, typename Read>
Result<T> QueryOne(SqliteDb& db, const char* sql, Bind bind, Read read, const std::string& missing) {
  Result<std::vector<T>> rows = Query<T>(db, sql, bind, read);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(missing);
  return std::move(rows->front());
}

// Runs a prepared statement without rows; kNotFound with `missing` if it
// changed nothing and `missing` is given.
template <typename Bind>
Status Change(SqliteDb& db, const char* sql, Bind bind, const char* missing_what = nullptr,
              std::string_view missing_key = {}) {
  Result<Statement> s = db.Prepare(sql);
  if (!s.ok()) return s.status();
  bind(*s);
  Status ran = s->Run();
  if (!ran.ok()) return ran;
  if (missing_what != nullptr && sqlite3_changes(db.handle()) == 0) {
    return Status::NotFound(std::string(missing_what) + " " + std::string(missing_key));
  }
  return Status();
}

std::string NoKeyAdvice() {
  return "supply the store's encryption key through SqliteStoreOptions::encryption_key, DYNCREDS_STORE_KEY_FILE "
         "(a file holding 32 raw bytes or their base64) or DYNCREDS_STORE_KEY (base64); make one with: "
         "head -c 32 /dev/urandom | base64";
}

class SqliteLeaseStore final : public LeaseStore {
 public:
  SqliteLeaseStore(SqliteStoreOptions options, std::unique_ptr<SqliteDb> writer)
      : options_(std::move(options)), commits_(std::move(writer)) {}

  // Checks the key against the one that sealed this store's secrets, if any.
  Status CheckKey() {
    if (options_.encryption_key.empty()) return Status();
    Result<std::string> check = Read([](SqliteDb& db) {
      return QueryOne<std::string>(
          db, kGetMeta, [](Statement& s) { s.Bind(1, "key_check"); },
          [](const Statement& s) { return std::string(s.Blob(0)); }, "no key check");
    });
    if (check.status().Is(ErrorCode::kNotFound)) return Status();  // nothing sealed yet
    if (!check.ok()) return check.status();
    Result<SecretString> opened = crypto::Open(options_.encryption_key, *check, kKeyCheckAad);
    if (!opened.ok()) {
      return Status::EncryptionKey("the encryption key does not match the one that sealed the secrets of lease store " +
                                   options_.path + "; nothing was changed");
    }
    return Status();
  }

  Status PutLease(const Lease& lease) override {
    return Write([&](SqliteDb& db) { return Change(db, kPutLease, [&](Statement& s) { BindLease(s, lease); }); });
  }

  Result<Lease> GetLease(std::string_view id) override {
    return Read([&](SqliteDb& db) {
      return QueryOne<Lease>(db, kGetLease, [&](Statement& s) { s.Bind(1, id); }, ReadLease,
                             "no lease " + std::string(id));
    });
  }

  Status DeleteLease(std::string_view id) override {
    return Write([&](SqliteDb& db) { return Change(db, kDeleteLease, [&](Statement& s) { s.Bind(1, id); }, "no lease", id); });
  }

  Result<std::vector<Lease>> ListLeases(std::string_view mount, std::string_view prefix, std::string_view after,
                                        std::size_t limit) override {
    const bool resume = after >= prefix && !after.empty();
    const std::string end = PrefixEnd(prefix);
    const std::int64_t rows = limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit);
    return Read([&](SqliteDb& db) {
      return Query<Lease>(
          db, resume ? kListAfter : kListFrom,
          [&](Statement& s) { s.Bind(1, resume ? after : prefix).Bind(2, end).Bind(3, rows).Bind(4, mount); },
          ReadLease);
    });
  }

  Result<std::vector<Lease>> IrrevocableLeases(std::string_view mount, std::string_view prefix) override {
    const std::string end = PrefixEnd(prefix);
    return Read([&](SqliteDb& db) {
      return Query<Lease>(db, kIrrevocable, [&](Statement& s) { s.Bind(1, prefix).Bind(2, end).Bind(3, mount); },
                          ReadLease);
    });
  }

  Result<std::vector<Lease>> DueLeases(std::string_view mount, TimePoint now, std::size_t limit) override {
    return Read([&](SqliteDb& db) {
      return Query<Lease>(
          db, kDue,
          [&](Statement& s) { s.Bind(1, ToNanos(now)).Bind(2, static_cast<std::int64_t>(limit)).Bind(3, mount); },
          ReadLease);
    });
  }

  Result<bool> HoldsUserName(std::string_view mount, std::string_view user_name) override {
    Result<std::int64_t> held = Read([&](SqliteDb& db) {
      return QueryOne<std::int64_t>(
          db, kHoldsUserName, [&](Statement& s) { s.Bind(1, mount).Bind(2, user_name); },
          [](const Statement& s) { return s.Int(0); }, "no answer");
    });
    if (!held.ok()) return held.status();
    return *held != 0;
  }

  Result<std::vector<std::string>> ListMounts() override {
    return Read([&](SqliteDb& db) {
      return Query<std::string>(
          db, kListMounts, [](Statement&) {}, [](const Statement& s) { return s.Text(0); });
    });
  }

  Result<std::size_t> CountLeases(std::string_view mount, std::string_view role) override {
    const std::string prefix = std::string(mount) + "/creds/" + std::string(role) + "/";
    const std::string end = PrefixEnd(prefix);
    return Read([&](SqliteDb& db) {
      return QueryOne<std::size_t>(
          db, kCount, [&](Statement& s) { s.Bind(1, prefix).Bind(2, end); },
          [](const Statement& s) { return static_cast<std::size_t>(s.Int(0)); }, "no count");
    });
  }

  Status PutRole(std::string_view mount, const Role& role) override {
    const std::string json = RoleToJson(role);
    return Write([&](SqliteDb& db) {
      return Change(db, kPutRole, [&](Statement& s) { s.Bind(1, mount).Bind(2, role.name).Bind(3, json); });
    });
  }

  Result<Role> GetRole(std::string_view mount, std::string_view name) override {
    Result<std::string> json = Read([&](SqliteDb& db) {
      return QueryOne<std::string>(
          db, kGetRole, [&](Statement& s) { s.Bind(1, mount).Bind(2, name); },
          [](const Statement& s) { return s.Text(0); }, "no role \"" + std::string(name) + "\"");
    });
    if (!json.ok()) return json.status();
    Result<Role> role = ApplyRoleJson(name, *json, nullptr);
    if (!role.ok()) return role.status().WithContext("stored role " + std::string(name) + " in " + options_.path);
    return role;
  }

  Status DeleteRole(std::string_view mount, std::string_view name) override {
    const std::string quoted = "\"" + std::string(name) + "\"";
    return Write([&](SqliteDb& db) {
      return Change(db, kDeleteRole, [&](Statement& s) { s.Bind(1, mount).Bind(2, name); }, "no role", quoted);
    });
  }

  Result<std::vector<std::string>> ListRoles(std::string_view mount) override {
    return Read([&](SqliteDb& db) {
      return Query<std::string>(db, kListRoles, [&](Statement& s) { s.Bind(1, mount); },
                                [](const Statement& s) { return s.Text(0); });
    });
  }

  Status PutIntent(const Intent& i) override {
    return Write([&](SqliteDb& db) {
      return Change(db, kPutIntent, [&](Statement& s) {
        s.Bind(1, i.lease_id).Bind(2, i.mount).Bind(3, i.role).Bind(4, static_cast<std::int64_t>(i.type));
        s.Bind(5, i.user_name).Bind(6, ToNanos(i.created_at));
        s.Bind(7, i.owner.host).Bind(8, i.owner.pid).Bind(9, i.owner.start);
        s.Bind(10, i.user_absent_at ? ToNanos(*i.user_absent_at) : std::int64_t{0});
      });
    });
  }

  Result<Intent> GetIntent(std::string_view lease_id) override {
    return Read([&](SqliteDb& db) {
      return QueryOne<Intent>(db, kGetIntent, [&](Statement& s) { s.Bind(1, lease_id); }, ReadIntent,
                              "no intent for " + std::string(lease_id));
    });
  }

  Status DeleteIntent(std::string_view lease_id) override {
    return Write([&](SqliteDb& db) {
      return Change(db, kDeleteIntent, [&](Statement& s) { s.Bind(1, lease_id); }, "no intent for", lease_id);
    });
  }

  Status PromoteIntent(const Lease& lease) override {
    return Write([&](SqliteDb& db) {
      Status removed = Change(db, kDeleteIntent, [&](Statement& s) { s.Bind(1, lease.id); }, "no intent for", lease.id);
      if (removed.Is(ErrorCode::kNotFound)) {
        return Status::Conflict("the intent of lease " + lease.id + " is gone: it was rolled back");
      }
      if (!removed.ok()) return removed;
      return Change(db, kPutLease, [&](Statement& s) { BindLease(s, lease); });
    });
  }

  Result<std::vector<Intent>> ListIntents(std::string_view mount, TimePoint created_before) override {
    return Read([&](SqliteDb& db) {
      return Query<Intent>(
          db, kListIntents, [&](Statement& s) { s.Bind(1, mount).Bind(2, ToNanos(created_before)); }, ReadIntent);
    });
  }

  Status PutConfig(std::string_view mount, std::string_view key, const ConfigEntry& entry) override {
    std::string sealed;
    std::string key_check;
    if (!entry.secret.empty()) {
      if (options_.encryption_key.empty()) {
        return Status::EncryptionKey("lease store " + options_.path + " has no encryption key, so it cannot keep the secret of " +
                                     std::string(key) + "; " + NoKeyAdvice());
      }
      Result<std::string> s = crypto::Seal(options_.encryption_key, entry.secret.view(), SecretAad(mount, key));
      Result<std::string> c = crypto::Seal(options_.encryption_key, kKeyCheckPlaintext, kKeyCheckAad);
      if (!s.ok()) return s.status();
      if (!c.ok()) return c.status();
      sealed = std::move(*s);
      key_check = std::move(*c);
    }
    return Write([&](SqliteDb& db) {
      if (!key_check.empty()) {  // the first sealed secret records which key sealed it
        Status s = Change(db, kPutMetaOnce, [&](Statement& st) { st.Bind(1, "key_check").BindBlob(2, key_check); });
        if (!s.ok()) return s;
      }
      return Change(db, kPutConfig, [&](Statement& s) {
        s.Bind(1, mount).Bind(2, key).Bind(3, entry.json).BindBlob(4, sealed);
      });
    });
  }

  Result<ConfigEntry> GetConfig(std::string_view mount, std::string_view key) override {
    using Row = std::pair<std::string, std::string>;  // json, sealed secret
    Result<Row> row = Read([&](SqliteDb& db) {
      return QueryOne<Row>(
          db, kGetConfig, [&](Statement& s) { s.Bind(1, mount).Bind(2, key); },
          [](const Statement& s) { return Row(s.Text(0), std::string(s.Blob(1))); }, "no " + std::string(key));
    });
    if (!row.ok()) return row.status();
    ConfigEntry entry;
    entry.json = std::move(row->first);
    if (row->second.empty()) return entry;
    if (options_.encryption_key.empty()) {
      return Status::EncryptionKey(std::string(key) + " of mount " + std::string(mount) + " in lease store " + options_.path +
                                   " holds a sealed secret, and the store was opened without its encryption key; " +
                                   NoKeyAdvice());
    }
    Result<SecretString> secret = crypto::Open(options_.encryption_key, row->second, SecretAad(mount, key));
    if (!secret.ok()) return secret.status();
    entry.secret = std::move(*secret);
    return entry;
  }

  Status DeleteConfig(std::string_view mount, std::string_view key) override {
    return Write([&](SqliteDb& db) { return Change(db, kDeleteConfig, [&](Statement& s) { s.Bind(1, mount).Bind(2, key); }); });
  }

 private:
  // The additional data a secret is sealed with: which row it belongs to.
  static std::string SecretAad(std::string_view mount, std::string_view key) {
    return "config/" + std::string(mount) + "/" + std::string(key);
  }

  Status Write(const store::SqliteGroupCommit::Write& write) { return commits_.Run(write); }

  // Runs `read` on a pooled reader connection.
  template <typename Fn>
  auto Read(Fn read) -> decltype(read(std::declval<SqliteDb&>())) {
    std::unique_ptr<SqliteDb> db;
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (!idle_readers_.empty()) {
        db = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!db) {
      Result<std::unique_ptr<SqliteDb>> opened = OpenReader();
      if (!opened.ok()) return opened.status();
      db = std::move(*opened);
    }
    auto result = read(*db);
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(db));
    return result;
  }

  Result<std::unique_ptr<SqliteDb>> OpenReader() {
    Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(options_.path, false, options_.vfs, options_.busy_timeout);
    if (!db.ok()) return db.status();
    Status s = (*db)->Exec("PRAGMA query_only = 1");
    if (!s.ok()) return s;
    return db;
  }

  SqliteStoreOptions options_;
  store::SqliteGroupCommit commits_;  // owns the one writing connection
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteDb>> idle_readers_;
};

// Creates the file 0600 before SQLite does (SQLite would use 0644 less the
// umask); its -wal and -shm files copy the database file's mode.
Status CreatePrivately(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return Status();
  }
  if (errno == EEXIST) return Status();
  return Status::Store("cannot create lease store " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<LeaseStore>> OpenSqliteLeaseStore(SqliteStoreOptions options) {
  if (options.path.empty()) return Status::InvalidArgument("path", "the lease store needs a file path");
  if (options.encryption_key.empty() && options.key_from_environment) {
    Result<SecretString> key = StoreKeyFromEnvironment();
    if (!key.ok()) return key.status();
    options.encryption_key = std::move(*key);
  }
  if (!options.encryption_key.empty() && options.encryption_key.size() != kStoreKeySize) {
    return Status::EncryptionKey("encryption_key must be 32 bytes (it is " + std::to_string(options.encryption_key.size()) + ")");
  }
  Status created = CreatePrivately(options.path);
  if (!created.ok()) return created;
  Result<std::unique_ptr<SqliteDb>> writer = SqliteDb::Open(options.path, false, options.vfs, options.busy_timeout);
  if (!writer.ok()) return writer.status();
  SqliteDb& db = **writer;
  Status s = store::CheckSchema(db);  // before WAL mode rewrites the header
  if (s.ok()) s = db.Exec("PRAGMA journal_mode = WAL");
  if (s.ok()) s = db.Exec("PRAGMA synchronous = FULL");
  if (s.ok()) s = store::MigrateSchema(db);
  if (!s.ok()) return s;
  auto store = std::make_unique<SqliteLeaseStore>(std::move(options), std::move(*writer));
  s = store->CheckKey();
  if (!s.ok()) return s;
  return std::unique_ptr<LeaseStore>(std::move(store));
}

}  // namespace dyncreds
