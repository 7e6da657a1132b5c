// fd::measure_in_child: one measurement in a process of its own.
//
// Peak RSS and peak virtual size are figures of a whole process, so every
// measurement runs in a freshly forked child: its peaks are the experiment's
// own, and whatever the experiment does to its descriptor table dies with it.
// The child
//   1. restores default signal actions, asks to be killed if the parent dies;
//   2. raises its RLIMIT_NOFILE soft limit to the hard limit (as Go's runtime
//      does at start-up), never the hard limit;
//   3. runs a warm-up (the same work on a few files, so code pages and the
//      allocator are already faulted in), reads VmRSS and VmSize;
//   4. times the work: wall (CLOCK_MONOTONIC), user and system time
//      (getrusage), operator-new calls and bytes (harness::alloc_counter);
//   5. reads VmHWM and VmPeak, restores its soft limit, writes a Report
//      down a pipe and exits.
// The parent waits on the pipe and its Interrupts together; on an interrupt
// it kills the child (SIGKILL) and reaps it before returning.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fd/interrupts.h"
#include "fd/open_close.h"

namespace fd {

// Perf events the child counts around the timed work, at most this many.
inline constexpr std::size_t kMaxPerfEvents = 16;

struct Report {
  double wall_ns = 0;
  double cpu_ns = 0;   // CLOCK_PROCESS_CPUTIME_ID: the scheduler's own count, to the ns
  double user_ns = 0;
  double sys_ns = 0;
  std::uint64_t rss_before_kb = 0;  // VmRSS after the warm-up
  std::uint64_t vm_before_kb = 0;   // VmSize after the warm-up
  std::uint64_t hwm_kb = 0;         // VmHWM at the end
  std::uint64_t vm_peak_kb = 0;     // VmPeak at the end
  std::uint64_t heap_allocs = 0;    // operator new calls during the work
  std::uint64_t heap_bytes = 0;
  std::uint64_t close_failures = 0;
  std::uint64_t nofile_soft = 0;    // the soft limit the work ran under
  int cpu = -1;                     // the CPU the work ended on (sched_getcpu)
  // Perf events over the timed work, user and kernel mode (the work is system
  // calls): bit i of perf_counted says requested event i was counted, and
  // perf_total[i] is its scaled total; uncounted events are never zeros.
  std::uint32_t perf_counted = 0;
  double perf_total[kMaxPerfEvents] = {};
  double perf_running_fraction = 1;
  Outcome outcome;
};

// The perf events every later child counts (libpfm4 names, at most
// kMaxPerfEvents); set once, before the first measurement.
void set_perf_events(std::vector<std::string> events);

// Work to measure: `warm_up` is true for the untimed first call.
using Work = std::function<Outcome(bool warm_up)>;

enum class ChildEnd { reported, failed, interrupted };

struct ChildResult {
  ChildEnd end = ChildEnd::failed;
  Report report;      // when reported
  std::string error;  // when failed: how the child ended
};

// The child runs on `cpu` alone (harness/cpu_pin.h says why); -1: unpinned.
// The parent stays as it is.
ChildResult measure_in_child(const Work& work, Interrupts& interrupts, int cpu);

// "VmHWM:   1234 kB" -> 1234; 0 when the key is missing.
std::uint64_t status_kb(const std::string& proc_status, const char* key);

}  // namespace fd
