#include "fd/sweep.h"

#include <algorithm>
#include <charconv>

#include "fd/comma_list.h"

namespace fd {

namespace {

std::string bad(std::string_view whole, std::string_view item, std::string_view why) {
  return "FD_N=\"" + std::string(whole) + "\": \"" + std::string(item) + "\" " +
         std::string(why) +
         "; give positive whole numbers of files, comma-separated, optionally with a "
         "k or m suffix (e.g. FD_N=1k,10k,100k)";
}

}  // namespace

std::variant<std::vector<std::uint64_t>, SweepError> parse_sweep(std::string_view text) {
  std::vector<std::uint64_t> out;
  if (text.empty()) return SweepError{bad(text, text, "is empty")};
  for (const std::string_view item : comma_items(text)) {
    if (item.empty()) return SweepError{bad(text, item, "is an empty item")};
    std::string_view digits = item;
    std::uint64_t scale = 1;
    if (const char last = digits.back(); last == 'k' || last == 'K') {
      scale = 1000;
      digits.remove_suffix(1);
    } else if (last == 'm' || last == 'M') {
      scale = 1000000;
      digits.remove_suffix(1);
    }
    if (!digits.empty() && digits.front() == '-') {
      return SweepError{bad(text, item, "is negative")};
    }
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec == std::errc::invalid_argument ||
        end != digits.data() + digits.size()) {
      return SweepError{bad(text, item, "is not a number")};
    }
    if (ec == std::errc::result_out_of_range || value > kMaxRequest / scale) {
      return SweepError{bad(text, item, "is larger than any Linux lets one process open")};
    }
    if (value == 0) return SweepError{bad(text, item, "is zero")};
    out.push_back(value * scale);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace fd
