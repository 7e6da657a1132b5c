// defer::chain: Go's runtime defer chain (deferproc / deferreturn).
//
// Before open-coding, every Go defer statement called into the runtime. The
// runtime keeps, per goroutine, a singly linked list of _defer records, the
// newest first. `defer f()` pushes a record (deferproc); at every return the
// compiler calls deferreturn, which pops and runs the records that belong to
// the returning frame, newest first. Where the record lives is the cost:
//
//   Frame::defer_stack   the record is a slot in the caller's frame: no
//                        allocation (Go 1.13 deferprocStack, claim A1).
//   Frame::defer_heap    the record comes from operator new and goes back to
//                        operator delete (Go's deferproc without its pool).
//   Frame::defer_pooled  the record comes from a per-thread free list and
//                        returns to it; the heap is touched only when the list
//                        is empty (Go's newdefer / deferpool / freedefer).
//
// A Frame marks a function's frame: it remembers the chain's head when it is
// created and, when it is destroyed, runs every record pushed since, newest
// first (deferreturn). So records registered in a loop pile up until the
// function returns (claim R6, the root of article B's first cliff), and a
// C++ exception unwinding the frame runs them too (Go's panic path).
//
//   void copy(File& in, File& out) {
//     defer::chain::Frame<1> frame;          // one stack slot
//     frame.defer_stack(&File::close, &in);  // runs last
//     frame.defer_heap(&File::close, &out);  // runs first
//   }
//
// Invariants, checked where they are cheap, each failure naming its place:
//   - the chain is per thread; a Frame is created and destroyed on one thread;
//   - Frames are destroyed in reverse order of creation (they are locals);
//   - a record is unlinked before its call runs, so a deferred call may itself
//     use the chain;
//   - a Frame never holds more stack records than its StackSlots.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "defer/deferred_call.h"

namespace defer::chain {

// A _defer record. Where it came from is not stored: the record's call was
// armed with the matching policy below, so running it also gives the record
// back, and deferreturn never asks.
struct Record {
  DeferredCall call;  // first: a record and its call share an address
  Record* link;       // the next older record on this thread's chain
};
static_assert(std::is_standard_layout_v<Record>);

// The newest record of this thread's chain (Go: g._defer).
extern thread_local constinit Record* tls_head;

// Records kept on this thread's free list at most; the rest go back to the
// heap. Go's per-P pool spills to a global one; a thread-local bound keeps
// ours simple and its memory bounded.
inline constexpr std::size_t kPoolCapacity = 1024;

// This thread's free list of records (Go: pp.deferpool). Trivially
// destructible, so the fast path reads it with no TLS guard; what is left is
// freed when the thread exits (chain.cc).
struct Pool {
  Record* first = nullptr;
  std::size_t size = 0;
};
extern thread_local constinit Pool tls_pool;

// The slow halves, out of line: allocation when the pool is empty, and
// freeing when it is full.
Record* pool_refill();
void pool_overflow(Record* r) noexcept;
void heap_free(Record* r) noexcept;

// Go's newdefer: a record from this thread's free list, else operator new.
inline Record* pool_get() {
  Record* r = tls_pool.first;
  if (r == nullptr) [[unlikely]] return pool_refill();
  tls_pool.first = r->link;
  --tls_pool.size;
  return r;
}

// Go's freedefer: the record back to the free list, or to the heap when full.
inline void pool_put(Record* r) noexcept {
  if (tls_pool.size == kPoolCapacity) [[unlikely]] return pool_overflow(r);
  r->link = tls_pool.first;
  tls_pool.first = r;
  ++tls_pool.size;
}

// Records on this thread's free list now (for tests and results).
inline std::size_t pool_size() noexcept { return tls_pool.size; }

// The After policies of DeferredCall::arm, one per record origin.
inline Record* record_of(DeferredCall* call) noexcept {
  return reinterpret_cast<Record*>(call);  // call is Record's first member
}
struct InFrame {  // a slot of the caller's frame: nothing to give back
  static void after(DeferredCall*) noexcept {}
};
struct FromHeap {
  static void after(DeferredCall* call) noexcept { heap_free(record_of(call)); }
};
struct FromPool {
  static void after(DeferredCall* call) noexcept { pool_put(record_of(call)); }
};

// Terminates with a message naming the broken invariant and its place.
[[noreturn]] void invariant_failed(const char* where, const char* what) noexcept;

// Go's deferreturn: runs, newest first, every record pushed after `mark`.
// Inline, so that a frame's exit costs no call into the library when its
// records are stack records.
inline void run_until(Record* mark) noexcept {
  while (tls_head != mark) {
    Record* r = tls_head;
    if (r == nullptr) [[unlikely]] {
      invariant_failed("chain::run_until",
                       "the frame's mark is not on this thread's chain: a "
                       "Frame outlived its thread, or frames were destroyed "
                       "out of order");
    }
    tls_head = r->link;  // unlink first: the call may push records itself
    r->call.run();       // also gives the record back (see Record)
  }
}

template <std::size_t StackSlots = 0>
class Frame {
 public:
  Frame() noexcept : mark_(tls_head) {}
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
  ~Frame() { run_until(mark_); }

  // deferprocStack: the record is one of this frame's own slots.
  template <class F, class... Args>
  void defer_stack(F&& f, Args&&... args) {
    static_assert(StackSlots > 0,
                  "defer_stack needs a stack slot: declare the frame as "
                  "defer::chain::Frame<N> with N >= the number of defer_stack "
                  "statements (a defer in a loop belongs on the heap)");
    if (used_ == StackSlots) {
      invariant_failed("chain::Frame::defer_stack",
                       "more stack records than the frame has slots; a defer "
                       "in a loop must use defer_heap or defer_pooled");
    }
    push<InFrame>(&slots_[used_++], std::forward<F>(f), std::forward<Args>(args)...);
  }

  // deferproc with a record from operator new.
  template <class F, class... Args>
  void defer_heap(F&& f, Args&&... args) {
    push<FromHeap>(new Record, std::forward<F>(f), std::forward<Args>(args)...);
  }

  // deferproc with a record from this thread's free list.
  template <class F, class... Args>
  void defer_pooled(F&& f, Args&&... args) {
    push<FromPool>(pool_get(), std::forward<F>(f), std::forward<Args>(args)...);
  }

 private:
  template <class Origin, class F, class... Args>
  static void push(Record* r, F&& f, Args&&... args) {
    try {
      r->call.template arm<Origin>(
          bind_now(std::forward<F>(f), std::forward<Args>(args)...));
    } catch (...) {  // boxing a large callable failed: the record is unused
      Origin::after(&r->call);
      throw;
    }
    r->link = tls_head;
    tls_head = r;
  }

  Record* const mark_;
  std::size_t used_ = 0;
  std::array<Record, StackSlots> slots_;
};

}  // namespace defer::chain
