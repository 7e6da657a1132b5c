// The counter layer. Tests assert on what the probe reports, so they pass on a
// machine with a PMU and on one without (a VM): an event is either counted
// and then yields real values, or unavailable with a reason.
#include "perf_counters.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

namespace {

using harness::EventStatus;
using harness::PerfCounters;

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

void spin_for_ms(double ms) {
  const double until = thread_cpu_ns() + ms * 1e6;
  volatile unsigned sink = 0;
  while (thread_cpu_ns() < until) {
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<unsigned>(i);
  }
}

TEST(Scale, MultipliesByEnabledOverRunning) {
  EXPECT_DOUBLE_EQ(PerfCounters::scale(1000, 200, 100), 2000.0);
  EXPECT_DOUBLE_EQ(PerfCounters::scale(1000, 100, 100), 1000.0);
  EXPECT_LT(PerfCounters::scale(1000, 100, 0), 0) << "never ran: not measured";
}

TEST(Scale, DeltaScalesEachIntervalAndKeepsTheRunningFraction) {
  PerfCounters::Snapshot before{{100, 50}, {1000, 1000}, {1000, 1000}};
  PerfCounters::Snapshot after{{400, 80}, {3000, 3000}, {2000, 3000}};
  const auto d = PerfCounters::delta(before, after);
  ASSERT_EQ(d.values.size(), 2u);
  EXPECT_DOUBLE_EQ(d.values[0], 600.0);  // 300 counted in half the time
  EXPECT_DOUBLE_EQ(d.values[1], 30.0);
  EXPECT_DOUBLE_EQ(d.running_fraction, 0.5);
}

TEST(Events, AnUnknownNameIsReportedAsUnknown) {
  const auto counters = PerfCounters::open({"no-such-event-xyzzy"});
  ASSERT_EQ(counters.events().size(), 1u);
  EXPECT_EQ(counters.events()[0].status, EventStatus::unknown_event);
  EXPECT_NE(counters.events()[0].reason.find("libpfm4"), std::string::npos);
  EXPECT_TRUE(counters.empty());
}

TEST(Events, ClosestNamesAreSuggestedForATypo) {
  const auto near = harness::closest_event_names("instructons");
  ASSERT_FALSE(near.empty()) << "libpfm4 lists at least its generic perf events";
  const bool found = std::any_of(near.begin(), near.end(), [](const std::string& n) {
    return n.find("INSTRUCTIONS") != std::string::npos;
  });
  EXPECT_TRUE(found) << near.front();
}

// Every default event ends counted or unavailable with a reason, and only
// counted events are read.
TEST(Events, EachDefaultEventIsCountedOrExplained) {
  const auto counters = PerfCounters::open(PerfCounters::default_events());
  ASSERT_EQ(counters.events().size(), PerfCounters::default_events().size());
  for (const auto& e : counters.events()) {
    SCOPED_TRACE(e.name);
    EXPECT_NE(e.status, EventStatus::unknown_event) << "libpfm4 knows the defaults";
    const bool listed = std::count(counters.counted_names().begin(),
                                   counters.counted_names().end(), e.name) == 1;
    if (e.status == EventStatus::counted) {
      EXPECT_TRUE(listed);
      EXPECT_TRUE(e.reason.empty());
    } else {
      EXPECT_FALSE(listed);
      EXPECT_FALSE(e.reason.empty());
    }
  }
}

TEST(Events, HardwareCyclesAreRealWhenCounted) {
  const auto counters = PerfCounters::open({"cycles", "instructions"});
  if (counters.empty()) {
    GTEST_SKIP() << "no hardware counters here: " << counters.events()[0].reason;
  }
  const auto before = counters.read();
  spin_for_ms(20);
  const auto d = PerfCounters::delta(before, counters.read());
  for (double v : d.values) EXPECT_GT(v, 1e6);
}

// task-clock is the time the thread was on a CPU, as the kernel's perf clock
// sees it. On a VM that includes time the hypervisor stole, which the
// scheduler's CPU time (CLOCK_THREAD_CPUTIME_ID, with paravirt steal
// accounting) leaves out: under load here task-clock read up to 35% above it.
// So it lies between the thread's CPU time and the wall time that passed.
// The clocks are read nested (wall, cpu, counters ... counters, cpu, wall),
// so each bound holds whatever the load; the one slack is a scheduler tick,
// the granularity at which the two CPU clocks may disagree.
TEST(Events, TaskClockLiesBetweenThreadCpuTimeAndWallTime) {
  const auto counters = PerfCounters::open({"perf::TASK-CLOCK"});
  if (counters.empty()) GTEST_SKIP() << counters.events()[0].reason;
  constexpr double kTickNs = 10e6;  // the longest tick Linux is built with (HZ=100)
  const double wall_before = wall_ns();
  const double cpu_before = thread_cpu_ns();
  const auto before = counters.read();
  spin_for_ms(50);
  const auto after = counters.read();
  const double cpu_ns = thread_cpu_ns() - cpu_before;
  const double elapsed_ns = wall_ns() - wall_before;
  const double task_clock = PerfCounters::delta(before, after).values[0];
  EXPECT_GE(task_clock, cpu_ns - kTickNs) << "thread CPU time " << cpu_ns;
  EXPECT_LE(task_clock, elapsed_ns) << "wall time " << elapsed_ns;
}

// With the whole default set open, as every suite has it: page faults must
// still be read (grouped under task-clock they stayed at 0).
TEST(Events, PageFaultsRiseWhenNewPagesAreTouched) {
  const auto counters = PerfCounters::open(PerfCounters::default_events());
  const auto& names = counters.counted_names();
  const auto at = std::find(names.begin(), names.end(), "perf::PAGE-FAULTS");
  if (at == names.end()) GTEST_SKIP() << "page faults are not counted here";
  const auto slot = static_cast<std::size_t>(at - names.begin());
  const long page = sysconf(_SC_PAGESIZE);
  const std::size_t pages = 2048;
  const std::size_t bytes = pages * static_cast<std::size_t>(page);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  madvise(mem, bytes, MADV_NOHUGEPAGE);  // one fault per page, not per 2 MiB
  const auto before = counters.read();
  auto* bytes_ptr = static_cast<volatile char*>(mem);
  for (std::size_t i = 0; i < pages; ++i) bytes_ptr[i * static_cast<std::size_t>(page)] = 1;
  const auto d = PerfCounters::delta(before, counters.read());
  munmap(mem, bytes);
  EXPECT_GE(d.values[slot], static_cast<double>(pages) * 0.9);
}

}  // namespace
