#include "fd/open_close.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <deque>
#include <vector>

#include "defer/chain.h"
#include "defer/guard.h"
#include "defer/open_frame.h"

namespace fd {

namespace {

std::uint64_t g_close_failures = 0;
std::uint64_t g_fake_sum = 0;

// The deferred call of every strategy. Out of line (noipa) so each strategy
// pays one real call per file, as Go's f.Close() is a call.
__attribute__((noipa)) void close_file(int descriptor) {
  if (::close(descriptor) != 0) ++g_close_failures;
}

__attribute__((noipa)) void fake_close(std::uint64_t descriptor) {
  g_fake_sum += descriptor;
}

int open_file(int dirfd, std::uint64_t index) {
  char name[24];
  file_name(index, name);
  return ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
}

bool read_is(int descriptor, std::uint64_t index) {
  char expected[24];
  file_name(index, expected);
  char got[32] = {};
  const ssize_t r = ::pread(descriptor, got, sizeof got - 1, 0);
  const std::size_t len = std::strlen(expected);
  return r == static_cast<ssize_t>(len + 1) && std::memcmp(got, expected, len) == 0 &&
         got[len] == '\n';
}

Outcome run_plain(int dirfd, std::uint64_t n, std::uint64_t read_index) {
  Outcome out;
  std::vector<int> open;
  open.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const int f = open_file(dirfd, i);
    if (f < 0) {
      out.open_error = errno;
      break;
    }
    open.push_back(f);
  }
  out.opened = open.size();
  if (read_index < open.size()) out.read_verified = read_is(open[read_index], read_index);
  for (auto it = open.rbegin(); it != open.rend(); ++it) close_file(*it);
  return out;
}

// Guards in a container, destroyed newest first. A Guard cannot move, and a
// deque never moves what it holds, so the guards are built in place.
template <class G>
class GuardStack {
 public:
  GuardStack() = default;
  GuardStack(const GuardStack&) = delete;
  GuardStack& operator=(const GuardStack&) = delete;
  ~GuardStack() {
    while (!guards_.empty()) guards_.pop_back();
  }
  template <class F>
  void push(F&& f) {
    guards_.emplace_back(std::forward<F>(f));
  }

 private:
  std::deque<G> guards_;
};

Outcome run_guards(int dirfd, std::uint64_t n, std::uint64_t read_index) {
  using Bound = decltype(defer::bind_now(&close_file, 0));
  Outcome out;
  int to_read = -1;
  GuardStack<defer::Guard<Bound>> guards;
  for (std::uint64_t i = 0; i < n; ++i) {
    const int f = open_file(dirfd, i);
    if (f < 0) {
      out.open_error = errno;
      break;
    }
    guards.push(defer::bind_now(&close_file, int(f)));  // the type Bound names
    ++out.opened;
    if (i == read_index) to_read = f;
  }
  if (to_read >= 0) out.read_verified = read_is(to_read, read_index);
  return out;  // ~GuardStack closes every file, newest first
}

Outcome run_chain(int dirfd, std::uint64_t n, std::uint64_t read_index) {
  Outcome out;
  int to_read = -1;
  defer::chain::Frame<> frame;
  for (std::uint64_t i = 0; i < n; ++i) {
    const int f = open_file(dirfd, i);
    if (f < 0) {
      out.open_error = errno;
      break;
    }
    frame.defer_pooled([f] { close_file(f); });  // a 24-byte record: see describe()
    ++out.opened;
    if (i == read_index) to_read = f;
  }
  if (to_read >= 0) out.read_verified = read_is(to_read, read_index);
  return out;  // ~Frame: deferreturn runs every record
}

Outcome run_open_frame_in_loop(int dirfd, std::uint64_t n, std::uint64_t read_index) {
  Outcome out;
  int to_read = -1;
  defer::OpenFrame<defer::FrameShape{.defers = 1, .in_loop = true}> frame;
  static_assert(decltype(frame)::strategy == defer::Strategy::chain_heap,
                "a defer in a loop goes to heap records, as in Go");
  for (std::uint64_t i = 0; i < n; ++i) {
    const int f = open_file(dirfd, i);
    if (f < 0) {
      out.open_error = errno;
      break;
    }
    frame.defer_in_loop([f] { close_file(f); });
    ++out.opened;
    if (i == read_index) to_read = f;
  }
  if (to_read >= 0) out.read_verified = read_is(to_read, read_index);
  return out;
}

}  // namespace

std::string_view name(Strategy s) {
  switch (s) {
    case Strategy::plain: return "plain";
    case Strategy::guards: return "guards";
    case Strategy::chain: return "chain";
    case Strategy::open_frame_in_loop: return "open_frame_in_loop";
  }
  return "unknown";
}

std::string_view describe(Strategy s) {
  switch (s) {
    case Strategy::plain:
      return "no defer machinery: descriptors in a std::vector reserved for N, closed "
             "last first (the kernel's floor)";
    case Strategy::guards:
      return "defer::Guard per file in a std::deque, destroyed newest first";
    case Strategy::chain:
      return "defer::chain::Frame::defer_pooled per file of a closure over the "
             "descriptor, as Go 1.18+ compiles `defer f.Close()` (Go's deferproc with "
             "newdefer/deferpool; a loop's records are carved from 16 KiB blocks, 24 "
             "bytes each)";
    case Strategy::open_frame_in_loop:
      return "defer::OpenFrame<{.in_loop = true}>::defer_in_loop: Go's compiler turns "
             "open-coding off for a defer in a loop and uses a heap record per "
             "iteration (defer_heap, no pool)";
  }
  return "";
}

void file_name(std::uint64_t index, char (&buf)[24]) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 1, index);
  (void)ec;  // 24 bytes hold any 64-bit value
  *end = '\0';
}

Outcome open_read_close(Strategy s, int dirfd, std::uint64_t n, std::uint64_t read_index) {
  switch (s) {
    case Strategy::plain: return run_plain(dirfd, n, read_index);
    case Strategy::guards: return run_guards(dirfd, n, read_index);
    case Strategy::chain: return run_chain(dirfd, n, read_index);
    case Strategy::open_frame_in_loop: return run_open_frame_in_loop(dirfd, n, read_index);
  }
  return {};
}

std::uint64_t chain_records_only(std::uint64_t n) {
  g_fake_sum = 0;
  {
    defer::chain::Frame<> frame;
    for (std::uint64_t i = 0; i < n; ++i) frame.defer_pooled([i] { fake_close(i); });
  }
  return g_fake_sum;
}

Outcome open_close_batches(int dirfd, std::uint64_t n, std::uint64_t batch) {
  Outcome out;
  std::vector<int> open;
  open.reserve(batch);
  while (out.opened < n && out.open_error == 0) {
    for (std::uint64_t i = 0; i < batch && out.opened < n; ++i) {
      const int f = open_file(dirfd, i);
      if (f < 0) {
        out.open_error = errno;
        break;
      }
      open.push_back(f);
      ++out.opened;
    }
    if (out.opened == open.size() && !open.empty()) out.read_verified = read_is(open[0], 0);
    for (auto it = open.rbegin(); it != open.rend(); ++it) close_file(*it);
    open.clear();
  }
  return out;
}

std::uint64_t close_failures() { return g_close_failures; }

}  // namespace fd
