#include "cliffs/workloads.h"

#include <utility>

#include "defer/chain.h"
#include "defer/deferred_call.h"
#include "defer/go_frame.h"
#include "defer/guard.h"
#include "opaque.h"

namespace cliffs {

Ledger& ledger() {
  static Ledger instance;
  return instance;
}

void reset_ledger() {
  auto* order = ledger().close_order;
  ledger() = Ledger{};
  ledger().close_order = order;
}

std::vector<Item> make_items(std::size_t n) {
  std::vector<Item> items(n);
  for (std::size_t i = 0; i < n; ++i) {
    items[i] = Item{i + 1, {i * 3 + 1, i * 5 + 2, i * 7 + 3}};
  }
  return items;
}

// Opening does the item's work (a checksum of its payload) and counts the
// resource as open; closing counts it closed. Opaque, so no variant can skip
// either half.
DEFERBENCH_OPAQUE Resource open_resource(const Item& item) {
  Ledger& l = ledger();
  // Sums only: the checksum must not depend on the order in which the
  // variants interleave opens and closes.
  l.checksum += item.payload[0] + item.payload[1] * 7 + item.payload[2] * 13;
  if (++l.open > l.peak) l.peak = l.open;
  return Resource{item.id};
}

DEFERBENCH_OPAQUE void close_resource(Resource r) {
  Ledger& l = ledger();
  --l.open;
  l.checksum += r.handle * 0x9E3779B97F4A7C15ull;
  if (l.close_order != nullptr) l.close_order->push_back(r.handle);
}

namespace {

// Cliff 3's cleanup: closes and notes the loop index it was deferred at.
DEFERBENCH_OPAQUE void close_at(Resource r, std::uint32_t index) {
  close_resource(r);
  ledger().checksum += index;
}

DEFERBENCH_OPAQUE std::uint64_t process_one(const Item& item) {
  Resource r = open_resource(item);
  auto close = defer::guard(close_resource, r);  // open-coded, per item
  return r.handle;
}

// The closure of cliff 3: it captures the loop variable and the whole item.
auto capturing_closure(std::uint32_t index, const Item& item) {
  return [index, item] { close_at(Resource{item.id}, index); };
}

// The iteration's variable of goref's ClosurePerItem (`f := open(...)`), a
// handle of two words, and its Close through the address the closure holds.
// The model frees it after the call, where Go's collector would later.
struct MovedHandle {
  Resource resource;
  std::uint32_t index;
};
void close_moved(MovedHandle* f) {
  close_at(f->resource, f->index);
  delete f;
}

}  // namespace

DEFERBENCH_OPAQUE std::uint64_t loop_defer_in_loop(const std::vector<Item>& items) {
  defer::OpenFrame<kLoopShape> frame;
  static_assert(decltype(frame)::strategy == defer::Strategy::chain_heap,
                "Go gives a defer in a loop a heap record");
  std::uint64_t sum = 0;
  for (const Item& item : items) {
    Resource r = open_resource(item);
    frame.defer_in_loop(close_resource, r);
    sum += r.handle;
  }
  return sum;
}

DEFERBENCH_OPAQUE std::uint64_t loop_defer_in_loop_pooled(const std::vector<Item>& items) {
  defer::chain::Frame<> frame;
  std::uint64_t sum = 0;
  for (const Item& item : items) {
    Resource r = open_resource(item);
    frame.defer_pooled(close_resource, r);
    sum += r.handle;
  }
  return sum;
}

DEFERBENCH_OPAQUE std::uint64_t loop_helper(const std::vector<Item>& items) {
  std::uint64_t sum = 0;
  for (const Item& item : items) sum += process_one(item);
  return sum;
}

DEFERBENCH_OPAQUE std::uint64_t loop_plain(const std::vector<Item>& items) {
  std::uint64_t sum = 0;
  for (const Item& item : items) {
    Resource r = open_resource(item);
    sum += r.handle;
    close_resource(r);
  }
  return sum;
}

namespace {

// N separate defer statements (a fold, not a loop), each closing a resource
// of its own, as a Go function with N `defer`s written out has.
template <int N, class Frame>
void defer_n_closes(Frame& frame, const Item& item) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (((void)I, frame.defer(close_resource, open_resource(item))), ...);
  }(std::make_index_sequence<N>{});
}

// Cliff 2's deferred call: as small as an opaque call can be, so that the
// machinery, not the work, sets the curve.
DEFERBENCH_OPAQUE void release_slot(std::uint32_t) { --ledger().open; }

}  // namespace

// Typed slots, as Go's compiler types them (open_slot.h): past eight defers
// the frame falls back to stack records and the slot type goes unused.
template <int N>
DEFERBENCH_OPAQUE std::uint64_t ndefers(const Item& item) {
  defer::OpenFrame<defer::FrameShape{.defers = N}, void(std::uint32_t)> frame;
  Ledger& l = ledger();
  l.open += N;
  if (l.open > l.peak) l.peak = l.open;
  [&]<std::uint32_t... I>(std::integer_sequence<std::uint32_t, I...>) {
    (frame.defer(release_slot, I), ...);  // N defer statements
  }(std::make_integer_sequence<std::uint32_t, N>{});
  harness::work_after_defer();  // records past 8 must really be linked
  return item.id;
}

template std::uint64_t ndefers<1>(const Item&);
template std::uint64_t ndefers<2>(const Item&);
template std::uint64_t ndefers<3>(const Item&);
template std::uint64_t ndefers<4>(const Item&);
template std::uint64_t ndefers<5>(const Item&);
template std::uint64_t ndefers<6>(const Item&);
template std::uint64_t ndefers<7>(const Item&);
template std::uint64_t ndefers<8>(const Item&);
template std::uint64_t ndefers<9>(const Item&);
template std::uint64_t ndefers<10>(const Item&);
template std::uint64_t ndefers<11>(const Item&);
template std::uint64_t ndefers<12>(const Item&);

DEFERBENCH_OPAQUE std::uint64_t exits_3x5(const Item& item, int exit) {
  defer::OpenFrame<kExits3x5, void(Resource)> frame;
  static_assert(decltype(frame)::strategy == defer::Strategy::open_coded_bits);
  defer_n_closes<kExits3x5.defers>(frame, item);
  harness::work_after_defer();
  if (exit == 0) return 1;
  if (exit == 1) return 2;
  return 3;
}

DEFERBENCH_OPAQUE std::uint64_t exits_4x4(const Item& item, int exit) {
  defer::OpenFrame<kExits4x4, void(Resource)> frame;
  static_assert(decltype(frame)::strategy == defer::Strategy::chain_stack, "R4");
  defer_n_closes<kExits4x4.defers>(frame, item);
  harness::work_after_defer();
  if (exit == 0) return 1;
  if (exit == 1) return 2;
  if (exit == 2) return 3;
  return 4;
}

DEFERBENCH_OPAQUE std::uint64_t closure_capturing(const std::vector<Item>& items) {
  defer::chain::Frame<> frame;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    open_resource(items[i]);
    frame.defer_heap(capturing_closure(i, items[i]));
  }
  return items.size();
}

DEFERBENCH_OPAQUE std::uint64_t closure_capturing_pooled(const std::vector<Item>& items) {
  defer::chain::Frame<> frame;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    open_resource(items[i]);
    frame.defer_pooled(capturing_closure(i, items[i]));
  }
  return items.size();
}

DEFERBENCH_OPAQUE std::uint64_t closure_go_per_item(const std::vector<Item>& items) {
  defer::go::ChainFrame<> frame;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    auto* f = new MovedHandle{open_resource(items[i]), i};  // moved to heap: f
    frame.defer_heap<close_moved>(f);  // func literal escapes to heap; deferproc
  }
  return items.size();
}

DEFERBENCH_OPAQUE std::uint64_t closure_plain_call(const std::vector<Item>& items) {
  defer::chain::Frame<> frame;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    Resource r = open_resource(items[i]);
    frame.defer_pooled(close_at, r, i);  // the values, evaluated now (R5)
  }
  return items.size();
}

std::size_t capturing_closure_bytes() {
  return sizeof(decltype(capturing_closure(0, Item{})));
}

bool capturing_closure_fits_inline() {
  return defer::DeferredCall::fits_inline<decltype(capturing_closure(0, Item{}))>;
}

std::string describe(defer::FrameShape shape) {
  std::string line(defer::go_diagnostic(defer::strategy_for(shape)));
  const std::string_view why = defer::fallback_reason(shape);
  if (!why.empty()) line += " (" + std::string(why) + ")";
  return line;
}

}  // namespace cliffs
