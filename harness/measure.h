// harness::Measure: what every deferbench benchmark counts around its loop.
//
//   void run(benchmark::State& state) {
//     harness::Measure measure(state);   // counters start here, outside the loop
//     for (auto _ : state) op();
//   }                                    // per-op values land in state.counters
//
// Per operation (divided by the iterations Google Benchmark ran):
//   bytes_per_op, allocs_per_op   always, from the counting operator new;
//   one value per counted perf event, under its requested name, and IPC where
//   both cycles and instructions were counted; perf_running_fraction when the
//   kernel multiplexed the counters (values are already scaled).
// Events that could not be counted are absent, never zero.
//
// Under `--callgrind` the loop is bracketed with callgrind client requests
// instead, in the runs that instruction_count.h registers (a fixed number of
// iterations each; only a run with a current case name is counted), and
// scripts/deferbench/run/callgrind.py reads the dumps.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "alloc_counter.h"
#include "perf_counters.h"

namespace harness {

// How the suite's main() configured counting; read by every Measure.
struct CountingConfig {
  const PerfCounters* perf = nullptr;  // null or empty: no perf counters
  bool callgrind = false;
};
void set_counting_config(const CountingConfig& config);
const CountingConfig& counting_config();

// The name of the case now running (Google Benchmark 1.7's State has none);
// set by the suite's main() around each call of a case. Under callgrind, a
// run with no name (null) is a warm-up: neither counted nor dumped.
void set_current_case(const std::string* name);

class Measure {
 public:
  // read_perf = false leaves the perf counters unread (allocations are still
  // counted): the baseline of the counters' overhead benchmark.
  explicit Measure(benchmark::State& state, bool read_perf = true);
  ~Measure();
  Measure(const Measure&) = delete;
  Measure& operator=(const Measure&) = delete;

 private:
  benchmark::State& state_;
  bool read_perf_;
  AllocCounts allocs_before_;
  PerfCounters::Snapshot perf_before_, perf_after_;  // sized up front
};

}  // namespace harness
