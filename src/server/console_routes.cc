// console_routes.cc: the web console under /ui/, from the files built into
// the library, with a Content-Security-Policy that allows only this origin's
// own scripts, styles and API (no inline script, no framing). "/" sends a
// browser there. No token is needed to load the files: the console asks
// for one and sends it with each API call.
#include <cstring>

#include "server/api_call.h"
#include "server/console_assets.h"
#include "server/vault_reply.h"

namespace dyncreds::server {
namespace {

constexpr char kPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

VaultResponse Asset(const ConsoleAsset& asset, bool head) {
  VaultResponse r;
  r.status = 200;
  r.content_type = asset.content_type;
  if (!head) r.body = SecretString(std::string_view(reinterpret_cast<const char*>(asset.data), asset.size));
  r.headers = {{"Content-Security-Policy", kPolicy},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"X-Frame-Options", "DENY"}};
  return r;
}

}  // namespace

std::optional<VaultResponse> ConsoleRoutes(const VaultRequest& request) {
  const std::string& path = request.path;
  const bool head = request.method == "HEAD";
  if (path == "/" || path == "/ui") {
    VaultResponse r;
    r.status = 307;
    r.content_type.clear();
    r.headers = {{"Location", "/ui/"}};
    return r;
  }
  if (path.rfind("/ui/", 0) != 0) return std::nullopt;
  if (request.method != "GET" && !head) return MethodNotAllowed();
  const std::string name = path.size() == 4 ? "index.html" : path.substr(4);
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (name == asset.name) return Asset(asset, head);
  }
  return Errors(404, {});
}

}  // namespace dyncreds::server
