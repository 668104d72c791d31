// Signs a request through the installed library and checks the result.
#include <dyncreds/sigv4_signer.h>
#include <dyncreds/version.h>

#include <cstdio>

int main() {
  dyncreds::AwsCredentials creds("AKIDEXAMPLE",
                                 dyncreds::SecretString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
  dyncreds::HttpRequest request;
  request.method = "GET";
  request.url = "https://example.amazonaws.com/";
  dyncreds::SigningParams params;
  params.region = "us-east-1";
  params.service = "service";
  params.time = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  dyncreds::SigningTrace trace;
  dyncreds::Status s = dyncreds::SigV4Signer().SignHeaders(request, creds, params, &trace);
  // The get-vanilla case of AWS's SigV4 suite.
  if (!s.ok() || trace.signature != "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") {
    std::printf("FAIL: %s %s\n", s.ToString().c_str(), trace.signature.c_str());
    return 1;
  }
  // The header helpers of dyncreds/http.h, from the shared library too.
  request.SetHeader("X-Test", "1");
  dyncreds::HttpResponse response;
  response.headers.push_back({"Content-Type", "text/xml"});
  const std::string* found = request.FindHeader("x-test");
  const std::string* type = response.FindHeader("content-type");
  if (found == nullptr || *found != "1" || type == nullptr || *type != "text/xml") {
    std::printf("FAIL: FindHeader/SetHeader\n");
    return 1;
  }
  std::printf("consumer OK with libdyncreds %s\n", DYNCREDS_VERSION_STRING);
  return 0;
}
