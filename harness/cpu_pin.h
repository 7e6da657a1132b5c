// harness::pin_to_one_cpu: keep a measurement on one CPU.
//
// On the 2-core VM deferbench was built on, a process that the scheduler
// moved between CPUs timed the same code up to 3x slower for a while, and
// children opening thousands of files spread their CPU time by 20-30%;
// pinned, spreads fell to a few percent (the fd suite, defer_cost on a quiet
// host). Google Benchmark's own advice is the same (run under taskset). The
// CPU is the last one the process may use: the first usually takes more of
// the machine's interrupts. Only the caller's affinity changes; nothing of
// the system's.
#pragma once

namespace harness {

// The last CPU in this thread's affinity mask, or -1 when it cannot be read.
int last_allowed_cpu();

// Whether `cpu` is in this thread's affinity mask.
bool is_allowed_cpu(int cpu);

// Pins the calling thread (and what it forks later) to `cpu`; false if the
// kernel refused.
bool pin_to_cpu(int cpu);

}  // namespace harness
