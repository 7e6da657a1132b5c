// Allocation counts for bytes/op and allocs/op.
//
// The harness replaces the global operator new/delete with versions that
// count, per thread, every allocation and its size before calling malloc. A
// per-thread count costs two increments per allocation and needs no atomics;
// benchmarks read the counts before and after their loop (see measure.h).
// Counting is always on, as Go's runtime keeps its allocation statistics
// always on for -benchmem.
#pragma once

#include <cstdint>

namespace harness {

struct AllocCounts {
  std::uint64_t allocs = 0;
  std::uint64_t bytes = 0;
};

// Allocations made by operator new on the calling thread since it started.
AllocCounts thread_alloc_counts() noexcept;

}  // namespace harness
