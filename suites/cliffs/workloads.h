// The workloads of article B's three cliffs (claims B3-B7, R2-R4), shared by
// the `cliffs` suite and its correctness tests.
//
// Every workload processes items, each of which "opens" a resource and must
// "close" it. Opening and closing are opaque calls that do real work (a
// checksum of the item) and keep count of how many resources are open, so
// the tests can check that every variant does the same work and runs the
// same cleanups, and the suite can report how many were held at the peak.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "defer/open_frame.h"
#include "defer/strategy.h"

namespace cliffs {

struct Item {
  std::uint64_t id;
  std::uint64_t payload[3];
};

struct Resource {
  std::uint64_t handle;
};

// Open resources now, the most at once since the last reset, and a checksum
// of everything opened and closed (so the work cannot be optimised away).
struct Ledger {
  std::int64_t open = 0;
  std::int64_t peak = 0;
  std::uint64_t checksum = 0;
  std::vector<std::uint64_t>* close_order = nullptr;  // tests only
};
Ledger& ledger();
void reset_ledger();

std::vector<Item> make_items(std::size_t n);

Resource open_resource(const Item& item);
void close_resource(Resource r);

// --- Cliff 1: a defer inside a loop -----------------------------------------
// All return the checksum of the work, to keep it observable.

// Go's shape: the function has a defer in its loop, so Go gives every defer a
// heap record, and all of them wait for the function to return.
std::uint64_t loop_defer_in_loop(const std::vector<Item>& items);
// The same with records from the per-thread pool (Go's deferpool when warm).
std::uint64_t loop_defer_in_loop_pooled(const std::vector<Item>& items);
// The rewrite: a helper per item with one open-coded defer.
std::uint64_t loop_helper(const std::vector<Item>& items);
// No defer at all: open, use, close.
std::uint64_t loop_plain(const std::vector<Item>& items);

inline constexpr defer::FrameShape kLoopShape{.defers = 1, .in_loop = true};
inline constexpr defer::FrameShape kHelperShape{.defers = 1};

// --- Cliff 2: the 9th defer ---------------------------------------------------
// A function with N defer statements in a bitmap frame, each deferring a
// minimal opaque call that releases one of N resources. Open-coded up to 8;
// at 9, Go (and OpenFrame) give all of them stack records (R2).
template <int N>
std::uint64_t ndefers(const Item& item);  // instantiated for 1..12

// R4: a function with 5 defers and 3 return statements (15: open-coded), and
// one with 4 defers and 4 returns (16: stack records). `exit` picks the
// return statement taken.
inline constexpr defer::FrameShape kExits3x5{.defers = 5, .exits = 3};
inline constexpr defer::FrameShape kExits4x4{.defers = 4, .exits = 4};
std::uint64_t exits_3x5(const Item& item, int exit);
std::uint64_t exits_4x4(const Item& item, int exit);

// --- Cliff 3: deferred closures that capture --------------------------------
// A loop that defers, per item, a closure capturing the loop variable and the
// item (larger than a record's inline buffer: boxed on the heap, article B's
// "func literal escapes to heap").
std::uint64_t closure_capturing(const std::vector<Item>& items);
// The same closure with pooled records: only the box is allocated.
std::uint64_t closure_capturing_pooled(const std::vector<Item>& items);
// Cliff 3 as Go 1.19 compiles goref's ClosurePerItem, over the model of Go's
// runtime (defer/go_frame.h): per item, the iteration's handle moves to the
// heap, the closure holding its address escapes to the heap, and the defer
// takes a record from the per-thread pool of 32 (deferproc).
std::uint64_t closure_go_per_item(const std::vector<Item>& items);
// The rewrite (R5): defer a plain call with the value as an argument.
std::uint64_t closure_plain_call(const std::vector<Item>& items);

// Bytes the capturing closure needs, and whether it fits a record inline:
// the compile-time counterpart of `go build -gcflags=-m`.
std::size_t capturing_closure_bytes();
bool capturing_closure_fits_inline();

// A line in the manner of `go build -gcflags=-d=defer` for a frame shape.
std::string describe(defer::FrameShape shape);

}  // namespace cliffs
