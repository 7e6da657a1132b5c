// harness::run_pairs: a case timed interleaved with its reference, so that a
// ratio holds up on a noisy machine.
//
// Repetitions of one case that run one after another sample different moments
// of the host; most of a shared machine's noise is common to whatever runs at
// the same moment. So a case (the subject) and its reference run in short
// chunks, one of each per pair, in ABBA order (subject first in even pairs,
// reference first in odd ones) so that a drift within a pair cancels, in one
// process on one CPU. Each chunk lasts about `chunk_ns` (1 ms by default, and
// never under 1000 times the clock's measured resolution): long enough that
// reading the clock costs nothing, short enough that a pair shares its moment.
//
// Each chunk is timed on the monotonic clock, and two software events say
// whether the system took the CPU meanwhile (they work in VMs; where they
// cannot be opened, the output says so): perf::CONTEXT-SWITCHES and
// perf::CPU-MIGRATIONS, kernel mode included. The output is the data, not the
// statistics: every pair's ns per op for the subject and the reference, and
// what disturbed it ("context_switch", "cpu_migration" or ""). Which pairs to
// keep (disturbed ones and outliers are dropped, and counted), each pair's
// ratio, their median and its interval: scripts/deferbench/analysis/paired.py,
// which judges the Go side's pairs by the same rules.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry.h"  // DEFERBENCH_CONCAT

namespace harness {

// A case's operation in a loop: runs it n times. make() prepares what it needs
// (items, a warm pool) once, outside every chunk.
using OpLoop = std::function<void(long n)>;

// Registers the op loop of the case of that name (see DEFERBENCH_OP).
int add_op(std::string name, std::function<OpLoop()> make);
bool has_op(const std::string& name);

struct PairOptions {
  int pairs = 300;
  double chunk_ns = 1e6;
  // Non-zero: the process moves its stack and heap by amounts drawn from this
  // seed before it measures, so that each process of a series samples another
  // layout (where loops and data land moves a ratio by a few percent).
  std::uint64_t layout_seed = 0;
};

struct PairSpec {
  std::string subject, reference;
};

// Runs every pair (both names must have ops) and returns the data as JSON:
// {"context": {...}, "pairs": [{"subject", "reference", "subject_iterations",
//  "reference_iterations", "pairs", "subject_ns_per_op": [...],
//  "reference_ns_per_op": [...], "disturbed": [...]}]}, a value per pair.
nlohmann::json run_pairs(const std::vector<PairSpec>& pairs, const PairOptions& options);

}  // namespace harness

#define DEFERBENCH_OP(name, make)                                        \
  [[maybe_unused]] static const int DEFERBENCH_CONCAT(deferbench_op_, \
                                                      __LINE__) =     \
      ::harness::add_op(name, make)
