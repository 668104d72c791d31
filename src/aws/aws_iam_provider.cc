// AwsIamProvider: IamProvider over the IAM and STS Query APIs.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iterator>

#include "aws/endpoints.h"
#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/curl_transport.h"
#include "dyncreds/aws_iam_provider.h"

namespace dyncreds {

IamProvider::~IamProvider() = default;

namespace aws {
namespace {

constexpr char kPageSize[] = "1000";

bool IsNoSuchEntity(const Status& s) {
  return s.aws() != nullptr && (s.aws()->code == "NoSuchEntity" || s.aws()->code == "NoSuchEntityException");
}

// An IAM request naming one user.
QueryRequest Iam(const char* action, const std::string& user_name) {
  QueryRequest r(action, kIamApiVersion);
  r.Add("UserName", user_name);
  return r;
}

bool IsDeleteConflict(const Status& s) { return s.aws() != nullptr && s.aws()->code == "DeleteConflict"; }

// How an endpoint that lacks an action (a partial IAM emulator) answers it:
// a server error, NotImplemented/InvalidAction, or a page that is not AWS's.
// Teardown then goes on with the other calls instead of stopping.
bool IsUnimplemented(const Status& s) {
  const AwsErrorDetails* aws = s.aws();
  if (aws == nullptr) return s.Is(ErrorCode::kMalformedResponse);
  return aws->http_status >= 500 || aws->code.empty() || aws->code == "NotImplemented" ||
         aws->code == "InvalidAction";
}

// One kind of thing that can hang on an IAM user and block DeleteUser: how
// to list it, and how to remove one (`remove_action` with `item_param`).
struct Attachment {
  const char* list_action;
  const char* list_name;
  const char* field;  // nullptr: the members are the items (PolicyNames)
  const char* remove_action;
  const char* item_param;
};

// What issuance attaches: removed before every DeleteUser.
constexpr Attachment kAttachments[] = {
    {"ListAccessKeys", "AccessKeyMetadata", "AccessKeyId", "DeleteAccessKey", "AccessKeyId"},
    {"ListAttachedUserPolicies", "AttachedPolicies", "PolicyArn", "DetachUserPolicy", "PolicyArn"},
    {"ListUserPolicies", "PolicyNames", nullptr, "DeleteUserPolicy", "PolicyName"},
    {"ListGroupsForUser", "Groups", "GroupName", "RemoveUserFromGroup", "GroupName"},
};

// What only someone else adds (besides a login profile, which has no list):
// looked for only after DeleteConflict.
constexpr Attachment kOtherBlockers[] = {
    {"ListMFADevices", "MFADevices", "SerialNumber", "DeactivateMFADevice", "SerialNumber"},
    {"ListSSHPublicKeys", "SSHPublicKeys", "SSHPublicKeyId", "DeleteSSHPublicKey", "SSHPublicKeyId"},
    {"ListSigningCertificates", "Certificates", "CertificateId", "DeleteSigningCertificate", "CertificateId"},
    {"ListServiceSpecificCredentials", "ServiceSpecificCredentials", "ServiceSpecificCredentialId",
     "DeleteServiceSpecificCredential", "ServiceSpecificCredentialId"},
};

// The teardown calls that failed, kept going past so that DeleteUser is
// still tried; they explain a DeleteUser that fails in the end.
class Blockers {
 public:
  void Add(const char* action, const Status& failure) {
    std::string why;
    if (failure.Is(ErrorCode::kPermissionDenied)) {
      why = "denied: the engine's IAM policy needs iam:" + std::string(action);
    } else if (IsUnimplemented(failure)) {
      why = "not available on this endpoint (" + failure.ToString() + ")";
    } else {
      why = failure.ToString();
    }
    notes_ += (notes_.empty() ? "" : "; ") + std::string("iam:") + action + " " + why;
  }

  Status Explain(const Status& deleted, const std::string& user) const {
    if (deleted.ok()) return deleted;
    return deleted.WithContext("deleting IAM user " + user + (notes_.empty() ? "" : " (" + notes_ + ")"));
  }

 private:
  std::string notes_;
};

class AwsIamProvider final : public IamProvider {
 public:
  AwsIamProvider(AwsProviderConfig config, std::unique_ptr<HttpTransport> owned,
                 std::unique_ptr<QueryClient> iam, std::unique_ptr<QueryClient> sts)
      : config_(std::move(config)), owned_transport_(std::move(owned)), iam_(std::move(iam)),
        sts_(std::move(sts)) {}

  Result<IssuedUserKey> CreateUserWithKey(const IamUserSpec& spec) override {
    bool tagged = !spec.tags.empty() && !tagging_denied_.load();
    Result<QueryReply> created = CallIam(CreateUserRequest(spec, tagged));
    if (!created.ok() && tagged && IsTagUserDenied(created.status())) {
      // Tags on CreateUser need iam:TagUser, which the least-privilege policy
      // Vault documents does not grant: create users untagged from now on.
      tagging_denied_.store(true);
      tagged = false;
      created = CallIam(CreateUserRequest(spec, false));
    }
    if (!created.ok()) created = AdoptEarlierAttempt(spec, tagged, created.status());
    if (!created.ok()) {
      if (MayHaveTakenEffect(created.status())) return WithCleanup(spec.user_name, created.status());
      return created.status().WithContext("creating IAM user " + spec.user_name);
    }
    Result<IamUser> user = ParseUser(*created);
    if (!user.ok()) return WithCleanup(spec.user_name, user.status());

    Status built = Attach(spec);
    if (!built.ok()) return WithCleanup(spec.user_name, built);
    Result<QueryReply> key_reply = CallIam(Iam("CreateAccessKey", spec.user_name));
    if (!key_reply.ok()) return WithCleanup(spec.user_name, key_reply.status().WithContext("CreateAccessKey"));
    Result<NewAccessKey> key = ParseCreateAccessKey(*key_reply);
    if (!key.ok()) return WithCleanup(spec.user_name, key.status());

    IssuedUserKey issued;
    issued.user_name = spec.user_name;
    issued.user_arn = user->arn;
    issued.credentials = AwsCredentials(key->metadata.access_key_id, std::move(key->secret_access_key));
    issued.tagged = tagged;
    return issued;
  }

  Status DeleteUser(std::string_view name_view) override {
    const std::string name(name_view);
    Blockers blockers;
    // What issuance attaches, removed first: the seeds' policy allows each of
    // these, so a user we made comes apart without more permissions.
    for (const Attachment& kind : kAttachments) {
      if (RemoveAll(kind, name, &blockers)) return Status();  // the user is gone
    }
    Status deleted = Ignore404(CallIam(Iam("DeleteUser", name)).status());
    if (!IsDeleteConflict(deleted)) return blockers.Explain(deleted, name);
    // Something else hangs on the user (someone added it by hand): only now
    // look for the rarer blockers, whose calls a least-privilege policy or a
    // partial IAM implementation may refuse.
    for (const Attachment& kind : kOtherBlockers) {
      if (RemoveAll(kind, name, &blockers)) return Status();
    }
    Status profile = Ignore404(CallIam(Iam("DeleteLoginProfile", name)).status());
    if (!profile.ok()) blockers.Add("DeleteLoginProfile", profile);
    deleted = Ignore404(CallIam(Iam("DeleteUser", name)).status());
    return blockers.Explain(deleted, name);
  }

  Result<StsCredentials> AssumeRole(const AssumeRoleSpec& spec) override {
    QueryRequest r("AssumeRole", kStsApiVersion);
    r.Add("RoleArn", spec.role_arn).Add("RoleSessionName", spec.session_name);
    r.Add("DurationSeconds", std::to_string(spec.duration.count()));
    AddSessionPolicy(spec.policy, spec.policy_arns, &r);
    r.AddTags("Tags", spec.tags);
    if (!spec.external_id.empty()) r.Add("ExternalId", spec.external_id);
    AddMfa(spec.mfa_serial_number, spec.mfa_code, &r);
    return CallSts(r);
  }

  Result<StsCredentials> GetFederationToken(const FederationTokenSpec& spec) override {
    QueryRequest r("GetFederationToken", kStsApiVersion);
    r.Add("Name", spec.name).Add("DurationSeconds", std::to_string(spec.duration.count()));
    AddSessionPolicy(spec.policy, spec.policy_arns, &r);
    return CallSts(r);
  }

  Result<StsCredentials> GetSessionToken(const SessionTokenSpec& spec) override {
    QueryRequest r("GetSessionToken", kStsApiVersion);
    r.Add("DurationSeconds", std::to_string(spec.duration.count()));
    AddMfa(spec.mfa_serial_number, spec.mfa_code, &r);
    return CallSts(r);
  }

  Result<GroupPolicies> GetGroupPolicies(const std::vector<std::string>& groups) override {
    GroupPolicies out;
    for (const std::string& group : groups) {
      QueryRequest attached("ListAttachedGroupPolicies", kIamApiVersion);
      Result<std::vector<std::string>> arns = ListAll(attached.Add("GroupName", group), "AttachedPolicies", "PolicyArn");
      if (!arns.ok()) return arns.status().WithContext("reading policies of IAM group " + group);
      out.policy_arns.insert(out.policy_arns.end(), arns->begin(), arns->end());
      QueryRequest inline_list("ListGroupPolicies", kIamApiVersion);
      Result<std::vector<std::string>> names = ListAll(inline_list.Add("GroupName", group), "PolicyNames", nullptr);
      if (!names.ok()) return names.status().WithContext("reading policies of IAM group " + group);
      for (const std::string& name : *names) {
        QueryRequest get("GetGroupPolicy", kIamApiVersion);
        Result<QueryReply> reply = CallIam(get.Add("GroupName", group).Add("PolicyName", name));
        if (!reply.ok()) return reply.status();
        Result<std::string> document = ParsePolicyDocument(*reply);
        if (!document.ok()) return document.status();
        out.documents.push_back(std::move(*document));
      }
    }
    return out;
  }

  Result<Identity> WhoAmI(const AwsCredentials& credentials) override {
    Result<QueryReply> reply = sts_->Call(QueryRequest("GetCallerIdentity", kStsApiVersion), credentials);
    if (!reply.ok()) return reply.status();
    Result<CallerIdentity> who = ParseCallerIdentity(*reply);
    if (!who.ok()) return who.status();
    return Identity{who->account, who->arn, who->user_id};
  }

  Result<IamUserInfo> GetUser(std::string_view user_name) override {
    Result<QueryReply> reply = CallIam(Iam("GetUser", std::string(user_name)));
    if (!reply.ok()) return reply.status();
    Result<IamUser> user = ParseUser(*reply);
    if (!user.ok()) return user.status();
    return Info(std::move(*user));
  }

  Result<std::vector<IamUserInfo>> ListUsers(std::string_view path_prefix) override {
    QueryRequest list("ListUsers", kIamApiVersion);
    list.Add("PathPrefix", std::string(path_prefix));
    Result<std::vector<IamUser>> users = ListPages<IamUser>(list, ParseListUsers);
    if (!users.ok()) return users.status();
    std::vector<IamUserInfo> out;
    for (IamUser& user : *users) out.push_back(Info(std::move(user)));
    return out;
  }

  Result<IssuedUserKey> CreateOwnAccessKey() override {
    Result<QueryReply> reply = CallIam(QueryRequest("CreateAccessKey", kIamApiVersion));
    if (!reply.ok()) return reply.status().WithContext("creating a new root access key");
    Result<NewAccessKey> key = ParseCreateAccessKey(*reply);
    if (!key.ok()) return key.status();
    IssuedUserKey issued;
    issued.user_name = key->metadata.user_name;
    issued.credentials = AwsCredentials(key->metadata.access_key_id, std::move(key->secret_access_key));
    return issued;
  }

  Result<std::vector<AccessKeyInfo>> ListOwnAccessKeys() override {
    Result<std::vector<AccessKeyMetadata>> keys =
        ListPages<AccessKeyMetadata>(QueryRequest("ListAccessKeys", kIamApiVersion), ParseListAccessKeys);
    if (!keys.ok()) return keys.status();
    std::vector<AccessKeyInfo> out;
    for (const AccessKeyMetadata& k : *keys) out.push_back({k.access_key_id, k.status, k.create_date});
    return out;
  }

  Status DeleteOwnAccessKey(std::string_view access_key_id) override {
    QueryRequest r("DeleteAccessKey", kIamApiVersion);
    r.Add("AccessKeyId", std::string(access_key_id));
    return Ignore404(CallIam(r).status()).WithContext("deleting access key " + std::string(access_key_id));
  }

 private:
  static IamUserInfo Info(IamUser user) {
    return IamUserInfo{std::move(user.user_name), std::move(user.path), std::move(user.arn), std::move(user.tags),
                       user.create_date};
  }

  Result<QueryReply> CallIam(const QueryRequest& r) { return iam_->Call(r, config_.credentials); }

  static Status Ignore404(Status s) { return IsNoSuchEntity(s) ? Status() : s; }

  static QueryRequest CreateUserRequest(const IamUserSpec& spec, bool tagged) {
    QueryRequest create = Iam("CreateUser", spec.user_name);
    if (spec.path != "/") create.Add("Path", spec.path);
    if (!spec.permissions_boundary_arn.empty()) create.Add("PermissionsBoundary", spec.permissions_boundary_arn);
    if (tagged) create.AddTags("Tags", spec.tags);
    return create;
  }

  static bool IsTagUserDenied(const Status& s) {
    return s.Is(ErrorCode::kPermissionDenied) && s.aws() != nullptr &&
           s.aws()->message.find("iam:TagUser") != std::string::npos;
  }

  // EntityAlreadyExists after a retried CreateUser whose first reply was
  // lost: the user is ours if it carries every tag we asked for (the engine
  // tags users with their unique lease id) or, created untagged, if it has
  // no tags and was created no earlier than spec.created_after. Then
  // GetUser's reply stands in for CreateUser's. Anyone else's user is left
  // alone: `error` stands.
  Result<QueryReply> AdoptEarlierAttempt(const IamUserSpec& spec, bool tagged, const Status& error) {
    if (error.aws() == nullptr || error.aws()->code != "EntityAlreadyExists") return error;
    if (!tagged && !spec.created_after) return error;  // nothing could prove it ours
    Result<QueryReply> reply = CallIam(Iam("GetUser", spec.user_name));
    if (!reply.ok()) return error;
    Result<IamUser> existing = ParseUser(*reply);
    if (!existing.ok()) return error;
    if (!tagged) {
      const bool fresh = existing->create_date && *existing->create_date >= *spec.created_after;
      if (!existing->tags.empty() || !fresh) return error;
      return reply;
    }
    for (const auto& tag : spec.tags) {
      if (std::find(existing->tags.begin(), existing->tags.end(), tag) == existing->tags.end()) return error;
    }
    return reply;
  }

  Status Attach(const IamUserSpec& spec) {
    for (const std::string& arn : spec.policy_arns) {
      Status s = CallIam(Iam("AttachUserPolicy", spec.user_name).Add("PolicyArn", arn)).status();
      if (!s.ok()) return s.WithContext("attaching " + arn);
    }
    if (!spec.inline_policy.empty()) {
      QueryRequest put = Iam("PutUserPolicy", spec.user_name);
      put.Add("PolicyName", spec.inline_policy_name).Add("PolicyDocument", spec.inline_policy);
      Status s = CallIam(put).status();
      if (!s.ok()) return s.WithContext("putting the inline policy");
    }
    for (const std::string& group : spec.groups) {
      Status s = CallIam(Iam("AddUserToGroup", spec.user_name).Add("GroupName", group)).status();
      if (!s.ok()) return s.WithContext("adding the user to group " + group);
    }
    return Status();
  }

  // The first error, after removing the half-built user; says if that failed too.
  Status WithCleanup(const std::string& user_name, const Status& error) {
    Status cleanup = DeleteUser(user_name);
    const std::string context = cleanup.ok()
        ? "creating IAM user " + user_name + " (what was created has been removed)"
        : "creating IAM user " + user_name + " (removing what was created failed too: " +
              cleanup.ToString() + ")";
    return error.WithContext(context);
  }

  // Removes every `kind` hanging on the user; failures go to `blockers`.
  // True when the list says the user is gone.
  bool RemoveAll(const Attachment& kind, const std::string& user, Blockers* blockers) {
    Result<std::vector<std::string>> items = ListAll(Iam(kind.list_action, user), kind.list_name, kind.field);
    if (!items.ok()) {
      if (IsNoSuchEntity(items.status())) return true;
      blockers->Add(kind.list_action, items.status());
      return false;
    }
    for (const std::string& item : *items) {
      Status removed = Ignore404(CallIam(Iam(kind.remove_action, user).Add(kind.item_param, item)).status());
      if (!removed.ok()) blockers->Add(kind.remove_action, removed);
    }
    return false;
  }

  // Every page of a list: the `field` of each member of `list_name` (or the
  // members' own text when field is nullptr, as for PolicyNames).
  Result<std::vector<std::string>> ListAll(const QueryRequest& request, const char* list_name, const char* field) {
    return ListPages<std::string>(request, [&](const QueryReply& reply) {
      return field ? ParseMemberField(reply, list_name, field) : ParsePolicyNames(reply);
    });
  }

  // Every page of a list, each parsed by `parse`.
  template <typename T, typename Parse>
  Result<std::vector<T>> ListPages(const QueryRequest& request, Parse parse) {
    // ListServiceSpecificCredentials is the one list IAM does not paginate.
    const bool paginated = request.action() != "ListServiceSpecificCredentials";
    std::vector<T> all;
    std::string marker;
    for (;;) {
      QueryRequest page_request = request;
      if (paginated) page_request.Add("MaxItems", kPageSize);
      if (!marker.empty()) page_request.Add("Marker", marker);
      Result<QueryReply> reply = CallIam(page_request);
      if (!reply.ok()) return reply.status();
      Result<Page<T>> page = parse(*reply);
      if (!page.ok()) return page.status();
      std::move(page->items.begin(), page->items.end(), std::back_inserter(all));
      if (!page->is_truncated || page->marker.empty()) return all;
      marker = page->marker;
    }
  }

  static void AddSessionPolicy(const std::string& policy, const std::vector<std::string>& arns, QueryRequest* r) {
    if (!policy.empty()) r->Add("Policy", policy);
    r->AddStructList("PolicyArns", "arn", arns);
  }

  static void AddMfa(const std::string& serial, const std::string& code, QueryRequest* r) {
    if (!serial.empty()) r->Add("SerialNumber", serial);
    if (!code.empty()) r->Add("TokenCode", code);
  }

  Result<StsCredentials> CallSts(const QueryRequest& r) {
    Result<QueryReply> reply = sts_->Call(r, config_.credentials);
    if (!reply.ok()) return reply.status();
    Result<StsSession> session = ParseStsSession(*reply);
    if (!session.ok()) return session.status();
    return StsCredentials{std::move(session->credentials), std::move(session->arn)};
  }

  AwsProviderConfig config_;
  std::unique_ptr<HttpTransport> owned_transport_;
  std::unique_ptr<QueryClient> iam_;
  std::unique_ptr<QueryClient> sts_;
  std::atomic<bool> tagging_denied_{false};  // once iam:TagUser was refused
};

std::string DefaultRegion(const std::string& configured) {
  if (!configured.empty()) return configured;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "us-east-1";
}

}  // namespace
}  // namespace aws

Result<std::unique_ptr<IamProvider>> NewAwsIamProvider(AwsProviderConfig config) {
  using namespace aws;
  if (config.credentials.access_key_id().empty()) {
    return Status::InvalidArgument("access_key", "the provider needs an access key id");
  }
  const std::string region = DefaultRegion(config.region);
  EndpointConfig iam_config;
  iam_config.region = region;
  iam_config.endpoint_url = config.iam_endpoint;
  Result<ServiceEndpoint> iam_endpoint = ResolveIamEndpoint(iam_config);
  if (!iam_endpoint.ok()) return Status::InvalidArgument("iam_endpoint", iam_endpoint.status().message());
  EndpointConfig sts_config;
  sts_config.region = region;
  sts_config.endpoint_url = config.sts_endpoint;
  if (!config.sts_endpoint.empty() && !config.sts_region.empty()) sts_config.signing_region = config.sts_region;
  Result<ServiceEndpoint> sts_endpoint = ResolveStsEndpoint(sts_config);
  if (!sts_endpoint.ok()) return Status::InvalidArgument("sts_endpoint", sts_endpoint.status().message());

  std::unique_ptr<HttpTransport> owned;
  if (config.transport == nullptr) {
    owned = NewCurlTransport();
    config.transport = owned.get();
  }
  RetryPolicy retry = RetryPolicy::FromEnvironment();
  if (config.max_retries >= 0) retry.max_attempts = config.max_retries + 1;
  auto client = [&](const char* service, const char* version, ServiceEndpoint endpoint) {
    QueryClientOptions o;
    o.service = service;
    o.api_version = version;
    o.endpoint = std::move(endpoint);
    o.transport = config.transport;
    o.clock = config.clock;
    o.retry = retry;
    o.observer = config.on_call;
    return std::make_unique<QueryClient>(std::move(o));
  };
  auto iam = client("iam", kIamApiVersion, *iam_endpoint);
  auto sts = client("sts", kStsApiVersion, *sts_endpoint);
  return std::unique_ptr<IamProvider>(
      new AwsIamProvider(std::move(config), std::move(owned), std::move(iam), std::move(sts)));
}

}  // namespace dyncreds
