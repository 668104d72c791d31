#include "output.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>

#include "util/json_read.h"
#include "util/secret_buffer.h"

namespace dyncreds::tool {
namespace {

// Whatever the tool prints may hold a secret (issued credentials), so
// documents are parsed in place inside a wiping buffer and written out
// through SecretBuffers: no unwiped copy is left in freed memory.
struct ParsedJson {
  SecretString text;  // the document's strings point into it
  rapidjson::Document doc;
};

std::unique_ptr<ParsedJson> Parse(std::string_view json) {
  auto parsed = std::make_unique<ParsedJson>();
  Result<rapidjson::Document> doc = jsonread::ParseInPlace(json, "output", &parsed->text);
  if (doc.ok()) parsed->doc = std::move(*doc);
  return parsed;
}

void Write(std::string_view text) { std::cout.write(text.data(), static_cast<std::streamsize>(text.size())); }

// A string as itself; any other value as compact JSON.
SecretString Compact(const rapidjson::Value& v) {
  if (v.IsString()) return SecretString(std::string_view(v.GetString(), v.GetStringLength()));
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  v.Accept(w);
  return out.Take();
}

void PrintIndented(std::string_view json) {
  std::unique_ptr<ParsedJson> parsed = Parse(json);
  util::SecretBuffer out;
  rapidjson::PrettyWriter<util::SecretBuffer> w(out);
  w.SetIndent(' ', 2);
  parsed->doc.Accept(w);
  Write(out.view());
  std::cout << "\n";
}

void PrintTable(const std::vector<std::pair<std::string, SecretString>>& rows) {
  std::size_t width = 3;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  auto line = [&](const std::string& k, std::string_view v) {
    std::cout << k << std::string(width - k.size() + 4, ' ');
    Write(v);
    std::cout << "\n";
  };
  line("Key", "Value");
  line("---", "-----");
  for (const auto& [k, v] : rows) line(k, v.view());
}

// `name=value`, the value single-quoted for a POSIX shell.
void PrintExport(const char* name, std::string_view value) {
  std::cout << "export " << name << "='";
  for (char c : value) {
    if (c == '\'') {
      std::cout << "'\\''";
    } else {
      std::cout.put(c);
    }
  }
  std::cout << "'\n";
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
  std::unique_ptr<ParsedJson> parsed = Parse(json);
  std::vector<std::pair<std::string, SecretString>> rows;
  if (parsed->doc.IsObject()) {
    for (const auto& m : parsed->doc.GetObject()) rows.emplace_back(jsonread::String(m.name), Compact(m.value));
  }
  PrintTable(rows);
}

void PrintList(std::string_view json_array, const char* key, Format format) {
  if (format == Format::kJson) return PrintIndented(json_array);
  std::unique_ptr<ParsedJson> parsed = Parse(json_array);
  std::cout << "Keys\n----\n";
  if (!parsed->doc.IsArray()) return;
  for (const auto& item : parsed->doc.GetArray()) {
    const rapidjson::Value* shown = &item;
    if (item.IsObject() && item.HasMember(key)) shown = &item[key];
    Write(Compact(*shown).view());
    std::cout << "\n";
  }
}

void LogLine(LogLevel level, std::string_view message) {
  static std::mutex mu;
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "%s %s %.*s\n", stamp, LogLevelName(level), static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
}

void PrintSuccess(const std::string& message, Format format) {
  if (format == Format::kTable) std::cout << "Success! " << message << "\n";
}

void PrintCredentialsForShell(std::string_view json) {
  std::unique_ptr<ParsedJson> parsed = Parse(json);
  const rapidjson::Document& doc = parsed->doc;
  auto get = [&](const char* k) { return doc.IsObject() && doc.HasMember(k) ? Compact(doc[k]) : SecretString(); };
  PrintExport("AWS_ACCESS_KEY_ID", get("access_key").view());
  PrintExport("AWS_SECRET_ACCESS_KEY", get("secret_key").view());
  if (doc.IsObject() && doc.HasMember("session_token")) {
    PrintExport("AWS_SESSION_TOKEN", get("session_token").view());
  } else {
    std::cout << "unset AWS_SESSION_TOKEN\n";
  }
  PrintExport("DYNCREDS_LEASE_ID", get("lease_id").view());
}

void PrintCredentialProcess(std::string_view json, const std::string& expiration) {
  std::unique_ptr<ParsedJson> parsed = Parse(json);
  const rapidjson::Document& doc = parsed->doc;
  auto has = [&](const char* key) { return doc.IsObject() && doc.HasMember(key); };
  util::SecretBuffer out;
  rapidjson::Writer<util::SecretBuffer> w(out);
  auto str = [&](const char* key, std::string_view value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  w.Key("Version");
  w.Int(1);
  str("AccessKeyId", has("access_key") ? Compact(doc["access_key"]).view() : "");
  str("SecretAccessKey", has("secret_key") ? Compact(doc["secret_key"]).view() : "");
  if (has("session_token")) str("SessionToken", Compact(doc["session_token"]).view());
  str("Expiration", has("expiration") ? Compact(doc["expiration"]).view() : expiration);
  w.EndObject();
  Write(out.view());
  std::cout << "\n";
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
