// The model of Go 1.19's defer runtime (go_runtime.h): deferprocStack,
// deferproc, newdefer, freedefer and deferreturn, each a function of its own
// as in src/runtime/panic.go, so that the calls between them are made.
#include "defer/go_runtime.h"

#include <cstdio>
#include <cstdlib>

namespace defer::go {

Sched sched;
std::atomic<bool> write_barrier_enabled{false};
thread_local constinit Runtime tls_runtime DEFER_LOCAL_TLS{};

namespace {

// Go's functions that are not nosplit begin by comparing sp with
// g.stackguard0 and calling morestack when it is below. The model's stacks
// never grow and nothing requests preemption, so the slow path never runs;
// the comparison is made. __builtin_frame_address also makes the function
// keep a frame pointer, as Go's amd64 and arm64 functions do.
[[gnu::always_inline]] inline void split_check(const G* gp) noexcept {
  const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (sp <= gp->stackguard0) [[unlikely]] fatal("morestack: stack growth is not modelled");
}

[[gnu::noinline, gnu::cold]] void shade() noexcept {
  fatal("write barrier: the model has no collector to shade for");
}

// A pointer store into the heap, behind Go's write-barrier test.
template <class T>
[[gnu::always_inline]] inline void store_pointer(T*& slot, T* value) noexcept {
  if (write_barrier_enabled.load(std::memory_order_relaxed)) [[unlikely]] shade();
  slot = value;
}

// acquirem / releasem: the M may not be preempted while it uses its P.
[[gnu::always_inline]] inline M* acquirem(G* gp) noexcept {
  M* mp = gp->m;
  ++mp->locks;
  return mp;
}
[[gnu::always_inline]] inline void releasem(G* gp, M* mp) noexcept {
  --mp->locks;
  if (mp->locks == 0 && gp->preempt) [[unlikely]] gp->stackguard0 = ~std::uintptr_t{0};
}

[[gnu::always_inline]] inline std::uintptr_t callerpc() noexcept {
  return reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
}

// A thread's pool goes to the central one when the thread ends, as a P's
// would when it is destroyed, so no record is lost.
struct Detach {
  ~Detach() {
    P& pp = tls_runtime.p;
    if (pp.deferpool == nullptr) return;
    std::lock_guard lock(sched.deferlock);
    for (std::size_t i = 0; i < pp.len; ++i) {
      pp.deferpool[i]->link = sched.deferpool.load(std::memory_order_relaxed);
      sched.deferpool.store(pp.deferpool[i], std::memory_order_relaxed);
    }
    pp.len = 0;
  }
};
thread_local Detach tls_detach;

[[noreturn, gnu::noinline, gnu::cold]] void freedeferpanic() noexcept {
  fatal("freedefer with d._panic != nil");
}
[[noreturn, gnu::noinline, gnu::cold]] void freedeferfn() noexcept {
  fatal("freedefer with d.fn != nil");
}

}  // namespace

void attach(Runtime& r) noexcept {
  r.g.m = &r.m;
  r.m.curg = &r.g;
  r.m.p = &r.p;
  r.p.deferpool = r.p.deferpoolbuf;
  (void)&tls_detach;  // registers its destructor for this thread
}

[[gnu::noinline]] int defer_proc_stack(Defer* d, std::uintptr_t sp) noexcept {
  // nosplit in Go: no stack check.
  G* gp = getg();
  if (gp->m->curg != gp) [[unlikely]] fatal("defer on system stack");
  // fn is set by the caller; every other field is junk until here.
  d->started = false;
  d->heap = false;
  d->open_defer = false;
  d->sp = sp;
  d->pc = callerpc();
  d->framepc = 0;
  d->varp = 0;
  // Stores to the stack and a chain Go marks on its own: no write barriers.
  d->panic = nullptr;
  d->fd = nullptr;
  d->link = gp->defer_head;
  gp->defer_head = d;
  return 0;
}

[[gnu::noinline]] Defer* new_defer() {
  G* gp = getg();
  split_check(gp);
  Defer* d = nullptr;
  M* mp = acquirem(gp);
  P* pp = mp->p;
  if (pp->len == 0 && sched.deferpool.load(std::memory_order_relaxed) != nullptr) {
    // Refill to half capacity from the central pool.
    std::lock_guard lock(sched.deferlock);
    while (pp->len < kPoolCapacity / 2) {
      Defer* c = sched.deferpool.load(std::memory_order_relaxed);
      if (c == nullptr) break;
      sched.deferpool.store(c->link, std::memory_order_relaxed);
      store_pointer(c->link, static_cast<Defer*>(nullptr));
      store_pointer(pp->deferpool[pp->len++], c);
    }
  }
  if (const std::size_t n = pp->len; n > 0) {
    d = pp->deferpool[n - 1];
    store_pointer(pp->deferpool[n - 1], static_cast<Defer*>(nullptr));
    pp->len = n - 1;
  }
  releasem(gp, mp);
  if (d == nullptr) d = new Defer{};  // mallocgc returns zeroed memory
  d->heap = true;
  return d;
}

// nosplit in Go: no stack check.
[[gnu::noinline]] void free_defer(Defer* d) noexcept {
  store_pointer(d->link, static_cast<Defer*>(nullptr));
  if (d->panic != nullptr) [[unlikely]] freedeferpanic();
  if (d->fn != nullptr) [[unlikely]] freedeferfn();
  if (!d->heap) return;

  G* gp = getg();
  M* mp = acquirem(gp);
  P* pp = mp->p;
  if (pp->len == kPoolCapacity) [[unlikely]] {
    // Move half of the local pool to the central one, linked first to last.
    Defer* first = nullptr;
    Defer* last = nullptr;
    while (pp->len > kPoolCapacity / 2) {
      const std::size_t n = pp->len;
      Defer* s = pp->deferpool[n - 1];
      store_pointer(pp->deferpool[n - 1], static_cast<Defer*>(nullptr));
      pp->len = n - 1;
      if (first == nullptr) {
        first = s;
      } else {
        store_pointer(last->link, s);
      }
      last = s;
    }
    std::lock_guard lock(sched.deferlock);
    store_pointer(last->link, sched.deferpool.load(std::memory_order_relaxed));
    sched.deferpool.store(first, std::memory_order_relaxed);
  }
  // *d = _defer{}: a typed clear, behind the barrier test.
  if (write_barrier_enabled.load(std::memory_order_relaxed)) [[unlikely]] shade();
  *d = Defer{};
  store_pointer(pp->deferpool[pp->len++], d);  // append within cap
  releasem(gp, mp);
}

[[gnu::noinline]] int defer_proc(FuncVal* fn, std::uintptr_t sp) {
  G* gp = getg();
  split_check(gp);
  if (gp->m->curg != gp) [[unlikely]] fatal("defer on system stack");
  Defer* d = new_defer();
  if (d->panic != nullptr) [[unlikely]] fatal("deferproc: d.panic != nil after newdefer");
  store_pointer(d->link, gp->defer_head);
  store_pointer(gp->defer_head, d);
  store_pointer(d->fn, fn);
  d->pc = callerpc();
  d->sp = sp;
  return 0;
}

[[gnu::noinline]] void defer_return(std::uintptr_t sp) {
  G* gp = getg();
  split_check(gp);
  for (;;) {
    Defer* d = gp->defer_head;
    if (d == nullptr) return;
    if (d->sp != sp) return;
    if (d->open_defer) [[unlikely]] {
      // Go makes records for open-coded frames only while panicking; the
      // model's open-coded frames unwind without them.
      fatal("deferreturn: an open-coded record, which the model never makes");
    }
    FuncVal* fn = d->fn;
    store_pointer(d->fn, static_cast<FuncVal*>(nullptr));
    store_pointer(gp->defer_head, d->link);
    free_defer(d);
    fn->fn(fn);
  }
}

std::size_t pool_len() noexcept { return getg()->m->p->len; }

std::size_t central_pool_len() {
  std::lock_guard lock(sched.deferlock);
  std::size_t n = 0;
  for (Defer* d = sched.deferpool.load(std::memory_order_relaxed); d != nullptr; d = d->link) ++n;
  return n;
}

void fatal(const char* what) noexcept {
  std::fprintf(stderr, "deferbench: go model: fatal error: %s\n", what);
  std::abort();
}

}  // namespace defer::go
