// The rules of defer that are behaviour, not cost (claims R1, R5, R6), as the
// project's three strategies behave: the scope guard (defer::Guard), the
// runtime chain with stack records (defer::chain::Frame) and the bitmap frame
// (defer::OpenFrame). Each experiment is goref/cmd/defersemantics's, so the
// suite's run records both languages side by side; what a strategy does
// differently from Go (the guard runs at its block's end) is observed and
// reported as such, never hidden.
#pragma once

#include <string>
#include <vector>

namespace cliffs::semantics {

// What one strategy did in one experiment: the events in the order they
// happened, in goref's words ("defer 1", "ran 3", "panic", ...).
struct Observation {
  std::vector<std::string> events;
  int at_defer = 0, received = 0, at_return = 0;  // eager_args
  std::string panicked, recovered;                // panic: thrown, caught
};

// The strategies, as the labels name them.
inline constexpr const char* kStrategies[] = {"guard", "chain", "open_frame"};

// The experiments: lifo (R1), eager_args (R5), panic and function_scope (R6).
Observation lifo(const std::string& strategy);
Observation eager_args(const std::string& strategy);
Observation panic(const std::string& strategy);
Observation function_scope(const std::string& strategy);

// "a,b,c": the events after `prefix` (e.g. "ran "), in order.
std::string after(const std::vector<std::string>& events, const std::string& prefix);

}  // namespace cliffs::semantics
