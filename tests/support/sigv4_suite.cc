#include "support/sigv4_suite.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <stdexcept>

#include "support/test_data.h"
#include "util/time_format.h"

namespace fs = std::filesystem;

namespace dyncreds::testing::sigv4_suite {

SuiteRequest ParseSuiteRequest(const std::string& text) {
  SuiteRequest r;
  std::size_t eol = text.find('\n');
  std::string line = text.substr(0, eol);
  std::size_t sp = line.find(' ');
  std::size_t proto = line.rfind(" HTTP/");
  r.method = line.substr(0, sp);
  r.target = line.substr(sp + 1, proto - sp - 1);
  std::size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string l = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (l.empty()) {
      r.body = text.substr(pos);
      break;
    }
    if ((l[0] == ' ' || l[0] == '\t') && !r.headers.empty()) {
      r.headers.back().value += "\n" + l;
      continue;
    }
    std::size_t colon = l.find(':');
    r.headers.push_back({l.substr(0, colon), l.substr(colon + 1)});
  }
  return r;
}

HttpRequest ToHttpRequest(const SuiteRequest& r) {
  HttpRequest http;
  http.method = r.method;
  http.url = "https://example.amazonaws.com" + r.target;
  http.headers = r.headers;
  http.body = r.body;
  return http;
}

SuiteCase LoadCase(const fs::path& dir) {
  rapidjson::Document ctx;
  std::string json = ReadFile(dir / "context.json");
  ctx.Parse(json.c_str());
  if (ctx.HasParseError()) throw std::runtime_error("unreadable " + (dir / "context.json").string());
  const auto& c = ctx["credentials"];
  SuiteCase sc;
  sc.dir = dir;
  sc.credentials = AwsCredentials(
      c["access_key_id"].GetString(), SecretString(c["secret_access_key"].GetString()),
      SecretString(c.HasMember("token") ? c["token"].GetString() : ""));
  sc.params.region = ctx["region"].GetString();
  sc.params.service = ctx["service"].GetString();
  auto t = dyncreds::timefmt::ParseIso8601(ctx["timestamp"].GetString());
  if (!t) throw std::runtime_error("bad timestamp in " + dir.string());
  sc.params.time = *t;
  sc.params.normalize_path = ctx["normalize"].GetBool();
  sc.params.add_content_sha256_header = ctx["sign_body"].GetBool();
  sc.params.omit_session_token =
      ctx.HasMember("omit_session_token") && ctx["omit_session_token"].GetBool();
  sc.params.expires = std::chrono::seconds(ctx["expiration_in_seconds"].GetInt());
  return sc;
}

std::vector<fs::path> CaseDirs(const fs::path& root, const char* marker_file) {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().filename() == marker_file) {
      dirs.push_back(e.path().parent_path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

}  // namespace dyncreds::testing::sigv4_suite
