#include "util/uri.h"

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

void AppendReencoded(std::string_view in, std::string* out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<unsigned char>(hi * 16 + lo);
        i += 2;
      }
    }
    if (kUnreserved.keep[c]) {
      out->push_back(static_cast<char>(c));
    } else {
      const char enc[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xf]};
      out->append(enc, 3);
    }
  }
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
  // One pass over the rest: authority ends at '/', '?' or '#'.
  const std::size_t start = sep + 3;
  std::size_t i = start;
  while (i < url.size() && url[i] != '/' && url[i] != '?' && url[i] != '#') ++i;
  out->authority = url.substr(start, i - start);
  if (out->authority.empty()) return false;
  std::size_t path_start = i;
  while (i < url.size() && url[i] != '?' && url[i] != '#') ++i;
  out->path = url.substr(path_start, i - path_start);
  if (out->path.empty()) out->path = "/";
  if (i < url.size() && url[i] == '?') {
    std::size_t q = ++i;
    while (i < url.size() && url[i] != '#') ++i;
    out->query = url.substr(q, i - q);
  }
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

std::string_view HostHeaderFor(const UrlParts& parts) {
  bool default_port = parts.port.empty() || (parts.scheme == "https" && parts.port == "443") ||
                      (parts.scheme == "http" && parts.port == "80");
  return default_port ? parts.host : parts.authority;
}

}  // namespace dyncreds::uri
