// query_request.h: the parameters of one AWS Query API call, and their form
// body, serialized byte for byte as botocore serializes them (local AWS
// emulators re-encode the parsed form before checking the signature, so only
// that exact encoding verifies against them).
#ifndef DYNCREDS_SRC_AWS_QUERY_REQUEST_H_
#define DYNCREDS_SRC_AWS_QUERY_REQUEST_H_

#include <string>
#include <utility>
#include <vector>

namespace dyncreds::aws {

class QueryRequest {
 public:
  QueryRequest(std::string action, std::string api_version);

  // A scalar member: "UserName=bob".
  QueryRequest& Add(std::string name, std::string value);
  // A list of strings: Name.member.1=a&Name.member.2=b. Empty lists are
  // omitted, as botocore does.
  QueryRequest& AddList(const std::string& name, const std::vector<std::string>& values);
  // A list of structures with one member each: PolicyArns.member.1.arn=...
  QueryRequest& AddStructList(const std::string& name, const std::string& member,
                              const std::vector<std::string>& values);
  // Tags: Tags.member.1.Key=k&Tags.member.1.Value=v.
  QueryRequest& AddTags(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& tags);

  const std::string& action() const { return action_; }
  const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
  // Looks up a scalar member (for tests and logs); nullptr if absent.
  const std::string* Find(const std::string& name) const;

  // "Action=...&Version=...&<members in the order added>".
  std::string FormBody() const;

 private:
  std::string action_;
  std::vector<std::pair<std::string, std::string>> params_;  // Action, Version first
};

}  // namespace dyncreds::aws

#endif  // DYNCREDS_SRC_AWS_QUERY_REQUEST_H_
