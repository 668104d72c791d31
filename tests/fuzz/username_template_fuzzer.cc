// Username templates (config/root's username_template). Invariant: a
// template that parses renders, with fixed time and randomness, to a name
// of bounded size, or fails with an error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/username_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  dyncreds::Result<dyncreds::core::UsernameTemplate> t = dyncreds::core::UsernameTemplate::Parse(text);
  if (!t.ok()) return 0;
  dyncreds::core::TemplateData d{"token-ci", "deploy", "deploy", "IAM"};
  dyncreds::core::TemplateEnv env;
  env.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1796400000)); };
  env.random = [](int n) { return std::string(static_cast<std::size_t>(n > 0 && n < 4096 ? n : 0), 'a'); };
  env.uuid = [] { return std::string("00000000-0000-4000-8000-000000000000"); };
  dyncreds::Result<std::string> name = t->Render(d, env);
  if (name.ok() && name->size() > 64 * 1024) std::abort();  // output must stay bounded
  return 0;
}
