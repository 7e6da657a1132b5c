// harness::pin_to_one_cpu's two halves, on a thread of their own so the
// test process keeps its affinity.
#include "cpu_pin.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace {

TEST(CpuPin, PinsTheCallingThreadToTheLastAllowedCpu) {
  const int cpu = harness::last_allowed_cpu();
  ASSERT_GE(cpu, 0);
  int ran_on = -1;
  bool pinned = false;
  std::thread t([&] {
    pinned = harness::pin_to_cpu(cpu);
    ran_on = sched_getcpu();
  });
  t.join();
  EXPECT_TRUE(pinned);
  EXPECT_EQ(ran_on, cpu);
}

TEST(CpuPin, RefusesACpuThatDoesNotExist) {
  EXPECT_FALSE(harness::pin_to_cpu(-1));
  EXPECT_FALSE(harness::pin_to_cpu(CPU_SETSIZE));
}

}  // namespace
