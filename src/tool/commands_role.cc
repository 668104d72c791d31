// role write/read/list/delete.
#include "commands.h"
#include "dyncreds/json.h"

namespace dyncreds::tool {

int RoleWrite(Context& c) {
  Result<SecretString> fields = FieldsToJson({c.operands.begin() + 1, c.operands.end()});
  if (!fields.ok()) return Fail(fields.status());
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Status s = (*opened)->engine().WriteRole(c.operands[0], fields->view());
  if (!s.ok()) return Fail(s);
  PrintSuccess("Data written to: " + c.store.mount + "/roles/" + c.operands[0], c.format);
  return kExitOk;
}

int RoleRead(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<Role> role = (*opened)->engine().ReadRole(c.operands[0]);
  if (!role.ok()) return Fail(role.status());
  PrintObject(RoleToJson(*role), c.format);
  return kExitOk;
}

int RoleList(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<std::vector<std::string>> roles = (*opened)->engine().ListRoles();
  if (!roles.ok()) return Fail(roles.status());
  PrintList(StringsToJson(*roles), nullptr, c.format);
  return kExitOk;
}

int RoleDelete(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Status s = (*opened)->engine().DeleteRole(c.operands[0], c.Switch("revoke-leases"));
  if (!s.ok()) return Fail(s);
  PrintSuccess("Data deleted (if it existed) at: " + c.store.mount + "/roles/" + c.operands[0], c.format);
  return kExitOk;
}

}  // namespace dyncreds::tool
