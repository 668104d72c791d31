// An ordinary user of the engine: dyncreds/engine.h is the only header it
// includes, and it is enough to open an engine, write and read a role, and
// be told (with the field named) what is missing before credentials can be
// issued. The extension interfaces (dyncreds/sys/) stay out of its way.
#include <dyncreds/engine.h>

#include <cstdio>

int main() {
  dyncreds::Result<std::unique_ptr<dyncreds::Engine>> engine = dyncreds::Engine::Open(dyncreds::EngineOptions());
  if (!engine.ok()) {
    std::printf("FAIL: open: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  dyncreds::Status written = (*engine)->WriteRole(
      "ro", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})");
  dyncreds::Result<dyncreds::Role> role = (*engine)->ReadRole("ro");
  if (!written.ok() || !role.ok() || role->policy_arns.size() != 1) {
    std::printf("FAIL: role: %s\n", written.ToString().c_str());
    return 1;
  }
  dyncreds::Status refused = (*engine)->WriteRole("bad", R"({"credential_type":"iam_usr"})");
  if (refused.code() != dyncreds::ErrorCode::kInvalidArgument || refused.field() != "credential_type") {
    std::printf("FAIL: a bad role was not refused by field: %s\n", refused.ToString().c_str());
    return 1;
  }
  dyncreds::Result<dyncreds::IssuedCredential> issued = (*engine)->Issue("ro");
  if (issued.ok()) {
    std::printf("FAIL: issued without config/root\n");
    return 1;
  }
  std::printf("engine-only consumer OK: %s\n", issued.status().ToString().c_str());
  return 0;
}
