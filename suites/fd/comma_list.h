// fd::comma_items: the items of a comma-separated environment setting
// (FD_N, FD_CPU_TURNS), empty ones kept so that the parsers can name them.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

namespace fd {

inline std::vector<std::string_view> comma_items(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

}  // namespace fd
