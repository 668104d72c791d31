#include "util/json_read.h"

#include <rapidjson/error/en.h>

#include <cstring>

namespace dyncreds::jsonread {
namespace {

Status NotJson(const rapidjson::Document& doc, std::string_view what) {
  return Status::InvalidArgument(std::string(what), std::string("is not JSON: ") +
                                                        rapidjson::GetParseError_En(doc.GetParseError()) + " (offset " +
                                                        std::to_string(doc.GetErrorOffset()) + ")");
}

Status NotAnObject(std::string_view what) { return Status::InvalidArgument(std::string(what), "must be a JSON object"); }

}  // namespace

Result<rapidjson::Document> Parse(std::string_view json, std::string_view what) {
  rapidjson::Document doc;
  if (doc.Parse(json.data(), json.size()).HasParseError()) return NotJson(doc, what);
  return doc;
}

Result<rapidjson::Document> ParseInPlace(std::string_view json, std::string_view what, SecretString* buffer) {
  *buffer = SecretString::OfSize(json.size() + 1);
  std::memcpy(buffer->mutable_data(), json.data(), json.size());
  buffer->mutable_data()[json.size()] = '\0';
  rapidjson::Document doc;
  if (doc.ParseInsitu(buffer->mutable_data()).HasParseError()) return NotJson(doc, what);
  return doc;
}

Result<rapidjson::Document> ParseObject(std::string_view json, std::string_view what) {
  rapidjson::Document doc;
  if (doc.Parse(json.data(), json.size()).HasParseError() || !doc.IsObject()) return NotAnObject(what);
  return doc;
}

Result<rapidjson::Document> ParseObjectInPlace(std::string_view json, std::string_view what, SecretString* buffer) {
  Result<rapidjson::Document> doc = ParseInPlace(json, what, buffer);
  if (!doc.ok() || !doc->IsObject()) return NotAnObject(what);
  return doc;
}

}  // namespace dyncreds::jsonread
