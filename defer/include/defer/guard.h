// defer::Guard: the open-coded defer, as a scope guard.
//
// Go 1.14's open-coded defer has the compiler emit the deferred call inline
// at every exit of the function instead of registering a record with the
// runtime. A C++ destructor is exactly that: the compiler emits the call at
// each exit of the scope, on the normal path and on the unwinding path, with
// no record and no allocation. With the callable's type known statically, the
// call is usually inlined too, which is why this is the cheapest strategy.
//
// Unlike a Go defer, a Guard is scoped to its block, not its function
// (claim R6): declared in a loop body, it runs at the end of each iteration.
// That is the rewrite article B recommends for cliff 1.
//
//   int f(File& file) {
//     auto close = defer::guard(&File::close, &file);  // arguments evaluated now
//     if (!file.ok()) return -1;                       // close runs here
//     return file.read();                              // and here
//   }
//
// Guarantees: no allocation; runs exactly once; a callable that throws
// terminates the program, as any throwing destructor does.
#pragma once

#include <type_traits>
#include <utility>

#include "defer/deferred_call.h"

namespace defer {

template <class F>
class [[nodiscard]] Guard {
  static_assert(std::is_invocable_v<F&>,
                "defer::Guard needs a callable taking no arguments; use "
                "defer::guard(f, args...) to bind arguments");

 public:
  explicit Guard(F f) noexcept(std::is_nothrow_move_constructible_v<F>)
      : fn_(std::move(f)) {}

  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

  ~Guard() { fn_(); }

 private:
  F fn_;
};

template <class F>
Guard(F) -> Guard<F>;

// defer::guard(f, args...): a Guard that calls f(args...) at scope exit with
// the arguments' values as they are now (claim R5).
template <class F, class... Args>
[[nodiscard]] auto guard(F&& f, Args&&... args) {
  return Guard(bind_now(std::forward<F>(f), std::forward<Args>(args)...));
}

}  // namespace defer
