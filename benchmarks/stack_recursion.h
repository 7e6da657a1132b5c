// Article A's `func f() { defer f() }`, once per strategy: a function whose
// only work is to count its frame and defer a call to itself, so the stack
// grows through the defer mechanism until it runs out. None returns.
//
// Each frame adds one to *frames_entered before deferring, so the depth
// reached survives the child however it dies. That store is also the
// observable side effect that keeps the compiler from treating the endless
// recursion as undefined and deleting it.
//
// The file that defines them is built with -fno-optimize-sibling-calls: Go
// never turns a call into a jump, and a C++ compiler would otherwise turn
// each deferred self-call (the last thing the function does) into a loop
// that never touches the stack. DEFERBENCH_OPAQUE keeps each one a real
// function the optimiser cannot inline into itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>

#include "defer/strategy.h"

namespace stack_suite {

// Where the frames are counted: the child points it at its shared report.
extern std::atomic<std::uint64_t>* frames_entered;

struct Recursion {
  defer::Strategy strategy;
  void (*run)();  // never returns
};

// One per strategy, in defer::Strategy order (plain call first: the floor).
std::span<const Recursion> recursions();

}  // namespace stack_suite
