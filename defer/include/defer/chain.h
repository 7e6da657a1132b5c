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
//                        returns to it; when the list is empty a block of
//                        records is carved from one allocation (Go's
//                        newdefer / deferpool / freedefer over its allocator's
//                        size-class spans).
//
// Heap and pooled records come in three sizes, 24, 32 and 40 bytes, each the
// smallest whose call holds the callable inline (a larger callable is boxed
// in the smallest), so a deferred close(fd) costs 24 bytes. Stack records are
// declared before their callable is known, so they all hold three words.
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
#include "defer/local_tls.h"

namespace defer::chain {

// A _defer record's header: the link to the next older record on this
// thread's chain (Go: _defer.link). The record's call follows it, at
// kCallOffset whatever the record's size.
struct Record {
  Record* link;
};

// A record with room for a callable of InlineBytes. Where it came from is not
// stored: its call was armed with the matching After policy below, so running
// it also gives the record back, and deferreturn never asks.
template <std::size_t InlineBytes>
struct SizedRecord {
  Record head;
  BasicDeferredCall<InlineBytes> call;
};

inline constexpr std::size_t kCallOffset = sizeof(Record);

// The size classes of heap and pooled records, by inline bytes.
inline constexpr std::size_t kSizeClasses[] = {8, 16, 24};

// The smallest class whose call holds Fn inline; the smallest of all when
// none does, since the call then holds only the pointer to Fn's box.
template <class Fn>
inline constexpr std::size_t size_class_for =
    BasicDeferredCall<8>::fits_inline<Fn>    ? 8
    : BasicDeferredCall<16>::fits_inline<Fn> ? 16
    : BasicDeferredCall<24>::fits_inline<Fn> ? 24
                                             : 8;

// What a Frame's stack slots are: one size, chosen before the callable is.
using StackRecord = SizedRecord<DeferredCall::kInlineBytes>;

template <std::size_t InlineBytes>
inline constexpr bool valid_record_layout =
    std::is_standard_layout_v<SizedRecord<InlineBytes>> &&
    offsetof(SizedRecord<InlineBytes>, call) == kCallOffset;
static_assert(valid_record_layout<8> && valid_record_layout<16> &&
              valid_record_layout<24>);
static_assert(sizeof(SizedRecord<8>) == 24 && sizeof(SizedRecord<16>) == 32 &&
              sizeof(SizedRecord<24>) == 40);

// The call of a record of any size, and the record of a call of known size.
inline void* call_of(Record* r) noexcept {
  return reinterpret_cast<std::byte*>(r) + kCallOffset;
}
template <std::size_t InlineBytes>
SizedRecord<InlineBytes>* record_of(void* call) noexcept {
  return reinterpret_cast<SizedRecord<InlineBytes>*>(static_cast<std::byte*>(call) -
                                                     kCallOffset);
}

// Where every thread's chain ends: a record whose call reports a broken
// invariant. deferreturn stops at its frame's mark; reaching the end instead
// means frames ended out of order or outlived their thread, and running the
// end's call says so. A sentinel rather than a null pointer keeps that test
// out of the loop: one comparison per record, against the mark.
extern constinit SizedRecord<8> end_of_chain;

// The newest record of this thread's chain (Go: g._defer); &end_of_chain.head
// when empty.
extern thread_local constinit Record* tls_head DEFER_LOCAL_TLS;

// Whether this thread's chain holds no record (for tests and checks).
inline bool chain_is_empty() noexcept { return tls_head == &end_of_chain.head; }

// This thread's free list of records of one size class (Go: pp.deferpool).
// Trivially destructible, so the fast path reads it with no TLS guard. It has
// no bound: records carved from a block cannot go back to the heap one by one,
// so the blocks stay with the thread until it exits (chain.cc), much as Go's
// pools keep records until the next collection.
struct Pool {
  Record* first = nullptr;
  std::size_t size = 0;
};
template <std::size_t InlineBytes>
inline thread_local constinit Pool tls_pool DEFER_LOCAL_TLS;

// The slow half of newdefer, out of line: carves a new block into records of
// `record_bytes`, puts all but one on `pool`, and returns that one.
Record* pool_refill(Pool& pool, std::size_t record_bytes);

// Go's newdefer: a record from this thread's free list of its size class.
template <std::size_t InlineBytes>
SizedRecord<InlineBytes>* pool_get() {
  Pool& pool = tls_pool<InlineBytes>;
  Record* r = pool.first;
  if (r == nullptr) [[unlikely]] {
    r = pool_refill(pool, sizeof(SizedRecord<InlineBytes>));
  } else {
    pool.first = r->link;
    --pool.size;
  }
  return ::new (static_cast<void*>(r)) SizedRecord<InlineBytes>;
}

// Go's freedefer: the record back to its free list.
template <std::size_t InlineBytes>
void pool_put(SizedRecord<InlineBytes>* record) noexcept {
  Pool& pool = tls_pool<InlineBytes>;
  record->head.link = pool.first;
  pool.first = &record->head;
  ++pool.size;
}

// Records on this thread's free lists now, all sizes (for tests and results).
inline std::size_t pool_size() noexcept {
  return tls_pool<8>.size + tls_pool<16>.size + tls_pool<24>.size;
}

// The After policies of BasicDeferredCall::arm, one per record origin.
struct InFrame {  // a slot of the caller's frame: nothing to give back
  static void after(void*) noexcept {}
};
template <std::size_t InlineBytes>
struct FromHeap {
  static void after(void* call) noexcept { delete record_of<InlineBytes>(call); }
};
template <std::size_t InlineBytes>
struct FromPool {
  static void after(void* call) noexcept { pool_put(record_of<InlineBytes>(call)); }
};

// Terminates with a message naming the broken invariant and its place.
[[noreturn]] void invariant_failed(const char* where, const char* what) noexcept;

// Go's deferreturn: runs, newest first, every record pushed after `mark`.
// Inline, so that a frame's exit costs no call into the library when its
// records are stack records.
inline void run_until(Record* mark) noexcept {
  while (tls_head != mark) {
    Record* r = tls_head;
    tls_head = r->link;            // unlink first: the call may push records
    run_deferred_call(call_of(r));  // also gives the record back (SizedRecord);
  }                                 // the end of the chain reports and aborts
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
    push<InFrame>(&slots_[used_++],
                  bind_now(std::forward<F>(f), std::forward<Args>(args)...));
  }

  // deferproc with a record from operator new, of the callable's size class.
  template <class F, class... Args>
  void defer_heap(F&& f, Args&&... args) {
    auto bound = bind_now(std::forward<F>(f), std::forward<Args>(args)...);
    constexpr std::size_t kClass = size_class_for<decltype(bound)>;
    push<FromHeap<kClass>>(new SizedRecord<kClass>, std::move(bound));
  }

  // deferproc with a record from this thread's free list of its size class.
  template <class F, class... Args>
  void defer_pooled(F&& f, Args&&... args) {
    auto bound = bind_now(std::forward<F>(f), std::forward<Args>(args)...);
    constexpr std::size_t kClass = size_class_for<decltype(bound)>;
    push<FromPool<kClass>>(pool_get<kClass>(), std::move(bound));
  }

 private:
  template <class Origin, std::size_t InlineBytes, class Fn>
  static void push(SizedRecord<InlineBytes>* r, Fn&& fn) {
    try {
      r->call.template arm<Origin>(std::forward<Fn>(fn));
    } catch (...) {  // boxing a large callable failed: the record is unused
      Origin::after(&r->call);
      throw;
    }
    r->head.link = tls_head;
    tls_head = &r->head;
  }

  Record* const mark_;
  std::size_t used_ = 0;
  std::array<StackRecord, StackSlots> slots_;
};

}  // namespace defer::chain
