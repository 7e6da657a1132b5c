#include "measure.h"

#include <valgrind/callgrind.h>

#include <string>

namespace harness {
namespace {
CountingConfig g_config;
const std::string* g_current_case = nullptr;

bool perf_configured() { return g_config.perf != nullptr && !g_config.perf->empty(); }

// Under callgrind, only a run with a case name is counted and dumped; the
// warm-up runs of instruction_count.cc have none.
bool callgrind_counted() { return g_config.callgrind && g_current_case != nullptr; }
}  // namespace

void set_counting_config(const CountingConfig& config) { g_config = config; }
const CountingConfig& counting_config() { return g_config; }
void set_current_case(const std::string* name) { g_current_case = name; }

// Order matters: whatever allocates (the snapshots' first read, the dump's
// name) happens outside the interval between the two allocation counts, and
// the perf reads are the innermost pair, next to the loop.
Measure::Measure(benchmark::State& state, bool read_perf)
    : state_(state), read_perf_(read_perf && perf_configured()) {
  if (!g_config.callgrind && read_perf_) {
    perf_before_ = g_config.perf->read();
    perf_after_ = perf_before_;
  }
  allocs_before_ = thread_alloc_counts();
  if (callgrind_counted()) {
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
  } else if (read_perf_) {
    g_config.perf->read(perf_before_);
  }
}

Measure::~Measure() {
  if (callgrind_counted()) {
    CALLGRIND_TOGGLE_COLLECT;
  } else if (read_perf_) {
    g_config.perf->read(perf_after_);
  }
  const AllocCounts allocs_after = thread_alloc_counts();
  if (callgrind_counted()) {
    // The dump's name carries what the parser divides by.
    const std::string dump = *g_current_case +
                             " iterations=" + std::to_string(state_.iterations());
    CALLGRIND_DUMP_STATS_AT(dump.c_str());
  }

  const auto iterations = static_cast<double>(state_.iterations());
  if (iterations <= 0) return;
  state_.counters["allocs_per_op"] =
      static_cast<double>(allocs_after.allocs - allocs_before_.allocs) / iterations;
  state_.counters["bytes_per_op"] =
      static_cast<double>(allocs_after.bytes - allocs_before_.bytes) / iterations;

  if (g_config.callgrind || !read_perf_) return;
  const CounterValues delta = PerfCounters::delta(perf_before_, perf_after_);
  const auto& names = g_config.perf->counted_names();
  double cycles = -1, instructions = -1;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (delta.values[i] < 0) continue;  // never scheduled: not measured
    const double per_op = delta.values[i] / iterations;
    state_.counters[names[i]] = per_op;
    if (names[i] == "cycles") cycles = per_op;
    if (names[i] == "instructions") instructions = per_op;
  }
  if (cycles > 0 && instructions >= 0) state_.counters["IPC"] = instructions / cycles;
  if (delta.running_fraction < 1) {
    state_.counters["perf_running_fraction"] = delta.running_fraction;
  }
}

}  // namespace harness
