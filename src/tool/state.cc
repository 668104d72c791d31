#include "state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "dyncreds/store_key.h"

namespace dyncreds::tool {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Home() { return Env("HOME").empty() ? "." : Env("HOME"); }

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string Directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// mkdir -p, new directories 0700.
Status MakeDirectories(const std::string& dir) {
  if (dir.empty() || Exists(dir)) return Status();
  Status parent = MakeDirectories(Directory(dir));
  if (!parent.ok()) return parent;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Make(ErrorCode::kStore, "cannot create directory " + dir + ": " + std::strerror(errno));
  }
  return Status();
}

// A new random store key in `path`, 0600, written only if the file is new.
Status CreateKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Make(ErrorCode::kEncryptionKey, "cannot create store key " + path + ": " + std::strerror(errno));
  SecretString key = NewStoreKeyBase64();
  const bool written = ::write(fd, key.view().data(), key.view().size()) == static_cast<ssize_t>(key.view().size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Status::Make(ErrorCode::kEncryptionKey, "cannot write store key " + path);
  return Status();
}

// The key for the store at `store_path`; empty when the store has none yet
// and needs none (a store with no root secret opens without a key).
Result<SecretString> StoreKey(const StoreOptions& options, const std::string& store_path) {
  if (!options.store_key_file.empty()) return ReadStoreKeyFile(options.store_key_file);
  if (!Env("DYNCREDS_STORE_KEY_FILE").empty() || !Env("DYNCREDS_STORE_KEY").empty()) return StoreKeyFromEnvironment();
  const std::string beside = Directory(store_path) + "/store.key";
  if (!Exists(beside)) {
    if (Exists(store_path)) return SecretString();  // an existing store without a key file: none
    Status made = CreateKeyFile(beside);
    if (!made.ok()) return made;
  }
  return ReadStoreKeyFile(beside);
}

// The [profile] section's key = value lines of an INI file.
std::map<std::string, std::string> IniSection(const std::string& path, const std::string& profile) {
  std::map<std::string, std::string> values;
  std::ifstream in(path);
  bool inside = false;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      inside = trim(line.substr(1, line.size() - 2)) == profile;
      continue;
    }
    const std::size_t eq = line.find('=');
    if (inside && eq != std::string::npos) values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return values;
}

}  // namespace

std::string DefaultStorePath() {
  const std::string base = Env("XDG_STATE_HOME").empty() ? Home() + "/.local/state" : Env("XDG_STATE_HOME");
  return base + "/dyncreds/store.db";
}

Result<HostOptions> HostOptionsFor(const StoreOptions& options, EngineSettings settings) {
  const std::string path = options.store.empty() ? DefaultStorePath() : options.store;
  Status made = MakeDirectories(Directory(path));  // new directories 0700, as for the default
  if (!made.ok()) return made;
  Result<SecretString> key = StoreKey(options, path);
  if (!key.ok()) return key.status();
  HostOptions host;
  host.mount = options.mount;
  host.store = path;
  host.store_key = std::move(*key);
  host.key_from_environment = false;  // decided above
  host.audit_file = options.audit_file;
  host.log = std::move(settings.log);
  host.worker = settings.worker;
  host.poll_interval = settings.poll_interval;
  return host;
}

Result<std::unique_ptr<Host>> OpenEngine(const StoreOptions& options, EngineSettings settings) {
  Result<HostOptions> host = HostOptionsFor(options, std::move(settings));
  if (!host.ok()) return host.status();
  return Host::Open(std::move(*host));
}

Result<AwsKeys> AwsKeysFromEnvironment() {
  AwsKeys keys;
  std::string token;
  if (!Env("AWS_ACCESS_KEY_ID").empty()) {
    keys.access_key = Env("AWS_ACCESS_KEY_ID");
    keys.secret_key = SecretString(Env("AWS_SECRET_ACCESS_KEY"));
    token = Env("AWS_SESSION_TOKEN");
    keys.source = "the AWS_ACCESS_KEY_ID environment";
  } else {
    const std::string profile = Env("AWS_PROFILE").empty() ? "default" : Env("AWS_PROFILE");
    const std::string file =
        Env("AWS_SHARED_CREDENTIALS_FILE").empty() ? Home() + "/.aws/credentials" : Env("AWS_SHARED_CREDENTIALS_FILE");
    std::map<std::string, std::string> section = IniSection(file, profile);
    keys.access_key = section["aws_access_key_id"];
    keys.secret_key = SecretString(section["aws_secret_access_key"]);
    token = section["aws_session_token"];
    keys.source = "profile \"" + profile + "\" in " + file;
    if (keys.access_key.empty()) {
      return Status::InvalidArgument("access_key", "not given, not in AWS_ACCESS_KEY_ID, and not in " + keys.source);
    }
  }
  if (keys.secret_key.empty()) return Status::InvalidArgument("secret_key", "missing from " + keys.source);
  if (!token.empty()) {
    return Status::InvalidArgument("access_key", "the keys in " + keys.source +
                                                     " are temporary (they carry a session token); config/root needs "
                                                     "an IAM user's long-lived access key");
  }
  return keys;
}

}  // namespace dyncreds::tool
