// AWS Query API replies and error documents. Any body either parses or is
// refused; an error document's parts come out as plain strings.
#include <cstdint>
#include <string>

#include "aws/xml_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (const char* action : {"CreateUser", "CreateAccessKey", "AssumeRole", "ListAccessKeys"}) {
    dyncreds::Result<dyncreds::aws::QueryReply> reply = dyncreds::aws::QueryReply::Parse(body, action);
    if (reply.ok()) (void)dyncreds::aws::ChildText(reply->result(), "UserName");
  }
  dyncreds::AwsErrorDetails error;
  (void)dyncreds::aws::ParseErrorReply(body, &error);
  return 0;
}
