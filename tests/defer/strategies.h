// Test adapters: each gives one strategy a Frame type and a defer() that
// registers a call in it, so one typed test checks every strategy alike.
#pragma once

#include <utility>
#include <vector>

#include "defer/chain.h"
#include "defer/open_frame.h"

namespace defer_test {

// A deferred call that records `id`; small enough to be stored inline.
inline void record(std::vector<int>* order, int id) { order->push_back(id); }

struct ChainStack {
  using Frame = defer::chain::Frame<9>;
  template <class... A>
  static void defer(Frame& f, A&&... a) { f.defer_stack(std::forward<A>(a)...); }
};
struct ChainHeap {
  using Frame = defer::chain::Frame<>;
  template <class... A>
  static void defer(Frame& f, A&&... a) { f.defer_heap(std::forward<A>(a)...); }
};
struct ChainPooled {
  using Frame = defer::chain::Frame<>;
  template <class... A>
  static void defer(Frame& f, A&&... a) { f.defer_pooled(std::forward<A>(a)...); }
};
struct OpenBits {  // eight declared defers: open-coded
  using Frame = defer::OpenFrame<defer::FrameShape{.defers = 8}>;
  template <class... A>
  static void defer(Frame& f, A&&... a) { f.defer(std::forward<A>(a)...); }
};
struct OpenBitsNine {  // nine declared defers: falls back to stack records
  using Frame = defer::OpenFrame<defer::FrameShape{.defers = 9}>;
  template <class... A>
  static void defer(Frame& f, A&&... a) { f.defer(std::forward<A>(a)...); }
};
struct OpenBitsLoop {  // a defer in a loop: heap records
  using Frame = defer::OpenFrame<defer::FrameShape{.defers = 1, .in_loop = true}>;
  template <class... A>
  static void defer(Frame& f, A&&... a) { f.defer_in_loop(std::forward<A>(a)...); }
};

}  // namespace defer_test
