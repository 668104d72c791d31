// dyncreds: the command-line tool. Vault's verbs and field names over the
// public libdyncreds API: configure a mount, write roles, issue credentials,
// manage leases, tidy, and run the revocation worker.
#include <pwd.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "commands.h"

namespace dyncreds::tool {
namespace {

struct Command {
  std::vector<std::string> words;  // "lease", "revoke"
  const char* operands;            // for usage: "NAME [key=value ...]"
  std::size_t min_operands;
  std::size_t max_operands;        // SIZE_MAX: any
  std::set<std::string> flags;     // beyond the global ones
  int (*run)(Context&);
  const char* help;
};

constexpr std::size_t kAny = static_cast<std::size_t>(-1);

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {{"config", "write"}, "root|lease key=value...", 1, kAny, {}, ConfigWrite,
       "Writes config/root (access_key, secret_key, region, iam_endpoint, sts_endpoint, sts_region,\n"
       "max_retries, username_template) or config/lease (lease, lease_max). Values may be @file or -\n"
       "(standard input). Without access_key and secret_key, config/root takes them from\n"
       "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else from AWS_PROFILE in the shared credentials file."},
      {{"config", "read"}, "root|lease", 1, 1, {}, ConfigRead,
       "Prints config/root (never its secret_key) or config/lease."},
      {{"config", "rotate-root"}, "", 0, 0, {}, ConfigRotateRoot,
       "Replaces the root access key with a new one for the same IAM user; prints its id."},
      {{"role", "write"}, "NAME key=value...", 1, kAny, {}, RoleWrite,
       "Creates or updates a role with Vault's fields: credential_type, policy_arns, policy_document\n"
       "(=@policy.json, or =- with a heredoc), iam_groups, iam_tags, role_arns, default_sts_ttl,\n"
       "max_sts_ttl, user_path, permissions_boundary_arn, mfa_serial_number, session_tags, external_id,\n"
       "default_ttl, max_ttl, max_active_leases."},
      {{"role", "read"}, "NAME", 1, 1, {}, RoleRead, "Prints a role."},
      {{"role", "list"}, "", 0, 0, {}, RoleList, "Lists the roles."},
      {{"role", "delete"}, "NAME", 1, 1, {"revoke-leases"}, RoleDelete,
       "Deletes a role. Its leases stay and expire as usual, unless -revoke-leases revokes them first."},
      {{"creds"}, "NAME", 1, 1, {"ttl", "role-arn", "role-session-name", "mfa-code", "wait"}, Creds,
       "Issues credentials for a role. -ttl=30m, -role-arn=ARN (assumed_role), -role-session-name=S,\n"
       "-mfa-code=123456, -wait (iam_user: return once the new key works). Formats: table, json,\n"
       "env (export lines: eval \"$(dyncreds creds NAME -format=env)\"), credential-process (for\n"
       "credential_process in an AWS config file)."},
      {{"lease", "lookup"}, "ID", 1, 1, {}, LeaseLookup, "Prints a lease."},
      {{"lease", "list"}, "[PREFIX]", 0, 1, {}, LeaseList, "Lists lease ids, all or under PREFIX."},
      {{"lease", "renew"}, "ID", 1, 1, {"increment"}, LeaseRenew,
       "Extends an iam_user lease by -increment=1h from now (default: the role's TTL), up to its max TTL."},
      {{"lease", "revoke"}, "ID|PREFIX", 1, 1, {"prefix", "force"}, LeaseRevoke,
       "Revokes a lease now (iam_user: deletes the IAM user). -prefix revokes every lease under PREFIX;\n"
       "-force drops the leases under PREFIX even when AWS cleanup fails, and lists them."},
      {{"tidy"}, "", 0, 0, {"delete-orphans", "path-prefix"}, Tidy,
       "Rolls back dead issuances, reports IAM users of this mount that no lease accounts for (and\n"
       "deletes them with -delete-orphans), and lists irrevocable leases. -path-prefix=/ limits the search."},
      {{"metrics"}, "", 0, 0, {}, Metrics,
       "Prints the mount's metrics in Prometheus' text format. A short-lived command has counted\n"
       "nothing itself: the lease figures (active by role, irrevocable, pending issuances) come from the\n"
       "store."},
      {{"audit", "hmac"}, "VALUE", 1, 1, {}, AuditHmac,
       "Prints hmac-sha256:<hex> of VALUE (or @file, or - for standard input) under this store's audit\n"
       "salt: what audit events carry in place of secret keys and session tokens, to match a leaked one."},
      {{"server"}, "", 0, 0,
       {"listen-address", "tls-cert-file", "tls-key-file", "root-token-file", "poll-interval", "idle-timeout", "dev",
        "dev-listen-address", "dev-root-token-id"},
       Server,
       "Serves Vault's HTTP API for the AWS engine (/v1/<mount>/..., sys/mounts, sys/leases, sys/health,\n"
       "sys/metrics, auth/token, sys/policy) on -listen-address=127.0.0.1:8200, over TLS 1.2/1.3 with\n"
       "-tls-cert-file and -tls-key-file (PEM), and revokes every mount's leases as they expire. The\n"
       "first start of a store prints a root token once (and writes it 0600 to -root-token-file).\n"
       "A connection silent for -idle-timeout=60s is closed. SIGINT or SIGTERM finishes the requests in\n"
       "flight and stops; SIGHUP reopens the audit file and\n"
       "reloads the TLS certificate. -dev: an in-memory store, the aws mount enabled, a root token from\n"
       "-dev-root-token-id (else made and printed), on -dev-listen-address=127.0.0.1:8200."},
      {{"read"}, "PATH [key=value ...]", 1, kAny, {}, Read,
       "Vault's read: GET PATH (fields go in the query string), e.g. dyncreds read aws/creds/my-role.\n"
       "Against a server with DYNCREDS_ADDR or VAULT_ADDR and a token (DYNCREDS_TOKEN, VAULT_TOKEN or\n"
       "~/.vault-token; -tls-ca-cert or VAULT_CACERT for TLS), else on the local store."},
      {{"write"}, "PATH [key=value ...]", 1, kAny, {}, Write,
       "Vault's write: PUT PATH with the fields as JSON (values may be @file or -), e.g.\n"
       "dyncreds write aws/roles/my-role credential_type=iam_user policy_document=@policy.json."},
      {{"list"}, "PATH", 1, 1, {}, List, "Vault's list: LIST PATH, e.g. dyncreds list aws/roles."},
      {{"delete"}, "PATH", 1, 1, {}, Delete, "Vault's delete: DELETE PATH, e.g. dyncreds delete aws/roles/my-role."},
      {{"secrets", "enable"}, "aws", 1, 1, {"path", "description"}, SecretsEnable,
       "Enables an AWS secrets engine at -path (default aws), e.g. dyncreds secrets enable -path=aws-us-west-2 aws."},
      {{"secrets", "disable"}, "PATH", 1, 1, {}, SecretsDisable,
       "Disables the engine at PATH: revokes its leases, then forgets its roles and config."},
      {{"secrets", "list"}, "", 0, 0, {}, SecretsList, "Lists the enabled engines."},
      {{"token", "create"}, "", 0, 0, {"policy", "ttl", "display-name"}, TokenCreate,
       "Creates a token with -policy=P1,P2 (a subset of yours unless you have sudo), -ttl and -display-name."},
      {{"token", "lookup"}, "[TOKEN]", 0, 1, {}, TokenLookup, "Shows your token, or TOKEN."},
      {{"token", "revoke"}, "[TOKEN]", 0, 1, {"self"}, TokenRevoke, "Revokes TOKEN, or your own with -self."},
      {{"policy", "write"}, "NAME FILE", 2, 2, {}, PolicyWrite,
       "Writes an ACL policy in Vault's JSON form from FILE (or - for standard input)."},
      {{"run"}, "", 0, 0, {"poll-interval", "tidy-interval", "delete-orphans", "path-prefix"}, Run,
       "Runs in the foreground until SIGINT or SIGTERM: revokes leases as they expire (checking every\n"
       "-poll-interval=1s), rolls back dead issuances, and tidies every -tidy-interval=1h, logging to\n"
       "standard error."},
  };
  return commands;
}

const char kGlobalHelp[] =
    "Global flags (anywhere on the line):\n"
    "  -store=PATH           the SQLite store (default: $XDG_STATE_HOME/dyncreds/store.db, else\n"
    "                        ~/.local/state/dyncreds/store.db)\n"
    "  -store-key-file=PATH  the store key (default: DYNCREDS_STORE_KEY_FILE, DYNCREDS_STORE_KEY, else\n"
    "                        store.key beside the store, created with it)\n"
    "  -mount=NAME           the mount (default aws)\n"
    "  -audit-file=PATH      append an audit event per operation to this JSON-lines file (0600); if it\n"
    "                        cannot be written, changes and issuance are refused (fail-closed)\n"
    "  -format=FORMAT        table (default), json; creds also env, credential-process\n"
    "  -tls-ca-cert=PATH     the CA bundle for a server at DYNCREDS_ADDR / VAULT_ADDR (else VAULT_CACERT)\n"
    "  -help                 help for the command\n"
    "Exit codes: 0 success, 1 the operation failed, 2 bad usage or input (nothing was changed).\n";

void PrintUsage(std::ostream& out) {
  out << "Usage: dyncreds COMMAND [flags] [arguments]\n\nCommands:\n";
  for (const Command& c : Commands()) {
    std::string name;
    for (const std::string& w : c.words) name += w + " ";
    out << "  " << name << c.operands << "\n";
  }
  out << "\n" << kGlobalHelp;
}

void PrintHelp(const Command& c) {
  std::string name;
  for (const std::string& w : c.words) name += w + " ";
  std::cout << "Usage: dyncreds " << name << c.operands << (c.flags.empty() ? "" : " [flags]") << "\n\n"
            << c.help << "\n\n" << kGlobalHelp;
}

// "dyncreds role -help": the commands that start with `word`; false if none do.
bool PrintGroupHelp(const std::string& word) {
  bool any = false;
  for (const Command& c : Commands()) {
    if (c.words.size() < 2 || c.words[0] != word) continue;
    if (!any) std::cout << "Usage: dyncreds " << word << " SUBCOMMAND [flags] [arguments]\n\nSubcommands:\n";
    any = true;
    const std::string_view help = c.help;
    std::cout << "  " << word << " " << c.words[1] << " " << c.operands << "\n      "
              << help.substr(0, help.find('\n')) << "\n";
  }
  if (any) std::cout << "\nSee dyncreds " << word << " SUBCOMMAND -help for each.\n";
  return any;
}

// The command the words start with, if any.
const Command* Find(const std::vector<std::string>& words) {
  for (const Command& c : Commands()) {
    if (words.size() >= c.words.size() && std::equal(c.words.begin(), c.words.end(), words.begin())) return &c;
  }
  return nullptr;
}

FlagSpec AllFlags() {
  FlagSpec spec{{"store", "store-key-file", "mount", "format", "audit-file", "tls-ca-cert"}, {"help", "h"}};
  for (const Command& c : Commands()) {
    for (const std::string& f : c.flags) {
      bool is_switch = f == "dev" || f == "self" || f == "wait" || f == "prefix" || f == "force" || f == "delete-orphans" || f == "revoke-leases";
      (is_switch ? spec.switches : spec.with_value).insert(f);
    }
  }
  return spec;
}

int Main(int argc, char** argv) {
  Result<Arguments> args = ParseArguments(argc, argv, AllFlags());
  if (!args.ok()) {
    Fail(args.status());
    return kExitUsage;
  }
  const bool help = args->flags.count("help") || args->flags.count("h");
  if (args->words.empty()) {
    PrintUsage(help ? std::cout : std::cerr);
    return help ? kExitOk : kExitUsage;
  }
  const Command* command = Find(args->words);
  if (command == nullptr && help && PrintGroupHelp(args->words[0])) return kExitOk;
  if (command == nullptr) {
    std::cerr << "Error: unknown command \"" << args->words[0] << (args->words.size() > 1 ? " " + args->words[1] : "")
              << "\"\n\n";
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  if (help) {
    PrintHelp(*command);
    return kExitOk;
  }
  Context context;
  context.operands.assign(args->words.begin() + static_cast<long>(command->words.size()), args->words.end());
  for (const auto& [name, value] : args->flags) {
    static const std::set<std::string> global = {"store", "store-key-file", "mount", "format", "audit-file",
                                                 "tls-ca-cert"};
    if (!global.count(name) && !command->flags.count(name)) {
      return Fail(Status::InvalidArgument(name, "-" + name + " is not a flag of this command (see -help)"));
    }
  }
  if (context.operands.size() < command->min_operands || context.operands.size() > command->max_operands) {
    std::cerr << "Error: wrong number of arguments\n\n";
    PrintHelp(*command);
    return kExitUsage;
  }
  context.flags = args->flags;
  context.store.store = context.Flag("store");
  context.store.store_key_file = context.Flag("store-key-file");
  context.store.audit_file = context.Flag("audit-file");
  if (!context.Flag("mount").empty()) context.store.mount = context.Flag("mount");
  Result<Format> format = ParseFormat(context.Flag("format").empty() ? "table" : context.Flag("format"));
  if (!format.ok()) return Fail(format.status());
  const bool for_creds = command->words[0] == "creds";
  if (!for_creds && (*format == Format::kEnv || *format == Format::kCredentialProcess)) {
    return Fail(Status::InvalidArgument("format", "env and credential-process are formats of creds only"));
  }
  context.format = *format;
  // Audit events name who ran the command.
  const passwd* user = getpwuid(getuid());
  CallerScope caller("cli:" + std::string(user != nullptr ? user->pw_name : std::to_string(getuid())));
  return command->run(context);
}

}  // namespace

int Fail(const Status& status) {
  std::cerr << "Error: " << status.ToString() << "\n";
  return status.Is(ErrorCode::kInvalidArgument) ? kExitUsage : kExitFailed;
}

}  // namespace dyncreds::tool

int main(int argc, char** argv) { return dyncreds::tool::Main(argc, argv); }
