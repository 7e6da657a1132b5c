// Semantics of the model of Go 1.19's defer (defer/go_runtime.h and
// defer/go_frame.h): what Go guarantees, for each of its three strategies,
// and the shape of the runtime's record pools.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include "death_test_style.h"
#include "defer/go_frame.h"
#include "defer/go_runtime.h"

namespace {

using Order = std::vector<int>;
namespace go = defer::go;

void record(Order* order, int value) { order->push_back(value); }

// One function per strategy, each deferring record(order, value) for every
// value, in order; `then` runs after the defers, before the function returns.
template <class Then>
void open_coded_three(Order* order, Then then) {
  go::OpenCodedFrame<3> frame;
  frame.defer<0, record>(order, 1);
  frame.defer<1, record>(order, 2);
  frame.defer<2, record>(order, 3);
  then();
}

template <class Then>
void stack_records_three(Order* order, Then then) {
  go::ChainFrame<3> frame;
  frame.defer_stack<0, record>(order, 1);
  frame.defer_stack<1, record>(order, 2);
  frame.defer_stack<2, record>(order, 3);
  then();
}

template <class Then>
void heap_records_three(Order* order, Then then) {
  go::ChainFrame<> frame;
  for (int i = 1; i <= 3; ++i) frame.defer_heap<record>(order, i);
  then();
}

void nothing() {}

TEST(GoModel, EveryStrategyRunsDeferredCallsLastInFirstOut) {  // R1
  for (auto* strategy : {open_coded_three<void (*)()>, stack_records_three<void (*)()>,
                         heap_records_three<void (*)()>}) {
    Order order;
    strategy(&order, nothing);
    EXPECT_EQ(order, (Order{3, 2, 1}));
  }
}

TEST(GoModel, NothingRunsBeforeTheFunctionReturns) {
  Order order;
  open_coded_three(&order, [&] { EXPECT_TRUE(order.empty()); });
  stack_records_three(&order, [&] { EXPECT_EQ(order.size(), 3u); });
  heap_records_three(&order, [&] { EXPECT_EQ(order.size(), 6u); });
  EXPECT_EQ(order, (Order{3, 2, 1, 3, 2, 1, 3, 2, 1}));
}

TEST(GoModel, ArgumentsAreEvaluatedAtTheDeferStatement) {  // R5
  Order order;
  {
    int x = 1;
    go::ChainFrame<1> frame;
    frame.defer_stack<0, record>(&order, x);
    x = 2;
    frame.defer_heap<record>(&order, x);
    x = 3;
  }
  {
    int x = 4;
    go::OpenCodedFrame<1> frame;
    frame.defer<0, record>(&order, x);
    x = 5;
  }
  EXPECT_EQ(order, (Order{2, 1, 4}));
}

TEST(GoModel, DefersAreFunctionScopedNotBlockScoped) {  // R6
  Order order;
  {
    go::OpenCodedFrame<1> open;
    go::ChainFrame<1> chain;
    {
      open.defer<0, record>(&order, 1);
      chain.defer_stack<0, record>(&order, 2);
    }
    for (int i = 3; i <= 4; ++i) {
      chain.defer_heap<record>(&order, i);
    }
    EXPECT_TRUE(order.empty()) << "a block's end ran a defer";
  }
  // chain was declared last, so its exit runs first.
  EXPECT_EQ(order, (Order{4, 3, 2, 1}));
}

void inner(Order* order) {
  go::ChainFrame<1> frame;
  frame.defer_stack<0, record>(order, 2);
}

TEST(GoModel, DeferreturnRunsOnlyItsOwnFramesRecords) {
  Order order;
  {
    go::ChainFrame<> outer;
    outer.defer_heap<record>(&order, 1);
    inner(&order);
    EXPECT_EQ(order, (Order{2})) << "the inner frame's exit ran the outer frame's record";
  }
  EXPECT_EQ(order, (Order{2, 1}));
}

void panic() { throw std::runtime_error("panic"); }

TEST(GoModel, AnUnwindingExceptionRunsTheDeferredCalls) {  // Go's panic path
  for (auto* strategy : {open_coded_three<void (*)()>, stack_records_three<void (*)()>,
                         heap_records_three<void (*)()>}) {
    Order order;
    EXPECT_THROW(strategy(&order, panic), std::runtime_error);
    EXPECT_EQ(order, (Order{3, 2, 1}));
  }
}

TEST(GoModel, OpenCodedBitsAreSetAtEachStatement) {
  Order order;
  go::OpenCodedFrame<3> frame;
  EXPECT_EQ(frame.defer_bits(), 0);
  frame.defer<0, record>(&order, 1);
  frame.defer<2, record>(&order, 3);
  EXPECT_EQ(frame.defer_bits(), 0b101);
}  // slot 1's statement never ran, so its bit stays clear and it is skipped

TEST(GoModel, RecordsAreGosSizeAndTellWhereTheyCameFrom) {
  EXPECT_EQ(sizeof(go::Defer), 72u);
  go::Defer* heap = go::new_defer();
  EXPECT_TRUE(heap->heap);
  EXPECT_EQ(heap->panic, nullptr);
  go::free_defer(heap);
}

// The pool tests run on a thread of their own, whose per-P pool starts empty;
// the central pool is shared, so they look at how it changes.
template <class Body>
void on_fresh_thread(Body body) {
  std::thread t(body);
  t.join();
}

go::Defer* heap_record() {
  auto* d = new go::Defer{};
  d->heap = true;
  return d;
}

TEST(GoModel, AFullPoolSpillsHalfToTheCentralPool) {
  on_fresh_thread([] {
    const std::size_t central = go::central_pool_len();
    for (std::size_t i = 0; i < go::kPoolCapacity; ++i) go::free_defer(heap_record());
    EXPECT_EQ(go::pool_len(), 32u);
    EXPECT_EQ(go::central_pool_len(), central);
    go::free_defer(heap_record());
    EXPECT_EQ(go::pool_len(), 17u) << "half of 32 spilled, then the record appended";
    EXPECT_EQ(go::central_pool_len(), central + 16);
  });
}

TEST(GoModel, AnEmptyPoolRefillsToHalfFromTheCentralPool) {
  on_fresh_thread([] {
    // Make sure the central pool holds at least 16.
    for (std::size_t i = 0; i <= go::kPoolCapacity; ++i) go::free_defer(heap_record());
    std::vector<go::Defer*> taken;
    while (go::pool_len() > 0) taken.push_back(go::new_defer());
    const std::size_t central = go::central_pool_len();
    ASSERT_GE(central, 16u);
    taken.push_back(go::new_defer());
    EXPECT_EQ(go::pool_len(), 15u) << "refilled to 16, then one taken";
    EXPECT_EQ(go::central_pool_len(), central - 16);
    for (go::Defer* d : taken) go::free_defer(d);
  });
}

TEST(GoModel, FreedHeapRecordsAreReusedWithoutAllocating) {
  on_fresh_thread([] {
    Order order;
    heap_records_three(&order, nothing);
    const std::size_t after_first = go::pool_len();
    EXPECT_GE(after_first, 3u) << "the first frame's three records went to the pool";
    heap_records_three(&order, nothing);
    EXPECT_EQ(go::pool_len(), after_first) << "the second frame took its records from the pool";
  });
}

TEST(GoModel, ARecordThatStillHasItsClosureIsAFatalError) {
  GTEST_FLAG_SET(death_test_style, DEFERBENCH_DEATH_TEST_STYLE);
  EXPECT_DEATH(
      {
        go::Defer* d = go::new_defer();
        d->fn = &go::static_closure<nothing>;
        go::free_defer(d);
      },
      "freedefer with d.fn != nil");
}

}  // namespace
