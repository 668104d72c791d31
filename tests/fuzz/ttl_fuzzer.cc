// TTL strings ("15m", "1h30m", "3600"). Invariant: a TTL that parses,
// formatted and parsed again, is the same number of seconds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dyncreds/ttl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  dyncreds::Result<std::chrono::seconds> ttl = dyncreds::ParseTtl(text, "ttl");
  if (!ttl.ok()) return 0;
  dyncreds::Result<std::chrono::seconds> again = dyncreds::ParseTtl(dyncreds::FormatTtl(*ttl), "ttl");
  if (!again.ok() || *again != *ttl) std::abort();
  return 0;
}
