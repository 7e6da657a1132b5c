// DEFERBENCH_OPAQUE: a function the optimiser must treat as unknown.
//
// Go's BenchmarkDefer calls a function that defers a call to another; neither
// call can be folded away. GCC's noipa goes further than noinline: it also
// forbids interprocedural analysis (constant propagation into the callee,
// purity detection), so a call whose result is unused is still made and its
// arguments still passed. Clang has no noipa; noinline is the closest.
#pragma once

#if defined(__clang__)
#define DEFERBENCH_OPAQUE __attribute__((noinline))
#else
#define DEFERBENCH_OPAQUE __attribute__((noipa))
#endif

namespace harness {

// Stands for the work a function does between its defer statement and its
// return. Whatever the function has put where others could see it (a chain
// record published in the thread's chain head) must really be there, and is
// read again afterwards: Go's deferproc is a call into the runtime, so its
// record is always linked. Values private to the function (a guard, typed
// open-coded slots) are untouched, so the compiler may still keep them in
// registers or fold them. Without it, a defer followed at once by the return
// let GCC cancel the chain's push against its pop. Costs no instruction.
inline void work_after_defer() noexcept { asm volatile("" ::: "memory"); }

}  // namespace harness
