#include "support/test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dyncreds::testing {

std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("DYNCREDS_SHARED_DIR")) return env;
  return DYNCREDS_SHARED_DIR;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace dyncreds::testing
