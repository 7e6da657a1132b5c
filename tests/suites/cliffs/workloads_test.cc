// Every variant of a cliff does the same work and runs the same cleanups, in
// Go's order; only where and when the cleanups wait differs.
#include "cliffs/workloads.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "alloc_counter.h"

namespace {

using cliffs::Item;
using Loop = std::uint64_t (*)(const std::vector<Item>&);

struct Observed {
  std::uint64_t returned, checksum;
  std::int64_t peak, open;
  std::vector<std::uint64_t> close_order;
  std::uint64_t allocs;
};

Observed observe(Loop fn, const std::vector<Item>& items) {
  fn(items);  // warm: the pool's first records are allocated here
  std::vector<std::uint64_t> order;
  order.reserve(items.size() * 4);  // recording must not allocate while counted
  cliffs::reset_ledger();
  cliffs::ledger().close_order = &order;
  const auto before = harness::thread_alloc_counts();
  const std::uint64_t returned = fn(items);
  const auto after = harness::thread_alloc_counts();
  cliffs::ledger().close_order = nullptr;
  return {returned, cliffs::ledger().checksum, cliffs::ledger().peak,
          cliffs::ledger().open, order, after.allocs - before.allocs};
}

std::vector<std::uint64_t> ids(std::size_t n, bool reversed) {
  std::vector<std::uint64_t> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(reversed ? n - i : i + 1);
  return v;
}

TEST(Cliff1, EveryLoopVariantDoesTheSameWork) {
  const auto items = cliffs::make_items(10);
  const Observed plain = observe(cliffs::loop_plain, items);
  for (Loop fn : {cliffs::loop_defer_in_loop, cliffs::loop_defer_in_loop_pooled,
                  cliffs::loop_helper}) {
    const Observed o = observe(fn, items);
    EXPECT_EQ(o.returned, plain.returned);
    EXPECT_EQ(o.checksum, plain.checksum);
    EXPECT_EQ(o.open, 0) << "every resource closed";
  }
}

TEST(Cliff1, DefersInTheLoopHoldEveryResourceUntilTheFunctionReturns) {
  const auto items = cliffs::make_items(10);
  for (Loop fn : {cliffs::loop_defer_in_loop, cliffs::loop_defer_in_loop_pooled}) {
    const Observed o = observe(fn, items);
    EXPECT_EQ(o.peak, 10);
    EXPECT_EQ(o.close_order, ids(10, /*reversed=*/true)) << "LIFO, at return";
  }
  EXPECT_EQ(observe(cliffs::loop_defer_in_loop, items).allocs, 10u) << "a heap record each";
  EXPECT_EQ(observe(cliffs::loop_defer_in_loop_pooled, items).allocs, 0u);
}

TEST(Cliff1, TheHelperClosesEachResourceBeforeTheNext) {
  const auto items = cliffs::make_items(10);
  for (Loop fn : {cliffs::loop_helper, cliffs::loop_plain}) {
    const Observed o = observe(fn, items);
    EXPECT_EQ(o.peak, 1);
    EXPECT_EQ(o.close_order, ids(10, /*reversed=*/false));
    EXPECT_EQ(o.allocs, 0u);
  }
}

template <int N>
void expect_n_closes() {
  const Item item = cliffs::make_items(1)[0];
  cliffs::reset_ledger();
  cliffs::ndefers<N>(item);
  EXPECT_EQ(cliffs::ledger().peak, N) << "all " << N << " held until return";
  EXPECT_EQ(cliffs::ledger().open, 0);
}

TEST(Cliff2, EveryDeferRunsWhicheverStrategyTheFrameGot) {
  expect_n_closes<1>();
  expect_n_closes<8>();
  expect_n_closes<9>();
  expect_n_closes<12>();
}

TEST(Cliff2, TheNinthDeferChangesTheStrategyOfTheWholeFrame) {
  EXPECT_EQ(cliffs::describe({.defers = 8}), "open-coded defer");
  EXPECT_EQ(cliffs::describe({.defers = 9}), "stack-allocated defer (more than 8 defers)");
  EXPECT_EQ(cliffs::describe(cliffs::kExits3x5), "open-coded defer");
  EXPECT_EQ(cliffs::describe(cliffs::kExits4x4),
            "stack-allocated defer (returns x defers > 15)");
  EXPECT_EQ(cliffs::describe(cliffs::kLoopShape), "heap-allocated defer (a defer in a loop)");
}

TEST(ManyExits, EveryReturnRunsEveryDefer) {
  const Item item = cliffs::make_items(1)[0];
  for (int exit = 0; exit < 4; ++exit) {
    cliffs::reset_ledger();
    cliffs::exits_3x5(item, exit);
    EXPECT_EQ(cliffs::ledger().open, 0);
    cliffs::exits_4x4(item, exit);
    EXPECT_EQ(cliffs::ledger().open, 0);
  }
}

TEST(Cliff3, TheCapturingClosureIsTooLargeForARecord) {
  EXPECT_FALSE(cliffs::capturing_closure_fits_inline());
  EXPECT_GT(cliffs::capturing_closure_bytes(), defer::DeferredCall::kInlineBytes);
}

TEST(Cliff3, ClosuresAndPlainCallsDoTheSameWorkButAllocateDifferently) {
  const auto items = cliffs::make_items(10);
  const Observed capturing = observe(cliffs::closure_capturing, items);
  const Observed pooled = observe(cliffs::closure_capturing_pooled, items);
  const Observed plain = observe(cliffs::closure_plain_call, items);
  const Observed go_model = observe(cliffs::closure_go_per_item, items);
  for (const Observed* o : {&capturing, &pooled, &plain, &go_model}) {
    EXPECT_EQ(o->checksum, plain.checksum);
    EXPECT_EQ(o->close_order, ids(10, /*reversed=*/true));
    EXPECT_EQ(o->open, 0);
  }
  EXPECT_EQ(capturing.allocs, 20u) << "a record and a closure box per item";
  EXPECT_EQ(pooled.allocs, 10u) << "the closure box per item";
  EXPECT_EQ(plain.allocs, 0u) << "values stored in pooled records";
  // Go's escape analysis: "moved to heap: f" and "func literal escapes to
  // heap" per item; the records come from the pool, warm after the first call.
  EXPECT_EQ(go_model.allocs, 20u) << "the handle and the closure per item";
}

}  // namespace
