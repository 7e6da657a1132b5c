// The bitmap frame: its compile-time choice of strategy (R2, R3, R4) and the
// deferBits protocol.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "defer/open_frame.h"
#include "death_test_style.h"
#include "strategies.h"

namespace defer_test {
namespace {

using defer::FrameShape;
using defer::Strategy;
using defer::strategy_for;

// The choice is a constant, readable by static_assert, like Go's -d=defer.
static_assert(strategy_for(FrameShape{.defers = 1}) == Strategy::open_coded_bits);
static_assert(strategy_for(FrameShape{.defers = 8}) == Strategy::open_coded_bits);
static_assert(strategy_for(FrameShape{.defers = 9}) == Strategy::chain_stack);      // R2
static_assert(strategy_for(FrameShape{.defers = 1, .in_loop = true}) ==
              Strategy::chain_heap);                                                 // R3
static_assert(strategy_for(FrameShape{.defers = 5, .exits = 3}) ==
              Strategy::open_coded_bits);                                            // 15
static_assert(strategy_for(FrameShape{.defers = 4, .exits = 4}) ==
              Strategy::chain_stack);                                                // R4: 16
static_assert(defer::OpenFrame<FrameShape{.defers = 9}>::strategy == Strategy::chain_stack);

TEST(OpenFrame, FallbackReasonsNameTheRule) {
  EXPECT_EQ(defer::fallback_reason({.defers = 8}), "");
  EXPECT_EQ(defer::fallback_reason({.defers = 9}), "more than 8 defers");
  EXPECT_EQ(defer::fallback_reason({.defers = 4, .exits = 4}), "returns x defers > 15");
  EXPECT_EQ(defer::fallback_reason({.in_loop = true}), "a defer in a loop");
}

TEST(OpenFrame, EachDeferSetsItsBit) {
  OpenBits::Frame frame;
  EXPECT_EQ(frame.defer_bits(), 0);
  frame.defer([] {});
  frame.defer([] {});
  frame.defer([] {});
  EXPECT_EQ(frame.defer_bits(), 0b111);
}

TEST(OpenFrame, ABitIsClearedBeforeItsCallRuns) {
  std::vector<int> seen;
  {
    OpenBits::Frame frame;
    for (int i = 0; i < 3; ++i) {
      frame.defer([&frame, &seen] { seen.push_back(frame.defer_bits()); });
    }
  }
  // Defer 2 runs first and sees bits 0 and 1 still set, and so on down.
  EXPECT_EQ(seen, (std::vector<int>{0b011, 0b001, 0b000}));
}

TEST(OpenFrame, MoreDefersThanTheShapeDeclaresIsCaught) {
  GTEST_FLAG_SET(death_test_style, DEFERBENCH_DEATH_TEST_STYLE);
  EXPECT_DEATH(
      {
        defer::OpenFrame<FrameShape{.defers = 1}> frame;
        frame.defer([] {});
        frame.defer([] {});
      },
      "OpenFrame::defer: more defer statements ran than the frame's shape declares");
}

// Typed slots (open_slot.h): a function pointer and the arguments, as Go's
// compiler lays out an open-coded defer.
using TypedFrame = defer::OpenFrame<FrameShape{.defers = 3}, void(std::vector<int>*, int)>;

TEST(OpenFrameTypedSlots, RunLastInFirstOut) {  // R1
  std::vector<int> order;
  {
    TypedFrame frame;
    frame.defer(record, &order, 1);
    frame.defer(record, &order, 2);
    frame.defer(record, &order, 3);
    EXPECT_EQ(frame.defer_bits(), 0b111);
    EXPECT_TRUE(order.empty());
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
}

TEST(OpenFrameTypedSlots, EvaluateArgumentsWhenTheDeferRuns) {  // R5
  std::vector<int> order;
  {
    TypedFrame frame;
    int x = 1;
    frame.defer(record, &order, x);
    x = 2;
  }
  EXPECT_EQ(order, (std::vector<int>{1}));
}

TEST(OpenFrameTypedSlots, RunOnlyTheDefersThatRan) {
  std::vector<int> order;
  for (bool second : {false, true}) {
    TypedFrame frame;
    frame.defer(record, &order, 1);
    if (second) frame.defer(record, &order, 2);
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 1}));
}

TEST(OpenFrameTypedSlots, RunWhenAnExceptionUnwinds) {  // panic
  std::vector<int> order;
  EXPECT_THROW(
      {
        TypedFrame frame;
        frame.defer(record, &order, 1);
        frame.defer(record, &order, 2);
        throw std::runtime_error("panic");
      },
      std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
}

void keep(std::shared_ptr<int>) {}

TEST(OpenFrameTypedSlots, DestroyTheirArgumentsAfterTheCall) {
  auto alive = std::make_shared<int>(7);
  {
    defer::OpenFrame<FrameShape{.defers = 1}, void(std::shared_ptr<int>)> frame;
    frame.defer(keep, alive);
    EXPECT_EQ(alive.use_count(), 2) << "the slot holds a copy";
  }
  EXPECT_EQ(alive.use_count(), 1) << "and destroyed it after the call";
}

TEST(OpenFrameTypedSlots, ACapturelessLambdaIsAFunctionPointer) {
  static int runs = 0;
  {
    defer::OpenFrame<FrameShape{.defers = 1}, void()> frame;
    frame.defer([] { ++runs; });
  }
  EXPECT_EQ(runs, 1);
}

TEST(OpenFrameTypedSlots, NineDefersFallBackToStackRecords) {  // R2
  using Nine = defer::OpenFrame<FrameShape{.defers = 9}, void(std::vector<int>*, int)>;
  static_assert(Nine::strategy == Strategy::chain_stack);
  std::vector<int> order;
  {
    Nine frame;
    for (int i = 1; i <= 9; ++i) frame.defer(record, &order, i);
  }
  EXPECT_EQ(order, (std::vector<int>{9, 8, 7, 6, 5, 4, 3, 2, 1}));
}

}  // namespace
}  // namespace defer_test
