// The slots of an open-coded frame (open_frame.h): where a defer statement
// leaves its function and evaluated arguments until the frame's exit code
// calls them.
//
// Go's compiler gives each slot the types of its defer statement: a stack
// slot for the function value and one per argument. Its exit code loads them
// and calls the function; nothing in the slot is type-erased. A frame here
// chooses one of two kinds of slot with its second template argument:
//
//   FunctionSlot<void(int, int)>   a function pointer and the arguments, typed,
//                                  as Go's slots are. The exit code calls
//                                  through the stored pointer; the compiler
//                                  sees the store and the call in one function
//                                  and may turn it into a direct call, keep the
//                                  slot in registers, or drop it.
//   ErasedSlot (the default)       any callable, in a DeferredCall: the exit
//                                  code calls a trampoline through a pointer
//                                  the compiler does not see through.
//
// Both: arm() stores the call, run() makes it and destroys what arm() stored;
// run() is called at most once after each arm().
#pragma once

#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "defer/deferred_call.h"

namespace defer {

class ErasedSlot {
 public:
  template <class F, class... Args>
  void arm(F&& f, Args&&... args) {
    call_.arm(bind_now(std::forward<F>(f), std::forward<Args>(args)...));
  }
  void run() { call_.run(); }

 private:
  DeferredCall call_;
};

template <class Signature>
class FunctionSlot;

template <class... Params>
class FunctionSlot<void(Params...)> {
 public:
  FunctionSlot() noexcept {}  // empty until arm()
  ~FunctionSlot() {}          // run() destroys what arm() stored
  FunctionSlot(const FunctionSlot&) = delete;
  FunctionSlot& operator=(const FunctionSlot&) = delete;

  // Converts f to the slot's function pointer and copies the arguments now,
  // as Go evaluates them at the defer statement (claim R5).
  template <class F, class... Args>
  void arm(F&& f, Args&&... args) {
    static_assert(sizeof...(Args) == sizeof...(Params),
                  "a FunctionSlot<void(P...)> takes one argument per parameter");
    std::construct_at(&stored_, f, std::forward<Args>(args)...);
  }

  void run() {
    std::apply(stored_.fn, stored_.args);
    std::destroy_at(&stored_);
  }

 private:
  struct Stored {
    template <class F, class... Args>
    Stored(F& function, Args&&... values)
        : fn(function), args(std::forward<Args>(values)...) {}
    void (*fn)(Params...);
    [[no_unique_address]] std::tuple<std::decay_t<Params>...> args;
  };
  // A union member, not raw bytes: the compiler tracks its value through
  // arm() and run() and can drop the slot; std::launder would hide it.
  union {
    Stored stored_;
  };
};

// What a frame's Slot argument names: a function type gives FunctionSlots,
// DeferredCall (the default) gives ErasedSlots.
template <class Slot>
struct SlotFor {
  using type = FunctionSlot<Slot>;
};
template <>
struct SlotFor<DeferredCall> {
  using type = ErasedSlot;
};

}  // namespace defer
