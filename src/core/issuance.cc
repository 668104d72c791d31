#include "core/issuance.h"

#include <chrono>

#include "core/intent_owner.h"
#include "core/issuance_rules.h"
#include "core/key_readiness.h"
#include "core/lease_id.h"
#include "core/recovery.h"
#include "core/session_policy.h"

namespace dyncreds::core {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

class Issuance {
 public:
  explicit Issuance(const IssuanceContext& context) : ctx_(context) {}

  Result<IssuedCredential> Issue(const Role& role, const IssueOptions& options) {
    Lease lease;
    lease.issued_at = ctx_.clock.Now();
    lease.id = ctx_.mount + "/creds/" + role.name + "/" + NewLeaseSuffix(lease.issued_at);
    lease.mount = ctx_.mount;
    lease.role = role.name;
    lease.type = role.credential_type;
    TemplateData data{NormalizeTemplateInput(options.display_name), NormalizeTemplateInput(role.name), role.name,
                      "IAM"};
    TemplateEnv env;
    Clock* clock = &ctx_.clock;
    env.now = [clock] { return clock->Now(); };
    if (role.credential_type == CredentialType::kIamUser) {
      return IssueIamUser(role, options, data, env, std::move(lease));
    }
    return IssueSts(role, options, data, env, std::move(lease));
  }

 private:
  Result<IssuedCredential> IssueIamUser(const Role& role, const IssueOptions& options, const TemplateData& data,
                                        const TemplateEnv& env, Lease lease) {
    // Checked again here, before anything exists in AWS: a role written by an
    // older version, or edited in the store, must not leave half a user.
    Status valid = ValidateRole(role);
    if (!valid.ok()) return valid.WithContext("role " + role.name);
    Result<std::string> name = RenderUserName(ctx_.name_template, data, env);
    if (!name.ok()) return name.status();
    const auto [ttl, max] = UserLifetime(&role, ctx_.lease_config, options.ttl);
    IamUserSpec spec;
    spec.user_name = *name;
    spec.path = role.user_path;
    spec.permissions_boundary_arn = role.permissions_boundary_arn;
    spec.tags = role.iam_tags;
    spec.tags.emplace_back(kLeaseTag, lease.id);
    spec.tags.emplace_back(kMountTag, ctx_.mount);
    spec.policy_arns = role.policy_arns;
    spec.inline_policy_name = role.name;
    spec.inline_policy = role.policy_document;
    spec.groups = role.iam_groups;
    spec.created_after = lease.issued_at - kClockTolerance;
    // A name no lease or intent of the mount holds: what lets recovery prove
    // an untagged user is this issuance's.
    Result<bool> held = ctx_.store.HoldsUserName(ctx_.mount, *name);
    if (!held.ok()) return held.status();
    if (*held) {
      return Status::Conflict("IAM user name \"" + *name + "\" is held by another lease or issuance of mount " +
                              ctx_.mount + " (make username_template unique, e.g. with {{random 20}})");
    }
    // Committed before anything exists in AWS: if this process dies before
    // the lease is stored, recovery finds the intent and deletes the user.
    const Intent intent = NewIntent(lease, role, *name);
    const InFlightIssuances::Entry in_flight(ctx_.in_flight, intent.lease_id);
    Status noted = ctx_.store.PutIntent(intent);
    if (!noted.ok()) return noted.WithContext("recording the intent to create IAM user " + *name + " (nothing was created)");
    Result<IssuedUserKey> key = ctx_.provider.CreateUserWithKey(spec);
    if (!key.ok()) return ctx_.abandon(intent, key.status());
    if (!key->tagged) ctx_.note_untagged();

    lease.user_name = key->user_name;
    lease.arn = key->user_arn;
    lease.access_key_id = key->credentials.access_key_id();
    lease.expires_at = lease.issued_at + ttl;
    lease.max_expires_at = lease.issued_at + max;
    lease.due_at = lease.expires_at;
    lease.renewable = true;

    if (options.wait_until_usable) {
      Status usable = WaitUntilUsable(ctx_.provider, key->credentials, ctx_.clock, options.usable_timeout);
      if (!usable.ok()) return ctx_.abandon(intent, usable);
    }
    Status stored = ctx_.store.PromoteIntent(lease);
    if (!stored.ok()) return ctx_.abandon(intent, stored.WithContext("recording the lease"));
    IssuedCredential out;
    out.lease_id = lease.id;
    out.credentials = std::move(key->credentials);
    out.arn = lease.arn;
    out.user_name = lease.user_name;
    out.lease_duration = ttl;
    out.renewable = true;
    return out;
  }

  Intent NewIntent(const Lease& lease, const Role& role, const std::string& user_name) const {
    return Intent{lease.id, ctx_.mount, role.name, role.credential_type, user_name, lease.issued_at,
                  CurrentProcess(), std::nullopt};
  }

  Result<IssuedCredential> IssueSts(const Role& role, const IssueOptions& options, TemplateData data,
                                    const TemplateEnv& env, Lease lease) {
    const seconds ttl = StsLifetime(role, ctx_.lease_config, options.ttl).ttl;

    std::string policy = role.policy_document;
    std::vector<std::string> policy_arns = role.policy_arns;
    if (!role.iam_groups.empty() && role.credential_type != CredentialType::kSessionToken) {
      Result<GroupPolicies> groups = ctx_.provider.GetGroupPolicies(role.iam_groups);
      if (!groups.ok()) return groups.status();
      policy = CombinePolicies(policy, groups->documents);
      policy_arns.insert(policy_arns.end(), groups->policy_arns.begin(), groups->policy_arns.end());
      if (policy.size() > kMaxSessionPolicyChars) {
        return Status::InvalidArgument("iam_groups", "the role's and its groups' policies together are " +
                                                         std::to_string(policy.size()) + " characters; STS allows " +
                                                         std::to_string(kMaxSessionPolicyChars));
      }
    }

    std::function<Result<StsCredentials>()> call;
    if (role.credential_type == CredentialType::kAssumedRole) {
      Result<std::string> role_arn = PickRoleArn(role, options.role_arn);
      if (!role_arn.ok()) return role_arn.status();
      Result<std::string> session = SessionName(options.role_session_name, ctx_.name_template, data, env);
      if (!session.ok()) return session.status();
      lease.user_name = *session;
      call = [&, spec = AssumeRoleSpec{*role_arn, *session, ttl, policy, policy_arns, role.session_tags,
                                       role.external_id, role.mfa_serial_number, options.mfa_code}] {
        return ctx_.provider.AssumeRole(spec);
      };
    } else if (role.credential_type == CredentialType::kFederationToken) {
      data.type = "STS";
      Result<std::string> name = RenderFederationName(ctx_.name_template, data, env);
      if (!name.ok()) return name.status();
      lease.user_name = *name;
      call = [&, spec = FederationTokenSpec{*name, ttl, policy, policy_arns}] { return ctx_.provider.GetFederationToken(spec); };
    } else {
      call = [&, spec = SessionTokenSpec{ttl, role.mfa_serial_number, options.mfa_code}] {
        return ctx_.provider.GetSessionToken(spec);
      };
    }
    // STS credentials cannot be recalled, but an issuance that dies before
    // its lease is stored is still accounted for by its intent.
    const Intent intent = NewIntent(lease, role, lease.user_name);
    const InFlightIssuances::Entry in_flight(ctx_.in_flight, intent.lease_id);
    Status noted = ctx_.store.PutIntent(intent);
    if (!noted.ok()) return noted.WithContext("recording the intent (no credentials were requested)");
    Result<StsCredentials> creds = call();
    if (!creds.ok()) return ctx_.abandon(intent, creds.status());

    const TimePoint expires = creds->credentials.expiration().value_or(lease.issued_at + ttl);
    lease.arn = creds->arn;
    lease.access_key_id = creds->credentials.access_key_id();
    lease.expires_at = expires;
    lease.max_expires_at = expires;
    lease.due_at = expires;
    lease.renewable = false;
    Status stored = ctx_.store.PromoteIntent(lease);
    if (!stored.ok()) {
      return ctx_.abandon(intent, stored.WithContext("recording the lease (the STS credentials expire by themselves)"));
    }
    IssuedCredential out;
    out.lease_id = lease.id;
    out.credentials = std::move(creds->credentials);
    out.arn = lease.arn;
    // AWS gives the expiration in whole seconds: rounding up keeps a
    // 15-minute credential from being reported as 899 s.
    out.lease_duration = std::chrono::ceil<seconds>(expires - lease.issued_at);
    out.renewable = false;
    return out;
  }

  const IssuanceContext& ctx_;
};

}  // namespace

Result<IssuedCredential> IssueCredential(const IssuanceContext& context, const Role& role,
                                         const IssueOptions& options) {
  return Issuance(context).Issue(role, options);
}

}  // namespace dyncreds::core
