// state.h: where the tool keeps its state, and the engine it opens on it.
//
// The store defaults to $XDG_STATE_HOME/dyncreds/store.db (else
// ~/.local/state/dyncreds/store.db), in a directory created 0700. The store
// key comes from --store-key-file, else DYNCREDS_STORE_KEY_FILE /
// DYNCREDS_STORE_KEY, else store.key beside the store: created (0600, 32
// random bytes) together with a new store, so that a first run just works.
// Keep the key elsewhere in production; beside the store it only guards
// against a copy of the database alone.
#ifndef DYNCREDS_TOOL_STATE_H_
#define DYNCREDS_TOOL_STATE_H_

#include <chrono>
#include <memory>
#include <string>

#include "dyncreds/engine.h"
#include "dyncreds/host.h"
#include "dyncreds/secret.h"

namespace dyncreds::tool {

struct StoreOptions {
  std::string store;           // "" for the default
  std::string store_key_file;  // "" for the environment, then the default
  std::string mount = "aws";
  std::string audit_file;      // "" for none
};

std::string DefaultStorePath();

// How the engine runs. Only `run` has a worker that revokes due leases;
// other commands leave that to it.
struct EngineSettings {
  bool worker = false;
  std::chrono::milliseconds poll_interval{1000};
  LogFunction log;
};

// How to open the tool's store (the directory created 0700 if needed, the
// key found or made as above), for a Host or a Server.
Result<HostOptions> HostOptionsFor(const StoreOptions& options, EngineSettings settings = {});

// The Host (dyncreds/host.h) on the tool's store: the directory created 0700
// if needed, the key found or made as above, the engine of options.mount.
Result<std::unique_ptr<Host>> OpenEngine(const StoreOptions& options, EngineSettings settings = {});

// Root keys from where AWS tools look: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, else the profile AWS_PROFILE (or "default") in
// the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
// ~/.aws/credentials). Temporary keys (a session token) are refused: they
// expire, and rotate-root cannot replace them.
struct AwsKeys {
  std::string access_key;
  SecretString secret_key;
  std::string source;  // where they came from, for messages
};
Result<AwsKeys> AwsKeysFromEnvironment();

}  // namespace dyncreds::tool

#endif  // DYNCREDS_TOOL_STATE_H_
