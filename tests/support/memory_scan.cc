#include "support/memory_scan.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "dyncreds/secret.h"

namespace dyncreds::testing {
namespace {

struct Region {
  std::uintptr_t begin = 0, end = 0;
};

// Larger than any heap: a sanitizer's shadow (ASan's is 14 TiB), which
// holds the sanitizer's bookkeeping, never the program's bytes.
constexpr std::uintptr_t kShadowSize = std::uintptr_t{1} << 40;

// The readable mappings, but not the kernel's vsyscall/vvar pages nor a
// sanitizer's shadow.
std::vector<Region> ReadableRegions() {
  std::vector<Region> regions;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms.empty() || perms[0] != 'r') continue;
    if (line.find("[vvar]") != std::string::npos || line.find("[vsyscall]") != std::string::npos) continue;
    Region r;
    if (std::sscanf(range.c_str(), "%lx-%lx", &r.begin, &r.end) != 2) continue;
    if (r.end - r.begin >= kShadowSize) continue;
    regions.push_back(r);
  }
  return regions;
}

// Copies of the masked needle in `data`, compared byte by byte through the
// mask so the plain secret is never assembled.
std::size_t CountMasked(const unsigned char* data, std::size_t n, std::string_view masked) {
  const auto first = static_cast<unsigned char>(masked[0] ^ kMask);
  std::size_t copies = 0;
  for (std::size_t i = 0; i + masked.size() <= n; ++i) {
    const void* hit = std::memchr(data + i, first, n - masked.size() + 1 - i);
    if (hit == nullptr) break;
    i = static_cast<std::size_t>(static_cast<const unsigned char*>(hit) - data);
    std::size_t j = 1;
    while (j < masked.size() && static_cast<unsigned char>(data[i + j] ^ kMask) ==
                                    static_cast<unsigned char>(masked[j])) {
      ++j;
    }
    copies += j == masked.size();
  }
  return copies;
}

// Reads each run of resident pages of the window at `at` whole, so a copy
// across a page boundary is found, and wipes what it read.
void ScanResident(int mem, std::uintptr_t at, std::size_t page, const std::vector<unsigned char>& resident,
                  std::string_view masked, std::vector<unsigned char>* buffer, MemoryScan* scan) {
  for (std::size_t p = 0; p < resident.size();) {
    if (!(resident[p] & 1)) {
      ++p;
      continue;
    }
    std::size_t q = p;
    while (q < resident.size() && (resident[q] & 1)) ++q;
    buffer->resize((q - p) * page);
    const ssize_t got = pread(mem, buffer->data(), buffer->size(), static_cast<off_t>(at + p * page));
    if (got > 0) {
      scan->bytes_scanned += static_cast<std::size_t>(got);
      scan->copies += CountMasked(buffer->data(), static_cast<std::size_t>(got), masked);
      SecureWipe(buffer->data(), static_cast<std::size_t>(got));  // it may hold the secret
    }
    p = q;
  }
}

}  // namespace

std::string Mask(std::string_view plain) {
  std::string masked(plain);
  for (char& c : masked) c = static_cast<char>(c ^ kMask);
  return masked;
}

MemoryScan FindInProcessMemory(std::string_view masked) {
  MemoryScan scan;
  const int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  if (mem < 0) return scan;
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::vector<Region> regions = ReadableRegions();
  std::vector<unsigned char> resident;
  std::vector<unsigned char> buffer;
  // mincore is asked about a window at a time, so the vector it fills
  // stays small however large a mapping is.
  constexpr std::size_t kWindowPages = 1 << 18;  // 1 GiB of 4 KiB pages
  for (const Region& r : regions) {
    for (std::uintptr_t at = r.begin; at < r.end;) {
      const std::size_t pages = std::min<std::size_t>(kWindowPages, (r.end - at) / page);
      resident.assign(pages, 0);
      if (mincore(reinterpret_cast<void*>(at), pages * page, resident.data()) == 0) {
        ScanResident(mem, at, page, resident, masked, &buffer, &scan);
      }
      at += pages * page;
    }
  }
  close(mem);
  return scan;
}

}  // namespace dyncreds::testing
