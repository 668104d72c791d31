// sign_request: signs an STS GetCallerIdentity request with SigV4 and prints
// it, using only libdyncreds' public API.
//
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN; without them AWS's documented example key is used.
// The region comes from AWS_REGION (default us-east-1).
#include <dyncreds/sigv4_signer.h>
#include <dyncreds/version.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
}  // namespace

int main() {
  const std::string region = Env("AWS_REGION", "us-east-1");
  dyncreds::AwsCredentials credentials(
      Env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
      dyncreds::SecretString(Env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
      dyncreds::SecretString(Env("AWS_SESSION_TOKEN", "")));

  dyncreds::HttpRequest request;
  request.method = "POST";
  request.url = "https://sts." + region + ".amazonaws.com/";
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
  request.body = "Action=GetCallerIdentity&Version=2011-06-15";

  dyncreds::SigningParams params;
  params.region = region;
  params.service = "sts";
  params.time = std::chrono::system_clock::now();

  dyncreds::SigV4Signer signer;
  dyncreds::Status status = signer.SignHeaders(request, credentials, params);
  if (!status.ok()) {
    std::fprintf(stderr, "signing failed: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("# libdyncreds %s: a signed STS GetCallerIdentity request\n",
              DYNCREDS_VERSION_STRING);
  std::printf("%s %s HTTP/1.1\n", request.method.c_str(), request.url.c_str());
  for (const dyncreds::HttpHeader& h : request.headers) {
    // The session token is a secret: show that it is there, not what it is.
    const bool secret = h.name == "X-Amz-Security-Token";
    std::printf("%s: %s\n", h.name.c_str(), secret ? "(session token, not shown)" : h.value.c_str());
  }
  std::printf("\n%s\n", request.body.c_str());
  return 0;
}
