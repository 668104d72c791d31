#include "output.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace dyncreds::tool {
namespace {

rapidjson::Document Parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  return doc;
}

std::string Compact(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  v.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

void PrintIndented(std::string_view json) {
  rapidjson::Document doc = Parse(json);
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
  w.SetIndent(' ', 2);
  doc.Accept(w);
  std::cout << out.GetString() << "\n";
}

void PrintTable(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t width = 3;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  auto line = [&](const std::string& k, const std::string& v) {
    std::cout << k << std::string(width - k.size() + 4, ' ') << v << "\n";
  };
  line("Key", "Value");
  line("---", "-----");
  for (const auto& [k, v] : rows) line(k, v);
}

// Single-quoted for a POSIX shell.
std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<Format> ParseFormat(const std::string& name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "env") return Format::kEnv;
  if (name == "credential-process") return Format::kCredentialProcess;
  return Status::InvalidArgument("format", "must be table, json, env or credential-process, not \"" + name + "\"");
}

void PrintObject(std::string_view json, Format format) {
  if (format == Format::kJson) return PrintIndented(json);
  rapidjson::Document doc = Parse(json);
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& m : doc.GetObject()) rows.emplace_back(m.name.GetString(), Compact(m.value));
  PrintTable(rows);
}

void PrintList(std::string_view json_array, const char* key, Format format) {
  if (format == Format::kJson) return PrintIndented(json_array);
  rapidjson::Document doc = Parse(json_array);
  std::cout << "Keys\n----\n";
  for (const auto& item : doc.GetArray()) {
    std::cout << (item.IsString() ? Compact(item) : Compact(item[key])) << "\n";
  }
}

void PrintSuccess(const std::string& message, Format format) {
  if (format == Format::kTable) std::cout << "Success! " << message << "\n";
}

void PrintCredentialsForShell(std::string_view json) {
  rapidjson::Document doc = Parse(json);
  auto get = [&](const char* k) { return doc.HasMember(k) ? Compact(doc[k]) : std::string(); };
  std::cout << "export AWS_ACCESS_KEY_ID=" << ShellQuote(get("access_key")) << "\n"
            << "export AWS_SECRET_ACCESS_KEY=" << ShellQuote(get("secret_key")) << "\n";
  if (doc.HasMember("session_token")) {
    std::cout << "export AWS_SESSION_TOKEN=" << ShellQuote(get("session_token")) << "\n";
  } else {
    std::cout << "unset AWS_SESSION_TOKEN\n";
  }
  std::cout << "export DYNCREDS_LEASE_ID=" << ShellQuote(get("lease_id")) << "\n";
}

void PrintCredentialProcess(std::string_view json, const std::string& expiration) {
  rapidjson::Document doc = Parse(json);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto str = [&](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  w.Key("Version");
  w.Int(1);
  str("AccessKeyId", Compact(doc["access_key"]));
  str("SecretAccessKey", Compact(doc["secret_key"]));
  if (doc.HasMember("session_token")) str("SessionToken", Compact(doc["session_token"]));
  str("Expiration", doc.HasMember("expiration") ? Compact(doc["expiration"]) : expiration);
  w.EndObject();
  std::cout << out.GetString() << "\n";
}

Progress::Progress(std::string what) : what_(std::move(what)), terminal_(isatty(STDERR_FILENO) == 1) {}

void Progress::Update(std::size_t done, std::size_t found) {
  if (!terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done != found && now - last_ < std::chrono::milliseconds(100)) return;  // no flicker
  last_ = now;
  std::fprintf(stderr, "\r%s: %zu of %zu", what_.c_str(), done, found);
  std::fflush(stderr);
}

void Progress::Finish() {
  if (terminal_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace dyncreds::tool
