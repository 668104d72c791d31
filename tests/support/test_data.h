// test_data.h: access to ../shared (the team's test data) from tests.
#ifndef DYNCREDS_TESTS_SUPPORT_TEST_DATA_H_
#define DYNCREDS_TESTS_SUPPORT_TEST_DATA_H_

#include <filesystem>
#include <string>

namespace dyncreds::testing {

// The shared data folder (CMake's DYNCREDS_SHARED_DIR, or the environment
// variable of the same name). Tests fail, not skip, when it is missing.
std::filesystem::path SharedDir();

// The whole file, bytes as they are; throws std::runtime_error if unreadable.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_TEST_DATA_H_
