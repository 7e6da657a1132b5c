// Suite defer_cost: the cost of one defer, per strategy (claims A1-A4, B1).
//
// Go's runtime benchmark (BenchmarkDefer in runtime/runtime_test.go) calls a
// function that defers one call of a closure taking (1, 2, 3), which checks
// its arguments. Each case here is that function, written with one strategy.
// Both functions are opaque to the optimiser (harness/opaque.h), so the call,
// the argument passing and the defer machinery all happen on every iteration;
// `call` is the same work with no defer at all. harness::work_after_defer()
// stands for the rest of the function in every case, `call` included.
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "defer/chain.h"
#include "defer/floor_chain.h"
#include "defer/go_frame.h"
#include "defer/guard.h"
#include "defer/open_frame.h"
#include "measure.h"
#include "opaque.h"
#include "paired.h"
#include "registry.h"

namespace {

// The deferred function: Go's version checks recover() and its arguments.
DEFERBENCH_OPAQUE void deferred(int x, int y, int z) {
  if (x != 1 || y != 2 || z != 3) std::abort();
}

DEFERBENCH_OPAQUE void defer1_call() {
  harness::work_after_defer();  // in every case, where the defer would end
  deferred(1, 2, 3);
}

DEFERBENCH_OPAQUE void defer1_scope_guard() {
  auto cleanup = defer::guard(deferred, 1, 2, 3);
  harness::work_after_defer();
}

// Typed slots, as Go's compiler gives them: a function pointer and three ints.
DEFERBENCH_OPAQUE void defer1_open_coded_bits() {
  defer::OpenFrame<defer::FrameShape{.defers = 1}, void(int, int, int)> frame;
  static_assert(decltype(frame)::strategy == defer::Strategy::open_coded_bits);
  frame.defer(deferred, 1, 2, 3);
  harness::work_after_defer();
}

DEFERBENCH_OPAQUE void defer1_chain_stack() {
  defer::chain::Frame<1> frame;
  frame.defer_stack(deferred, 1, 2, 3);
  harness::work_after_defer();
}

DEFERBENCH_OPAQUE void defer1_chain_heap() {
  defer::chain::Frame<> frame;
  frame.defer_heap(deferred, 1, 2, 3);
  harness::work_after_defer();
}

DEFERBENCH_OPAQUE void defer1_chain_heap_pooled() {
  defer::chain::Frame<> frame;
  frame.defer_pooled(deferred, 1, 2, 3);
  harness::work_after_defer();
}

// Go's mechanisms, modelled step by step (defer/go_runtime.h): the same
// function as Go compiles it under each of its strategies. The deferred call
// has constant arguments, so, as in Go, its closure captures nothing.
void deferred_123() { deferred(1, 2, 3); }

// The lightest chain (defer/floor_chain.h) given the same function: a
// record in the frame, linked at the defer and run through it at the exit.
using FloorChainRecord = defer::floor::ChainedCall<deferred_123>;
static_assert(sizeof(FloorChainRecord) == 2 * sizeof(void*),
              "floor_chain's description says a two-word record");

DEFERBENCH_OPAQUE void defer1_floor_chain() {
  FloorChainRecord cleanup;
  harness::work_after_defer();
}

DEFERBENCH_OPAQUE void defer1_go_open_coded() {
  defer::go::OpenCodedFrame<1> frame;
  frame.defer<0, deferred_123>();
  harness::work_after_defer();
}

DEFERBENCH_OPAQUE void defer1_go_stack_record() {
  defer::go::ChainFrame<1> frame;
  frame.defer_stack<0, deferred_123>();
  harness::work_after_defer();
}

DEFERBENCH_OPAQUE void defer1_go_heap_record() {
  defer::go::ChainFrame<> frame;
  frame.defer_heap<deferred_123>();
  harness::work_after_defer();
}

// What a C++ programmer writes by hand: a guard holding a std::function.
class FunctionGuard {
 public:
  explicit FunctionGuard(std::function<void()> fn) : fn_(std::move(fn)) {}
  FunctionGuard(const FunctionGuard&) = delete;
  FunctionGuard& operator=(const FunctionGuard&) = delete;
  ~FunctionGuard() { fn_(); }

 private:
  std::function<void()> fn_;
};

DEFERBENCH_OPAQUE void defer1_std_function_guard() {
  FunctionGuard cleanup([x = 1, y = 2, z = 3] { deferred(x, y, z); });
  harness::work_after_defer();
}

// Every case's timed loop must have one shape. GCC's loop-header copying
// duplicated `call`'s loop (two calls per branch) and no other, which made
// byte-identical functions time 10% apart; without it every loop is the same
// call, sub, test, jne.
#if defined(__GNUC__) && !defined(__clang__)
#define DEFERBENCH_ONE_LOOP_SHAPE __attribute__((optimize("no-tree-ch")))
#else
#define DEFERBENCH_ONE_LOOP_SHAPE
#endif

template <void (*Op)()>
DEFERBENCH_ONE_LOOP_SHAPE void run(benchmark::State& state) {
  harness::Measure measure(state);
  for (auto _ : state) Op();
}

#ifdef DEFERBENCH_INJECT_SLOWDOWN
// Test hook of the regression gate (tests/deferbench/commands/test_regress.py), never in
// a normal build: -DDEFERBENCH_INJECT_SLOWDOWN=N (CMake cache variable of the
// same name) makes scope_guard's loop execute N extra no-op instructions per
// op, and the binary says so in its context so that no baseline is recorded
// from it.
static_assert(DEFERBENCH_INJECT_SLOWDOWN > 0, "DEFERBENCH_INJECT_SLOWDOWN: a count above 0");
template <void (*Op)()>
DEFERBENCH_ONE_LOOP_SHAPE void run_injected(benchmark::State& state) {
  harness::Measure measure(state);
  for (auto _ : state) {
    Op();
    asm volatile(".rept %c0\n\tnop\n\t.endr" : : "i"(DEFERBENCH_INJECT_SLOWDOWN));
  }
}
const bool injected_context = (benchmark::AddCustomContext(
    "deferbench_injected_slowdown",
    "scope_guard +" + std::to_string(DEFERBENCH_INJECT_SLOWDOWN) + " nop/op"), true);
#define DEFERBENCH_RUN_SCOPE_GUARD run_injected<defer1_scope_guard>
#else
#define DEFERBENCH_RUN_SCOPE_GUARD run<defer1_scope_guard>
#endif

// The same ops in the loops that paired measurement times (harness/paired.h),
// one loop shape for all of them, as above.
template <void (*Op)()>
DEFERBENCH_ONE_LOOP_SHAPE void op_loop(long n) {
  for (long i = 0; i < n; ++i) Op();
}
template <void (*Op)()>
harness::OpLoop make_op_loop() {
  return op_loop<Op>;
}

// A case: its Google Benchmark run, its op loop for the pairs and what it is
// (harness/registry.h's CaseInfo, read by the scripts from the results), one
// entry each. The plain call is every other case's reference.
#define DEFER_COST_CASE(case_name, run_fn, op, ...) \
  DEFERBENCH_CASE(case_name, run_fn);               \
  DEFERBENCH_OP(case_name, make_op_loop<op>);       \
  DEFERBENCH_CASE_INFO(.name = case_name, __VA_ARGS__)

DEFER_COST_CASE("call", run<defer1_call>, defer1_call, .kind = "reference",
                .mechanism = "the deferred function called directly, no defer",
                .go_counterpart = "defer_cost/call", .claims = "A3",
                .omits = "nothing: the same work with no defer in either language");
DEFER_COST_CASE("scope_guard", DEFERBENCH_RUN_SCOPE_GUARD, defer1_scope_guard, .kind = "floor",
                .mechanism = "a scope guard (defer::Guard): the call inlined at every exit",
                .go_counterpart = "defer_cost/open_coded", .claims = "A2, A4", .pair = "call",
                .omits = "Go's deferBits and slots in the frame, and function scope: a "
                         "guard is block-scoped and the compiler folds it into the call",
                .target_ratio = 1.05);
DEFER_COST_CASE("open_coded_bits", run<defer1_open_coded_bits>, defer1_open_coded_bits,
                .kind = "analog",
                .mechanism = "typed slots and a deferBits byte (defer::OpenFrame)",
                .go_counterpart = "defer_cost/open_coded", .claims = "A2", .pair = "call",
                .omits = "the bits in the frame's memory: with the defer unconditional the "
                         "compiler folds the bits and slots away, which Go's does not");
DEFER_COST_CASE("chain_stack", run<defer1_chain_stack>, defer1_chain_stack, .kind = "analog",
                .mechanism = "a 24-40 byte record in the frame on a per-thread chain",
                .go_counterpart = "defer_cost/chain_stack", .claims = "A1, A4", .pair = "call",
                .omits = "out-of-line runtime calls, Go's 72-byte record, deferreturn's sp "
                         "check, the closure's indirect call and freedefer's checks",
                .target_ratio = 2.5);
DEFER_COST_CASE("chain_heap", run<defer1_chain_heap>, defer1_chain_heap, .kind = "analog",
                .mechanism = "a record from operator new on a per-thread chain",
                .go_counterpart = "defer_cost/chain_heap", .claims = "A1", .pair = "call",
                .omits = "Go's per-P pool of records: here every defer is a malloc and a free");
DEFER_COST_CASE("chain_heap_pooled", run<defer1_chain_heap_pooled>, defer1_chain_heap_pooled,
                .kind = "analog",
                .mechanism = "a record from an unbounded per-thread free list",
                .go_counterpart = "defer_cost/chain_heap", .claims = "A1", .pair = "call",
                .omits = "the pool's capacity of 32, its spill to and refill from a locked "
                         "central pool, and Go's record and runtime calls",
                .target_ratio = 4.0);
DEFER_COST_CASE("floor_chain", run<defer1_floor_chain>, defer1_floor_chain, .kind = "floor",
                .mechanism = "the lightest chain (defer::floor::ChainedCall): a two-word "
                             "record in the frame, linked at the defer, run through it at "
                             "the exit",
                .go_counterpart = "defer_cost/chain_stack", .claims = "A1", .pair = "call",
                .omits = "Go's runtime: no 72-byte record, no out-of-line calls, no sp "
                         "check, no closure, no loop over other frames' records");
DEFER_COST_CASE("go_open_coded", run<defer1_go_open_coded>, defer1_go_open_coded,
                .kind = "go_model",
                .mechanism = "Go 1.19's open-coded defer: a closure slot and deferBits in the "
                             "frame's memory, tested and cleared at every exit",
                .go_counterpart = "defer_cost/open_coded", .claims = "A2, A4", .pair = "call",
                .omits = "the funcdata by which a panic finds the slots (the frame's "
                         "address is published instead)");
DEFER_COST_CASE("go_stack_record", run<defer1_go_stack_record>, defer1_go_stack_record,
                .kind = "go_model",
                .mechanism = "Go 1.19's deferprocStack and deferreturn over a 72-byte "
                             "_defer in the frame",
                .go_counterpart = "defer_cost/chain_stack", .claims = "A1, A4", .pair = "call",
                .omits = "recover's return path; the record's sp is the frame object's "
                         "address, not the hardware SP");
DEFER_COST_CASE("go_heap_record", run<defer1_go_heap_record>, defer1_go_heap_record,
                .kind = "go_model",
                .mechanism = "Go 1.19's deferproc, newdefer and freedefer over a per-thread "
                             "pool of 32 that spills half to a locked central pool",
                .go_counterpart = "defer_cost/chain_heap", .claims = "A1", .pair = "call",
                .omits = "the garbage collector: its write barrier is never on and the "
                         "central pool is never cleared");
DEFER_COST_CASE("std_function_guard", run<defer1_std_function_guard>,
                defer1_std_function_guard, .kind = "idiom",
                .mechanism = "a guard holding a std::function, as C++ code often writes",
                .pair = "call", .omits = "function scope; Go has no counterpart");

// The counters' own cost: `call` again with the perf counters left unread.
// They are read outside the loop, so the two should time alike.
DEFERBENCH_ONE_LOOP_SHAPE void run_call_counters_off(benchmark::State& state) {
  harness::Measure measure(state, /*read_perf=*/false);
  for (auto _ : state) defer1_call();
}
DEFERBENCH_CASE("counters_off/call", run_call_counters_off);
DEFERBENCH_CASE_INFO(.name = "counters_off/call", .kind = "harness",
                      .mechanism = "`call` with the perf counters left unread",
                      .omits = "nothing: it measures the harness, not a defer");

// The same overhead, paired: `call`'s loop with the perf counters read around
// each chunk as Measure reads them around a loop, against the loop without.
harness::OpLoop make_counters_read_call_loop() {
  const harness::PerfCounters* perf = harness::counting_config().perf;
  if (perf == nullptr || perf->empty()) return op_loop<defer1_call>;
  auto snapshots = std::make_shared<harness::PerfCounters::Snapshot[]>(2);
  snapshots[0] = snapshots[1] = perf->read();  // sized once, outside every chunk
  return [perf, snapshots](long n) {
    perf->read(snapshots[0]);
    op_loop<defer1_call>(n);
    perf->read(snapshots[1]);
  };
}
DEFERBENCH_OP("counters_off/call", make_op_loop<defer1_call>);
DEFERBENCH_OP("counters_on/call", make_counters_read_call_loop);

}  // namespace
