// store_bench: the SQLite lease store with 1,000,000 leases. Prints:
//   - the machine's fsync floor (4 KiB write + fdatasync), measured here;
//   - bulk load rate, time-ordered vs random lease ids;
//   - time to open the store, and resident memory against a small store;
//   - time to fetch the next 1,000 due leases;
//   - per durable iam_user issuance (engine + store, instant IAM transport):
//     time and fsyncs, one thread and 8 threads (group commit);
//   - revoke-prefix over 10,000 leases, store side;
//   - file size per lease.
//
//   build/release/tests/bench/store_bench [DIR] [LEASES]
//
// DIR defaults to a fresh directory under $TMPDIR; LEASES to 1000000.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "counting_vfs.h"
#include "dyncreds/engine.h"
#include "dyncreds/sqlite_lease_store.h"
#include "support/instant_iam_transport.h"
#include "support/temp_dir.h"

using namespace dyncreds;
using Steady = std::chrono::steady_clock;

namespace {

const TimePoint kNow = std::chrono::system_clock::now();

double Micros(Steady::time_point since) { return std::chrono::duration<double, std::micro>(Steady::now() - since).count(); }

long RssKiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

void Die(const Status& s, const char* what) {
  std::fprintf(stderr, "store_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::unique_ptr<LeaseStore> OpenStore(const std::string& path) {
  SqliteStoreOptions o;
  o.path = path;
  o.encryption_key = SecretString(std::string(32, 'b'));
  o.key_from_environment = false;
  o.vfs = bench::kCountingVfs;
  Result<std::unique_ptr<LeaseStore>> store = OpenSqliteLeaseStore(std::move(o));
  if (!store.ok()) Die(store.status(), "opening the store");
  return std::move(*store);
}

double FsyncFloorMicros(const std::string& dir) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  char block[4096] = {};
  const int n = 300;
  const auto start = Steady::now();
  for (int i = 0; i < n; ++i) {
    if (pwrite(fd, block, sizeof block, static_cast<off_t>(i) * 4096) != sizeof block || fdatasync(fd) != 0) std::abort();
  }
  const double us = Micros(start) / n;
  ::close(fd);
  std::filesystem::remove(path);
  return us;
}

// Lease ids as the engine makes them: 12 hex digits of milliseconds, then
// random hex; or entirely random.
std::string LeaseId(const std::string& role, std::int64_t ms, std::mt19937_64& rng, bool time_ordered) {
  char hex[33];
  const unsigned long long a = rng(), b = rng();
  if (time_ordered) {
    std::snprintf(hex, sizeof hex, "%012llx%05llx%015llx", static_cast<unsigned long long>(ms), a & 0xfffff,
                  b & 0xfffffffffffffffULL);
  } else {
    std::snprintf(hex, sizeof hex, "%016llx%016llx", a, b);
  }
  return "aws/creds/" + role + "/" + hex;
}

enum class DueTimes {
  kRoleTtls,  // issue time + one of four role TTLs (1h, 8h, 24h, 768h): as in use
  kRandom,    // uniformly random over 30 days: the worst case for locality
};

// Fills a new store with `count` leases in one transaction through SQLite
// directly (the store's own path commits each write durably, which is what
// the other figures measure). Returns leases per second.
double BulkLoad(const std::string& path, const std::string& role, int count, bool time_ordered,
                DueTimes due = DueTimes::kRoleTtls) {
  OpenStore(path);  // creates the schema
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::abort();
  sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO leases (id, mount, role, type, user_name, access_key_id, arn, issued_at, expires_at, "
                     "max_expires_at, renewable, state, due_at, revoke_attempts, last_error) "
                     "VALUES (?1, 'aws', ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, 1, 0, ?7, 0, '')",
                     -1, &insert, nullptr);
  std::mt19937_64 rng(42);
  const std::int64_t base_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kNow.time_since_epoch()).count();
  const auto start = Steady::now();
  for (int i = 0; i < count; ++i) {
    const std::int64_t issued_ms = base_ms - count + i;  // one issuance per millisecond, in the past
    const std::string id = LeaseId(role, issued_ms, rng, time_ordered);
    const std::string user = "vault-token-" + role + "-" + std::to_string(issued_ms / 1000) + "-" + id.substr(id.size() - 20);
    const std::string key = "AKIA" + id.substr(id.size() - 16);
    const std::string arn = "arn:aws:iam::123456789012:user/" + user;
    const std::int64_t issued_ns = issued_ms * 1000000;
    static const std::int64_t kTtls[] = {3600, 8 * 3600, 24 * 3600, 768 * 3600};
    const std::int64_t ttl = due == DueTimes::kRoleTtls ? kTtls[rng() % 4] : 3600 + static_cast<std::int64_t>(rng() % (30 * 86400));
    const std::int64_t due_ns = issued_ns + ttl * 1000000000LL;
    sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, role.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, user.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 4, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 5, arn.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 6, issued_ns);
    sqlite3_bind_int64(insert, 7, due_ns);
    sqlite3_bind_int64(insert, 8, issued_ns + 768LL * 3600 * 1000000000LL);
    if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
    sqlite3_reset(insert);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  const double rate = count / (Micros(start) / 1e6);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return rate;
}

// Median time of DueLeases(1000) with every lease due.
double NextDueMillis(LeaseStore& store) {
  std::vector<double> times;
  for (int i = 0; i < 20; ++i) {
    const auto start = Steady::now();
    Result<std::vector<Lease>> due = store.DueLeases("aws", kNow + std::chrono::hours(24 * 800), 1000);
    times.push_back(Micros(start));
    if (!due.ok() || due->size() != 1000) Die(due.status(), "due leases");
  }
  std::sort(times.begin(), times.end());
  return times[10] / 1000;
}

std::unique_ptr<Engine> NewEngine(LeaseStore* store, HttpTransport* transport) {
  EngineOptions o;
  o.store = store;
  o.transport = transport;
  o.revocation.background_worker = false;
  auto engine = Engine::Open(std::move(o)).value();
  if (!engine->WriteRootConfig(R"({"access_key":"AKIDEXAMPLE","secret_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          "iam_endpoint":"https://iam.amazonaws.com","sts_endpoint":"https://sts.amazonaws.com"})").ok() ||
      !engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok()) {
    std::fprintf(stderr, "store_bench: configuring the engine failed\n");
    std::exit(1);
  }
  return engine;
}

// `threads` callers issue `per_thread` credentials each; prints time per
// issuance, issuances per second and fsyncs per issuance.
void Issuances(Engine& engine, int threads, int per_thread) {
  const std::int64_t syncs = bench::SyncCount();
  const auto start = Steady::now();
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        if (!engine.Issue("deploy").ok()) std::abort();
      }
    });
  }
  for (auto& c : callers) c.join();
  const double us = Micros(start);
  const int n = threads * per_thread;
  std::printf("  %d thread%s: %7.1f us per issuance, %6.0f issuances/s, %.2f fsyncs per issuance\n", threads,
              threads == 1 ? " " : "s", threads == 1 ? us / n : us / n * threads, n / (us / 1e6),
              static_cast<double>(bench::SyncCount() - syncs) / n);
}

}  // namespace

int main(int argc, char** argv) {
  bench::RegisterCountingVfs();
  testing::TempDir temp;
  const std::string dir = argc > 1 ? argv[1] : temp.path().string();
  const int leases = argc > 2 ? std::atoi(argv[2]) : 1000000;
  const std::string big = dir + "/big.db";
  const std::string small = dir + "/small.db";
  for (const std::string& f : {big, small, dir + "/random.db", dir + "/ordered.db", dir + "/worst.db", dir + "/prefix.db"}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(f + suffix);
  }

  std::printf("fsync floor (4 KiB write + fdatasync): %.0f us\n", FsyncFloorMicros(dir));
  const double ordered_rate = BulkLoad(dir + "/ordered.db", "deploy", leases / 4, true);
  const double random_rate = BulkLoad(dir + "/random.db", "deploy", leases / 4, false);
  std::filesystem::remove(dir + "/ordered.db");
  std::filesystem::remove(dir + "/random.db");
  std::printf("bulk load of %d leases in one transaction: %.0f leases/s with time-ordered ids, %.0f/s with random ids (%.1fx)\n",
              leases / 4, ordered_rate, random_rate, ordered_rate / random_rate);
  BulkLoad(big, "deploy", leases, true);
  BulkLoad(small, "deploy", 10000, true);

  // Resident memory after the same work on a 10,000-lease store and then
  // on the 1,000,000-lease one: flat means the second adds next to nothing.
  testing::InstantIamTransport transport;
  auto typical_use = [&](const std::string& path) {
    auto store = OpenStore(path);
    if (!store->DueLeases("aws", kNow + std::chrono::hours(24 * 800), 1000).ok()) std::abort();
    auto engine = NewEngine(store.get(), &transport);
    for (int i = 0; i < 200; ++i) engine->Issue("deploy");
    return RssKiB();
  };
  const long rss_small = typical_use(small);
  const long rss_big = typical_use(big);

  std::vector<double> opens;
  for (int i = 0; i < 5; ++i) {
    const auto start = Steady::now();
    OpenStore(big);
    opens.push_back(Micros(start));
  }
  std::sort(opens.begin(), opens.end());
  std::printf("open with %d leases: %.2f ms (median of 5; fastest %.2f ms)\n", leases, opens[2] / 1000, opens[0] / 1000);

  auto store = OpenStore(big);
  std::printf("next 1000 due leases, due times from role TTLs: %.3f ms (median of 20)\n", NextDueMillis(*store));
  {
    const std::string worst = dir + "/worst.db";
    BulkLoad(worst, "deploy", leases, true, DueTimes::kRandom);
    std::printf("next 1000 due leases, due times random over 30 days: %.3f ms (median of 20)\n",
                NextDueMillis(*OpenStore(worst)));
    std::filesystem::remove(worst);
  }

  auto engine = NewEngine(store.get(), &transport);
  std::printf("durable iam_user issuance into the %d-lease store (4 instant IAM calls + intent + lease):\n", leases);
  Issuances(*engine, 1, 500);
  Issuances(*engine, 8, 250);

  // Revoke-prefix, store side: page through 10,000 leases of one role and
  // delete each, 4 at a time as the engine does.
  BulkLoad(dir + "/prefix.db", "batch", 10000, true);
  {
    auto prefix_store = OpenStore(dir + "/prefix.db");
    const std::int64_t syncs = bench::SyncCount();
    const auto start = Steady::now();
    std::size_t deleted = 0;
    for (std::string after;;) {
      Result<std::vector<Lease>> page = prefix_store->ListLeases("aws", "aws/creds/batch/", after, 1000);
      if (!page.ok()) Die(page.status(), "listing");
      if (page->empty()) break;
      std::atomic<std::size_t> next{0};
      std::vector<std::thread> workers;
      for (int t = 0; t < 4; ++t) {
        workers.emplace_back([&] {
          for (std::size_t i; (i = next.fetch_add(1)) < page->size();) {
            if (!prefix_store->DeleteLease((*page)[i].id).ok()) std::abort();
          }
        });
      }
      for (auto& w : workers) w.join();
      deleted += page->size();
      after = page->back().id;
    }
    const double ms = Micros(start) / 1000;
    std::printf("revoke-prefix over %zu leases, store side: %.0f ms (%.0f us per lease, %.2f fsyncs per lease)\n", deleted,
                ms, ms * 1000 / deleted, static_cast<double>(bench::SyncCount() - syncs) / deleted);
  }

  engine.reset();
  store.reset();
  std::printf("resident memory after opening, 1000 due leases and 200 issuances: %ld KiB with 10,000 leases, "
              "%ld KiB with %d\n", rss_small, rss_big, leases);
  {
    auto reopened = OpenStore(big);  // checkpointed by the last close
    (void)reopened;
  }
  const auto size = std::filesystem::file_size(big);
  std::printf("file size: %.1f MiB, %.0f bytes per lease\n", static_cast<double>(size) / (1 << 20),
              static_cast<double>(size) / leases);
  return 0;
}
