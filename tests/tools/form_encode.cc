// form_encode: prints the Query form body libdyncreds builds for a call, so
// tests can compare it with botocore's serializer.
//   form_encode ACTION VERSION [--param NAME=VALUE] [--tag KEY VALUE] [--policy-arn ARN]
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "aws/query_request.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ACTION VERSION [--param N=V] [--tag K V] [--policy-arn ARN]\n",
                 argv[0]);
    return 2;
  }
  dyncreds::aws::QueryRequest request(argv[1], argv[2]);
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> policy_arns;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    std::size_t eq = value.find('=');
    if (flag == "--param" && eq != std::string::npos) {
      request.Add(value.substr(0, eq), value.substr(eq + 1));
    } else if (flag == "--tag" && i + 2 < argc) {
      tags.emplace_back(value, argv[i + 2]);
      ++i;
    } else if (flag == "--policy-arn") {
      policy_arns.push_back(value);
    } else {
      std::fprintf(stderr, "bad argument: %s %s\n", flag.c_str(), value.c_str());
      return 2;
    }
  }
  request.AddStructList("PolicyArns", "arn", policy_arns);
  request.AddTags("Tags", tags);
  std::string body = request.FormBody();
  std::fwrite(body.data(), 1, body.size(), stdout);
  return 0;
}
