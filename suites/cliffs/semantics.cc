#include "cliffs/semantics.h"

#include <stdexcept>
#include <utility>

#include "defer/chain.h"
#include "defer/guard.h"
#include "defer/open_frame.h"
#include "opaque.h"

namespace cliffs::semantics {
namespace {

using Events = std::vector<std::string>;

void note(Events* events, const char* what) { events->push_back(what); }
void ran(Events* events, int n) { events->push_back("ran " + std::to_string(n)); }
void receive(Observation* o, int v) { o->received = v; }

// A value the optimiser cannot know, so that x's changes are real stores.
DEFERBENCH_OPAQUE int value(int v) { return v; }

// The frame strategies: a frame whose deferred calls run when it ends, as a
// Go function's do at its return. The guard has no frame (see each experiment).
struct Chain {
  defer::chain::Frame<4> frame;
  template <class... A>
  void defer(A&&... a) { frame.defer_stack(std::forward<A>(a)...); }
};
struct Open {
  defer::OpenFrame<defer::FrameShape{.defers = 4}> frame;
  template <class... A>
  void defer(A&&... a) { frame.defer(std::forward<A>(a)...); }
};

template <class Frame>
void lifo_in(Observation& o) {
  Frame f;
  for (int n = 1; n <= 3; ++n) {
    o.events.push_back("defer " + std::to_string(n));
    f.defer(ran, &o.events, n);
  }
}

void lifo_guard(Observation& o) {
  note(&o.events, "defer 1");
  auto a = defer::guard(ran, &o.events, 1);
  note(&o.events, "defer 2");
  auto b = defer::guard(ran, &o.events, 2);
  note(&o.events, "defer 3");
  auto c = defer::guard(ran, &o.events, 3);
}

template <class Frame>
void eager_in(Observation& o) {
  Frame f;
  int x = value(1);
  o.at_defer = x;
  f.defer(receive, &o, x);
  x = value(2);
  o.at_return = x;
  note(&o.events, "x changed to 2");
  note(&o.events, "return");
}

void eager_guard(Observation& o) {
  int x = value(1);
  o.at_defer = x;
  auto g = defer::guard(receive, &o, x);
  x = value(2);
  o.at_return = x;
  note(&o.events, "x changed to 2");
  note(&o.events, "return");
}

template <class Frame>
void panic_in(Observation& o) {
  Frame f;
  f.defer(ran, &o.events, 1);
  f.defer(ran, &o.events, 2);
  note(&o.events, "panic");
  throw std::runtime_error(o.panicked);
}

void panic_guard(Observation& o) {
  auto a = defer::guard(ran, &o.events, 1);
  auto b = defer::guard(ran, &o.events, 2);
  note(&o.events, "panic");
  throw std::runtime_error(o.panicked);
}

template <class Frame>
void scope_in(Observation& o) {
  Frame f;
  if (value(1) == 1) {
    f.defer(note, &o.events, "deferred call ran");
    note(&o.events, "block ends");
  }
  note(&o.events, "code after the block");
  note(&o.events, "return");
}

// A guard is scoped to its block, as C++ scopes every object: Go's `defer`
// inside an if, written with a guard, runs at the block's end.
void scope_guard(Observation& o) {
  if (value(1) == 1) {
    auto g = defer::guard(note, &o.events, "deferred call ran");
    note(&o.events, "block ends");
  }
  note(&o.events, "code after the block");
  note(&o.events, "return");
}

template <void (*Guard)(Observation&), void (*InChain)(Observation&),
          void (*InOpen)(Observation&)>
Observation observe(const std::string& strategy) {
  Observation o;
  if (strategy == "guard") {
    Guard(o);
  } else if (strategy == "chain") {
    InChain(o);
  } else if (strategy == "open_frame") {
    InOpen(o);
  } else {
    throw std::invalid_argument("no strategy " + strategy);
  }
  return o;
}

}  // namespace

std::string after(const std::vector<std::string>& events, const std::string& prefix) {
  std::string out;
  for (const auto& e : events) {
    if (e.rfind(prefix, 0) == 0) out += (out.empty() ? "" : ",") + e.substr(prefix.size());
  }
  return out;
}

Observation lifo(const std::string& strategy) {
  return observe<lifo_guard, lifo_in<Chain>, lifo_in<Open>>(strategy);
}

Observation eager_args(const std::string& strategy) {
  return observe<eager_guard, eager_in<Chain>, eager_in<Open>>(strategy);
}

Observation panic(const std::string& strategy) {
  Observation o;
  o.panicked = "boom";
  // A C++ exception is caught by the caller, after the frame's deferred
  // calls ran while it unwound: Go's recover in a deferred call.
  try {
    if (strategy == "guard") {
      panic_guard(o);
    } else if (strategy == "chain") {
      panic_in<Chain>(o);
    } else if (strategy == "open_frame") {
      panic_in<Open>(o);
    } else {
      throw std::invalid_argument("no strategy " + strategy);
    }
  } catch (const std::runtime_error& e) {
    o.recovered = e.what();
    note(&o.events, "recovered");
  }
  return o;
}

Observation function_scope(const std::string& strategy) {
  return observe<scope_guard, scope_in<Chain>, scope_in<Open>>(strategy);
}

}  // namespace cliffs::semantics
