// defer::OpenFrame: Go 1.14's open-coded defers, with their bitmask and their
// limits.
//
// For an open-coded function Go's compiler reserves, in the frame, one slot
// per defer statement (the function value and its evaluated arguments) and a
// byte `deferBits`. A defer statement fills its slot and sets its bit; every
// exit tests the bits from the last defer to the first, clearing each bit
// before making the call, so a panic raised by a deferred call never runs it
// twice. One bit per defer is why there can be at most eight (claim R2).
//
// The compiler falls back to the runtime chain for the whole function when
//   - it has more than 8 defers (R2): every defer becomes a stack record;
//   - returns x defers > 15 (R4), to bound the code inlined at the exits:
//     stack records too;
//   - a defer sits in a loop (R3): that defer needs a record per iteration,
//     so it goes to the heap, and open-coding is off for the function.
// Go makes this choice at compile time from the function's shape. Here the
// shape is a template argument, the choice a constant (`strategy`) that a
// static_assert can read: the counterpart of `go build -gcflags=-d=defer`.
//
//   void f() {
//     defer::OpenFrame<defer::FrameShape{.defers = 2}> frame;
//     static_assert(frame.strategy == defer::Strategy::open_coded_bits);
//     frame.defer(unlock, &mu);      // slot 0, bit 0
//     frame.defer(close, fd);        // slot 1, bit 1: runs first
//   }
//
// The slots hold any callable, type-erased, by default. Naming the deferred
// calls' type gives typed slots, as Go's compiler gives them (open_slot.h):
// OpenFrame<{.defers = 2}, void(int)> holds two function pointers and two
// ints, and the compiler sees every exit call. When every defer statement is
// unconditional it may then fold the bits and the slots away altogether, which
// Go's compiler does not do (its panic path reads them from the frame).
//
// Invariants: a frame runs its defers last-in first-out; a frame records at
// most `defers` calls through defer() (and any number through defer_in_loop()
// when in_loop is set); each bit is cleared before its call.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "defer/chain.h"
#include "defer/deferred_call.h"
#include "defer/open_slot.h"
#include "defer/strategy.h"

namespace defer {

// Go's compiler limits (cmd/compile: maxOpenDefers, and the returns x defers
// bound in its SSA builder).
inline constexpr int kMaxOpenDefers = 8;
inline constexpr int kMaxReturnsTimesDefers = 15;

// What Go's compiler looks at when it decides: how many defer statements the
// function has, how many exits, and whether any defer is in a loop.
struct FrameShape {
  int defers = 1;
  int exits = 1;
  bool in_loop = false;
};

// The strategy Go's compiler would give every defer of a function with this
// shape (a defer in a loop goes to the heap; the function's other defers get
// stack records).
constexpr Strategy strategy_for(FrameShape shape) noexcept {
  if (shape.in_loop) return Strategy::chain_heap;
  if (shape.defers > kMaxOpenDefers) return Strategy::chain_stack;
  if (shape.defers * shape.exits > kMaxReturnsTimesDefers) {
    return Strategy::chain_stack;
  }
  return Strategy::open_coded_bits;
}

// Why a shape is not open-coded, in words; empty when it is.
constexpr std::string_view fallback_reason(FrameShape shape) noexcept {
  if (shape.in_loop) return "a defer in a loop";
  if (shape.defers > kMaxOpenDefers) return "more than 8 defers";
  if (shape.defers * shape.exits > kMaxReturnsTimesDefers) {
    return "returns x defers > 15";
  }
  return "";
}

// Slot: DeferredCall (any callable) or a function type void(P...) for typed
// slots; see open_slot.h.
template <FrameShape Shape, class Slot = DeferredCall>
class OpenFrame {
  static_assert(Shape.defers >= 1, "a frame declares at least one defer");
  static_assert(Shape.exits >= 1, "a function has at least one exit");

 public:
  static constexpr Strategy strategy = strategy_for(Shape);
  static constexpr bool open_coded = strategy == Strategy::open_coded_bits;

  OpenFrame() = default;
  OpenFrame(const OpenFrame&) = delete;
  OpenFrame& operator=(const OpenFrame&) = delete;

  ~OpenFrame() {
    if constexpr (open_coded) {
      // Straight-line code, highest defer first, as Go's compiler emits at
      // each exit: one constant-bit test per defer, no loop.
      [this]<std::size_t... I>(std::index_sequence<I...>) {
        (run_slot<static_cast<std::size_t>(Shape.defers) - 1 - I>(), ...);
      }(std::make_index_sequence<static_cast<std::size_t>(Shape.defers)>{});
    }
    // Otherwise storage_, a chain::Frame, runs its records (deferreturn).
  }

  // One defer statement outside any loop.
  template <class F, class... Args>
  void defer(F&& f, Args&&... args) {
    if (next_ == Shape.defers) {
      chain::invariant_failed(
          "OpenFrame::defer",
          "more defer statements ran than the frame's shape declares; a defer "
          "in a loop needs FrameShape{.in_loop = true} and defer_in_loop()");
    }
    const int index = next_++;
    if constexpr (open_coded) {
      storage_[static_cast<std::size_t>(index)].arm(std::forward<F>(f),
                                                    std::forward<Args>(args)...);
      bits_ = static_cast<std::uint8_t>(bits_ | (1u << index));
    } else {
      storage_.defer_stack(std::forward<F>(f), std::forward<Args>(args)...);
    }
  }

  // A defer statement inside a loop: a heap record per iteration.
  template <class F, class... Args>
  void defer_in_loop(F&& f, Args&&... args) {
    static_assert(Shape.in_loop,
                  "defer_in_loop needs FrameShape{.in_loop = true}: Go turns "
                  "open-coding off for a function with a defer in a loop");
    storage_.defer_heap(std::forward<F>(f), std::forward<Args>(args)...);
  }

  // The bits of the defers registered and not yet run (open-coded frames).
  std::uint8_t defer_bits() const noexcept { return bits_; }

 private:
  static_assert(!open_coded || Shape.defers <= 8, "one bit per defer");

  // The exit code for slot I: clear its bit before the call, so a deferred
  // call that unwinds never runs twice.
  template <std::size_t I>
  void run_slot() {
    constexpr auto bit = static_cast<std::uint8_t>(1u << I);
    if (bits_ & bit) {
      bits_ = static_cast<std::uint8_t>(bits_ & ~bit);
      storage_[I].run();
    }
  }

  // Open-coded: the slots. Otherwise: a chain frame with a stack record per
  // declared defer (Go's deferprocStack slots).
  using Storage = std::conditional_t<
      open_coded,
      std::array<typename SlotFor<Slot>::type, static_cast<std::size_t>(Shape.defers)>,
      chain::Frame<open_coded ? 0 : static_cast<std::size_t>(Shape.defers)>>;

  std::uint8_t bits_ = 0;
  int next_ = 0;
  Storage storage_;
};

}  // namespace defer
