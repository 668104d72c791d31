#include "support/instant_iam_transport.h"

#include <string>

namespace dyncreds::testing {
namespace {

const char kNs[] = " xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"";

std::string Wrap(const std::string& action, const std::string& result) {
  return "<" + action + "Response" + kNs + ">" +
         (result.empty() ? "" : "<" + action + "Result>" + result + "</" + action + "Result>") +
         "<ResponseMetadata><RequestId>0a1b2c3d-0000-4000-8000-000000000000</RequestId></ResponseMetadata></" +
         action + "Response>";
}

std::string List(const std::string& action, const std::string& list, const std::string& members = "") {
  return Wrap(action, "<" + list + ">" + members + "</" + list + "><IsTruncated>false</IsTruncated>");
}

std::string Reply(const std::string& action) {
  const std::string user = "<User><Path>/</Path><UserName>vault-u</UserName><UserId>AIDAEXAMPLEEXAMPLE123</UserId>"
                           "<Arn>arn:aws:iam::123456789012:user/vault-u</Arn><CreateDate>2026-11-21T10:00:00Z</CreateDate></User>";
  if (action == "CreateUser" || action == "GetUser") return Wrap(action, user);
  if (action == "CreateAccessKey") {
    return Wrap(action, "<AccessKey><UserName>vault-u</UserName><AccessKeyId>AKIAEXAMPLEEXAMPLE12</AccessKeyId>"
                        "<Status>Active</Status><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>"
                        "<CreateDate>2026-11-21T10:00:00Z</CreateDate></AccessKey>");
  }
  if (action == "ListAccessKeys") {
    return List(action, "AccessKeyMetadata", "<member><UserName>vault-u</UserName><AccessKeyId>AKIAEXAMPLEEXAMPLE12</AccessKeyId>"
                                             "<Status>Active</Status><CreateDate>2026-11-21T10:00:00Z</CreateDate></member>");
  }
  if (action == "ListAttachedUserPolicies") {
    return List(action, "AttachedPolicies", "<member><PolicyName>ReadOnlyAccess</PolicyName>"
                                            "<PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member>");
  }
  if (action == "ListUserPolicies") return List(action, "PolicyNames", "<member>deploy</member>");
  if (action == "ListGroupsForUser") return List(action, "Groups");
  if (action == "ListMFADevices") return List(action, "MFADevices");
  if (action == "ListSSHPublicKeys") return List(action, "SSHPublicKeys");
  if (action == "ListSigningCertificates") return List(action, "Certificates");
  if (action == "ListServiceSpecificCredentials") return Wrap(action, "<ServiceSpecificCredentials></ServiceSpecificCredentials>");
  return Wrap(action, "");  // Attach, Put, Delete*, Remove*: no result
}

}  // namespace

Result<HttpResponse> InstantIamTransport::Send(const HttpRequest& request) {
  const std::size_t at = request.body.find("Action=") + 7;
  const std::string action = request.body.substr(at, request.body.find('&', at) - at);
  HttpResponse r;
  r.status = 200;
  r.headers.push_back({"Content-Type", "text/xml"});
  r.body = Reply(action);
  return r;
}

}  // namespace dyncreds::testing
