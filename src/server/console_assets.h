// console_assets.h: the web console's files (src/server/console), built into
// the library by cmake/EmbedFiles.cmake.
//
// Thread safety: constant data.
#ifndef DYNCREDS_SRC_SERVER_CONSOLE_ASSETS_H_
#define DYNCREDS_SRC_SERVER_CONSOLE_ASSETS_H_

#include <cstddef>
#include <vector>

namespace dyncreds::server {

struct ConsoleAsset {
  const char* name;          // "console.js"
  const char* content_type;  // "text/javascript; charset=utf-8"
  const unsigned char* data;
  std::size_t size;
};

const std::vector<ConsoleAsset>& ConsoleAssets();

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_CONSOLE_ASSETS_H_
