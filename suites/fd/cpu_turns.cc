#include "fd/cpu_turns.h"

#include <charconv>

#include "fd/comma_list.h"

namespace fd {

namespace {

std::string bad(std::string_view whole, std::string_view item, std::string_view why) {
  return "FD_CPU_TURNS=\"" + std::string(whole) + "\": \"" + std::string(item) + "\" " +
         std::string(why) +
         "; give CPU numbers this process may use, comma-separated (e.g. "
         "FD_CPU_TURNS=1,1,1,0,0,0), or leave it empty";
}

}  // namespace

std::variant<std::vector<int>, CpuTurnsError> parse_cpu_turns(
    std::string_view text, const std::function<bool(int)>& allowed) {
  std::vector<int> out;
  if (text.empty()) return out;
  for (const std::string_view item : comma_items(text)) {
    if (item.empty()) return CpuTurnsError{bad(text, item, "is an empty item")};
    int cpu = -1;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), cpu);
    if (ec != std::errc{} || end != item.data() + item.size() || cpu < 0) {
      return CpuTurnsError{bad(text, item, "is not a CPU number")};
    }
    if (!allowed(cpu)) return CpuTurnsError{bad(text, item, "is not a CPU this process may use")};
    out.push_back(cpu);
  }
  return out;
}

int cpu_of_repetition(const std::vector<int>& turns, int rep) {
  return turns[static_cast<std::size_t>(rep) % turns.size()];
}

}  // namespace fd
