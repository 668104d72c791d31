// iam_sts_api.h: typed results of the IAM and STS actions libdyncreds uses,
// read from QueryReply documents. A required element that is missing gives
// kMalformedResponse naming it. Secrets and session tokens go straight into
// SecretStrings (whitespace removed: documentation samples wrap them).
#ifndef DYNCREDS_SRC_AWS_IAM_STS_API_H_
#define DYNCREDS_SRC_AWS_IAM_STS_API_H_

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/xml_reply.h"
#include "dyncreds/credentials.h"
#include "dyncreds/status.h"

namespace dyncreds::aws {

using TimePoint = std::chrono::system_clock::time_point;

constexpr char kIamApiVersion[] = "2010-05-08";
constexpr char kStsApiVersion[] = "2011-06-15";

template <typename T>
struct Page {
  std::vector<T> items;
  bool is_truncated = false;
  std::string marker;  // pass back as Marker for the next page
};

struct IamUser {
  std::string path;
  std::string user_name;
  std::string user_id;
  std::string arn;
  std::optional<TimePoint> create_date;
  std::string permissions_boundary_arn;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct AccessKeyMetadata {
  std::string user_name;
  std::string access_key_id;
  std::string status;  // "Active" | "Inactive"
  std::optional<TimePoint> create_date;
};

struct NewAccessKey {
  AccessKeyMetadata metadata;
  SecretString secret_access_key;
};

struct AttachedPolicy {
  std::string policy_name;
  std::string policy_arn;
};

struct ManagedPolicy {
  std::string policy_name;
  std::string arn;
  std::optional<TimePoint> create_date;
};

struct IamGroup {
  std::string path;
  std::string group_name;
  std::string group_id;
  std::string arn;
};

// AssumeRole, GetFederationToken and GetSessionToken.
struct StsSession {
  AwsCredentials credentials;  // with expiration
  std::string arn;             // AssumedRoleUser / FederatedUser Arn, if any
  std::string principal_id;    // AssumedRoleId / FederatedUserId, if any
  std::optional<int> packed_policy_size;
  std::string source_identity;
};

struct CallerIdentity {
  std::string user_id;
  std::string account;
  std::string arn;
};

Result<IamUser> ParseUser(const QueryReply& reply);  // CreateUser, GetUser
Result<NewAccessKey> ParseCreateAccessKey(const QueryReply& reply);
Result<Page<AccessKeyMetadata>> ParseListAccessKeys(const QueryReply& reply);
// ListAttachedUserPolicies, ListAttachedGroupPolicies.
Result<Page<AttachedPolicy>> ParseListAttachedPolicies(const QueryReply& reply);
// ListUserPolicies, ListGroupPolicies (PolicyNames), ListUserTags (Tags) ...
Result<Page<std::string>> ParsePolicyNames(const QueryReply& reply);
Result<Page<IamGroup>> ParseListGroups(const QueryReply& reply);  // ListGroupsForUser, ListGroups
Result<Page<IamUser>> ParseListUsers(const QueryReply& reply);
Result<Page<ManagedPolicy>> ParseListPolicies(const QueryReply& reply);
Result<Page<std::pair<std::string, std::string>>> ParseTags(const QueryReply& reply);
// One field of each member of a list, e.g. ("MFADevices", "SerialNumber"),
// ("SSHPublicKeys", "SSHPublicKeyId"), ("Certificates", "CertificateId").
Result<Page<std::string>> ParseMemberField(const QueryReply& reply, const char* list_name,
                                           const char* field);
// GetUserPolicy, GetGroupPolicy, GetRolePolicy: the URL-decoded document.
Result<std::string> ParsePolicyDocument(const QueryReply& reply);
Result<StsSession> ParseStsSession(const QueryReply& reply);
Result<CallerIdentity> ParseCallerIdentity(const QueryReply& reply);

}  // namespace dyncreds::aws

#endif  // DYNCREDS_SRC_AWS_IAM_STS_API_H_
