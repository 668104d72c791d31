// local_aws.h: the local IAM/STS endpoint (tests/local_aws/) as C++ tests
// see it. CTest starts one endpoint as the `local_aws` fixture and names its
// ready file in the DYNCREDS_LOCAL_AWS environment variable; this class reads
// that file, makes Query clients for the endpoint, and drives its control
// plane (/_admin/: reset, faults, call log, state dump, settings).
//
// Control-plane calls throw std::runtime_error on failure, which doctest
// reports as a failed test.
//
// Thread safety: the control-plane methods may be called from many threads.
#ifndef DYNCREDS_TESTS_SUPPORT_LOCAL_AWS_H_
#define DYNCREDS_TESTS_SUPPORT_LOCAL_AWS_H_

#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "aws/query_client.h"
#include "dyncreds/credentials.h"
#include "dyncreds/sys/http_transport.h"

namespace dyncreds::testing {

class LocalAws {
 public:
  // The endpoint whose ready file the environment variable names
  // (DYNCREDS_LOCAL_AWS; DYNCREDS_LOCAL_AWS_B is a second account); throws
  // if it is unset or unreadable.
  static LocalAws FromEnvironment(const char* variable = "DYNCREDS_LOCAL_AWS");

  // The main port (both services, told apart by the credential scope; the
  // control plane) and each service's own port, as AWS's host names.
  const std::string& url() const { return url_; }
  const std::string& iam_url() const { return iam_url_; }
  const std::string& sts_url() const { return sts_url_; }
  const std::string& account_id() const { return account_id_; }
  // For an endpoint started with TLS (ctl.py --tls): its certificate, as a
  // CA bundle. Empty for plain HTTP.
  const std::string& ca_bundle() const { return ca_bundle_; }
  // The bootstrap administrator's key: for setting the stage (groups,
  // roles, users of someone else), as another IAM administrator would.
  AwsCredentials AdminCredentials() const;
  // A new IAM user "vault-root" (after Reset: one per test) holding the
  // seeds' least-privilege policy (tests/local_aws/policy.py SEEDS_ACTIONS
  // on user/vault-*) plus `extra_statements` (a JSON array, "" for none):
  // the key the engine runs with unless a test says why it needs more.
  AwsCredentials SeedsRoot(const std::string& extra_statements = "");
  // Any principal: {"name", "seeds_policy", "statements", "managed_policy_arns"}.
  AwsCredentials AddPrincipal(const std::string& spec_json);

  // A Query client for "iam" or "sts" at that service's port, over `transport`.
  std::unique_ptr<aws::QueryClient> NewClient(std::string_view service, HttpTransport* transport,
                                              aws::RetryPolicy retry = {}) const;

  void Reset();                                // state back to the bootstrap only
  int AddFault(const std::string& spec_json);  // returns the fault's id
  int FaultHits(int id);                       // calls it has hit so far (a delay counts on arrival)
  void ClearFaults();                          // also releases held (delayed) calls
  void ClearCalls();
  void Configure(const std::string& settings_json);  // skew_seconds, advance_seconds, ...
  rapidjson::Document State();
  rapidjson::Document Calls();  // {"calls": [{action, status, code, fault, ...}]}
  // How many calls of `action` the log holds.
  int CountCalls(std::string_view action);
  // Connections the endpoint has accepted since the last reset.
  int Connections();

 private:
  LocalAws() = default;
  rapidjson::Document Admin(const char* method, const std::string& path,
                            const std::string& body = "");

  std::string url_;
  std::string iam_url_;
  std::string sts_url_;
  std::string account_id_;
  std::string access_key_id_;
  std::string secret_access_key_;
  std::string ca_bundle_;
  std::shared_ptr<HttpTransport> transport_;  // for the control plane
};

// IAM is eventually consistent, and the endpoint is too (new keys fail and
// deleted ones work for a moment): true once `condition` holds, polling for
// up to `timeout`.
bool Eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_LOCAL_AWS_H_
