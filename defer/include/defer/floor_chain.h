// defer::floor::ChainedCall: the lightest runtime-chain defer, the C++ floor
// of Go's deferprocStack / deferreturn.
//
// A chain's guarantee is that every pending deferred call of a thread is
// reachable from one place, newest first, with what it takes to run it: that
// is how Go's panic and Goexit find and run the calls of frames that will not
// return. What it costs at least is one record in the defer's own frame
// holding the call and its arguments, linked at the defer statement and
// unlinked and run, through the record, at the frame's exit. Everything Go's
// runtime adds on top (a 72-byte record, out-of-line runtime calls, the sp
// check, a closure, deferreturn's loop over records of other frames, the pool)
// is what defer::go's models measure; this is the floor they stand on.
//
//   void f(int fd) {
//     defer::floor::ChainedCall<close_fd, int> close(fd);  // fd evaluated now
//     ...
//   }                                                     // close_fd(fd)
//
// Like a scope guard, a ChainedCall is scoped to its block (a record per
// statement, declared where the statement is) and runs on the normal path
// and when an exception unwinds the frame. Records live in their frames, so
// frames end in reverse order of their records, as C++ locals do.
#pragma once

#include <tuple>
#include <type_traits>

#include "defer/local_tls.h"

namespace defer::floor {

// A pending call as the chain holds it: the next older one, and how to run
// this one (the record it heads is passed back).
struct Link {
  Link* older;
  void (*run)(Link* self);
};

// This thread's newest pending call (Go: g._defer); nullptr when none.
extern thread_local constinit Link* tls_chain DEFER_LOCAL_TLS;

// The pending calls on this thread's chain (for tests and checks).
int pending_calls() noexcept;

template <auto Target, class... Args>
class [[nodiscard]] ChainedCall : Link {
  static_assert(std::is_invocable_v<decltype(Target), Args&...>,
                "ChainedCall<Target, Args...> needs Target callable with Args");

 public:
  explicit ChainedCall(Args... args) noexcept((std::is_nothrow_copy_constructible_v<Args> && ...))
      : Link{tls_chain, &run_record}, args_(args...) {
    tls_chain = this;
  }
  ChainedCall(const ChainedCall&) = delete;
  ChainedCall& operator=(const ChainedCall&) = delete;

  // Unlinked first, so that the call may itself defer.
  ~ChainedCall() {
    tls_chain = older;
    run(this);  // through the record, as a walker of the chain would
  }

 private:
  static void run_record(Link* self) {
    std::apply(Target, static_cast<ChainedCall*>(self)->args_);
  }

  [[no_unique_address]] std::tuple<Args...> args_;  // no byte when there are none
};

}  // namespace defer::floor
