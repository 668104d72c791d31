// sqlite_db.h: a thin RAII layer over one SQLite connection: opening with
// our pragmas, cached prepared statements that reset themselves, and
// SQLite's result codes turned into Statuses that say what happened to
// which file ("locked by another process", "corrupt", ...).
#ifndef DYNCREDS_SRC_STORE_SQLITE_DB_H_
#define DYNCREDS_SRC_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dyncreds/status.h"

namespace dyncreds::store {

class SqliteDb;

// A prepared statement in use: bind, step, read columns; reset on scope exit.
class Statement {
 public:
  Statement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, std::int64_t value);
  Statement& BindBlob(int index, std::string_view bytes);  // empty: NULL
  Statement& BindNull(int index);

  // true while rows come, false at the end; errors go to `status`.
  bool Step(Status* status);
  Status Run();  // steps to the end: for statements without rows

  std::string Text(int column) const;
  std::string_view Blob(int column) const;  // valid until the next Step
  std::int64_t Int(int column) const;

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if `create`) the file; `vfs` "" is SQLite's default.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create, const std::string& vfs,
                                                std::chrono::milliseconds busy_timeout);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // `sql` must be a string literal: statements are cached by its address.
  Result<Statement> Prepare(const char* sql);
  Status Exec(const std::string& sql);  // one or more statements, no rows

  // A Status for SQLite result `rc` while doing `what`.
  Status Error(int rc, std::string_view what) const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path, std::chrono::milliseconds busy_timeout)
      : db_(db), path_(std::move(path)), busy_timeout_(busy_timeout) {}

  sqlite3* db_;
  std::string path_;
  std::chrono::milliseconds busy_timeout_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace dyncreds::store

#endif  // DYNCREDS_SRC_STORE_SQLITE_DB_H_
