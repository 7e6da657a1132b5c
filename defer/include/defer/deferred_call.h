// defer::DeferredCall: one deferred call, its arguments already evaluated,
// stored type-erased in a fixed-size object.
//
// Go's `defer f(a, b)` evaluates f, a and b when the defer statement runs and
// keeps them until the call (claim R5). Its runtime record (_defer) has a
// fixed size and points at a funcval; a closure that captures more than fits
// escapes to the heap ("func literal escapes to heap", claim B6).
//
// DeferredCall is the same shape: a callable of at most kInlineBytes lives
// inside the object; a larger one is allocated with operator new, one
// allocation per deferred call. The chain records and the open-coded slots
// both hold one, so every strategy shares the size rule.
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

class DeferredCall {
 public:
  // Three words: enough for a function pointer and two pointer-sized
  // arguments, or a lambda capturing three references.
  static constexpr std::size_t kInlineBytes = 3 * sizeof(void*);

  template <class F>
  static constexpr bool fits_inline =
      sizeof(F) <= kInlineBytes && alignof(F) <= alignof(void*);

  DeferredCall() = default;
  DeferredCall(const DeferredCall&) = delete;
  DeferredCall& operator=(const DeferredCall&) = delete;

  // What runs after the call, given the DeferredCall: nothing by default;
  // a chain record uses it to give itself back (chain.h).
  struct NothingAfter {
    static void after(DeferredCall*) noexcept {}
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
  static void run_inline(DeferredCall* self) {
    Fn& fn = *std::launder(reinterpret_cast<Fn*>(self->storage_));
    fn();
    fn.~Fn();
    After::after(self);
  }

  template <class Fn, class After>
  static void run_boxed(DeferredCall* self) {
    Fn* fn = *std::launder(reinterpret_cast<Fn**>(self->storage_));
    (*fn)();
    delete fn;
    After::after(self);
  }

  void (*run_)(DeferredCall*) = nullptr;
  alignas(void*) std::byte storage_[kInlineBytes];
};

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

}  // namespace defer
