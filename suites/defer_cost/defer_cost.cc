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

DEFERBENCH_OPAQUE void defer1_open_coded() {
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
// same name) makes open_coded's loop execute N extra no-op instructions per
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
    "open_coded +" + std::to_string(DEFERBENCH_INJECT_SLOWDOWN) + " nop/op"), true);
#define DEFERBENCH_RUN_OPEN_CODED run_injected<defer1_open_coded>
#else
#define DEFERBENCH_RUN_OPEN_CODED run<defer1_open_coded>
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

// A case for Google Benchmark's runs and its op loop for the pairs, one name.
#define DEFER_COST_CASE(name, run_fn, op) \
  DEFERBENCH_CASE(name, run_fn);          \
  DEFERBENCH_OP(name, make_op_loop<op>)

DEFER_COST_CASE("call", run<defer1_call>, defer1_call);
DEFER_COST_CASE("open_coded", DEFERBENCH_RUN_OPEN_CODED, defer1_open_coded);
DEFER_COST_CASE("open_coded_bits", run<defer1_open_coded_bits>, defer1_open_coded_bits);
DEFER_COST_CASE("chain_stack", run<defer1_chain_stack>, defer1_chain_stack);
DEFER_COST_CASE("chain_heap", run<defer1_chain_heap>, defer1_chain_heap);
DEFER_COST_CASE("chain_heap_pooled", run<defer1_chain_heap_pooled>, defer1_chain_heap_pooled);
DEFER_COST_CASE("go_open_coded", run<defer1_go_open_coded>, defer1_go_open_coded);
DEFER_COST_CASE("go_stack_record", run<defer1_go_stack_record>, defer1_go_stack_record);
DEFER_COST_CASE("go_heap_record", run<defer1_go_heap_record>, defer1_go_heap_record);
DEFER_COST_CASE("std_function_guard", run<defer1_std_function_guard>,
                defer1_std_function_guard);

// The counters' own cost: `call` again with the perf counters left unread.
// They are read outside the loop, so the two should time alike.
DEFERBENCH_ONE_LOOP_SHAPE void run_call_counters_off(benchmark::State& state) {
  harness::Measure measure(state, /*read_perf=*/false);
  for (auto _ : state) defer1_call();
}
DEFERBENCH_CASE("counters_off/call", run_call_counters_off);

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
