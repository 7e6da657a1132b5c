// The per-thread state behind defer::chain (the chain's head and the record
// free lists) and the slow path of newdefer: carving a block into records.
#include "defer/chain.h"

#include <cstdio>
#include <cstdlib>
#include <new>

namespace defer::chain {

namespace {

// The end of chain's call: deferreturn ran past its frame's mark.
[[noreturn]] void ran_off_the_chain(void*) {
  invariant_failed("chain::run_until",
                   "the frame's mark is not on this thread's chain: a Frame "
                   "outlived its thread, or frames were destroyed out of order");
}

}  // namespace

constinit SizedRecord<8> end_of_chain{
    {&end_of_chain.head},
    BasicDeferredCall<8>(BasicDeferredCall<8>::Sentinel{}, &ran_off_the_chain)};

thread_local constinit Record* tls_head DEFER_LOCAL_TLS = &end_of_chain.head;

namespace {

// One allocation per refill. 16 KiB carves into 682 records of 24 bytes, so
// the block's own header and malloc's add well under a byte per record.
constexpr std::size_t kBlockBytes = 16 * 1024;

struct Block {
  Block* next;
};
static_assert(sizeof(Block) % alignof(Record) == 0);

// This thread's blocks, freed when it exits. Every record is back on a free
// list by then: records belong to frames, and frames are locals.
struct Blocks {
  Block* first = nullptr;
  ~Blocks() {
    while (Block* b = first) {
      first = b->next;
      ::operator delete(b);
    }
    tls_pool<8> = Pool{};
    tls_pool<16> = Pool{};
    tls_pool<24> = Pool{};
  }
};

thread_local Blocks tls_blocks;

}  // namespace

Record* pool_refill(Pool& pool, std::size_t record_bytes) {
  auto* block = static_cast<std::byte*>(::operator new(kBlockBytes));
  tls_blocks.first = ::new (static_cast<void*>(block)) Block{tls_blocks.first};
  std::byte* records = block + sizeof(Block);
  const std::size_t count = (kBlockBytes - sizeof(Block)) / record_bytes;
  // The first record goes to the caller; the rest onto the list, the lowest
  // address on top, so a loop's records are handed out in address order.
  for (std::size_t i = count - 1; i >= 1; --i) {
    pool.first = ::new (static_cast<void*>(records + i * record_bytes)) Record{pool.first};
  }
  pool.size += count - 1;
  return ::new (static_cast<void*>(records)) Record{nullptr};
}

void invariant_failed(const char* where, const char* what) noexcept {
  std::fprintf(stderr, "deferbench: %s: %s\n", where, what);
  std::abort();
}

}  // namespace defer::chain
