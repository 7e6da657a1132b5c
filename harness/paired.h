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
// A chunk disturbed by the system is dropped with its pair, and counted by
// reason, never silently:
//   context_switch  perf::CONTEXT-SWITCHES moved during the chunk
//   cpu_migration   perf::CPU-MIGRATIONS moved during the chunk
//   outlier         its time is more than 3x from its case's median chunk
// (the two software events work in VMs; where they cannot be opened, only the
// outlier rule applies, and the output says so).
//
// The output is the data, not the statistics: per kept pair, the subject's and
// the reference's ns per op. scripts/deferbench/paired.py computes the ratio of
// each pair, their median and its confidence interval.
#pragma once

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
};

struct PairSpec {
  std::string subject, reference;
};

// Runs every pair (both names must have ops) and returns the data as JSON:
// {"context": {...}, "pairs": [{"subject", "reference", "subject_iterations",
//  "reference_iterations", "subject_ns_per_op": [...], "reference_ns_per_op":
//  [...], "dropped": {"context_switch", "cpu_migration", "outlier"}}]}.
nlohmann::json run_pairs(const std::vector<PairSpec>& pairs, const PairOptions& options);

}  // namespace harness

#define DEFERBENCH_OP(name, make)                                        \
  [[maybe_unused]] static const int DEFERBENCH_CONCAT(deferbench_op_, \
                                                      __LINE__) =     \
      ::harness::add_op(name, make)
