// Suite cliffs: article B's three shapes that push a function off open-coded
// defers, each beside its rewrite (claims B3-B7, R2-R4; R1, R5, R6 in the context).
//
//   loop/<variant>      cliff 1: a defer inside a loop over 10 items
//   ndefers/<n>         cliff 2: n defers in one bitmap frame, n = 1..12
//   exits/<r>x<d>       R4: r return statements x d defers around 15
//   closure/<variant>   cliff 3: deferring a closure that captures
//
// Beside them, in the JSON's context: what each strategy does with R1, R5, R6.
//
// Each case's label names the strategy its frame got, in the words of Go's
// `-gcflags=-d=defer`; `peak_open` counts the resources held at once.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>

#include "cliffs/semantics.h"
#include "cliffs/workloads.h"
#include "measure.h"
#include "paired.h"
#include "registry.h"

namespace {

using cliffs::Item;

// Runs `op` once before measuring (warms the record pool and the caches), then
// in the timed loop; records the peak of open resources and fails the case if
// any resource is left open.
template <class Op>
void measure_cliff(benchmark::State& state, Op op) {
  cliffs::reset_ledger();
  op();
  {
    harness::Measure measure(state);
    for (auto _ : state) benchmark::DoNotOptimize(op());
  }
  state.counters["peak_open"] = static_cast<double>(cliffs::ledger().peak);
  if (cliffs::ledger().open != 0) {
    state.SkipWithError("resources left open: a deferred close did not run");
  }
}

template <std::uint64_t (*Loop)(const std::vector<Item>&), std::size_t Items>
void run_loop(benchmark::State& state) {
  const auto items = cliffs::make_items(Items);
  measure_cliff(state, [&] { return Loop(items); });
  state.counters["items"] = Items;
  if (Loop == cliffs::loop_defer_in_loop) {
    state.SetLabel(cliffs::describe(cliffs::kLoopShape));
  } else if (Loop == cliffs::loop_defer_in_loop_pooled) {
    state.SetLabel("heap-allocated defer, records from the per-thread pool");
  } else if (Loop == cliffs::loop_helper) {
    state.SetLabel("helper: " + cliffs::describe(cliffs::kHelperShape) + " per item");
  } else {
    state.SetLabel("no defer");
  }
}

template <int N>
void run_ndefers(benchmark::State& state) {
  const Item item = cliffs::make_items(1)[0];
  measure_cliff(state, [&] { return cliffs::ndefers<N>(item); });
  state.counters["defers"] = N;
  state.SetLabel(cliffs::describe(defer::FrameShape{.defers = N}));
}

template <std::uint64_t (*Exits)(const Item&, int), defer::FrameShape Shape>
void run_exits(benchmark::State& state) {
  const Item item = cliffs::make_items(1)[0];
  measure_cliff(state, [&] { return Exits(item, Shape.exits - 1); });
  state.counters["defers"] = Shape.defers;
  state.counters["returns"] = Shape.exits;
  state.SetLabel(cliffs::describe(Shape));
}

template <std::uint64_t (*Closure)(const std::vector<Item>&)>
void run_closure(benchmark::State& state) {
  constexpr std::size_t kItems = 10;
  const auto items = cliffs::make_items(kItems);
  measure_cliff(state, [&] { return Closure(items); });
  state.counters["items"] = kItems;
  if (Closure == cliffs::closure_plain_call) {
    state.SetLabel("plain call: the values live in the record");
  } else if (Closure == cliffs::closure_go_per_item) {
    state.SetLabel("Go model: the handle moved to heap, the closure escapes, a pooled record");
  } else {
    state.SetLabel("closure of " + std::to_string(cliffs::capturing_closure_bytes()) +
                   " B " + (cliffs::capturing_closure_fits_inline()
                                ? "stored in the record"
                                : "moved to heap (a record holds " +
                                      std::to_string(defer::DeferredCall::kInlineBytes) +
                                      " B)"));
  }
}

// R1, R5, R6 observed in every run, as goref/cmd/defersemantics observes them
// in Go: what each strategy did goes into the JSON's context as
// deferbench_semantics_<experiment>, "<key>: <observed>" parts joined by "; "
// (the claims table reads them). They are observations, not costs, so they
// are no timed cases: the regression gate counts every case's instructions,
// and these experiments call into libstdc++ and glibc (strings, exceptions),
// whose counts follow glibc's choice of routines for the CPU.
namespace sem = cliffs::semantics;

std::string ran_order(const sem::Observation& o) { return sem::after(o.events, "ran "); }
std::string received(const sem::Observation& o) { return std::to_string(o.received); }
std::string unwound(const sem::Observation& o) {
  return sem::after(o.events, "ran ") + " then recovered " + o.recovered;
}
std::string ran_where(const sem::Observation& o) {
  for (const auto& e : o.events) {
    if (e == "deferred call ran") return "at the block's end";
    if (e == "code after the block") return "at the function's return";
  }
  return "never";
}

std::string observed(sem::Observation (*experiment)(const std::string&),
                     std::string (*describe)(const sem::Observation&), std::string text) {
  for (const char* strategy : sem::kStrategies) {
    text += std::string(text.empty() ? "" : "; ") + strategy + ": " +
            describe(experiment(strategy));
  }
  return text;
}

bool add_semantics_context() {
  const sem::Observation eager = sem::eager_args("chain");
  benchmark::AddCustomContext("deferbench_semantics_lifo",
                              observed(sem::lifo, ran_order, "deferred: 1,2,3"));
  benchmark::AddCustomContext(
      "deferbench_semantics_eager_args",
      observed(sem::eager_args, received,
               "at_defer: " + std::to_string(eager.at_defer) +
                   "; at_return: " + std::to_string(eager.at_return)));
  benchmark::AddCustomContext("deferbench_semantics_panic",
                              observed(sem::panic, unwound, "deferred: 1,2, then a throw"));
  benchmark::AddCustomContext("deferbench_semantics_function_scope",
                              observed(sem::function_scope, ran_where, "deferred: in an if block"));
  return true;
}
[[maybe_unused]] const bool semantics_context = add_semantics_context();

// The op loops that paired measurement times (harness/paired.h): the work of
// each case's timed loop, for the cases whose ratios the report gives.
template <std::uint64_t (*Loop)(const std::vector<Item>&), std::size_t Items>
harness::OpLoop items_op_loop() {
  return [items = cliffs::make_items(Items)](long n) {
    for (long i = 0; i < n; ++i) benchmark::DoNotOptimize(Loop(items));
  };
}

template <int N>
harness::OpLoop ndefers_op_loop() {
  return [item = cliffs::make_items(1)[0]](long n) {
    for (long i = 0; i < n; ++i) benchmark::DoNotOptimize(cliffs::ndefers<N>(item));
  };
}

template <int... N>
int add_ndefers_op_loops(std::integer_sequence<int, N...>) {
  (harness::add_op("ndefers/" + std::to_string(N + 1), ndefers_op_loop<N + 1>), ...);
  return 0;
}
[[maybe_unused]] const int ndefers_op_loops =
    add_ndefers_op_loops(std::make_integer_sequence<int, 12>{});
DEFERBENCH_OP("loop/defer_in_loop", (items_op_loop<cliffs::loop_defer_in_loop, 10>));
DEFERBENCH_OP("loop/helper", (items_op_loop<cliffs::loop_helper, 10>));
DEFERBENCH_OP("closure/capturing", (items_op_loop<cliffs::closure_capturing, 10>));
DEFERBENCH_OP("closure/plain_call", (items_op_loop<cliffs::closure_plain_call, 10>));

DEFERBENCH_CASE("loop/defer_in_loop", run_loop<cliffs::loop_defer_in_loop, 10>);
DEFERBENCH_CASE("loop/defer_in_loop_pooled", run_loop<cliffs::loop_defer_in_loop_pooled, 10>);
DEFERBENCH_CASE("loop/helper", run_loop<cliffs::loop_helper, 10>);
DEFERBENCH_CASE("loop/plain", run_loop<cliffs::loop_plain, 10>);
DEFERBENCH_CASE("loop/defer_in_loop/items:1000", run_loop<cliffs::loop_defer_in_loop, 1000>,
                {}, /*callgrind_divisor=*/100);
DEFERBENCH_CASE("loop/helper/items:1000", run_loop<cliffs::loop_helper, 1000>, {},
                /*callgrind_divisor=*/100);

DEFERBENCH_CASE("ndefers/1", run_ndefers<1>);
DEFERBENCH_CASE("ndefers/2", run_ndefers<2>);
DEFERBENCH_CASE("ndefers/3", run_ndefers<3>);
DEFERBENCH_CASE("ndefers/4", run_ndefers<4>);
DEFERBENCH_CASE("ndefers/5", run_ndefers<5>);
DEFERBENCH_CASE("ndefers/6", run_ndefers<6>);
DEFERBENCH_CASE("ndefers/7", run_ndefers<7>);
DEFERBENCH_CASE("ndefers/8", run_ndefers<8>);
DEFERBENCH_CASE("ndefers/9", run_ndefers<9>);
DEFERBENCH_CASE("ndefers/10", run_ndefers<10>);
DEFERBENCH_CASE("ndefers/11", run_ndefers<11>);
DEFERBENCH_CASE("ndefers/12", run_ndefers<12>);

DEFERBENCH_CASE("exits/3x5", run_exits<cliffs::exits_3x5, cliffs::kExits3x5>);
DEFERBENCH_CASE("exits/4x4", run_exits<cliffs::exits_4x4, cliffs::kExits4x4>);

DEFERBENCH_CASE("closure/capturing", run_closure<cliffs::closure_capturing>);
DEFERBENCH_CASE("closure/capturing_pooled", run_closure<cliffs::closure_capturing_pooled>);
DEFERBENCH_CASE("closure/go_per_item", run_closure<cliffs::closure_go_per_item>);
DEFERBENCH_CASE("closure/plain_call", run_closure<cliffs::closure_plain_call>);

}  // namespace
