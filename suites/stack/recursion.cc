// The self-deferring functions of the stack suite (see stack/recursion.h).
#include "stack/recursion.h"

#include <array>

#include "defer/chain.h"
#include "defer/guard.h"
#include "defer/open_frame.h"
#include "opaque.h"

// The recursion is endless on purpose; GCC's -Winfinite-recursion says so.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Winfinite-recursion"
#endif
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winfinite-recursion"
#endif

namespace stack_suite {

std::atomic<std::uint64_t>* frames_entered = nullptr;

namespace {

// An empty statement the compiler must keep after the deferred call, so the
// function returns after its deferred call runs, as Go's does: the self-call
// is never the last instruction, and never becomes a jump. It costs no stack
// and no instruction.
inline void return_after_deferred_call() noexcept { asm volatile(""); }

// A plain load and store rather than fetch_add: only this thread writes, and
// a locked add would cost more than the rest of the frame.
inline void count_frame() noexcept {
  frames_entered->store(frames_entered->load(std::memory_order_relaxed) + 1,
                        std::memory_order_relaxed);
}

// The floor: Go's `func f() { f() }`, a frame with no defer in it.
DEFERBENCH_OPAQUE void recurse_call() {
  count_frame();
  harness::work_after_defer();  // in every recursion, where the defer would end
  recurse_call();
  return_after_deferred_call();
}

DEFERBENCH_OPAQUE void recurse_scope_guard() {
  count_frame();
  {
    auto again = defer::guard(recurse_scope_guard);
    harness::work_after_defer();
  }  // the deferred call runs here
  return_after_deferred_call();
}

DEFERBENCH_OPAQUE void recurse_open_coded_bits() {
  count_frame();
  {
    // A typed slot holding the function value, as Go's does (open_slot.h).
    defer::OpenFrame<defer::FrameShape{.defers = 1}, void()> frame;
    static_assert(decltype(frame)::strategy == defer::Strategy::open_coded_bits);
    frame.defer(recurse_open_coded_bits);
    harness::work_after_defer();
  }  // the deferred call runs here
  return_after_deferred_call();
}

DEFERBENCH_OPAQUE void recurse_chain_stack() {
  count_frame();
  {
    defer::chain::Frame<1> frame;
    frame.defer_stack(recurse_chain_stack);
    harness::work_after_defer();
  }  // the deferred call runs here
  return_after_deferred_call();
}

DEFERBENCH_OPAQUE void recurse_chain_heap() {
  count_frame();
  {
    defer::chain::Frame<> frame;
    frame.defer_heap(recurse_chain_heap);
    harness::work_after_defer();
  }  // the deferred call runs here
  return_after_deferred_call();
}

// No record ever comes back to the free list (no deferred call finishes), so
// every frame refills it from the heap, as Go's deferpool would.
DEFERBENCH_OPAQUE void recurse_chain_heap_pooled() {
  count_frame();
  {
    defer::chain::Frame<> frame;
    frame.defer_pooled(recurse_chain_heap_pooled);
    harness::work_after_defer();
  }  // the deferred call runs here
  return_after_deferred_call();
}

constexpr std::array kRecursions = {
    Recursion{defer::Strategy::plain_call, recurse_call, "reference",
              "the function calls itself, no defer", "stack/plain",
              "nothing: Go's plain recursion is the same"},
    Recursion{defer::Strategy::scope_guard, recurse_scope_guard, "floor",
              "a scope guard whose destructor makes the call", "stack/open_coded",
              "Go's closure slot and deferBits in the frame, and deferreturn's frame"},
    Recursion{defer::Strategy::open_coded_bits, recurse_open_coded_bits, "analog",
              "typed slots and a deferBits byte (defer::OpenFrame)", "stack/open_coded",
              "the closure Go wraps the call in, and deferreturn's frame"},
    Recursion{defer::Strategy::chain_stack, recurse_chain_stack, "analog",
              "a record in the frame on a per-thread chain", "stack/chain_stack",
              "Go's 72-byte record and deferreturn's frame"},
    Recursion{defer::Strategy::chain_heap, recurse_chain_heap, "analog",
              "a record from operator new on a per-thread chain", "stack/chain_heap",
              "Go's per-P pool of records"},
    Recursion{defer::Strategy::chain_heap_pooled, recurse_chain_heap_pooled, "analog",
              "a record from a per-thread free list", "stack/chain_heap",
              "the pool's capacity of 32 and its central pool"},
};

}  // namespace

std::span<const Recursion> recursions() { return kRecursions; }

}  // namespace stack_suite
