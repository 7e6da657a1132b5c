// defer::BasicDeferredCall: one deferred call, its arguments already
// evaluated, stored type-erased in a fixed-size object.
//
// Go's `defer f(a, b)` evaluates f, a and b when the defer statement runs and
// keeps them until the call (claim R5). Its runtime record (_defer) points at
// a funcval; a closure that captures more than fits escapes to the heap
// ("func literal escapes to heap", claim B6).
//
// BasicDeferredCall<N> is the same shape: a callable of at most N bytes lives
// inside the object; a larger one is allocated with operator new, one
// allocation per deferred call. DeferredCall (N = three words) is what the
// open-coded slots and the chain's stack records hold; the chain's heap and
// pooled records come in three sizes (chain.h), each the smallest that holds
// its callable, as Go's allocator rounds a record up to a size class.
//
// Every size starts with its trampoline, so run_deferred_call() can run one
// knowing only its address: the chain holds calls of several sizes.
//
// Invariants:
//   - run() is called exactly once; it invokes the callable and destroys it.
//   - The object is never moved or copied once armed: records are pinned.
//   - A deferred call that throws terminates the program: every caller of
//     run() is a noexcept destructor, as for any throwing destructor; see
//     README "A deferred call that throws". run() itself is not noexcept, so
//     its trampoline can tail-call the deferred function.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

namespace defer {

// What runs a deferred call of any size, given its address.
using Trampoline = void (*)(void* call);

template <std::size_t InlineBytes>
class BasicDeferredCall {
 public:
  static constexpr std::size_t kInlineBytes = InlineBytes;

  template <class F>
  static constexpr bool fits_inline =
      sizeof(F) <= kInlineBytes && alignof(F) <= alignof(void*);

  BasicDeferredCall() = default;
  // Armed from the start with a trampoline that takes nothing from storage:
  // for constant sentinels (chain.h's end of chain).
  struct Sentinel {};
  constexpr BasicDeferredCall(Sentinel, Trampoline trampoline) noexcept
      : run_(trampoline), storage_{} {}
  BasicDeferredCall(const BasicDeferredCall&) = delete;
  BasicDeferredCall& operator=(const BasicDeferredCall&) = delete;

  // What runs after the call, given the call's address: nothing by default;
  // a chain record uses it to give itself back (chain.h).
  struct NothingAfter {
    static void after(void*) noexcept {}
  };

  // Stores a callable taking no arguments. Returns true when it allocated.
  template <class After = NothingAfter, class F>
  bool arm(F&& f) {
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_v<Fn&>,
                  "a deferred call must be callable with no arguments; bind "
                  "arguments with defer::bind_now or pass them to defer()");
    if constexpr (fits_inline<Fn>) {
      ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
      run_ = &run_inline<Fn, After>;
      return false;
    } else {
      Fn* boxed = new Fn(std::forward<F>(f));
      ::new (static_cast<void*>(storage_)) Fn*(boxed);
      run_ = &run_boxed<Fn, After>;
      return true;
    }
  }

  // Invokes the stored callable, destroys it (and frees its box), then runs
  // the After policy it was armed with.
  void run() { run_(this); }

 private:
  template <class Fn, class After>
  static void run_inline(void* call) {
    auto* self = static_cast<BasicDeferredCall*>(call);
    Fn& fn = *std::launder(reinterpret_cast<Fn*>(self->storage_));
    fn();
    fn.~Fn();
    After::after(call);
  }

  template <class Fn, class After>
  static void run_boxed(void* call) {
    auto* self = static_cast<BasicDeferredCall*>(call);
    Fn* fn = *std::launder(reinterpret_cast<Fn**>(self->storage_));
    (*fn)();
    delete fn;
    After::after(call);
  }

  Trampoline run_ = nullptr;  // first: see run_deferred_call
  alignas(void*) std::byte storage_[kInlineBytes];
};

// Three words: enough for a function pointer and two pointer-sized
// arguments, or a lambda capturing three references.
using DeferredCall = BasicDeferredCall<3 * sizeof(void*)>;

// Runs a BasicDeferredCall of any size from its address alone. Each is
// standard layout with its trampoline first, so the object and the
// trampoline share an address.
inline void run_deferred_call(void* call) {
  (*static_cast<Trampoline*>(call))(call);
}

// Binds f to copies of args now, the way a Go defer statement evaluates its
// call's arguments when it runs rather than when the call does (claim R5).
template <class F, class... Args>
auto bind_now(F&& f, Args&&... args) {
  if constexpr (sizeof...(Args) == 0) {
    return std::forward<F>(f);
  } else {
    return [fn = std::forward<F>(f),
            bound = std::make_tuple(std::forward<Args>(args)...)]() mutable {
      std::apply(fn, bound);
    };
  }
}

static_assert(std::is_standard_layout_v<DeferredCall>,
              "run_deferred_call reads the trampoline at the call's address");

}  // namespace defer
