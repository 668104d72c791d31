#include "support/fake_iam_provider.h"

namespace dyncreds::testing {

EngineOptions FakeEngineOptions(Clock* clock, IamProvider* provider, LeaseStore* store) {
  EngineOptions o;
  o.store = store;
  o.provider = provider;
  o.clock = clock;
  o.revocation.background_worker = false;
  o.jitter = [] { return 0.5; };
  return o;
}

Status FakeAwsError(ErrorCode kind, const std::string& code, int http_status) {
  AwsErrorDetails details;
  details.http_status = http_status;
  details.code = code;
  details.message = code + " (injected by the test)";
  details.request_id = "fake-request-id";
  return Status::FromAws(kind, "fake AWS call failed", details);
}

Status FakeIamProvider::Enter(const char* method) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(method);
  auto it = failures_.find(method);
  if (it == failures_.end() || it->second.empty()) return Status();
  Status error = it->second.back();
  it->second.pop_back();
  return error;
}

void FakeIamProvider::FailNext(const std::string& method, Status error, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < times; ++i) failures_[method].push_back(error);
}

void FakeIamProvider::SetPropagationFailures(int times) {
  std::lock_guard<std::mutex> lock(mu_);
  propagation_failures_ = times;
}

void FakeIamProvider::SetGroupPolicies(const std::string& group, GroupPolicies policies) {
  std::lock_guard<std::mutex> lock(mu_);
  groups_[group] = std::move(policies);
}

void FakeIamProvider::DenyTagging() {
  std::lock_guard<std::mutex> lock(mu_);
  tagging_denied_ = true;
}

void FakeIamProvider::PutUntaggedUser(const std::string& name, std::chrono::system_clock::time_point created) {
  std::lock_guard<std::mutex> lock(mu_);
  IamUserSpec spec;
  spec.user_name = name;
  users_[name] = spec;
  created_[name] = created;
}

Result<IssuedUserKey> FakeIamProvider::CreateUserWithKey(const IamUserSpec& spec) {
  Status injected = Enter("CreateUserWithKey");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  if (users_.count(spec.user_name)) return FakeAwsError(ErrorCode::kConflict, "EntityAlreadyExists", 409);
  users_[spec.user_name] = spec;
  if (tagging_denied_) users_[spec.user_name].tags.clear();
  created_[spec.user_name] = clock_->Now();
  const std::string key_id = "AKIAFAKE" + std::to_string(next_id_++);
  key_owner_[key_id] = spec.user_name;
  IssuedUserKey issued{spec.user_name, "arn:aws:iam::123456789012:user" + spec.path + spec.user_name,
                       AwsCredentials(key_id, SecretString("fake-secret-" + key_id)), !tagging_denied_};
  return issued;
}

Status FakeIamProvider::DeleteUser(std::string_view user_name) {
  Status injected = Enter("DeleteUser");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  users_.erase(std::string(user_name));
  return Status();
}

StsCredentials FakeIamProvider::NewSession(std::chrono::seconds duration, std::string arn) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key_id = "ASIAFAKE" + std::to_string(next_id_++);
  return StsCredentials{AwsCredentials(key_id, SecretString("fake-secret"), SecretString("fake-token"),
                                       clock_->Now() + duration),
                        std::move(arn)};
}

Result<StsCredentials> FakeIamProvider::AssumeRole(const AssumeRoleSpec& spec) {
  Status injected = Enter("AssumeRole");
  if (!injected.ok()) return injected;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_assume_ = spec;
  }
  const std::string role = spec.role_arn.substr(spec.role_arn.rfind('/') + 1);
  return NewSession(spec.duration, "arn:aws:sts::123456789012:assumed-role/" + role + "/" + spec.session_name);
}

Result<StsCredentials> FakeIamProvider::GetFederationToken(const FederationTokenSpec& spec) {
  Status injected = Enter("GetFederationToken");
  if (!injected.ok()) return injected;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_federation_ = spec;
  }
  return NewSession(spec.duration, "arn:aws:sts::123456789012:federated-user/" + spec.name);
}

Result<StsCredentials> FakeIamProvider::GetSessionToken(const SessionTokenSpec& spec) {
  Status injected = Enter("GetSessionToken");
  if (!injected.ok()) return injected;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_session_ = spec;
  }
  return NewSession(spec.duration, "");
}

Result<GroupPolicies> FakeIamProvider::GetGroupPolicies(const std::vector<std::string>& groups) {
  Status injected = Enter("GetGroupPolicies");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  GroupPolicies out;
  for (const std::string& g : groups) {
    auto it = groups_.find(g);
    if (it == groups_.end()) return FakeAwsError(ErrorCode::kNotFound, "NoSuchEntity", 404);
    out.documents.insert(out.documents.end(), it->second.documents.begin(), it->second.documents.end());
    out.policy_arns.insert(out.policy_arns.end(), it->second.policy_arns.begin(), it->second.policy_arns.end());
  }
  return out;
}

Result<Identity> FakeIamProvider::WhoAmI(const AwsCredentials& credentials) {
  Status injected = Enter("WhoAmI");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  if (propagation_failures_ > 0) {
    --propagation_failures_;
    return FakeAwsError(ErrorCode::kPermissionDenied, "InvalidClientTokenId", 403);
  }
  if (own_keys_.count(credentials.access_key_id())) {
    return Identity{"123456789012", "arn:aws:iam::123456789012:user/root-user", "AIDAROOT"};
  }
  auto it = key_owner_.find(credentials.access_key_id());
  if (it == key_owner_.end() || !users_.count(it->second)) {
    return FakeAwsError(ErrorCode::kPermissionDenied, "InvalidClientTokenId", 403);
  }
  return Identity{"123456789012", "arn:aws:iam::123456789012:user/" + it->second, "AIDAFAKE"};
}

Result<IamUserInfo> FakeIamProvider::GetUser(std::string_view user_name) {
  Status injected = Enter("GetUser");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(std::string(user_name));
  if (it == users_.end()) return FakeAwsError(ErrorCode::kNotFound, "NoSuchEntity", 404);
  const IamUserSpec& spec = it->second;
  return IamUserInfo{spec.user_name, spec.path, "arn:aws:iam::123456789012:user" + spec.path + spec.user_name,
                     spec.tags, created_[spec.user_name]};
}

Result<std::vector<IamUserInfo>> FakeIamProvider::ListUsers(std::string_view path_prefix) {
  Status injected = Enter("ListUsers");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<IamUserInfo> out;
  for (const auto& [name, spec] : users_) {
    if (spec.path.compare(0, path_prefix.size(), path_prefix) == 0) {
      out.push_back({name, spec.path, "arn:aws:iam::123456789012:user" + spec.path + name, {}, created_[name]});
    }
  }
  return out;
}

Result<IssuedUserKey> FakeIamProvider::CreateOwnAccessKey() {
  Status injected = Enter("CreateOwnAccessKey");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  if (own_keys_.size() >= 2) return FakeAwsError(ErrorCode::kConflict, "LimitExceeded", 409);
  const std::string key_id = "AKIAROOT" + std::to_string(next_id_++);
  own_keys_[key_id] = clock_->Now();
  return IssuedUserKey{"root-user", "arn:aws:iam::123456789012:user/root-user",
                       AwsCredentials(key_id, SecretString("fake-root-secret-" + key_id))};
}

Result<std::vector<AccessKeyInfo>> FakeIamProvider::ListOwnAccessKeys() {
  Status injected = Enter("ListOwnAccessKeys");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AccessKeyInfo> out;
  for (const auto& [id, created] : own_keys_) out.push_back({id, "Active", created});
  return out;
}

Status FakeIamProvider::DeleteOwnAccessKey(std::string_view access_key_id) {
  Status injected = Enter("DeleteOwnAccessKey");
  if (!injected.ok()) return injected;
  std::lock_guard<std::mutex> lock(mu_);
  own_keys_.erase(std::string(access_key_id));
  return Status();
}

std::vector<std::string> FakeIamProvider::own_keys() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, created] : own_keys_) out.push_back(id);
  return out;
}

std::map<std::string, IamUserSpec> FakeIamProvider::users() {
  std::lock_guard<std::mutex> lock(mu_);
  return users_;
}

std::vector<std::string> FakeIamProvider::calls() {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

AssumeRoleSpec FakeIamProvider::last_assume_role() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_assume_;
}

FederationTokenSpec FakeIamProvider::last_federation_token() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_federation_;
}

SessionTokenSpec FakeIamProvider::last_session_token() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_session_;
}

}  // namespace dyncreds::testing
