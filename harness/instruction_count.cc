#include "instruction_count.h"

#include <malloc.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "measure.h"

namespace harness {
namespace {

// A thread's first malloc creates its arena and tcache, and that costs a few
// instructions more or less depending on how many arenas exist already; it is
// done here, before the case, so that no counted loop does it.
void take_arena() {
  void* p = std::malloc(1);
  benchmark::DoNotOptimize(p);
  std::free(p);
}

// Threads that ran a counted case and wait, without exiting, for the suite to
// end: glibc hands an exited thread's arena to the next new thread, which
// would then start from that thread's leftovers.
class KeptThreads {
 public:
  // Runs `fn` on a new thread and returns when `fn` has returned; the thread
  // stays alive until release().
  template <class Fn>
  void run(Fn fn) {
    bool done = false;
    threads_.emplace_back([this, &fn, &done] {
      take_arena();
      fn();
      std::unique_lock lock(mutex_);
      done = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    });
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&done] { return done; });
  }

  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
  std::vector<std::thread> threads_;
};

KeptThreads& kept_threads() {
  static KeptThreads threads;
  return threads;
}

// Far more than any suite's counted runs (two per case).
constexpr int kArenaLimit = 4096;

// Enough for once-only work, which the first iteration does.
constexpr long kWarmUpIterations = 100;

}  // namespace

void prepare_instruction_counting() { mallopt(M_ARENA_MAX, kArenaLimit); }

void register_instruction_count(const Case& c, long iterations) {
  auto add = [&c](const std::string& name, long n, bool fresh_thread) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [&c, fresh_thread](
                                                              benchmark::State& state) {
      auto body = [&] {
        set_current_case(fresh_thread ? &c.name : nullptr);  // null: not counted
        c.run(state);
        set_current_case(nullptr);
      };
      if (fresh_thread) {
        kept_threads().run(body);
      } else {
        body();
      }
    });
    if (c.configure) c.configure(b);
    b->Iterations(n);
  };
  // One name for all three, so that a --benchmark_filter that selects the
  // case selects its warm-up too.
  add(c.name, std::min(iterations, kWarmUpIterations), false);
  add(c.name, iterations, true);
  add(c.name, 2 * iterations, true);
}

void finish_instruction_counting() { kept_threads().release(); }

}  // namespace harness
