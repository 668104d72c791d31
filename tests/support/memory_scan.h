// memory_scan.h: looks for a secret in the whole of this process's memory,
// to prove that no copy of it is left anywhere (freed or not): in the heap,
// in libcurl's and OpenSSL's buffers, on stacks.
//
// The secret is given masked (each byte XORed with kMask), so the search
// never puts the plain secret in memory itself. Pages are read through
// /proc/self/mem, so unreadable or sanitizer-poisoned memory is read
// without faults or reports; only resident pages are read (mincore), so a
// sanitizer's terabytes of reserved shadow cost nothing.
//
// Thread safety: call it while no other thread changes what is searched.
#ifndef DYNCREDS_TESTS_SUPPORT_MEMORY_SCAN_H_
#define DYNCREDS_TESTS_SUPPORT_MEMORY_SCAN_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace dyncreds::testing {

constexpr unsigned char kMask = 0x5a;

// `plain` XORed with kMask.
std::string Mask(std::string_view plain);

struct MemoryScan {
  std::size_t copies = 0;         // places the secret was found
  std::size_t bytes_scanned = 0;  // resident bytes read
};

// Every copy of the secret whose masked form is `masked` in this process's
// readable memory.
MemoryScan FindInProcessMemory(std::string_view masked);

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_MEMORY_SCAN_H_
