// temp_dir.h: a fresh private directory for one test, removed with
// everything in it when the test ends.
#ifndef DYNCREDS_TESTS_SUPPORT_TEMP_DIR_H_
#define DYNCREDS_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <string>

namespace dyncreds::testing {

class TempDir {
 public:
  TempDir();  // under $TMPDIR (or /tmp), mode 0700
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_TEMP_DIR_H_
