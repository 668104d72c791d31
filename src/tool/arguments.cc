#include "arguments.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace dyncreds::tool {
namespace {

Status Usage(const std::string& field, const std::string& message) { return Status::InvalidArgument(field, message); }

// The value of a field: the text itself, a file's contents, or stdin's.
Result<std::string> ResolveValue(const std::string& key, const std::string& value, bool* stdin_used) {
  if (value == "-") {
    if (*stdin_used) return Usage(key, "only one field can be read from standard input");
    *stdin_used = true;
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (!value.empty() && value[0] == '@') {
    std::ifstream in(value.substr(1), std::ios::binary);
    if (!in) return Usage(key, "cannot read file \"" + value.substr(1) + "\"");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  return value;
}

bool IsWholeNumber(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (std::size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return s != "-";
}

}  // namespace

Result<Arguments> ParseArguments(int argc, char** argv, const FlagSpec& spec) {
  Arguments args;
  bool flags_done = false;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (flags_done || word.size() < 2 || word[0] != '-' || word == "-") {
      args.words.push_back(word);
      continue;
    }
    if (word == "--") {
      flags_done = true;
      continue;
    }
    std::string name = word.substr(word[1] == '-' ? 2 : 1);
    std::string value;
    const std::size_t eq = name.find('=');
    const bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.switches.count(name)) {
      if (has_value && value != "true" && value != "false") return Usage(name, "is a switch: give it alone, or =true/=false");
      args.flags[name] = has_value ? value : "true";
    } else if (spec.with_value.count(name)) {
      if (!has_value) {
        if (i + 1 >= argc) return Usage(name, "needs a value (-" + name + "=VALUE)");
        value = argv[++i];
      }
      args.flags[name] = value;
    } else {
      return Usage(name, "unknown flag \"" + word + "\" (see --help)");
    }
  }
  return args;
}

Result<std::string> FieldsToJson(const std::vector<std::string>& operands) {
  rapidjson::Document doc;
  doc.SetObject();
  auto& alloc = doc.GetAllocator();
  bool stdin_used = false;
  for (const std::string& operand : operands) {
    const std::size_t eq = operand.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage(operand, "expected key=value (values may be @file or - for standard input)");
    }
    const std::string key = operand.substr(0, eq);
    if (doc.HasMember(key.c_str())) return Usage(key, "is given twice");
    Result<std::string> value = ResolveValue(key, operand.substr(eq + 1), &stdin_used);
    if (!value.ok()) return value.status();
    rapidjson::Value v;
    rapidjson::Document parsed;
    const std::string& text = *value;
    const char first = text.find_first_not_of(" \t\r\n") == std::string::npos ? '\0' : text[text.find_first_not_of(" \t\r\n")];
    if ((first == '{' || first == '[') && !parsed.Parse(text.c_str()).HasParseError()) {
      v.CopyFrom(parsed, alloc);
    } else if (first == '{' || first == '[') {
      return Usage(key, "looks like JSON but does not parse (offset " + std::to_string(parsed.GetErrorOffset()) + ")");
    } else if (IsWholeNumber(text)) {
      v.SetInt64(std::stoll(text));
    } else if (text == "true" || text == "false") {
      v.SetBool(text == "true");
    } else {
      v.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), alloc);
    }
    doc.AddMember(rapidjson::Value(key.c_str(), alloc), v, alloc);
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  doc.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace dyncreds::tool
