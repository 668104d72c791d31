// fake_iam_provider.h: an in-memory IamProvider for engine unit tests. It
// keeps the IAM users it made (with their specs), issues STS credentials
// that expire on the test's clock, records every call, and fails calls on
// demand.
//
// Thread safety: every method may be called from many threads at once.
#ifndef DYNCREDS_TESTS_SUPPORT_FAKE_IAM_PROVIDER_H_
#define DYNCREDS_TESTS_SUPPORT_FAKE_IAM_PROVIDER_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "dyncreds/sys/clock.h"
#include "dyncreds/engine.h"
#include "dyncreds/sys/iam_provider.h"

namespace dyncreds::testing {

class FakeIamProvider : public IamProvider {
 public:
  explicit FakeIamProvider(Clock* clock) : clock_(clock) {}

  Result<IssuedUserKey> CreateUserWithKey(const IamUserSpec& spec) override;
  Status DeleteUser(std::string_view user_name) override;
  Result<StsCredentials> AssumeRole(const AssumeRoleSpec& spec) override;
  Result<StsCredentials> GetFederationToken(const FederationTokenSpec& spec) override;
  Result<StsCredentials> GetSessionToken(const SessionTokenSpec& spec) override;
  Result<GroupPolicies> GetGroupPolicies(const std::vector<std::string>& groups) override;
  Result<Identity> WhoAmI(const AwsCredentials& credentials) override;
  Result<IamUserInfo> GetUser(std::string_view user_name) override;
  Result<std::vector<IamUserInfo>> ListUsers(std::string_view path_prefix) override;
  // The provider's own user starts with one key, "AKIAROOT0".
  Result<IssuedUserKey> CreateOwnAccessKey() override;
  Result<std::vector<AccessKeyInfo>> ListOwnAccessKeys() override;
  Status DeleteOwnAccessKey(std::string_view access_key_id) override;

  // The next `times` calls of `method` ("CreateUserWithKey", "DeleteUser",
  // "AssumeRole", ...) fail with `error`.
  void FailNext(const std::string& method, Status error, int times = 1);
  // WhoAmI answers InvalidClientTokenId for a key this many times first.
  void SetPropagationFailures(int times);
  void SetGroupPolicies(const std::string& group, GroupPolicies policies);
  // From now on users are created untagged (tagged = false), as when the
  // root user may not iam:TagUser.
  void DenyTagging();
  // A user someone else made, with no tags, created at `created`.
  void PutUntaggedUser(const std::string& name, std::chrono::system_clock::time_point created);

  std::map<std::string, IamUserSpec> users();  // by name
  std::vector<std::string> own_keys();         // the provider's own access key ids
  std::vector<std::string> calls();            // method names, in order
  AssumeRoleSpec last_assume_role();
  FederationTokenSpec last_federation_token();
  SessionTokenSpec last_session_token();

 private:
  Status Enter(const char* method);  // records the call; returns an injected failure
  StsCredentials NewSession(std::chrono::seconds duration, std::string arn);

  Clock* clock_;
  std::mutex mu_;
  std::map<std::string, IamUserSpec> users_;
  std::map<std::string, std::chrono::system_clock::time_point> created_;
  bool tagging_denied_ = false;
  std::map<std::string, std::string> key_owner_;  // access key id -> user
  std::map<std::string, std::chrono::system_clock::time_point> own_keys_{{"AKIAROOT0", {}}};
  std::map<std::string, std::vector<Status>> failures_;
  std::map<std::string, GroupPolicies> groups_;
  std::vector<std::string> calls_;
  int propagation_failures_ = 0;
  int next_id_ = 1;
  AssumeRoleSpec last_assume_;
  FederationTokenSpec last_federation_;
  SessionTokenSpec last_session_;
};

// An AWS error Status as the Query client would make it.
Status FakeAwsError(ErrorCode kind, const std::string& code, int http_status);

// Options for an engine under test: this provider and clock (and store, if
// given; else the engine's own in memory), no worker thread (the test calls
// Tick), and backoff jitter fixed so each wait is exactly base * 2^(n-1).
EngineOptions FakeEngineOptions(Clock* clock, IamProvider* provider, LeaseStore* store = nullptr);

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_FAKE_IAM_PROVIDER_H_
