// sqlite_schema.h: the SQLite store's schema, as forward migrations.
//
// The version lives in SQLite's `user_version`, and `application_id` marks
// the file as a dyncreds store. Opening a store runs every migration newer
// than the file, all in one transaction; a file from a newer
// libdyncreds, or one that is not a store, is refused untouched.
#ifndef DYNCREDS_SRC_STORE_SQLITE_SCHEMA_H_
#define DYNCREDS_SRC_STORE_SQLITE_SCHEMA_H_

#include "dyncreds/status.h"
#include "store/sqlite_db.h"

namespace dyncreds::store {

constexpr int kApplicationId = 0x44594e43;  // "DYNC"

// The newest schema this build knows.
int CurrentSchemaVersion();

// Fails, changing nothing, if the file is not a store or is too new.
Status CheckSchema(SqliteDb& db);

// Brings the file up to CurrentSchemaVersion(), or stops at `target` when
// given (tests use it to make files of an older version).
Status MigrateSchema(SqliteDb& db, int target = -1);

}  // namespace dyncreds::store

#endif  // DYNCREDS_SRC_STORE_SQLITE_SCHEMA_H_
