// fd::parse_sweep: the FD_N list of file counts.
//
// Accepted: positive whole numbers, comma-separated, each optionally with a
// k (x1000) or m (x1000000) suffix: "1k,10k,100k". The result is sorted and
// without duplicates. Anything else is an error whose text is the one line
// the suite prints before exiting with status 2.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fd {

inline constexpr std::string_view kDefaultSweep = "1k,10k,100k,250k,700k";

// Larger than any nr_open Linux accepts (it caps it near 2^30): a count above
// this is a typo, not a request.
inline constexpr std::uint64_t kMaxRequest = 1ull << 31;

struct SweepError {
  std::string message;
};

std::variant<std::vector<std::uint64_t>, SweepError> parse_sweep(std::string_view text);

}  // namespace fd
