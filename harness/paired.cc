#include "paired.h"

#include <alloca.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "perf_counters.h"

namespace harness {
namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::function<OpLoop()>>& ops() {
  static std::map<std::string, std::function<OpLoop()>> registered;
  return registered;
}

double elapsed_ns(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::nano>(b - a).count();
}

// The smallest step the clock shows, as nanobench measures it: the least
// positive difference between two successive readings.
double clock_resolution_ns() {
  double best = 1e9;
  for (int i = 0; i < 1000; ++i) {
    const auto a = Clock::now();
    auto b = Clock::now();
    while (b == a) b = Clock::now();
    best = std::min(best, elapsed_ns(a, b));
  }
  return best;
}

// Iterations for one chunk of about target_ns: doubles n until a run takes an
// eighth of the target (which also warms the op), then scales.
long calibrate(const OpLoop& loop, double target_ns) {
  long n = 1;
  for (;;) {
    const auto a = Clock::now();
    loop(n);
    const double t = elapsed_ns(a, Clock::now());
    if (t >= target_ns / 8 || n >= (1L << 40)) {
      return std::max(1L, std::lround(static_cast<double>(n) * target_ns / std::max(t, 1.0)));
    }
    n *= 2;
  }
}

struct Chunk {
  double ns = 0;
  bool switched = false, migrated = false;
};

// The two software events that say the system took the CPU; kernel mode
// included, since a context switch happens there.
struct Disturbances {
  PerfCounters counters = PerfCounters::open({"perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS"},
                                             /*count_kernel=*/true);
  PerfCounters::Snapshot before = counters.read(), after = before;
  int switch_slot = slot("perf::CONTEXT-SWITCHES"), migration_slot = slot("perf::CPU-MIGRATIONS");

  int slot(const std::string& name) const {
    const auto& names = counters.counted_names();
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
  }

  Chunk time(const OpLoop& loop, long n) {
    if (!counters.empty()) counters.read(before);
    const auto a = Clock::now();
    loop(n);
    const auto b = Clock::now();
    if (!counters.empty()) counters.read(after);
    Chunk c{elapsed_ns(a, b)};
    if (!counters.empty()) {
      const CounterValues d = PerfCounters::delta(before, after);
      c.switched = switch_slot >= 0 && d.values[switch_slot] > 0;
      c.migrated = migration_slot >= 0 && d.values[migration_slot] > 0;
    }
    return c;
  }

  nlohmann::json status() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& e : counters.events()) {
      out[e.name] = e.reason.empty() ? std::string(to_string(e.status))
                                     : std::string(to_string(e.status)) + ": " + e.reason;
    }
    return out;
  }
};

nlohmann::json run_pair(const PairSpec& spec, const PairOptions& options,
                        Disturbances& disturbances) {
  const OpLoop subject = ops().at(spec.subject)();
  const OpLoop reference = ops().at(spec.reference)();
  const long ns = calibrate(subject, options.chunk_ns);
  const long nr = calibrate(reference, options.chunk_ns);

  std::vector<Chunk> s(options.pairs), r(options.pairs);
  for (int i = 0; i < options.pairs; ++i) {
    if (i % 2 == 0) {
      s[i] = disturbances.time(subject, ns);
      r[i] = disturbances.time(reference, nr);
    } else {
      r[i] = disturbances.time(reference, nr);
      s[i] = disturbances.time(subject, ns);
    }
  }

  // Facts only; which pairs to keep is decided in one place, paired.py.
  nlohmann::json subject_ns = nlohmann::json::array(), reference_ns = nlohmann::json::array();
  nlohmann::json disturbed = nlohmann::json::array();
  for (int i = 0; i < options.pairs; ++i) {
    subject_ns.push_back(s[i].ns / static_cast<double>(ns));
    reference_ns.push_back(r[i].ns / static_cast<double>(nr));
    disturbed.push_back(s[i].switched || r[i].switched     ? "context_switch"
                        : s[i].migrated || r[i].migrated ? "cpu_migration"
                                                         : "");
  }
  return {{"subject", spec.subject},
          {"reference", spec.reference},
          {"subject_iterations", ns},
          {"reference_iterations", nr},
          {"pairs", options.pairs},
          {"chunk_ns", options.chunk_ns},
          {"subject_ns_per_op", subject_ns},
          {"reference_ns_per_op", reference_ns},
          {"disturbed", disturbed}};
}

}  // namespace

int add_op(std::string name, std::function<OpLoop()> make) {
  ops()[std::move(name)] = std::move(make);
  return static_cast<int>(ops().size());
}

bool has_op(const std::string& name) { return ops().count(name) > 0; }

nlohmann::json run_pairs(const std::vector<PairSpec>& pairs, const PairOptions& options) {
  // The layout this process measures in: the stack moved by 0 to 4080 bytes
  // in 16-byte steps (it keeps the ABI's alignment), the heap by a block of
  // 0 to 64 KiB held to the end, both drawn from the seed.
  const std::size_t stack_offset = options.layout_seed == 0 ? 0 : (options.layout_seed % 256) * 16;
  const std::size_t heap_offset =
      options.layout_seed == 0 ? 0 : ((options.layout_seed >> 8) % 4096) * 16;
  volatile char* stack_pad = static_cast<char*>(alloca(stack_offset + 1));
  stack_pad[0] = 0;
  const std::vector<char> heap_pad(heap_offset);
  const double resolution = clock_resolution_ns();
  PairOptions effective = options;
  effective.chunk_ns = std::max(options.chunk_ns, 1000 * resolution);
  Disturbances disturbances;
  nlohmann::json out = {{"context",
                         {{"clock_resolution_ns", resolution},
                          {"chunk_ns", effective.chunk_ns},
                          {"pairs_per_case", effective.pairs},
                          {"order", "ABBA"},
                          {"layout",
                           {{"seed", options.layout_seed},
                            {"stack_offset_bytes", stack_offset},
                            {"heap_offset_bytes", heap_offset}}},
                          {"disturbance_events", disturbances.status()}}},
                        {"pairs", nlohmann::json::array()}};
  for (const auto& spec : pairs) out["pairs"].push_back(run_pair(spec, effective, disturbances));
  return out;
}

}  // namespace harness
