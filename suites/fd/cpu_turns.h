// fd::parse_cpu_turns: FD_CPU_TURNS, the CPU each repetition's children run on.
//
// `make bench` sets it from deferbench's CPU turns (scripts/deferbench/run/
// cpu_turns.py): the CPUs of one kind in turn, three repetitions each, as the
// paired series take them, so that the gap's pairs are not all made on one
// CPU. Repetition k runs on item k of the list, cycling: a full run's ten
// repetitions reach four CPUs at most, and three repetitions (--quick) or the
// kernel half's two stay on the list's first CPU. Accepted: CPU numbers this
// process may use, comma-separated ("1,1,1,0,0,0"). Anything else is an error
// whose text is the one line the suite prints before exiting with status 2.
// Unset or empty: the empty list, and every child on the last CPU this
// process may use.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fd {

struct CpuTurnsError {
  std::string message;
};

// `allowed` says whether this process may run on a CPU (its affinity).
std::variant<std::vector<int>, CpuTurnsError> parse_cpu_turns(
    std::string_view text, const std::function<bool(int)>& allowed);

// The CPU of repetition `rep` (from 0): item rep of the turns (not empty),
// cycling.
int cpu_of_repetition(const std::vector<int>& turns, int rep);

}  // namespace fd
