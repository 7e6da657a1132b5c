// The experiment of article A (claims A9, A10), one function per strategy:
// open N files, each with its close deferred, read one of them, return so
// that every close runs.
//
// Go's version is a loop `f, _ := os.Open(name); defer f.Close()`. A defer in
// a loop cannot be open-coded (claim R3): every iteration pushes a heap
// record (deferproc, newdefer), and all N closes wait for the return. The
// strategies, each closing in last-in first-out order as Go does:
//
//   plain               no defer machinery: the descriptors in a vector
//                       reserved for N, closed from the last; the kernel's
//                       floor that the others are compared with.
//   guards              defer::Guard objects in a container that destroys
//                       them newest first (block-scoped guards cannot pile
//                       up by themselves; a container makes them).
//   chain               defer::chain::Frame::defer_pooled: Go's
//                       deferproc + newdefer/freedefer with a per-thread
//                       pool. The pool only holds records already freed, so
//                       almost every record of a loop comes from the heap.
//   open_frame_in_loop  defer::OpenFrame<{.in_loop = true}>: what Go's
//                       compiler does with this function: open-coding off,
//                       a heap record per iteration (defer_heap, no pool).
//
// Invariants: whatever happens (a failed open at file k, EMFILE, ENFILE),
// every descriptor the function opened is closed when it returns; the
// Outcome says how far it got and why it stopped.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace fd {

enum class Strategy : std::uint8_t { plain, guards, chain, open_frame_in_loop };

inline constexpr Strategy kStrategies[] = {Strategy::plain, Strategy::guards,
                                           Strategy::chain,
                                           Strategy::open_frame_in_loop};

std::string_view name(Strategy s);
std::string_view describe(Strategy s);

struct Outcome {
  std::uint64_t opened = 0;  // files opened (all closed again on return)
  int open_error = 0;        // errno of the open that failed; 0: all opened
  bool read_verified = false;  // the random file held its own index
};

// The files of the experiment are named by their index, in decimal, inside
// the folder `dirfd`; file k holds "k\n".
void file_name(std::uint64_t index, char (&buf)[24]);

// Opens files 0..n-1 under dirfd with the strategy's deferred close, reads
// file `read_index`, and returns once every close has run.
Outcome open_read_close(Strategy s, int dirfd, std::uint64_t n, std::uint64_t read_index);

// The user-space part alone: n chain records (defer_pooled) whose deferred
// call takes a fake descriptor and opens nothing. Returns the sum of the
// descriptors the calls saw, so the work cannot be dropped.
std::uint64_t chain_records_only(std::uint64_t n);

// The kernel half alone, for an N the limits keep out of reach: files
// 0..batch-1 under dirfd opened (openat) and closed (close, newest first),
// batch after batch, until n files have been opened and closed; no defer
// machinery, at most `batch` descriptors open at once. The first file is
// read back as in the experiment. Every descriptor is closed on return.
Outcome open_close_batches(int dirfd, std::uint64_t n, std::uint64_t batch);

// close() calls that failed since the process started (0 expected).
std::uint64_t close_failures();

}  // namespace fd
