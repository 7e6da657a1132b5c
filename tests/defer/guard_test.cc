// defer::Guard, the open-coded scope guard.
#include "defer/guard.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "death_test_style.h"
#include "strategies.h"

namespace defer_test {
namespace {

TEST(Guard, RunsLastInFirstOut) {  // R1
  std::vector<int> order;
  {
    auto a = defer::guard(record, &order, 1);
    auto b = defer::guard(record, &order, 2);
    auto c = defer::guard(record, &order, 3);
    EXPECT_TRUE(order.empty());
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
}

TEST(Guard, EvaluatesArgumentsWhenTheDeferRuns) {  // R5
  std::vector<int> order;
  {
    int x = 1;
    auto by_value = defer::guard(record, &order, x);
    defer::Guard by_reference([&order, &x] { order.push_back(x * 10); });
    x = 2;
  }
  EXPECT_EQ(order, (std::vector<int>{20, 1}));
}

TEST(Guard, IsScopedToItsBlockUnlikeAGoDefer) {  // the rewrite of cliff 1
  std::vector<int> order;
  for (int i = 1; i <= 3; ++i) {
    auto g = defer::guard(record, &order, i);
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3})) << "one per iteration, at once";
}

TEST(Guard, RunsWhenAnExceptionUnwinds) {
  std::vector<int> order;
  EXPECT_THROW(
      {
        auto a = defer::guard(record, &order, 1);
        auto b = defer::guard(record, &order, 2);
        throw std::runtime_error("panic");
      },
      std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{2, 1}));
}

TEST(Guard, ADeferredCallThatThrowsTerminates) {
  GTEST_FLAG_SET(death_test_style, DEFERBENCH_DEATH_TEST_STYLE);
  EXPECT_DEATH({ defer::Guard g([] { throw std::runtime_error("in defer"); }); }, "");
}

}  // namespace
}  // namespace defer_test
