// Secrets are wiped before their memory is freed. This test binary replaces
// the allocator's free path (free, and through it operator delete) with one
// that first looks for the watched secrets in the block being freed: a
// secret found there is a copy that was freed unwiped.
//
// Its own executable, because replacing free is global; not built under the
// sanitizers, which own the allocator themselves (tests/CMakeLists.txt).
#include <doctest/doctest.h>
#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <new>
#include <string>

#include "dyncreds/credentials.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/secret.h"
#include "dyncreds/sigv4_signer.h"
#include "dyncreds/aws_iam_provider.h"
#include "dyncreds.h"
#include "dyncreds/json.h"
#include "tool/arguments.h"
#include "tool/output.h"
#include "util/secret_buffer.h"

extern "C" void __libc_free(void* p);

namespace {

// Static, so that the watch list itself is never on the heap.
constexpr char kRootSecret[] = "rootSECRETrootSECRETrootSECRETrootSECRET";
constexpr char kIssuedSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
constexpr char kPlainSecret[] = "plainSECRETplainSECRETplainSECRET1234567";

std::atomic<bool> g_watching{false};
std::atomic<int> g_unwiped{0};

void Inspect(void* p) {
  if (p == nullptr || !g_watching.load(std::memory_order_relaxed)) return;
  const std::size_t n = malloc_usable_size(p);
  for (const char* secret : {kRootSecret, kIssuedSecret, kPlainSecret}) {
    if (memmem(p, n, secret, std::strlen(secret)) != nullptr) g_unwiped.fetch_add(1);
  }
}

// Counts the unwiped copies freed while `fn` runs (and its objects die).
template <typename Fn>
int UnwipedDuring(Fn fn) {
  g_unwiped = 0;
  g_watching = true;
  fn();
  g_watching = false;
  return g_unwiped.load();
}

// IAM as the provider sees it, built so that the secret's only copy is the
// one reply body it hands over (as curl's buffer would be): whatever copy is
// then freed unwiped was made by libdyncreds.
class OneCopyIam : public dyncreds::HttpTransport {
 public:
  dyncreds::Result<dyncreds::HttpResponse> Send(const dyncreds::HttpRequest& request) override {
    dyncreds::HttpResponse response;
    response.status = 200;
    const char* action = request.body.find("Action=CreateAccessKey") != std::string::npos ? "CreateAccessKey" : "CreateUser";
    response.body.reserve(1024);
    response.body.append("<").append(action).append("Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><")
        .append(action).append("Result>");
    if (std::strcmp(action, "CreateAccessKey") == 0) {
      response.body.append("<AccessKey><UserName>vault-wipe</UserName><AccessKeyId>AKIAEXAMPLEEXAMPLE12</AccessKeyId>"
                           "<Status>Active</Status><SecretAccessKey>")
          .append(kIssuedSecret)
          .append("</SecretAccessKey><CreateDate>2026-11-21T10:00:00Z</CreateDate></AccessKey>");
    } else {
      response.body.append("<User><Path>/</Path><UserName>vault-wipe</UserName><UserId>AIDAEXAMPLEEXAMPLE123</UserId>"
                           "<Arn>arn:aws:iam::123456789012:user/vault-wipe</Arn>"
                           "<CreateDate>2026-11-21T10:00:00Z</CreateDate></User>");
    }
    response.body.append("</").append(action).append("Result><ResponseMetadata><RequestId>r</RequestId>"
                         "</ResponseMetadata></").append(action).append("Response>");
    return response;
  }
};

}  // namespace

extern "C" void free(void* p) {
  Inspect(p);
  __libc_free(p);
}
void operator delete(void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }

using namespace dyncreds;

TEST_CASE("the watch sees an unwiped copy: a plain std::string holding a secret") {
  CHECK(UnwipedDuring([] { std::string copy(kPlainSecret); (void)copy; }) == 1);
}

TEST_CASE("SecretString and AwsCredentials wipe every copy they free") {
  CHECK(UnwipedDuring([] {
          SecretString s(kPlainSecret);
          SecretString copy = s;
          SecretString moved = std::move(copy);
          copy = moved;
          AwsCredentials credentials("AKIDEXAMPLE", SecretString(kPlainSecret), SecretString(kRootSecret));
          AwsCredentials again = credentials;
        }) == 0);
}

TEST_CASE("signing with a secret leaves no unwiped copy (C++ and the C ABI)") {
  CHECK(UnwipedDuring([] {
          AwsCredentials credentials("AKIDEXAMPLE", SecretString(kRootSecret));
          HttpRequest request;
          request.method = "POST";
          request.url = "https://sts.amazonaws.com/";
          request.body = "Action=GetCallerIdentity&Version=2011-06-15";
          SigningParams params;
          params.region = "us-east-1";
          params.service = "sts";
          params.time = std::chrono::system_clock::now();
          REQUIRE(SigV4Signer().SignHeaders(request, credentials, params).ok());
        }) == 0);
  CHECK(UnwipedDuring([] {
          const std::string json = std::string(R"({"method":"GET","url":"https://x/","region":"r","service":"s",)") +
                                   R"("access_key":"a","secret_key":")" + kRootSecret + R"("})";
          char* out = nullptr;
          dyncreds_error* err = nullptr;
          REQUIRE(dyncreds_sigv4_sign(&out, json.c_str(), &err) == DYNCREDS_OK);
          dyncreds_free(out);
          // The test's own request text held the secret: wipe it as a careful caller would.
          SecureWipe(const_cast<char*>(json.data()), json.size());
        }) == 0);
}

TEST_CASE("issuing an IAM user key through the provider: the reply body and every copy are wiped") {
  OneCopyIam transport;
  CHECK(UnwipedDuring([&] {
          AwsProviderConfig config;
          config.credentials = AwsCredentials("AKIAROOT", SecretString(kRootSecret));
          config.iam_endpoint = "https://iam.amazonaws.com";
          config.sts_endpoint = "https://sts.amazonaws.com";
          config.transport = &transport;
          std::unique_ptr<IamProvider> provider = NewAwsIamProvider(std::move(config)).value();
          IamUserSpec spec;
          spec.user_name = "vault-wipe";
          Result<IssuedUserKey> issued = provider->CreateUserWithKey(spec);
          REQUIRE(issued.ok());
          CHECK(issued->credentials.secret_access_key().view() == kIssuedSecret);
        }) == 0);
}

TEST_CASE("a SecretBuffer that grows wipes every allocation it gives up") {
  CHECK(UnwipedDuring([] {
          util::SecretBuffer buffer;
          buffer.Append(kPlainSecret);
          for (int i = 0; i < 10000; ++i) buffer.Put('x');  // several reallocations past the secret
          SecretString taken = buffer.Take();
          CHECK(taken.view().substr(0, std::strlen(kPlainSecret)) == kPlainSecret);
        }) == 0);
}

TEST_CASE("issued credentials as JSON: the document and its writer leave no unwiped copy") {
  CHECK(UnwipedDuring([] {
          IssuedCredential issued;
          issued.lease_id = "aws/creds/dev/1";
          // A long token, so that the writer's buffer grows past the secret key.
          SecretString token = SecretString::OfSize(6000 + std::strlen(kRootSecret));
          std::memset(token.mutable_data(), 't', 6000);
          std::memcpy(token.mutable_data() + 6000, kRootSecret, std::strlen(kRootSecret));
          issued.credentials = AwsCredentials("ASIAEXAMPLE", SecretString(kIssuedSecret), std::move(token));
          const SecretString json = IssuedCredentialToJson(issued);
          CHECK(json.view().find(kIssuedSecret) != std::string_view::npos);
        }) == 0);
}

// The tool's own paths for a secret: fields read from a file or typed, and
// issued credentials printed in each format (to a closed stream: the copy
// on the terminal is the point of printing).
TEST_CASE("the tool's fields and printing leave no unwiped copy of a secret") {
  // The secrets come from files, as `secret_key=@file` has them, so that
  // the only copies are the ones the tool makes.
  const std::string path = "secret_wipe_field.txt";
  const std::string nested = "secret_wipe_nested.json";
  std::ofstream(path) << kPlainSecret;
  std::ofstream(nested) << "{\"k\": [\"" << kRootSecret << "\"]}";
  CHECK(UnwipedDuring([&] {
          Result<SecretString> fields = tool::FieldsToJson({"secret_key=@" + path, "region=us-east-1", "nested=@" + nested});
          REQUIRE(fields.ok());
          CHECK(fields->view().find(kPlainSecret) != std::string_view::npos);
          CHECK(fields->view().find(kRootSecret) != std::string_view::npos);
          bool stdin_used = false;
          Result<SecretString> value = tool::ReadFieldValue("value", "@" + path, &stdin_used);
          REQUIRE(value.ok());
          CHECK(value->view() == kPlainSecret);
        }) == 0);
  IssuedCredential issued;
  issued.lease_id = "aws/creds/dev/1";
  issued.credentials = AwsCredentials("ASIAEXAMPLE", SecretString(kIssuedSecret), SecretString(kRootSecret));
  const SecretString json = IssuedCredentialToJson(issued);
  std::cout.setstate(std::ios::badbit);  // doctest reports on std::cout too: cleared before checking
  const int unwiped_printing = UnwipedDuring([&] {
    for (tool::Format f : {tool::Format::kTable, tool::Format::kJson}) tool::PrintObject(json.view(), f);
    tool::PrintCredentialsForShell(json.view());
    tool::PrintCredentialProcess(json.view(), "2026-12-04T00:00:00Z");
  });
  std::cout.clear();
  CHECK(unwiped_printing == 0);
  std::remove(path.c_str());
  std::remove(nested.c_str());
}
