// defer::DeferredCall: the inline-or-boxed storage shared by records and slots.
#include "defer/deferred_call.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>

namespace defer_test {
namespace {

TEST(DeferredCall, SmallCallablesAreStoredInline) {
  int runs = 0;
  defer::DeferredCall call;
  EXPECT_FALSE(call.arm([&runs] { ++runs; })) << "a one-reference lambda fits";
  call.run();
  EXPECT_EQ(runs, 1);
}

TEST(DeferredCall, BoundArgumentsOfThreeIntsFitInline) {
  auto bound = defer::bind_now([](int, int, int) {}, 1, 2, 3);
  EXPECT_TRUE(defer::DeferredCall::fits_inline<decltype(bound)>);
}

TEST(DeferredCall, LargeCallablesAreBoxedAndDestroyedAfterTheCall) {
  auto alive = std::make_shared<int>(5);
  std::array<long, 8> payload{};
  payload[7] = 42;
  long seen = 0;
  defer::DeferredCall call;
  EXPECT_TRUE(call.arm([alive, payload, &seen] { seen = payload[7] + *alive; }));
  EXPECT_EQ(alive.use_count(), 2);
  call.run();
  EXPECT_EQ(seen, 47);
  EXPECT_EQ(alive.use_count(), 1) << "the boxed closure was destroyed";
}

}  // namespace
}  // namespace defer_test
