// xml_reply.h: reading AWS Query XML replies with pugixml.
//
// Element names are matched by local name, so a namespace prefix
// ("<iam:Error>") or a missing xmlns makes no difference; text is read from
// PCDATA or CDATA alike.
#ifndef DYNCREDS_SRC_AWS_XML_REPLY_H_
#define DYNCREDS_SRC_AWS_XML_REPLY_H_

#include <pugixml.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dyncreds/status.h"

namespace dyncreds::aws {

// The local part of an element name: "iam:User" -> "User".
std::string_view LocalName(const pugi::xml_node& node);
// The first child element with this local name (or an empty node).
pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local_name);
// The first descendant element with this local name, depth first.
pugi::xml_node Descendant(const pugi::xml_node& parent, std::string_view local_name);
// The trimmed text of the child element, or "" if absent.
std::string ChildText(const pugi::xml_node& parent, std::string_view local_name);

// A parsed success reply. It owns the response body, parsed in place, and
// wipes it when destroyed: replies such as CreateAccessKey carry secrets.
class QueryReply {
 public:
  // Parses `body` (taken over) as the reply to `action`:
  // <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>...
  // kMalformedResponse if it is not XML or not that reply.
  static Result<QueryReply> Parse(std::string body, std::string_view action);

  QueryReply(QueryReply&&) noexcept;
  QueryReply& operator=(QueryReply&&) noexcept;
  ~QueryReply();

  // <ActionResult>, or an empty node for actions without output (DeleteUser).
  pugi::xml_node result() const { return result_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& action() const { return action_; }

 private:
  QueryReply() = default;
  std::unique_ptr<std::string> body_;  // pugixml points into it
  std::unique_ptr<pugi::xml_document> doc_;
  pugi::xml_node result_;
  std::string request_id_;
  std::string action_;
};

// Reads an error document: <ErrorResponse><Error>... or
// <ErrorResponse><Errors><Error>..., or <Response><Errors><Error>... (EC2
// style), with RequestId or RequestID. False if `body` is not one.
bool ParseErrorReply(std::string_view body, AwsErrorDetails* out);

// ISO 8601 element text to a time point; nullopt if absent or malformed.
std::optional<std::chrono::system_clock::time_point> ChildTime(const pugi::xml_node& parent,
                                                               std::string_view local_name);

}  // namespace dyncreds::aws

#endif  // DYNCREDS_SRC_AWS_XML_REPLY_H_
