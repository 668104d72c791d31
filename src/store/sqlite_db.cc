#include "store/sqlite_db.h"

#include <memory>

namespace dyncreds::store {

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  if (bytes.empty()) return BindNull(index);
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::Step(Status* status) {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) *status = db_->Error(rc, sqlite3_sql(stmt_));
  return false;
}

Status Statement::Run() {
  Status status;
  while (Step(&status)) {
  }
  return status;
}

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Statement::Blob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return bytes == nullptr ? std::string_view() : std::string_view(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create, const std::string& vfs,
                                                 std::chrono::milliseconds busy_timeout) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs.empty() ? nullptr : vfs.c_str());
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path, busy_timeout));
  if (rc != SQLITE_OK) return db->Error(rc, "opening");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<Statement> SqliteDb::Prepare(const char* sql) {
  sqlite3_stmt*& stmt = statements_[sql];
  if (stmt == nullptr) {
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      statements_.erase(sql);
      return Error(rc, sql);
    }
  }
  return Statement(this, stmt);
}

Status SqliteDb::Exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status() : Error(rc, sql);
}

Status SqliteDb::Error(int rc, std::string_view what) const {
  const std::string where = "lease store " + path_;
  const std::string detail = std::string(" (") + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)) + "; while " +
                             std::string(what.substr(0, 120)) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Store(where + " is locked by another process or connection (waited " +
                           std::to_string(busy_timeout_.count()) + " ms)" + detail);
    case SQLITE_NOTADB:
      return Status::Store(where + " is not an SQLite database: the file is corrupt or not a dyncreds store" + detail);
    case SQLITE_CORRUPT:
      return Status::Store(where + " is corrupt; restore it from a backup" + detail);
    case SQLITE_CANTOPEN:
      return Status::Store("cannot open " + where + ": check the path and the directory's permissions" + detail);
    case SQLITE_READONLY:
      return Status::Store(where + " is read-only for this process" + detail);
    case SQLITE_FULL:
      return Status::Store(where + ": the disk is full" + detail);
    case SQLITE_IOERR:
      return Status::Store(where + ": I/O error" + detail);
    default:
      return Status::Store(where + ": " + sqlite3_errstr(rc) + detail);
  }
}

}  // namespace dyncreds::store
