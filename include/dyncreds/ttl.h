// ttl.h: durations as Vault writes them: "3600" (seconds), "90s", "30m",
// "1h30m", "768h", "1.5h", "7d". Parsing is strict: no sign, no spaces, no
// unknown unit, no fraction of a second, nothing that overflows.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_TTL_H_
#define DYNCREDS_TTL_H_

#include <chrono>
#include <string>
#include <string_view>

#include "dyncreds/export.h"
#include "dyncreds/status.h"

namespace dyncreds {

// kInvalidArgument naming `field` when `text` is not a duration.
DYNCREDS_EXPORT Result<std::chrono::seconds> ParseTtl(std::string_view text, std::string_view field);

// Go's form, as Vault prints durations: "1h30m0s", "45s", "0s".
DYNCREDS_EXPORT std::string FormatTtl(std::chrono::seconds ttl);

}  // namespace dyncreds

#endif  // DYNCREDS_TTL_H_
