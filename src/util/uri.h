// uri.h: percent-encoding as AWS wants it, and URL splitting.
#ifndef DYNCREDS_SRC_UTIL_URI_H_
#define DYNCREDS_SRC_UTIL_URI_H_

#include <string>
#include <string_view>

namespace dyncreds::uri {

// RFC 3986: A-Z a-z 0-9 - . _ ~ are kept, every other byte becomes %XX
// (uppercase). With keep_slash, '/' is kept too (paths).
void AppendEncoded(std::string_view in, bool keep_slash, std::string* out);
std::string Encoded(std::string_view in, bool keep_slash = false);

// application/x-www-form-urlencoded exactly as botocore (Python's urlencode
// with quote_plus): unreserved kept, space as '+', everything else %XX.
void AppendFormEncoded(std::string_view in, std::string* out);

// Appends `in` RFC 3986-encoded whether or not it arrived encoded: valid %XX
// escapes are decoded first, so "a%20b" and "a b" both give "a%20b" (SigV4's
// canonical query must sort the encoded form).
void AppendReencoded(std::string_view in, std::string* out);

// Decodes %XX sequences; a malformed '%' is kept literally. '+' is kept.
std::string Decoded(std::string_view in);
// As Decoded, but '+' becomes a space (form bodies).
std::string FormDecoded(std::string_view in);

// The parts of an absolute URL "scheme://authority/path?query#fragment".
struct UrlParts {
  std::string_view scheme;
  std::string_view authority;  // host[:port]
  std::string_view host;       // without the port
  std::string_view port;       // empty if none given
  std::string_view path;       // "/" at least, when the URL has none
  std::string_view query;      // without '?'
};
// False if the URL has no scheme or no host.
bool SplitUrl(std::string_view url, UrlParts* out);

// Host header value for a URL: the authority, without a port that is the
// scheme's default one (not lowercased).
std::string_view HostHeaderFor(const UrlParts& parts);

}  // namespace dyncreds::uri

#endif  // DYNCREDS_SRC_UTIL_URI_H_
