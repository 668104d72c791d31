#include "store/sqlite_schema.h"

#include <iterator>
#include <string>

namespace dyncreds::store {
namespace {

// Migration N (1-based) takes a file from version N-1 to N. Never edit a
// released migration: add a new one.
const char* const kMigrations[] = {
    // 1: leases, roles and configuration documents. Times are Unix
    // nanoseconds. Leases are keyed by an integer (rows are appended, and
    // the due-time index finds them cheaply); lease ids end in a
    // time-ordered suffix, so their unique index also grows at its end.
    R"(
    CREATE TABLE leases (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      mount TEXT NOT NULL,
      role TEXT NOT NULL,
      type INTEGER NOT NULL,
      user_name TEXT NOT NULL,
      access_key_id TEXT NOT NULL,
      arn TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      max_expires_at INTEGER NOT NULL,
      renewable INTEGER NOT NULL,
      state INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      revoke_attempts INTEGER NOT NULL,
      last_error TEXT NOT NULL
    );
    CREATE INDEX leases_by_due_at ON leases (due_at);
    CREATE TABLE roles (
      mount TEXT NOT NULL,
      name TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (mount, name)
    ) WITHOUT ROWID;
    CREATE TABLE config (
      mount TEXT NOT NULL,
      key TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (mount, key)
    ) WITHOUT ROWID;
    )",
    // 2: crash-safe issuance (intents), sealed secrets in configuration
    // (with a value that tells a wrong key from a tampered row), and an
    // index for the irrevocable leases tidy reports.
    R"(
    CREATE TABLE intents (
      lease_id TEXT PRIMARY KEY NOT NULL,
      mount TEXT NOT NULL,
      role TEXT NOT NULL,
      type INTEGER NOT NULL,
      user_name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE config ADD COLUMN sealed_secret BLOB;
    CREATE TABLE meta (
      key TEXT PRIMARY KEY NOT NULL,
      value BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX leases_irrevocable ON leases (id) WHERE state = 1;
    )",
    // 3: mounts kept apart (the due-time index leads with the mount), the
    // user names an issuance may not reuse, and who owns an intent.
    R"(
    DROP INDEX leases_by_due_at;
    CREATE INDEX leases_by_mount_due_at ON leases (mount, due_at);
    CREATE INDEX leases_by_user_name ON leases (mount, user_name);
    ALTER TABLE intents ADD COLUMN owner_host TEXT NOT NULL DEFAULT '';
    ALTER TABLE intents ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE intents ADD COLUMN owner_start INTEGER NOT NULL DEFAULT 0;
    )",
    // 4: when a rollback first found an intent's user absent (0: not yet),
    // so a CreateUser still in flight is waited for.
    R"(
    ALTER TABLE intents ADD COLUMN user_absent_at INTEGER NOT NULL DEFAULT 0;
    )",
};

Result<std::int64_t> Pragma(SqliteDb& db, const char* sql) {
  Result<Statement> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Status status;
  if (!stmt->Step(&status)) return status.ok() ? Status::Store("no value for " + std::string(sql)) : status;
  return stmt->Int(0);
}

// The file's schema version; an error if it is not a store or is newer than
// this build.
Result<std::int64_t> ReadVersion(SqliteDb& db) {
  Result<std::int64_t> app = Pragma(db, "PRAGMA application_id");
  if (!app.ok()) return app.status();
  Result<std::int64_t> version = Pragma(db, "PRAGMA user_version");
  if (!version.ok()) return version.status();
  Result<std::int64_t> objects = Pragma(db, "SELECT count(*) FROM sqlite_schema");
  if (!objects.ok()) return objects.status();
  const bool empty = *objects == 0 && *version == 0;
  if (!empty && *app != kApplicationId) {
    return Status::Store("lease store " + db.path() + " is an SQLite database but not a dyncreds store; " +
                         "nothing was changed");
  }
  if (*version > CurrentSchemaVersion()) {
    return Status::Store("lease store " + db.path() + " has schema version " + std::to_string(*version) +
                         ", written by a newer libdyncreds; this one reads up to version " +
                         std::to_string(CurrentSchemaVersion()) + ". Nothing was changed");
  }
  return version;
}

}  // namespace

int CurrentSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status CheckSchema(SqliteDb& db) { return ReadVersion(db).status(); }

Status MigrateSchema(SqliteDb& db, int target) {
  if (target < 0) target = CurrentSchemaVersion();
  // Take the write lock before looking, so two processes opening a new
  // file at once do not both create it.
  Status begun = db.Exec("BEGIN IMMEDIATE");
  if (!begun.ok()) return begun;
  auto fail = [&db](Status s) {
    db.Exec("ROLLBACK");
    return s;
  };
  Result<std::int64_t> version = ReadVersion(db);
  if (!version.ok()) return fail(version.status());
  if (*version >= target) return fail(Status());  // up to date: just end the transaction
  for (int v = static_cast<int>(*version) + 1; v <= target; ++v) {
    Status s = db.Exec(kMigrations[v - 1]);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(v));
    if (!s.ok()) return fail(s.WithContext("migrating to schema version " + std::to_string(v)));
  }
  Status s = db.Exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  if (!s.ok()) return fail(s);
  s = db.Exec("COMMIT");
  return s.ok() ? s : fail(s);
}

}  // namespace dyncreds::store
