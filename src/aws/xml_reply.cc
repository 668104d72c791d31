#include "aws/xml_reply.h"

#include <cstring>

#include "dyncreds/secret.h"
#include "util/time_format.h"

namespace dyncreds::aws {
namespace {

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// The first element child of the document (skipping declarations, comments).
pugi::xml_node RootElement(const pugi::xml_document& doc) {
  for (pugi::xml_node n = doc.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element) return n;
  }
  return {};
}

// pugixml keeps CDATA sections as their own nodes; AWS text can come as
// either (and, in theory, as both, split). Concatenate all text children.
std::string NodeText(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) text += c.value();
  }
  return std::string(Trim(text));
}

}  // namespace

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local_name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local_name) return c;
  }
  return {};
}

pugi::xml_node Descendant(const pugi::xml_node& parent, std::string_view local_name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (LocalName(c) == local_name) return c;
    if (pugi::xml_node d = Descendant(c, local_name)) return d;
  }
  return {};
}

std::string ChildText(const pugi::xml_node& parent, std::string_view local_name) {
  pugi::xml_node c = Child(parent, local_name);
  return c ? NodeText(c) : std::string();
}

std::optional<std::chrono::system_clock::time_point> ChildTime(const pugi::xml_node& parent,
                                                               std::string_view local_name) {
  std::string text = ChildText(parent, local_name);
  if (text.empty()) return std::nullopt;
  return timefmt::ParseIso8601(text);
}

QueryReply::QueryReply(QueryReply&&) noexcept = default;
QueryReply& QueryReply::operator=(QueryReply&&) noexcept = default;

QueryReply::~QueryReply() {
  if (body_ && !body_->empty()) SecureWipe(&(*body_)[0], body_->size());
}

Result<QueryReply> QueryReply::Parse(std::string body, std::string_view action) {
  QueryReply reply;
  reply.action_ = std::string(action);
  reply.body_ = std::make_unique<std::string>(std::move(body));
  reply.doc_ = std::make_unique<pugi::xml_document>();
  std::string& buf = *reply.body_;
  // In place: pugixml makes no copy of the (possibly secret) text.
  pugi::xml_parse_result parsed = reply.doc_->load_buffer_inplace(
      buf.empty() ? nullptr : &buf[0], buf.size(),
      pugi::parse_default | pugi::parse_cdata, pugi::encoding_utf8);
  const std::string what = "reply to " + reply.action_;
  if (!parsed) {
    return Status::MalformedResponse(what + " is not valid XML: " + parsed.description() +
                                     " at offset " + std::to_string(parsed.offset));
  }
  pugi::xml_node root = RootElement(*reply.doc_);
  const std::string expected_root = reply.action_ + "Response";
  if (!root || LocalName(root) != expected_root) {
    return Status::MalformedResponse(what + " has root element '" +
                                     std::string(root ? root.name() : "") + "', expected '" +
                                     expected_root + "'");
  }
  reply.result_ = Child(root, reply.action_ + "Result");
  reply.request_id_ = ChildText(Child(root, "ResponseMetadata"), "RequestId");
  return reply;
}

bool ParseErrorReply(std::string_view body, AwsErrorDetails* out) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_cdata,
                       pugi::encoding_utf8)) {
    return false;
  }
  pugi::xml_node root = RootElement(doc);
  if (!root) return false;
  pugi::xml_node error;
  if (LocalName(root) == "ErrorResponse" || LocalName(root) == "Response") {
    error = Child(root, "Error");
    if (!error) error = Child(Child(root, "Errors"), "Error");
  } else if (LocalName(root) == "Error") {
    error = root;
  }
  if (!error) return false;
  out->type = ChildText(error, "Type");
  out->code = ChildText(error, "Code");
  out->message = ChildText(error, "Message");
  for (const char* name : {"RequestId", "RequestID"}) {
    if (out->request_id.empty()) out->request_id = ChildText(root, name);
    if (out->request_id.empty()) out->request_id = ChildText(error, name);
  }
  return !out->code.empty();
}

}  // namespace dyncreds::aws
