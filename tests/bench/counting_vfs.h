// counting_vfs.h: an SQLite VFS that forwards to the default one and counts
// xSync calls (fsyncs), so the store benchmark can report fsyncs per
// operation instead of guessing them from timings.
#ifndef DYNCREDS_TESTS_BENCH_COUNTING_VFS_H_
#define DYNCREDS_TESTS_BENCH_COUNTING_VFS_H_

#include <cstdint>

namespace dyncreds::bench {

constexpr char kCountingVfs[] = "dyncreds-counting";

void RegisterCountingVfs();  // once, before opening stores with vfs = kCountingVfs
std::int64_t SyncCount();    // xSync calls so far, across all files

}  // namespace dyncreds::bench

#endif  // DYNCREDS_TESTS_BENCH_COUNTING_VFS_H_
