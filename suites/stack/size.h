// Stack sizes for the stack suite: parsing STACK_SIZES, naming a size, and
// deciding whether this machine's memory can back it.
//
// A size is written as an integer and a binary unit, "8MiB", "64MiB", "1GiB"
// or "512KiB"; a list is comma-separated. The canonical label of a size is
// the largest unit that divides it exactly, so "1024MiB" and "1GiB" name the
// same case ("chain_stack/1GiB").
//
// Invariants of a parsed list: every size is a whole number of pages, at
// least kMinStackBytes, no size appears twice, and the order is the user's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stack_suite {

// Below this a thread cannot hold its own descriptor and TLS (glibc keeps
// them at the top of a user-supplied stack) with room left to recurse.
inline constexpr std::uint64_t kMinStackBytes = 64 * 1024;
inline constexpr std::uint64_t kPageBytes = 4096;

// What the sizes are checked against: memory the kernel reports available
// and the process's address-space limit (nullopt when unknown or unlimited).
struct MemoryBounds {
  std::optional<std::uint64_t> mem_available_bytes;
  std::optional<std::uint64_t> address_space_limit_bytes;
};

// Memory an attempt needs beyond its stack: the binary, libc, the signal
// stack, a first heap arena.
inline constexpr std::uint64_t kProcessHeadroomBytes = 64ull << 20;

struct ParsedSizes {
  std::vector<std::uint64_t> bytes;
  std::string error;  // one line naming the problem and what is accepted; empty when ok
};

// Parses a STACK_SIZES value ("8MiB,64MiB,1GiB").
ParsedSizes parse_stack_sizes(std::string_view text);

// "8MiB", "1GiB", "1536KiB", "65540B" (the last never passes the parser).
std::string size_label(std::uint64_t bytes);

// Empty when every size fits the bounds; else one line naming the first that
// does not and the bound it exceeds.
std::string check_memory(const std::vector<std::uint64_t>& sizes, const MemoryBounds& bounds);

// The bounds of this process now (/proc/meminfo MemAvailable, RLIMIT_AS).
MemoryBounds current_memory_bounds();

}  // namespace stack_suite
