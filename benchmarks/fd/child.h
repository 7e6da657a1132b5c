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

#include "fd/interrupts.h"
#include "fd/open_close.h"

namespace fd {

struct Report {
  double wall_ns = 0;
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
  Outcome outcome;
};

// Work to measure: `warm_up` is true for the untimed first call.
using Work = std::function<Outcome(bool warm_up)>;

enum class ChildEnd { reported, failed, interrupted };

struct ChildResult {
  ChildEnd end = ChildEnd::failed;
  Report report;      // when reported
  std::string error;  // when failed: how the child ended
};

ChildResult measure_in_child(const Work& work, Interrupts& interrupts);

// "VmHWM:   1234 kB" -> 1234; 0 when the key is missing.
std::uint64_t status_kb(const std::string& proc_status, const char* key);

}  // namespace fd
