#include "arguments.h"

#include <rapidjson/reader.h>
#include <rapidjson/writer.h>

#include <cstring>
#include <fstream>
#include <iostream>

#include "util/secret_buffer.h"

namespace dyncreds::tool {
namespace {

Status Usage(const std::string& field, const std::string& message) { return Status::InvalidArgument(field, message); }

bool IsWholeNumber(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (std::size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return s != "-";
}

// A value that looks like JSON (an object or an array) is copied in as JSON,
// parsed in place so that a secret inside it leaves no copy in the parser's
// buffers; a whole number or true/false as such; anything else as a string.
Status WriteFieldValue(const std::string& key, const SecretString& value, rapidjson::Writer<util::SecretBuffer>* w) {
  const std::string_view text = value.view();
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  const char first = start == std::string_view::npos ? '\0' : text[start];
  if (first == '{' || first == '[') {
    SecretString terminated = SecretString::OfSize(text.size() + 1);
    std::memcpy(terminated.mutable_data(), text.data(), text.size());
    rapidjson::InsituStringStream in(terminated.mutable_data());
    rapidjson::Reader reader;
    if (reader.Parse<rapidjson::kParseInsituFlag>(in, *w).IsError()) {
      return Usage(key, "looks like JSON but does not parse (offset " + std::to_string(reader.GetErrorOffset()) + ")");
    }
    return Status();
  }
  if (IsWholeNumber(text)) {
    w->Int64(std::stoll(std::string(text)));
  } else if (text == "true" || text == "false") {
    w->Bool(text == "true");
  } else {
    w->String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  }
  return Status();
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

Result<SecretString> ReadFieldValue(const std::string& key, std::string_view value, bool* stdin_used) {
  util::SecretBuffer text;
  if (value == "-") {
    if (*stdin_used) return Usage(key, "only one field can be read from standard input");
    *stdin_used = true;
    text.AppendAll(std::cin);
  } else if (!value.empty() && value[0] == '@') {
    const std::string path(value.substr(1));
    std::ifstream in;
    in.rdbuf()->pubsetbuf(nullptr, 0);  // unbuffered: the file's bytes go straight into `text`
    in.open(path, std::ios::binary);
    if (!in) return Usage(key, "cannot read file \"" + path + "\"");
    text.AppendAll(in);
  } else {
    text.Append(value);
  }
  return text.Take();
}

Result<SecretString> FieldsToJson(const std::vector<std::string>& operands) {
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  std::set<std::string> keys;
  bool stdin_used = false;
  w.StartObject();
  for (const std::string& operand : operands) {
    const std::size_t eq = operand.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage(operand, "expected key=value (values may be @file or - for standard input)");
    }
    const std::string key = operand.substr(0, eq);
    if (!keys.insert(key).second) return Usage(key, "is given twice");
    Result<SecretString> value = ReadFieldValue(key, std::string_view(operand).substr(eq + 1), &stdin_used);
    if (!value.ok()) return value.status();
    w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
    Status s = WriteFieldValue(key, *value, &w);
    if (!s.ok()) return s;
  }
  w.EndObject();
  return out.Take();
}

}  // namespace dyncreds::tool
