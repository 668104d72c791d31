#include "store/sqlite_group_commit.h"

namespace dyncreds::store {

Status SqliteGroupCommit::Run(const Write& write) {
  Pending me{&write, Status(), false};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  cv_.wait(lock, [&] { return me.done || !leading_; });
  if (me.done) return me.status;  // an earlier leader committed it
  leading_ = true;
  std::vector<Pending*> batch;
  batch.swap(queue_);  // includes `me`
  lock.unlock();
  RunBatch(batch);
  lock.lock();
  for (Pending* p : batch) p->done = true;
  leading_ = false;
  cv_.notify_all();
  return me.status;
}

void SqliteGroupCommit::RunBatch(const std::vector<Pending*>& batch) {
  SqliteDb& db = *db_;
  Status begun = db.Exec("BEGIN IMMEDIATE");
  if (!begun.ok()) {
    for (Pending* p : batch) p->status = begun;
    return;
  }
  bool any_ok = false;
  for (Pending* p : batch) {
    if (batch.size() == 1) {
      p->status = (*p->write)(db);
    } else {
      p->status = db.Exec("SAVEPOINT write");
      if (p->status.ok()) p->status = (*p->write)(db);
      if (!p->status.ok()) db.Exec("ROLLBACK TO write");
      db.Exec("RELEASE write");
    }
    any_ok = any_ok || p->status.ok();
  }
  Status committed = any_ok ? db.Exec("COMMIT") : db.Exec("ROLLBACK");
  if (committed.ok()) return;
  db.Exec("ROLLBACK");
  for (Pending* p : batch) {
    if (p->status.ok()) p->status = committed.WithContext("committing");
  }
}

}  // namespace dyncreds::store
