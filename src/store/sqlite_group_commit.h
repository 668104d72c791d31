// sqlite_group_commit.h: durable writes from many threads, sharing fsyncs.
//
// Every write runs in a transaction that is committed (and, with
// synchronous=FULL, fsynced) before Run() returns. Writers that arrive while
// a commit is in progress queue up; the next one to run leads: it takes the
// whole queue, runs each write in its own savepoint of one transaction, and
// commits once. A write that fails is rolled back alone; the others still
// commit. So N concurrent writers cost about one fsync, not N.
#ifndef DYNCREDS_SRC_STORE_SQLITE_GROUP_COMMIT_H_
#define DYNCREDS_SRC_STORE_SQLITE_GROUP_COMMIT_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "dyncreds/status.h"
#include "store/sqlite_db.h"

namespace dyncreds::store {

class SqliteGroupCommit {
 public:
  using Write = std::function<Status(SqliteDb&)>;

  explicit SqliteGroupCommit(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  Status Run(const Write& write);

 private:
  struct Pending {
    const Write* write;
    Status status;
    bool done = false;
  };

  void RunBatch(const std::vector<Pending*>& batch);  // with the lead, not the mutex

  std::unique_ptr<SqliteDb> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending*> queue_;
  bool leading_ = false;
};

}  // namespace dyncreds::store

#endif  // DYNCREDS_SRC_STORE_SQLITE_GROUP_COMMIT_H_
