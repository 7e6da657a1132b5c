// Allocation counts per strategy: what bytes/op and allocs/op rest on.
#include "alloc_counter.h"

#include <gtest/gtest.h>

#include <array>
#include <thread>

#include "defer/chain.h"
#include "defer/guard.h"
#include "defer/open_frame.h"

namespace {

void nothing(int) {}

template <class Body>
harness::AllocCounts allocations_of(Body body) {
  const harness::AllocCounts before = harness::thread_alloc_counts();
  body();
  const harness::AllocCounts after = harness::thread_alloc_counts();
  return {after.allocs - before.allocs, after.bytes - before.bytes};
}

TEST(AllocCounter, CountsOperatorNewOnThisThread) {
  const auto counts = allocations_of([] {
    void* volatile p = ::operator new(100);  // volatile: the call can't be elided
    ::operator delete(p);
  });
  EXPECT_EQ(counts.allocs, 1u);
  EXPECT_EQ(counts.bytes, 100u);
}

TEST(StrategyAllocations, ChainHeapAllocatesOneRecordPerDefer) {
  const auto counts = allocations_of([] {
    defer::chain::Frame<> frame;
    frame.defer_heap(nothing, 1);
  });
  EXPECT_EQ(counts.allocs, 1u);
  // A function pointer and an int: the 32-byte size class.
  EXPECT_EQ(counts.bytes, sizeof(defer::chain::SizedRecord<16>));
  EXPECT_EQ(counts.bytes, 32u);
}

TEST(StrategyAllocations, PooledChainAllocatesNothingOnceWarm) {
  { defer::chain::Frame<> warm; warm.defer_pooled(nothing, 1); }
  const auto counts = allocations_of([] {
    defer::chain::Frame<> frame;
    frame.defer_pooled(nothing, 1);
  });
  EXPECT_EQ(counts.allocs, 0u);
}

TEST(StrategyAllocations, PooledRecordsAreCarvedFromBlocks) {
  harness::AllocCounts counts{};
  std::thread fresh([&counts] {  // empty pools: every record must be made
    counts = allocations_of([] {
      defer::chain::Frame<> frame;
      for (int i = 0; i < 1000; ++i) frame.defer_pooled([i] { nothing(i); });
    });
  });
  fresh.join();
  EXPECT_GE(counts.allocs, 1u);
  EXPECT_LE(counts.allocs, 2u) << "1000 records of 24 bytes: one or two 16 KiB blocks";
  EXPECT_LE(counts.bytes, 1000u * 24u * 2u);
}

TEST(StrategyAllocations, StackRecordsGuardsAndBitsAllocateNothing) {
  EXPECT_EQ(allocations_of([] {
              defer::chain::Frame<1> frame;
              frame.defer_stack(nothing, 1);
            }).allocs, 0u);
  EXPECT_EQ(allocations_of([] { auto g = defer::guard(nothing, 1); }).allocs, 0u);
  EXPECT_EQ(allocations_of([] {
              defer::OpenFrame<defer::FrameShape{.defers = 1}> frame;
              frame.defer(nothing, 1);
            }).allocs, 0u);
  EXPECT_EQ(allocations_of([] {
              defer::OpenFrame<defer::FrameShape{.defers = 1}, void(int)> frame;
              frame.defer(nothing, 1);
            }).allocs, 0u);
}

TEST(StrategyAllocations, AClosureLargerThanARecordAllocatesItsBox) {  // B6
  std::array<long, 8> state{};
  const auto counts = allocations_of([&state] {
    defer::chain::Frame<1> frame;
    frame.defer_stack([state] { (void)state; });
  });
  EXPECT_EQ(counts.allocs, 1u) << "the record is on the stack, the closure is not";
}

}  // namespace
