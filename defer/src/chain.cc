// The per-thread state behind defer::chain (the chain's head and the record
// free list) and the slow paths of newdefer and freedefer.
#include "defer/chain.h"

#include <cstdio>
#include <cstdlib>

namespace defer::chain {

thread_local constinit Record* tls_head = nullptr;

thread_local constinit Pool tls_pool;

namespace {

struct PoolReaper {
  ~PoolReaper() {
    while (Record* r = tls_pool.first) {
      tls_pool.first = r->link;
      delete r;
    }
    tls_pool.size = 0;
  }
};

}  // namespace

Record* pool_refill() {
  // The first refill on a thread registers the reaper, off the fast path.
  thread_local PoolReaper reaper;
  (void)reaper;
  return new Record;
}

void pool_overflow(Record* r) noexcept { delete r; }

void heap_free(Record* r) noexcept { delete r; }

void invariant_failed(const char* where, const char* what) noexcept {
  std::fprintf(stderr, "deferbench: %s: %s\n", where, what);
  std::abort();
}

}  // namespace defer::chain
