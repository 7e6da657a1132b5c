// defer::floor::ChainedCall, the lightest chain: the C++ floor of a
// runtime-chain defer.
#include "defer/floor_chain.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "strategies.h"

namespace defer_test {
namespace {

using Call = defer::floor::ChainedCall<record, std::vector<int>*, int>;

TEST(FloorChain, RunsLastInFirstOut) {  // R1
  std::vector<int> order;
  {
    Call a(&order, 1);
    Call b(&order, 2);
    Call c(&order, 3);
    EXPECT_TRUE(order.empty());
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
}

TEST(FloorChain, EvaluatesArgumentsWhenTheDeferRuns) {  // R5
  std::vector<int> order;
  {
    int x = 1;
    Call c(&order, x);
    x = 2;
  }
  EXPECT_EQ(order, (std::vector<int>{1}));
}

TEST(FloorChain, ListsEveryPendingCallNewestFirstUntilItRuns) {
  std::vector<int> order;
  ASSERT_EQ(defer::floor::pending_calls(), 0);
  {
    Call a(&order, 1);
    const defer::floor::Link* first = defer::floor::tls_chain;
    {
      Call b(&order, 2);
      EXPECT_EQ(defer::floor::pending_calls(), 2);
      EXPECT_EQ(defer::floor::tls_chain->older, first) << "the newest links to the older";
    }
    EXPECT_EQ(defer::floor::pending_calls(), 1);
    EXPECT_EQ(defer::floor::tls_chain, first);
  }
  EXPECT_EQ(defer::floor::pending_calls(), 0);
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
}

// A walker of the chain (Go's panic or Goexit) runs a record through it.
TEST(FloorChain, ARecordRunsThroughItsLink) {
  std::vector<int> order;
  {
    Call a(&order, 7);
    defer::floor::Link* link = defer::floor::tls_chain;
    link->run(link);
    EXPECT_EQ(order, (std::vector<int>{7}));
  }
  EXPECT_EQ(order, (std::vector<int>{7, 7})) << "and the frame's exit runs it again";
}

void defer_inside_a_deferred_call(std::vector<int>* order, int id) {
  // Its record was unlinked before this call, so the chain holds none.
  order->push_back(defer::floor::pending_calls() * 100 + id);
  Call inner(order, id + 1);
}

TEST(FloorChain, ADeferredCallMayItselfDefer) {
  std::vector<int> order;
  {
    defer::floor::ChainedCall<defer_inside_a_deferred_call, std::vector<int>*, int> c(&order, 1);
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(defer::floor::pending_calls(), 0);
}

TEST(FloorChain, RunsWhenAnExceptionUnwinds) {
  std::vector<int> order;
  EXPECT_THROW(
      {
        Call a(&order, 1);
        Call b(&order, 2);
        throw std::runtime_error("panic");
      },
      std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
  EXPECT_EQ(defer::floor::pending_calls(), 0);
}

}  // namespace
}  // namespace defer_test
