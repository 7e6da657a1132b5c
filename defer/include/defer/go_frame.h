// defer::go frames: the code Go 1.19's compiler emits in a function that
// defers, over the runtime model of go_runtime.h.
//
// Each defer statement `defer f(a, b)` is first rewritten, since Go 1.18, to
// `defer func() { f(a, b) }()`: the arguments are evaluated at the statement
// and captured by a closure (a FuncVal). Then the function gets one strategy:
//
//   OpenCodedFrame<N>  open-coded (Go 1.14+): a slot per defer statement for
//                      its closure and a deferBits byte, both in the frame's
//                      memory, where the runtime's panic path reads them
//                      (funcdata). A statement stores its closure and sets its
//                      bit; every exit tests the bits, last defer first,
//                      clears each before the indirect call.
//   ChainFrame<N>      the runtime chain: a stack record per defer statement
//                      outside loops (deferprocStack) and a heap record for a
//                      defer in a loop (deferproc); at every exit, a call to
//                      deferreturn with the frame's sp.
//
// Both are function-scoped, as Go's defers are: declare the frame at the top
// of the function, and a defer statement in an inner block or a loop still
// runs when the function returns, not when the block ends. A C++ exception
// that unwinds the function runs its deferred calls too, as Go's panic does.
//
//   void f(int fd) {
//     defer::go::ChainFrame<1> frame;
//     frame.defer_stack<0, close_fd>(fd);  // fd evaluated here
//     ...
//   }                                      // deferreturn runs close_fd(fd)
//
// Where the model stops: the frame's sp is the frame object's address (Go
// reads SP; both name the frame); a deferred call cannot recover, so the
// entry points' "recovered" result is tested but never taken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include "defer/go_runtime.h"

namespace defer::go {

// The closure of `func() { Target(captured...) }`, with the captured values
// evaluated at the defer statement. Captured values are copied bitwise, as
// Go copies values, so they must be trivially copyable.
template <auto Target, class... Captured>
struct Closure : FuncVal {
  static_assert((std::is_trivially_copyable_v<Captured> && ...),
                "a closure captures values that copy bitwise, as Go's do");
  constexpr explicit Closure(Captured... values) : FuncVal{&call}, captured{values...} {}
  std::tuple<Captured...> captured;

 private:
  static void call(FuncVal* self) { std::apply(Target, static_cast<Closure*>(self)->captured); }
};

// A closure that captures nothing is one static value, as Go's compiler
// makes it: deferring it stores its address and allocates nothing.
template <auto Target>
inline constinit Closure<Target> static_closure{};

// Where a defer statement's closure lives. With no captures, the static one.
// In a frame (open-coded, or a stack record's), in a slot of the frame, as
// Go's compiler puts it in the function's stack frame. For a defer in a loop,
// on the heap, since Go's escape analysis moves it there ("func literal
// escapes to heap"); the model frees it after its call, where Go's collector
// would later.
template <auto Target, class... Captured>
struct HeapClosure : FuncVal {
  explicit HeapClosure(Captured... values) : FuncVal{&call}, captured{values...} {}
  std::tuple<Captured...> captured;

 private:
  static void call(FuncVal* self) {
    auto* c = static_cast<HeapClosure*>(self);
    const std::tuple<Captured...> args = c->captured;
    delete c;
    std::apply(Target, args);
  }
};

// The bytes a frame keeps for one defer statement's closure.
inline constexpr std::size_t kClosureSlotBytes = 32;

// A defer statement's closure, built in `slot` unless it captures nothing.
template <auto Target, class... Captured>
FuncVal* closure_in(void* slot, Captured... values) noexcept {
  if constexpr (sizeof...(Captured) == 0) {
    return &static_closure<Target>;
  } else {
    static_assert(sizeof(Closure<Target, Captured...>) <= kClosureSlotBytes,
                  "the captured values do not fit a frame's closure slot");
    return ::new (slot) Closure<Target, Captured...>(values...);
  }
}

// Publishes a frame's address as Go's funcdata does for the runtime: the
// compiler must then keep what the frame stores in memory across any code
// it cannot see, and read it back, rather than fold it.
inline void expose_to_runtime(const void* frame) noexcept {
  asm volatile("" : : "r"(frame) : "memory");
}

struct alignas(alignof(std::max_align_t)) ClosureSlot {
  std::byte bytes[kClosureSlotBytes];
};

template <int Defers>
class OpenCodedFrame {
  static_assert(Defers >= 1 && Defers <= 8,
                "Go open-codes at most 8 defers per function (one deferBits bit each)");

 public:
  OpenCodedFrame() noexcept {
    defer_bits_ = 0;
    expose_to_runtime(this);
  }
  OpenCodedFrame(const OpenCodedFrame&) = delete;
  OpenCodedFrame& operator=(const OpenCodedFrame&) = delete;

  // Defer statement I (statements are numbered in source order): its
  // closure into slot I, then bit I.
  template <int I, auto Target, class... Captured>
  void defer(Captured... values) noexcept {
    static_assert(I >= 0 && I < Defers, "a defer statement index below the frame's count");
    slots_[I] = closure_in<Target>(&closures_[I], values...);
    defer_bits_ = static_cast<std::uint8_t>(defer_bits_ | (1u << I));
  }

  // The exit code, at every return and on unwinding.
  ~OpenCodedFrame() {
    [this]<std::size_t... I>(std::index_sequence<I...>) {
      (run_slot<Defers - 1 - static_cast<int>(I)>(), ...);
    }(std::make_index_sequence<Defers>{});
  }

  std::uint8_t defer_bits() const noexcept { return defer_bits_; }

 private:
  template <int I>
  void run_slot() {
    constexpr auto bit = static_cast<std::uint8_t>(1u << I);
    if (defer_bits_ & bit) {
      defer_bits_ = static_cast<std::uint8_t>(defer_bits_ & ~bit);
      FuncVal* fn = slots_[I];
      fn->fn(fn);
    }
  }

  std::uint8_t defer_bits_;
  FuncVal* slots_[Defers];
  ClosureSlot closures_[Defers];
};

// StackRecords: how many defer statements outside loops the function has,
// each with its own record (and closure slot) in the frame.
template <int StackRecords = 0>
class ChainFrame {
 public:
  ChainFrame() noexcept = default;
  ChainFrame(const ChainFrame&) = delete;
  ChainFrame& operator=(const ChainFrame&) = delete;
  ~ChainFrame() { defer_return(sp()); }

  // Defer statement I outside any loop: its record is the frame's record I.
  template <int I, auto Target, class... Captured>
  void defer_stack(Captured... values) noexcept {
    static_assert(I >= 0 && I < StackRecords,
                  "defer_stack<I> needs I below the frame's StackRecords; "
                  "a defer in a loop is defer_heap");
    Defer* d = &records_[I];
    d->fn = closure_in<Target>(&closures_[I], values...);
    if (defer_proc_stack(d, sp()) != 0) [[unlikely]] recovered();
  }

  // A defer statement in a loop: a record per execution, from the pool, and
  // a closure on the heap when it captures anything.
  template <auto Target, class... Captured>
  void defer_heap(Captured... values) {
    FuncVal* fn;
    if constexpr (sizeof...(Captured) == 0) {
      fn = &static_closure<Target>;
    } else {
      fn = new HeapClosure<Target, Captured...>(values...);
    }
    if (defer_proc(fn, sp()) != 0) [[unlikely]] recovered();
  }

 private:
  std::uintptr_t sp() const noexcept { return reinterpret_cast<std::uintptr_t>(this); }
  [[noreturn]] static void recovered() noexcept {
    fatal("a deferred call recovered, which the model cannot do");
  }

  static constexpr std::size_t kSlots = StackRecords > 0 ? StackRecords : 1;
  Defer records_[kSlots];
  ClosureSlot closures_[kSlots];
};

}  // namespace defer::go
