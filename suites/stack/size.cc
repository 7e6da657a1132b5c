// STACK_SIZES parsing and the memory check (see stack/size.h).
#include "stack/size.h"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace stack_suite {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t bytes;
};
constexpr Unit kUnits[] = {{"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}};

constexpr std::string_view kAccepted =
    "write each size as an integer and a unit, K, M or G (powers of 1024, as ulimit reads "
    "them; KiB, MiB, GiB and lower case too), comma-separated (e.g. 8M,64MiB,1G)";

// The unit a size is written with, as people type it: "M", "m", "MiB", "mib",
// "Mi" all mean 2^20 (KB, MB and GB are refused: coreutils reads them as
// powers of 1000).
std::optional<std::uint64_t> unit_bytes(std::string_view unit) {
  std::string lower(unit);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Unit& u : kUnits) {
    const std::string name(1, static_cast<char>(std::tolower(u.suffix.front())));
    if (lower == name || lower == name + "i" || lower == name + "ib") return u.bytes;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// One size, or an error line.
std::optional<std::uint64_t> parse_one(std::string_view item, std::string& error) {
  const std::size_t split = item.find_first_not_of("0123456789");
  const std::optional<std::uint64_t> unit =
      split == std::string_view::npos ? std::nullopt : unit_bytes(item.substr(split));
  if (unit) {
    const std::string_view digits = item.substr(0, split);
    std::uint64_t count = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      error = "STACK_SIZES: " + quoted(item) + (ec == std::errc::result_out_of_range
                                                    ? " is too large to represent"
                                                    : " is not a size; " + std::string(kAccepted));
      return std::nullopt;
    }
    if (count > std::numeric_limits<std::uint64_t>::max() / *unit) {
      error = "STACK_SIZES: " + quoted(item) + " is too large to represent";
      return std::nullopt;
    }
    const std::uint64_t bytes = count * *unit;
    if (bytes < kMinStackBytes) {
      error = "STACK_SIZES: " + quoted(item) + " is below the smallest stack, " +
              size_label(kMinStackBytes) + " (a thread keeps its descriptor and TLS on it)";
      return std::nullopt;
    }
    if (bytes % kPageBytes != 0) {
      error = "STACK_SIZES: " + quoted(item) + " is not a whole number of 4KiB pages";
      return std::nullopt;
    }
    return bytes;
  }
  const bool digits_only = item.find_first_not_of("0123456789") == std::string_view::npos;
  error = "STACK_SIZES: " + quoted(item) + (digits_only ? " has no unit; " : " is not a size; ") +
          std::string(kAccepted);
  return std::nullopt;
}

std::string gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
  return text;
}

}  // namespace

ParsedSizes parse_stack_sizes(std::string_view text) {
  ParsedSizes out;
  if (trim(text).empty()) {
    out.error = "STACK_SIZES is empty; " + std::string(kAccepted);
    return out;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = trim(text.substr(start, comma - start));
    if (item.empty()) {
      out.error = "STACK_SIZES has an empty entry in " + quoted(text) + "; " +
                  std::string(kAccepted);
      out.bytes.clear();
      return out;
    }
    const auto bytes = parse_one(item, out.error);
    if (!bytes) {
      out.bytes.clear();
      return out;
    }
    if (std::find(out.bytes.begin(), out.bytes.end(), *bytes) == out.bytes.end()) {
      out.bytes.push_back(*bytes);
    }
    start = comma + 1;
  }
  return out;
}

std::string size_label(std::uint64_t bytes) {
  for (const Unit& unit : kUnits) {
    if (bytes >= unit.bytes && bytes % unit.bytes == 0) {
      return std::to_string(bytes / unit.bytes) + std::string(unit.suffix);
    }
  }
  return std::to_string(bytes) + "B";
}

std::string check_memory(const std::vector<std::uint64_t>& sizes, const MemoryBounds& bounds) {
  for (const std::uint64_t size : sizes) {
    const std::uint64_t needed = size + kProcessHeadroomBytes;
    if (bounds.mem_available_bytes && needed > *bounds.mem_available_bytes) {
      return "STACK_SIZES: " + size_label(size) + " needs about " + gib(needed) +
             " of memory and this machine has " + gib(*bounds.mem_available_bytes) +
             " available (MemAvailable); choose smaller sizes";
    }
    if (bounds.address_space_limit_bytes && needed > *bounds.address_space_limit_bytes) {
      return "STACK_SIZES: " + size_label(size) + " needs about " + gib(needed) +
             " of address space and RLIMIT_AS allows " +
             gib(*bounds.address_space_limit_bytes) + "; choose smaller sizes";
    }
  }
  return "";
}

MemoryBounds current_memory_bounds() {
  MemoryBounds bounds{std::nullopt, std::nullopt};
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string key;
    std::uint64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") {
      bounds.mem_available_bytes = kib * 1024;
      break;
    }
  }
  rlimit as{};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    bounds.address_space_limit_bytes = as.rlim_cur;
  }
  return bounds;
}

}  // namespace stack_suite
