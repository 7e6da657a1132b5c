// harness::register_instruction_count: a case measured under callgrind so that
// its instructions per op are a property of the binary alone.
//
// The instructions one op executes should depend on the code only. Two things
// outside the code move them:
//   - work done once per process: lazy binding of a library call, a static
//     initialiser, a thread's first use of its pool;
//   - the allocator's state. glibc's malloc takes paths that depend on what
//     lies in its bins, that is on everything the process allocated before the
//     loop: argv[0] and the environment, Google Benchmark's context strings, the
//     cases that ran earlier. A case run alone and the same case run within its
//     suite counted 4385 and 4523 instructions per op.
// So each case runs three times:
//   1. a warm-up, on the main thread, not counted: the process's once-only work;
//   2. N iterations and 3. 2N iterations, each on a thread of its own that is
//      kept alive until the suite ends. A thread that never exited before gets
//      a malloc arena that no one used before, an empty tcache, empty
//      per-thread pools and a fresh stack, whatever ran earlier and from where;
// and each counted run asks callgrind for a dump named "<case> iterations=<n>".
// The reader (scripts/deferbench/run/callgrind.py) takes (count(2N) - count(N)) / N:
// the loop's entry and exit and the thread's first-use work are in both runs,
// and cancel exactly.
//
// The environment that glibc reads (its CPU dispatch, malloc tunables) is fixed
// by whoever starts valgrind: callgrind.py starts it with a fixed environment.
#pragma once

#include "registry.h"

namespace harness {

// Prepares the process for counted runs: lifts glibc's limit on malloc arenas,
// so that every counted run can have one of its own. Call before any thread.
void prepare_instruction_counting();

// Registers the three runs of `c` with Google Benchmark; `iterations` is N.
void register_instruction_count(const Case& c, long iterations);

// Ends the threads that counted runs left waiting. Call after the last case.
void finish_instruction_counting();

}  // namespace harness
