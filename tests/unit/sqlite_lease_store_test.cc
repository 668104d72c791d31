// SqliteLeaseStore beyond the common contract: durability across reopening,
// file modes, schema migration, and the clear errors for locked, corrupt,
// foreign and newer files and for missing or wrong encryption keys, which
// must leave the file as it was.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "dyncreds/sqlite_lease_store.h"
#include "support/temp_dir.h"
#include "support/test_data.h"

using namespace dyncreds;
using namespace std::chrono_literals;
using dyncreds::testing::ReadFile;
using dyncreds::testing::TempDir;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));
const SecretString kKey(std::string(32, 'k'));

Result<std::unique_ptr<LeaseStore>> Open(const std::string& path, const SecretString& key = kKey,
                                         std::chrono::milliseconds busy_timeout = 5000ms) {
  SqliteStoreOptions options;
  options.path = path;
  options.encryption_key = key;
  options.key_from_environment = false;
  options.busy_timeout = busy_timeout;
  return OpenSqliteLeaseStore(std::move(options));
}

Lease MakeLease(const std::string& suffix) {
  Lease l;
  l.id = "aws/creds/r/" + suffix;
  l.mount = "aws";
  l.role = "r";
  l.user_name = "vault-" + suffix;
  l.issued_at = kT0;
  l.expires_at = l.due_at = kT0 + 1h;
  l.max_expires_at = kT0 + 2h;
  return l;
}

// Runs SQL on the file through a connection of its own.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO(sql << ": " << (error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

int Mode(const std::string& path) {
  struct stat st{};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("what was committed is there after reopening; the files are 0600") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  {
    auto store = Open(path).value();
    REQUIRE(store->PutLease(MakeLease("a")).ok());
    REQUIRE(store->PutIntent(Intent{"aws/creds/r/b", "aws", "r", CredentialType::kIamUser, "vault-b", kT0, {}, std::nullopt}).ok());
    REQUIRE(store->PutConfig("aws", "config/root", ConfigEntry{"{}", SecretString("root-secret")}).ok());
    CHECK(Mode(path) == 0600);
    CHECK(Mode(path + "-wal") == 0600);
    CHECK(Mode(path + "-shm") == 0600);
  }
  auto store = Open(path).value();
  CHECK(store->GetLease("aws/creds/r/a")->user_name == "vault-a");
  CHECK(store->GetIntent("aws/creds/r/b")->user_name == "vault-b");
  CHECK(store->GetConfig("aws", "config/root")->secret.view() == "root-secret");
}

TEST_CASE("a store of schema version 1 is migrated forward and keeps its data") {
  TempDir dir;
  const std::string path = dir.File("old.db");
  RawSql(path, ReadFile(DYNCREDS_TESTS_DIR "/unit/data/store-v1.sql"));
  {
    auto store = Open(path).value();
    std::vector<Lease> leases = *store->ListLeases("aws", "aws/", "", 0);
    REQUIRE(leases.size() == 2);
    CHECK(leases[0].access_key_id == "AKIAOLDSTOREEXAMPLE1");
    CHECK(leases[0].expires_at == kT0 + 1h);
    CHECK(leases[1].state == LeaseState::kIrrevocable);
    CHECK(store->IrrevocableLeases("aws", "aws/")->size() == 1);  // the index version 2 added
    CHECK(store->GetRole("aws", "deploy")->policy_arns == std::vector<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess"});
    CHECK(store->GetConfig("aws", "config/lease")->json == R"({"lease":"1h","lease_max":"768h"})");
    // What version 2 brought works.
    REQUIRE(store->PutIntent(Intent{"aws/creds/deploy/x", "aws", "deploy", CredentialType::kIamUser, "u", kT0, {}, std::nullopt}).ok());
    REQUIRE(store->PutConfig("aws", "config/root", ConfigEntry{"{}", SecretString("s")}).ok());
  }
  // Reopening an up-to-date file changes nothing.
  auto store = Open(path).value();
  CHECK(store->GetIntent("aws/creds/deploy/x").ok());
}

TEST_CASE("a file from a newer libdyncreds is refused untouched") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  { REQUIRE(Open(path)->get()->PutLease(MakeLease("a")).ok()); }
  RawSql(path, "PRAGMA user_version = 99");
  const std::string before = ReadFile(path);
  Status s = Open(path).status();
  CHECK(s.code() == ErrorCode::kStore);
  CHECK(s.message().find("schema version 99") != std::string::npos);
  CHECK(s.message().find("newer libdyncreds") != std::string::npos);
  CHECK(ReadFile(path) == before);
}

TEST_CASE("an SQLite file that is not a store, and a file that is not SQLite, are refused") {
  TempDir dir;
  const std::string foreign = dir.File("app.db");
  RawSql(foreign, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x');");
  const std::string before = ReadFile(foreign);
  Status s = Open(foreign).status();
  CHECK(s.code() == ErrorCode::kStore);
  CHECK(s.message().find("not a dyncreds store") != std::string::npos);
  CHECK(ReadFile(foreign) == before);

  const std::string garbage = dir.File("garbage.db");
  std::ofstream(garbage) << std::string(8192, 'x');
  s = Open(garbage).status();
  CHECK(s.code() == ErrorCode::kStore);
  CHECK(s.message().find("not an SQLite database") != std::string::npos);
  CHECK(s.message().find(garbage) != std::string::npos);
  CHECK(ReadFile(garbage) == std::string(8192, 'x'));  // untouched, byte for byte
  CHECK_FALSE(std::ifstream(garbage + "-wal").good());  // and nothing created beside it
}

TEST_CASE("a store whose pages were damaged reports corruption, naming the file") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  {
    auto store = Open(path).value();
    for (int i = 0; i < 2000; ++i) REQUIRE(store->PutLease(MakeLease(std::to_string(100000 + i))).ok());
  }  // the last close checkpoints the WAL into the file
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    const std::string junk(4096 * 20, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const std::string damaged = ReadFile(path);
  Result<std::unique_ptr<LeaseStore>> store = Open(path);
  Status s = store.ok() ? (*store)->ListLeases("aws", "", "", 0).status() : store.status();
  CHECK(s.code() == ErrorCode::kStore);
  CHECK(s.message().find("corrupt") != std::string::npos);
  CHECK(s.message().find(path) != std::string::npos);
  if (store.ok()) CHECK((*store)->PutLease(MakeLease("new")).code() == ErrorCode::kStore);  // refused, not written
  store = Status::Store("closed");
  CHECK(ReadFile(path) == damaged);  // nothing was "repaired" over the evidence
}

TEST_CASE("a file locked by another connection gives a clear error, and works once released") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  auto store = Open(path, kKey, 100ms).value();
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);

  const std::string before = ReadFile(path);
  const std::string wal_before = ReadFile(path + "-wal");
  Status s = store->PutLease(MakeLease("a"));
  CHECK(s.code() == ErrorCode::kStore);
  CHECK(s.message().find("locked by another process") != std::string::npos);
  CHECK(s.message().find(path) != std::string::npos);
  CHECK(Open(path, kKey, 100ms).status().code() == ErrorCode::kStore);
  CHECK(ReadFile(path) == before);  // the refused write left the files as they were
  CHECK(ReadFile(path + "-wal") == wal_before);

  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  REQUIRE(store->PutLease(MakeLease("a")).ok());
  CHECK(store->GetLease("aws/creds/r/a").ok());
}

TEST_CASE("without a key the store refuses to keep a secret, and says how to supply one") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  auto store = Open(path, SecretString()).value();
  Status s = store->PutConfig("aws", "config/root", ConfigEntry{R"({"access_key":"AKIA1"})", SecretString("s3cr3t")});
  CHECK(s.code() == ErrorCode::kEncryptionKey);
  CHECK(s.message().find("DYNCREDS_STORE_KEY_FILE") != std::string::npos);
  CHECK(store->GetConfig("aws", "config/root").status().code() == ErrorCode::kNotFound);  // nothing stored
  // Documents without secrets need no key.
  CHECK(store->PutConfig("aws", "config/lease", ConfigEntry{"{}", SecretString()}).ok());
}

TEST_CASE("a wrong key is refused at open and nothing is overwritten; no key cannot read the secret") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  {
    auto store = Open(path).value();
    REQUIRE(store->PutConfig("aws", "config/root", ConfigEntry{"{}", SecretString("s3cr3t")}).ok());
    REQUIRE(store->PutLease(MakeLease("a")).ok());
  }
  const std::string before = ReadFile(path);
  Status s = Open(path, SecretString(std::string(32, 'w'))).status();
  CHECK(s.code() == ErrorCode::kEncryptionKey);
  CHECK(s.message().find("does not match") != std::string::npos);
  CHECK(ReadFile(path) == before);

  auto keyless = Open(path, SecretString()).value();
  CHECK(keyless->GetLease("aws/creds/r/a").ok());  // leases need no key
  Status sealed = keyless->GetConfig("aws", "config/root").status();
  CHECK(sealed.code() == ErrorCode::kEncryptionKey);
  CHECK(sealed.message().find("opened without its encryption key") != std::string::npos);
  CHECK(Open(path, SecretString("short")).status().code() == ErrorCode::kEncryptionKey);
}

TEST_CASE("the secret is sealed: its bytes are in neither the database nor the WAL") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSEALEDKEY1";
  auto store = Open(path).value();
  REQUIRE(store->PutConfig("aws", "config/root", ConfigEntry{R"({"access_key":"AKIAROOT"})", SecretString(secret)}).ok());
  const std::string wal = ReadFile(path + "-wal");
  CHECK(wal.find("AKIAROOT") != std::string::npos);  // the search works: the JSON is there
  CHECK(wal.find(secret) == std::string::npos);
  CHECK(ReadFile(path).find(secret) == std::string::npos);
  // A sealed value moved to another row does not open there.
  REQUIRE(store->PutConfig("other", "config/root", ConfigEntry{"{}", SecretString("x")}).ok());
  RawSql(path, "UPDATE config SET sealed_secret = (SELECT sealed_secret FROM config WHERE mount = 'aws') "
               "WHERE mount = 'other'");
  CHECK(store->GetConfig("other", "config/root").status().code() == ErrorCode::kEncryptionKey);
}

TEST_CASE("concurrent writers share commits and every write is there") {
  TempDir dir;
  const std::string path = dir.File("leases.db");
  {
    auto store = Open(path).value();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) CHECK(store->PutLease(MakeLease(std::to_string(t * 1000 + i))).ok());
      });
    }
    for (auto& th : threads) th.join();
    // A failing write in a shared batch fails alone.
    CHECK(store->PromoteIntent(MakeLease("no-intent")).code() == ErrorCode::kConflict);
  }
  CHECK(*Open(path).value()->CountLeases("aws", "r") == 400);
}
