// sigv4_suite.h: reading the cases of AWS's SigV4 test suites in ../shared
// (the request files, context.json), for the signer's and its stages' tests.
#ifndef DYNCREDS_TESTS_SUPPORT_SIGV4_SUITE_H_
#define DYNCREDS_TESTS_SUPPORT_SIGV4_SUITE_H_

#include <filesystem>
#include <string>
#include <vector>

#include "dyncreds/credentials.h"
#include "dyncreds/http.h"
#include "dyncreds/sigv4_signer.h"

namespace dyncreds::testing::sigv4_suite {

// An HTTP request as the suites write it: request line, "Name:value" header
// lines (a line starting with whitespace continues the previous value),
// blank line, body.
struct SuiteRequest {
  std::string method;
  std::string target;
  std::vector<HttpHeader> headers;
  std::string body;
};
SuiteRequest ParseSuiteRequest(const std::string& text);

// The request sent to https://example.amazonaws.com.
HttpRequest ToHttpRequest(const SuiteRequest& r);

// One aws-c-auth case: its folder, credentials and signing parameters from
// context.json. Throws std::runtime_error if context.json is unreadable.
struct SuiteCase {
  std::filesystem::path dir;
  AwsCredentials credentials;
  SigningParams params;
};
SuiteCase LoadCase(const std::filesystem::path& dir);

// Every folder under `root` holding `marker_file`, sorted.
std::vector<std::filesystem::path> CaseDirs(const std::filesystem::path& root,
                                            const char* marker_file);

}  // namespace dyncreds::testing::sigv4_suite

#endif  // DYNCREDS_TESTS_SUPPORT_SIGV4_SUITE_H_
