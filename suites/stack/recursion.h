// Article A's `func f() { defer f() }`, once per strategy: a function whose
// only work is to count its frame and defer a call to itself, so the stack
// grows through the defer mechanism until it runs out. None returns.
//
// Each frame adds one to *frames_entered before deferring, so the depth
// reached survives the child however it dies. That store is also the
// observable side effect that keeps the compiler from treating the endless
// recursion as undefined and deleting it.
//
// harness::work_after_defer() follows each defer statement (and stands in the
// plain call's place too): the chain's records must really be linked, as
// Go's runtime links them, even though nothing else happens before the exit.
//
// Each returns after its deferred call, as a Go function does after
// deferreturn, through an empty asm statement the compiler must keep: the
// self-call is then never in tail position, and a C++ compiler cannot turn
// it into a jump that never touches the stack (Go never does). Nothing else
// is constrained: the library's own trampolines compile as they would
// anywhere. DEFERBENCH_OPAQUE keeps each one a real function the optimiser
// cannot inline into itself.
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
  // What it is, for the suite's list of cases (harness::CaseInfo): its kind,
  // what it does, the go suite's recursion of the same mechanism, and in one
  // line what it leaves out relative to Go.
  const char* kind;
  const char* mechanism;
  const char* go_counterpart;
  const char* omits;
};

// One per strategy, in defer::Strategy order (plain call first: the floor).
std::span<const Recursion> recursions();

}  // namespace stack_suite
