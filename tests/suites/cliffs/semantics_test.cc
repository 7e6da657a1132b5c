// What each strategy does with the rules R1, R5, R6, as the cliffs suite
// records them in its labels: Go's behaviour, except the guard's block scope.
#include "cliffs/semantics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace sem = cliffs::semantics;
using Events = std::vector<std::string>;

TEST(Semantics, EveryStrategyRunsLastInFirstOut) {  // R1
  for (const char* s : sem::kStrategies) {
    EXPECT_EQ(sem::lifo(s).events,
              (Events{"defer 1", "defer 2", "defer 3", "ran 3", "ran 2", "ran 1"}))
        << s;
  }
}

TEST(Semantics, EveryStrategyEvaluatesArgumentsAtTheDefer) {  // R5
  for (const char* s : sem::kStrategies) {
    const auto o = sem::eager_args(s);
    EXPECT_EQ(o.at_defer, 1) << s;
    EXPECT_EQ(o.received, 1) << s;
    EXPECT_EQ(o.at_return, 2) << s;
  }
}

TEST(Semantics, EveryStrategyRunsItsDefersWhileAnExceptionUnwinds) {  // R6
  for (const char* s : sem::kStrategies) {
    const auto o = sem::panic(s);
    EXPECT_EQ(o.events, (Events{"panic", "ran 2", "ran 1", "recovered"})) << s;
    EXPECT_EQ(o.recovered, "boom") << s;
  }
}

TEST(Semantics, FramesAreFunctionScopedAndTheGuardBlockScoped) {  // R6
  const Events at_return{"block ends", "code after the block", "return", "deferred call ran"};
  EXPECT_EQ(sem::function_scope("chain").events, at_return);
  EXPECT_EQ(sem::function_scope("open_frame").events, at_return);
  EXPECT_EQ(sem::function_scope("guard").events,
            (Events{"block ends", "deferred call ran", "code after the block", "return"}));
}

TEST(Semantics, AfterListsTheEventsOfAPrefix) {
  EXPECT_EQ(sem::after({"defer 1", "ran 2", "x", "ran 1"}, "ran "), "2,1");
  EXPECT_EQ(sem::after({}, "ran "), "");
}

}  // namespace
