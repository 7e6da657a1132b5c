// defer::go: a model of Go 1.19's defer runtime, step by step, with its sizes.
//
// The other strategies in this library are what C++ can do for the guarantee
// a defer gives. This one does the work Go's runtime does for it
// (src/runtime/panic.go of Go 1.19), so that its cost can stand beside Go's:
//
//   defer_proc_stack   deferprocStack: initialise a record that lives in the
//                      caller's frame and link it on the goroutine's chain.
//   defer_proc         deferproc: a record from newdefer, linked the same way.
//   new_defer          newdefer: pop the per-P pool (32 records), refilling it
//                      to half from the central pool, under its lock, when it
//                      is empty; allocate only when both are empty.
//   free_defer         freedefer: check the record, and when it came from the
//                      heap zero it and push it on the per-P pool, first
//                      moving half of a full pool to the central one.
//   defer_return       deferreturn: for every record of the caller's frame
//                      (its sp matches), unlink it, free it, call its closure.
//
// The model keeps Go's shapes: a record of 72 bytes laid out as _defer; a
// deferred call as a closure (funcval) called indirectly, since Go 1.18 wraps
// every `defer f(args)` in a `func() { f(args) }`; the G, M and P that the
// runtime reaches from the goroutine (here one of each per thread, so "per P"
// reads "per thread"); the stack-bound check that begins every Go function
// that is not nosplit; the write-barrier flag tested before each pointer store
// into the heap. What it leaves out has no counterpart here: the garbage
// collector (it never runs, so the barrier is never on and the central pool is
// never cleared), goroutine preemption and stack growth (the checks are made;
// their slow paths abort), and panic/recover's bookkeeping (a C++ exception
// unwinds the frames instead, and runs their records through deferreturn).
//
// Go 1.22 rewrote this path: deferreturn walks the chain through the panic
// machinery (a _panic value on the stack), and records lost their sp check in
// favour of the panic's frame iterator. The model follows 1.19, the release
// the project builds against.
//
// Invariants: a record is unlinked before its closure runs; records are
// linked and unlinked on one thread; a record's sp names the frame that
// registered it, and deferreturn runs only those.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "defer/local_tls.h"

namespace defer::go {

// A closure: Go's funcval, the code pointer first and the captured values
// after it. The code receives the closure itself (Go passes it in DX).
struct FuncVal {
  void (*fn)(FuncVal*);
};

// _defer in Go 1.19 (runtime2.go), field for field.
struct Defer {
  bool started;
  bool heap;
  bool open_defer;
  std::uintptr_t sp;      // the sp of the frame that deferred
  std::uintptr_t pc;      // where it deferred from
  FuncVal* fn;            // nil once called
  void* panic;            // _panic running this defer, if any
  Defer* link;            // the next older record of this goroutine
  void* fd;               // funcdata of an open-coded frame's record
  std::uintptr_t varp;    // an open-coded frame's varp
  std::uintptr_t framepc; // an open-coded frame's pc
};
static_assert(sizeof(Defer) == 72, "Go 1.19's _defer is 72 bytes on 64-bit targets");

// A P's pool is a slice of its own 32-entry buffer (p.deferpoolbuf).
inline constexpr std::size_t kPoolCapacity = 32;

struct M;
struct P;

// The goroutine: the fields deferproc and deferreturn read.
struct G {
  std::uintptr_t stackguard0;  // every split function compares sp with it
  Defer* defer_head;           // g._defer
  M* m;
  bool preempt;
};

struct M {
  G* curg;
  P* p;
  int locks;  // acquirem/releasem: no preemption while held
};

struct P {
  Defer** deferpool;  // the slice's array: deferpoolbuf
  std::size_t len;    // len(pp.deferpool); its cap is kPoolCapacity
  Defer* deferpoolbuf[kPoolCapacity];
};

// sched.deferlock and sched.deferpool: the records every P spilled. The
// unlocked test of deferpool in newdefer is an atomic load here, as a plain
// load would be a data race in C++.
struct Sched {
  std::mutex deferlock;
  std::atomic<Defer*> deferpool{nullptr};
};
extern Sched sched;

// writeBarrier.enabled: on only while the collector marks, so never here, but
// tested before every pointer store into the heap, as Go's compiler emits.
extern std::atomic<bool> write_barrier_enabled;

// One goroutine, its M and its P per thread.
struct Runtime {
  G g;
  M m;
  P p;
};

extern thread_local constinit Runtime tls_runtime DEFER_LOCAL_TLS;

// Wires a thread's G, M and P together on its first defer.
void attach(Runtime& r) noexcept;

// This thread's goroutine (getg: Go keeps it in a register, R14 on amd64;
// here a thread-local at a fixed offset from the thread pointer, wired on
// first use since a thread-local's address is no constant).
inline G* getg() noexcept {
  Runtime& r = tls_runtime;
  if (r.g.m == nullptr) [[unlikely]] attach(r);
  return &r.g;
}

// The entry points the compiler calls (see go_frame.h). Each returns 0, as
// Go's do; 1 would mean a deferred call recovered a panic, which the model
// has no way to do.
int defer_proc_stack(Defer* d, std::uintptr_t sp) noexcept;
int defer_proc(FuncVal* fn, std::uintptr_t sp);
void defer_return(std::uintptr_t sp);

// The runtime's halves of the pool, exposed for tests.
Defer* new_defer();
void free_defer(Defer* d) noexcept;

// Records in this thread's per-P pool and in the central pool, for tests.
std::size_t pool_len() noexcept;
std::size_t central_pool_len();

// throw(): Go's fatal error, with the runtime's message.
[[noreturn]] void fatal(const char* what) noexcept;

}  // namespace defer::go
