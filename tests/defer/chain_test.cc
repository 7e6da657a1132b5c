// Semantics shared by every frame-based strategy (the chain's three record
// kinds and the bitmap frame in each of its modes), then chain-only ones.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "death_test_style.h"
#include "strategies.h"

namespace defer_test {
namespace {

template <class S>
class FrameSemantics : public ::testing::Test {};

using FrameStrategies = ::testing::Types<ChainStack, ChainHeap, ChainPooled,
                                         OpenBits, OpenBitsNine, OpenBitsLoop>;
TYPED_TEST_SUITE(FrameSemantics, FrameStrategies);

TYPED_TEST(FrameSemantics, RunsDeferredCallsLastInFirstOut) {  // R1
  std::vector<int> order;
  {
    typename TypeParam::Frame frame;
    TypeParam::defer(frame, record, &order, 1);
    TypeParam::defer(frame, record, &order, 2);
    TypeParam::defer(frame, record, &order, 3);
    EXPECT_TRUE(order.empty()) << "nothing runs before the frame ends";
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
}

TYPED_TEST(FrameSemantics, EvaluatesArgumentsWhenTheDeferRuns) {  // R5
  std::vector<int> order;
  {
    typename TypeParam::Frame frame;
    int x = 1;
    TypeParam::defer(frame, record, &order, x);
    x = 2;
    // A closure capturing by reference sees the value at exit, as a Go
    // closure reading a variable does.
    TypeParam::defer(frame, [&order, &x] { order.push_back(x * 10); });
    x = 3;
  }
  EXPECT_EQ(order, (std::vector<int>{30, 1}));
}

TYPED_TEST(FrameSemantics, DefersInALoopWaitForTheFrame) {  // R6, cliff 1
  std::vector<int> order;
  {
    typename TypeParam::Frame frame;
    for (int i = 1; i <= 3; ++i) {
      TypeParam::defer(frame, record, &order, i);
      EXPECT_TRUE(order.empty()) << "iteration " << i << " ran a defer early";
    }
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
}

TYPED_TEST(FrameSemantics, RunsDeferredCallsWhenAnExceptionUnwinds) {  // panic
  std::vector<int> order;
  EXPECT_THROW(
      {
        typename TypeParam::Frame frame;
        TypeParam::defer(frame, record, &order, 1);
        TypeParam::defer(frame, record, &order, 2);
        throw std::runtime_error("panic");
      },
      std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
}

TYPED_TEST(FrameSemantics, ADeferredCallThatThrowsTerminates) {
  GTEST_FLAG_SET(death_test_style, DEFERBENCH_DEATH_TEST_STYLE);
  EXPECT_DEATH(
      {
        typename TypeParam::Frame frame;
        TypeParam::defer(frame, [] { throw std::runtime_error("in defer"); });
      },
      "");
}

TYPED_TEST(FrameSemantics, LargeClosuresAreBoxedAndFreed) {  // B6; ASan checks the free
  std::vector<int> order;
  {
    typename TypeParam::Frame frame;
    std::array<int, 16> state{};
    state[15] = 7;
    TypeParam::defer(frame, [&order, state] { order.push_back(state[15]); });
  }
  EXPECT_EQ(order, (std::vector<int>{7}));
}

TEST(Chain, AFrameRunsOnlyTheRecordsPushedSinceItBegan) {
  std::vector<int> order;
  {
    defer::chain::Frame<> outer;
    outer.defer_heap(record, &order, 1);
    {
      defer::chain::Frame<> inner;
      inner.defer_heap(record, &order, 2);
    }
    EXPECT_EQ(order, (std::vector<int>{2}));
  }
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
  EXPECT_TRUE(defer::chain::chain_is_empty());
}

TEST(Chain, ADeferredCallMayUseTheChainItself) {
  std::vector<int> order;
  {
    defer::chain::Frame<> frame;
    frame.defer_heap([&order] {
      defer::chain::Frame<> nested;
      nested.defer_heap(record, &order, 2);
      order.push_back(1);
    });
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(Chain, StackAndHeapRecordsInterleaveInOrder) {
  std::vector<int> order;
  {
    defer::chain::Frame<2> frame;
    frame.defer_stack(record, &order, 1);
    frame.defer_heap(record, &order, 2);
    frame.defer_pooled(record, &order, 3);
    frame.defer_stack(record, &order, 4);
  }
  EXPECT_EQ(order, (std::vector<int>{4, 3, 2, 1}));
}

TEST(Chain, EachThreadHasItsOwnChain) {
  std::vector<int> here, there;
  defer::chain::Frame<> frame;
  frame.defer_heap(record, &here, 1);
  std::thread other([&there] {
    EXPECT_TRUE(defer::chain::chain_is_empty());
    defer::chain::Frame<> theirs;
    theirs.defer_pooled(record, &there, 2);  // pool freed at thread exit (ASan)
  });
  other.join();
  EXPECT_EQ(there, (std::vector<int>{2}));
  EXPECT_TRUE(here.empty());
}

TEST(Chain, PooledRecordsAreReused) {
  std::vector<int> order;
  { defer::chain::Frame<> warm; warm.defer_pooled(record, &order, 1); }
  const std::size_t pooled = defer::chain::pool_size();
  ASSERT_GE(pooled, 1u);
  {
    defer::chain::Frame<> frame;
    frame.defer_pooled(record, &order, 2);
    EXPECT_EQ(defer::chain::pool_size(), pooled - 1) << "taken from the pool";
  }
  EXPECT_EQ(defer::chain::pool_size(), pooled) << "given back";
}

// Heap and pooled records take the smallest size class that holds the
// callable inline; a callable too large for any is boxed in the smallest.
static_assert(defer::chain::size_class_for<void (*)()> == 8);
static_assert(defer::chain::size_class_for<decltype(defer::bind_now(record, nullptr, 1))> ==
              24);
static_assert(defer::chain::size_class_for<std::array<long, 2>> == 16);
static_assert(defer::chain::size_class_for<std::array<long, 8>> == 8);
static_assert(sizeof(defer::chain::SizedRecord<8>) == 24);

TEST(Chain, RecordsOfEverySizeClassShareOneChain) {
  std::vector<int> order;
  {
    defer::chain::Frame<1> frame;
    frame.defer_pooled([&order] { order.push_back(1); });                   // 8
    frame.defer_heap(record, &order, 2);                                      // 24
    std::array<long, 2> two{3, 0};
    frame.defer_pooled([&order, two] { order.push_back(int(two[0])); });    // 24
    frame.defer_stack([&order] { order.push_back(4); });                     // stack
    std::array<long, 8> big{};
    big[7] = 5;
    frame.defer_pooled([&order, big] { order.push_back(int(big[7])); });    // boxed
  }
  EXPECT_EQ(order, (std::vector<int>{5, 4, 3, 2, 1}));
}

TEST(Chain, AnEmptyPoolIsRefilledWithABlockOfRecords) {
  std::size_t after_first = 0;
  std::thread fresh([&after_first] {  // a thread starts with empty pools
    ASSERT_EQ(defer::chain::pool_size(), 0u);
    defer::chain::Frame<> frame;
    frame.defer_pooled([] {});
    after_first = defer::chain::pool_size();
  });
  fresh.join();
  // One allocation made many records: the rest wait on the free list.
  EXPECT_GT(after_first, 100u);
}

void end_frames_out_of_order() {
  std::optional<defer::chain::Frame<>> outer;
  std::optional<defer::chain::Frame<>> inner;
  outer.emplace();
  outer->defer_heap([] {});
  inner.emplace();  // its mark: outer's record
  inner->defer_heap([] {});
  outer.reset();  // runs both records, inner's too
  inner.reset();  // its mark is gone: it runs to the end of the chain
}

TEST(Chain, FramesEndingOutOfOrderAreCaught) {
  GTEST_FLAG_SET(death_test_style, DEFERBENCH_DEATH_TEST_STYLE);
  EXPECT_DEATH(end_frames_out_of_order(),
               "chain::run_until: the frame's mark is not on this thread's chain");
}

TEST(Chain, MoreStackRecordsThanSlotsIsCaught) {
  GTEST_FLAG_SET(death_test_style, DEFERBENCH_DEATH_TEST_STYLE);
  EXPECT_DEATH(
      {
        defer::chain::Frame<1> frame;
        frame.defer_stack([] {});
        frame.defer_stack([] {});
      },
      "chain::Frame::defer_stack: more stack records than the frame has slots");
}

}  // namespace
}  // namespace defer_test
