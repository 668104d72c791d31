#include "util/uri.h"

#include <cctype>

namespace dyncreds::uri {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

// One table lookup per byte: the encoders sit on the signing hot path.
struct UnreservedTable {
  bool keep[256] = {};
  constexpr UnreservedTable() {
    for (int c = 'A'; c <= 'Z'; ++c) keep[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) keep[c] = true;
    for (int c = '0'; c <= '9'; ++c) keep[c] = true;
    keep[static_cast<unsigned char>('-')] = true;
    keep[static_cast<unsigned char>('.')] = true;
    keep[static_cast<unsigned char>('_')] = true;
    keep[static_cast<unsigned char>('~')] = true;
  }
};
constexpr UnreservedTable kUnreserved;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodeImpl(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

}  // namespace

void AppendEncoded(std::string_view in, bool keep_slash, std::string* out) {
  for (unsigned char c : in) {
    if (kUnreserved.keep[c] || (keep_slash && c == '/')) {
      out->push_back(static_cast<char>(c));
    } else {
      const char enc[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xf]};
      out->append(enc, 3);
    }
  }
}

std::string Encoded(std::string_view in, bool keep_slash) {
  std::string out;
  out.reserve(in.size());
  AppendEncoded(in, keep_slash, &out);
  return out;
}

void AppendFormEncoded(std::string_view in, std::string* out) {
  for (unsigned char c : in) {
    if (kUnreserved.keep[c]) {
      out->push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      const char enc[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xf]};
      out->append(enc, 3);
    }
  }
}

std::string Decoded(std::string_view in) { return DecodeImpl(in, false); }
std::string FormDecoded(std::string_view in) { return DecodeImpl(in, true); }

bool SplitUrl(std::string_view url, UrlParts* out) {
  *out = UrlParts();
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  out->scheme = url.substr(0, sep);
  std::string_view rest = url.substr(sep + 3);
  std::size_t frag = rest.find('#');
  if (frag != std::string_view::npos) rest = rest.substr(0, frag);
  std::size_t path_at = rest.find_first_of("/?");
  out->authority = rest.substr(0, path_at);
  if (out->authority.empty()) return false;
  std::string_view target = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  std::size_t q = target.find('?');
  out->path = target.substr(0, q);
  if (out->path.empty()) out->path = "/";
  if (q != std::string_view::npos) out->query = target.substr(q + 1);
  // host[:port], with [v6] literals.
  std::string_view auth = out->authority;
  std::size_t colon = auth.rfind(':');
  std::size_t bracket = auth.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    out->host = auth.substr(0, colon);
    out->port = auth.substr(colon + 1);
  } else {
    out->host = auth;
  }
  return !out->host.empty();
}

std::string HostHeaderFor(const UrlParts& parts) {
  bool default_port = parts.port.empty() || (parts.scheme == "https" && parts.port == "443") ||
                      (parts.scheme == "http" && parts.port == "80");
  std::string host(default_port ? parts.host : parts.authority);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

}  // namespace dyncreds::uri
