// The hardware half of the counter layer, driven through its kernel seam with a
// fake kernel (a VM here has no PMU): group reads, scaling when the kernel
// multiplexes, a group that never ran, a short read, a member the group could
// not hold, and each errno the classifier knows. Then the group-read code for
// real, with software events grouped the only safe way: led by a non-clock.
#include <gtest/gtest.h>
#include <linux/perf_event.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "perf_counters.h"

namespace {

using harness::EventStatus;
using harness::Grouping;
using harness::PerfCounters;

// One fake kernel at a time: what it answers, and the events it has open.
struct FakeKernel {
  struct Event {
    std::uint64_t config;
    int leader;
  };
  std::map<int, Event> open;
  int next_fd = 1000;                 // far from any real descriptor
  int probe_errno = 0;                // every open fails with this, when set
  std::uint64_t refuse_in_group = ~0ull;  // this config cannot join a group
  std::uint64_t enabled = 0, running = 0;
  std::map<std::uint64_t, std::uint64_t> value;  // by config
  bool short_read = false;
};
FakeKernel* g_fake = nullptr;

int fake_open(perf_event_attr* attr, int group_fd) {
  if (g_fake->probe_errno != 0) {
    errno = g_fake->probe_errno;
    return -1;
  }
  if (group_fd >= 0 && attr->config == g_fake->refuse_in_group) {
    errno = EINVAL;
    return -1;
  }
  const int fd = g_fake->next_fd++;
  g_fake->open[fd] = {attr->config, group_fd < 0 ? fd : group_fd};
  return fd;
}

ssize_t fake_read(int fd, void* buffer, std::size_t bytes) {
  // PERF_FORMAT_GROUP | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING: nr, enabled,
  // running, then the members' values in the order they joined.
  std::vector<std::uint64_t> out{0, g_fake->enabled, g_fake->running};
  for (const auto& [member, e] : g_fake->open) {
    if (e.leader == fd) {
      out.push_back(g_fake->value[e.config]);
      ++out[0];
    }
  }
  std::size_t n = std::min(bytes, out.size() * sizeof(std::uint64_t));
  if (g_fake->short_read) n -= sizeof(std::uint64_t);
  std::memcpy(buffer, out.data(), n);
  return static_cast<ssize_t>(n);
}

int fake_close(int fd) {
  g_fake->open.erase(fd);
  return 0;
}

const harness::Kernel kFake{fake_open, fake_read, fake_close};

class FakeKernelTest : public ::testing::Test {
 protected:
  FakeKernelTest() : scoped_(kFake) { g_fake = &fake_; }
  ~FakeKernelTest() override { g_fake = nullptr; }

  // Counts over one interval in which the kernel reports `values` by config.
  harness::CounterValues interval(const PerfCounters& counters,
                                  std::map<std::uint64_t, std::uint64_t> values,
                                  std::uint64_t enabled, std::uint64_t running) {
    fake_.value.clear();
    fake_.enabled = fake_.running = 0;
    const auto before = counters.read();
    fake_.value = std::move(values);
    fake_.enabled = enabled;
    fake_.running = running;
    return PerfCounters::delta(before, counters.read());
  }

  FakeKernel fake_;
  harness::ScopedKernel scoped_;
};

const std::vector<std::string> kHardware{"cycles", "instructions", "branch-misses"};

TEST_F(FakeKernelTest, AMultiplexedGroupIsScaledAndKeepsItsRunningFraction) {
  const auto counters = PerfCounters::open(kHardware);
  ASSERT_EQ(counters.counted_names(), kHardware);
  EXPECT_EQ(counters.group_count(), 1u) << "the hardware events share one group";
  // Running a third of the time it was enabled: every value is scaled by 3.
  const auto d = interval(counters,
                          {{PERF_COUNT_HW_CPU_CYCLES, 100},
                           {PERF_COUNT_HW_INSTRUCTIONS, 250},
                           {PERF_COUNT_HW_BRANCH_MISSES, 7}},
                          3000, 1000);
  ASSERT_EQ(d.values.size(), 3u);
  EXPECT_DOUBLE_EQ(d.values[0], 300.0);
  EXPECT_DOUBLE_EQ(d.values[1], 750.0);
  EXPECT_DOUBLE_EQ(d.values[2], 21.0);
  EXPECT_NEAR(d.running_fraction, 1.0 / 3.0, 1e-12);
}

TEST_F(FakeKernelTest, AGroupThatNeverRanIsNotMeasuredNeverZero) {
  const auto counters = PerfCounters::open(kHardware);
  const auto d = interval(counters, {{PERF_COUNT_HW_CPU_CYCLES, 0}}, 5000, 0);
  for (const double v : d.values) EXPECT_LT(v, 0) << "running = 0: not measured, never 0";
}

TEST_F(FakeKernelTest, AShortReadIsNotMeasured) {
  const auto counters = PerfCounters::open(kHardware);
  fake_.short_read = true;
  const auto d = interval(counters, {{PERF_COUNT_HW_CPU_CYCLES, 100}}, 1000, 1000);
  for (const double v : d.values) EXPECT_LT(v, 0) << "a group read cut short is no reading";
}

TEST_F(FakeKernelTest, AMemberTheGroupCannotHoldGetsAGroupOfItsOwnAndItsOwnSlot) {
  fake_.refuse_in_group = PERF_COUNT_HW_INSTRUCTIONS;
  const auto counters = PerfCounters::open(kHardware);
  ASSERT_EQ(counters.counted_names(), kHardware);
  EXPECT_EQ(counters.group_count(), 2u);
  const auto d = interval(counters,
                          {{PERF_COUNT_HW_CPU_CYCLES, 11},
                           {PERF_COUNT_HW_INSTRUCTIONS, 22},
                           {PERF_COUNT_HW_BRANCH_MISSES, 33}},
                          100, 100);
  EXPECT_EQ(d.values, (std::vector<double>{11, 22, 33})) << "each value in its event's slot";
}

TEST_F(FakeKernelTest, EachErrnoOfAFailedOpenHasItsStatusAndReason) {
  const std::vector<std::pair<int, EventStatus>> cases{
      {ENOENT, EventStatus::no_pmu},          {ENODEV, EventStatus::no_pmu},
      {EACCES, EventStatus::permission},      {EPERM, EventStatus::permission},
      {EOPNOTSUPP, EventStatus::not_supported}, {EINVAL, EventStatus::not_supported},
      {EBUSY, EventStatus::error}};
  for (const auto& [err, status] : cases) {
    SCOPED_TRACE(strerrorname_np(err));
    fake_.probe_errno = err;
    const auto counters = PerfCounters::open({"cycles"});
    ASSERT_EQ(counters.events().size(), 1u);
    EXPECT_EQ(counters.events()[0].status, status);
    EXPECT_NE(counters.events()[0].reason.find(strerrorname_np(err)), std::string::npos);
    EXPECT_TRUE(counters.empty()) << "an event that did not open is not counted";
  }
}

TEST_F(FakeKernelTest, SoftwareEventsTogetherLeaveTheClockAlone) {
  const auto counters = PerfCounters::open(
      {"perf::TASK-CLOCK", "perf::PAGE-FAULTS", "perf::CONTEXT-SWITCHES"}, false,
      Grouping::software_together);
  ASSERT_EQ(counters.group_count(), 2u) << "page faults and context switches; task-clock";
  std::map<int, int> members;  // leader fd -> members
  for (const auto& [fd, e] : fake_.open) ++members[e.leader];
  for (const auto& [leader, n] : members) {
    const auto config = fake_.open[leader].config;
    EXPECT_EQ(n, config == PERF_COUNT_SW_TASK_CLOCK ? 1 : 2);
    EXPECT_NE(config, static_cast<std::uint64_t>(PERF_COUNT_SW_CONTEXT_SWITCHES))
        << "the first non-clock event leads";
  }
  const auto d = interval(counters,
                          {{PERF_COUNT_SW_TASK_CLOCK, 5000},
                           {PERF_COUNT_SW_PAGE_FAULTS, 16},
                           {PERF_COUNT_SW_CONTEXT_SWITCHES, 2}},
                          100, 100);
  EXPECT_EQ(d.values, (std::vector<double>{5000, 16, 2})) << "in the order asked for";
}

// The same group read, on this machine's real kernel: touching 64 MiB of new
// pages faults 16384 times, and a group of page faults, minor faults and
// context switches sees every one (task-clock, alone, runs beside it). Led by
// task-clock, as the counters once were, the group read 0 here.
TEST(GroupedSoftwareEvents, CountEveryPageFaultOfA64MiBTouch) {
  const auto counters = PerfCounters::open(
      {"perf::TASK-CLOCK", "perf::PAGE-FAULTS", "perf::MINOR-FAULTS",
       "perf::CONTEXT-SWITCHES"},
      false, Grouping::software_together);
  if (counters.counted_names().size() != 4) GTEST_SKIP() << "software events not counted here";
  ASSERT_EQ(counters.group_count(), 2u) << "one group of three: group reads run for real";
  constexpr std::size_t kBytes = 64u << 20, kPage = 4096;
  auto* p = static_cast<volatile char*>(
      mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  // Base pages only: with transparent huge pages one fault would map 2 MiB.
  madvise(const_cast<char*>(p), kBytes, MADV_NOHUGEPAGE);
  const auto before = counters.read();
  for (std::size_t i = 0; i < kBytes; i += kPage) p[i] = 1;
  const auto d = PerfCounters::delta(before, counters.read());
  munmap(const_cast<char*>(p), kBytes);
  EXPECT_GT(d.values[0], 0) << "task-clock ran";
  EXPECT_GE(d.values[1], kBytes / kPage) << "every page faulted once";
  EXPECT_LT(d.values[1], kBytes / kPage + 256) << "and little else";
  EXPECT_EQ(d.values[2], d.values[1]) << "minor faults, read in the same group: all of them";
  EXPECT_DOUBLE_EQ(d.running_fraction, 1.0) << "software events are never multiplexed";
}

}  // namespace
