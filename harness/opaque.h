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
