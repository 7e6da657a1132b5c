// main() of every deferbench suite binary: deferbench's own flags, the counter
// set-up, then Google Benchmark with the suite's cases.
//
// A suite binary runs on its own (`build/suites/defer_cost/defer_cost`) or under
// scripts/deferbench/run/runner.py, which is what `make bench` uses.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "build_info.h"
#include "cpu_pin.h"
#include "event_report.h"
#include "instruction_count.h"
#include "measure.h"
#include "paired.h"
#include "perf_counters.h"
#include "registry.h"

namespace {

constexpr const char* kUsage = R"(deferbench suite options (before Google Benchmark's own):
  --events=LIST          perf events to count, comma-separated libpfm4 names
                         (default: cycles,instructions,branch-misses,cache-misses,
                         perf::TASK-CLOCK,perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES;
                         --events= counts none)
  --count-kernel         count kernel-mode events too (default: user space only)
  --probe-events         print each event's status as JSON and exit
                         (exit 2 if a name is unknown to libpfm4)
  --quiet-counters       do not print the counter summary
  --no-pin               leave the process free to move between CPUs (by
                         default it is pinned to the last CPU it may use; the
                         JSON context's deferbench_cpu says which)
  --callgrind            instruction counting under valgrind --tool=callgrind:
                         each case runs a warm-up, then N and 2N iterations,
                         each on a fresh thread (harness/instruction_count.h)
  --callgrind-iterations=N   that N (default 100000)
  --pairs=S:R,...        paired measurement instead of Google Benchmark's runs:
                         each case S timed interleaved with its reference R
                         (harness/paired.h); writes JSON to --pairs-out
  --pairs-out=PATH       where (default: standard output)
  --pairs-count=N        pairs per case (default 300)
  --chunk-ms=X           the length of one chunk (default 1)
  --layout-seed=N        move the stack and heap by amounts drawn from N before
                         the pairs (default 0: no move)
)";

struct Options {
  std::vector<std::string> events = harness::PerfCounters::default_events();
  bool count_kernel = false;
  bool probe = false;
  bool quiet = false;
  bool pin = true;
  bool callgrind = false;
  long callgrind_iterations = 100000;
  std::vector<harness::PairSpec> pairs;
  std::string pairs_out;
  harness::PairOptions pair_options;
};

// A positive number from a flag's value, or an error line naming the flag.
bool positive(const std::string& flag, const std::string& text, double& value) {
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0)) {
    std::fprintf(stderr, "deferbench: %s needs a positive number, got '%s'\n", flag.c_str(),
                 text.c_str());
    return false;
  }
  return true;
}

// The same for a count: digits only.
bool positive_integer(const std::string& flag, const std::string& text, long& value) {
  char* end = nullptr;
  value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value <= 0) {
    std::fprintf(stderr, "deferbench: %s needs a positive integer, got '%s'\n", flag.c_str(),
                 text.c_str());
    return false;
  }
  return true;
}

// "S:R,S:R" into pairs of cases that have op loops; one line per problem.
bool parse_pairs(std::string_view list, std::vector<harness::PairSpec>& out) {
  for (const std::string& item : harness::split_commas(list)) {
    const auto colon = item.find(':');
    harness::PairSpec spec{item.substr(0, colon),
                           colon == std::string::npos ? "" : item.substr(colon + 1)};
    for (const std::string* name : {&spec.subject, &spec.reference}) {
      if (!harness::has_op(*name)) {
        std::fprintf(stderr,
                     "deferbench: --pairs: '%s' in '%s' is not a case with an op loop "
                     "(give SUBJECT:REFERENCE, comma-separated)\n",
                     name->c_str(), item.c_str());
        return false;
      }
    }
    out.push_back(spec);
  }
  if (out.empty()) {
    std::fprintf(stderr, "deferbench: --pairs= names no pair (give SUBJECT:REFERENCE,...)\n");
    return false;
  }
  return true;
}

// Takes deferbench's flags out of argv; leaves Google Benchmark's in place.
bool parse_options(int& argc, char** argv, Options& options) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value_of = [&](std::string_view flag) -> std::string_view {
      return arg.substr(flag.size());
    };
    if (arg.starts_with("--events=")) {
      options.events = harness::split_commas(value_of("--events="));
    } else if (arg == "--count-kernel") {
      options.count_kernel = true;
    } else if (arg == "--probe-events") {
      options.probe = true;
    } else if (arg == "--quiet-counters") {
      options.quiet = true;
    } else if (arg == "--no-pin") {
      options.pin = false;
    } else if (arg == "--callgrind") {
      options.callgrind = true;
    } else if (arg.starts_with("--callgrind-iterations=")) {
      if (!positive_integer("--callgrind-iterations",
                            std::string(value_of("--callgrind-iterations=")),
                            options.callgrind_iterations)) {
        return false;
      }
    } else if (arg.starts_with("--pairs=")) {
      if (!parse_pairs(value_of("--pairs="), options.pairs)) return false;
    } else if (arg.starts_with("--pairs-out=")) {
      options.pairs_out = std::string(value_of("--pairs-out="));
    } else if (arg.starts_with("--pairs-count=")) {
      long n = 0;
      if (!positive_integer("--pairs-count", std::string(value_of("--pairs-count=")), n)) {
        return false;
      }
      options.pair_options.pairs = static_cast<int>(std::min(n, 1'000'000L));
    } else if (arg.starts_with("--layout-seed=")) {
      long seed = 0;
      if (!positive_integer("--layout-seed", std::string(value_of("--layout-seed=")), seed)) {
        return false;
      }
      options.pair_options.layout_seed = static_cast<std::uint64_t>(seed);
    } else if (arg.starts_with("--chunk-ms=")) {
      double ms = 0;
      if (!positive("--chunk-ms", std::string(value_of("--chunk-ms=")), ms)) return false;
      options.pair_options.chunk_ns = ms * 1e6;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::fputs("\nGoogle Benchmark options:\n", stdout);
      argv[kept++] = argv[i];  // let Google Benchmark print its own help too
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return true;
}

void print_counter_summary(const harness::PerfCounters& counters) {
  std::string counted;
  for (const auto& name : counters.counted_names()) counted += (counted.empty() ? "" : ", ") + name;
  std::fprintf(stderr, "deferbench counters: %s\n",
               counted.empty() ? "none counted" : ("counted: " + counted).c_str());
  for (const auto& e : counters.events()) {
    if (e.status == harness::EventStatus::counted) continue;
    std::fprintf(stderr, "  not counted: %s: %s\n", e.name.c_str(), e.reason.c_str());
  }
}

// The paired mode: no Google Benchmark run, one JSON document.
int run_paired(const Options& options, const std::string& cpu) {
  nlohmann::json out = harness::run_pairs(options.pairs, options.pair_options);
  out["context"]["deferbench_cpu"] = cpu;
  const std::string text = out.dump(1) + "\n";
  if (options.pairs_out.empty()) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  std::ofstream file(options.pairs_out);
  file << text;
  file.close();
  if (!file) {
    std::fprintf(stderr, "deferbench: cannot write %s\n", options.pairs_out.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  if (const std::string name = harness::undescribed_case(); !name.empty()) {
    std::fprintf(stderr,
                 "deferbench: case '%s' is registered without its CaseInfo, or described "
                 "without being registered: every case of a suite that describes its cases "
                 "needs both (harness/registry.h)\n", name.c_str());
    return 2;
  }

  harness::PerfCounters counters;
  if (!options.callgrind) {
    counters = harness::PerfCounters::open(options.events, options.count_kernel);
  }
  if (options.probe) return harness::print_event_probe(counters, "deferbench: ");
  if (harness::report_unknown_events(counters, "deferbench: ")) return 2;
  if (!options.quiet && !options.callgrind) print_counter_summary(counters);

  harness::set_counting_config({&counters, options.callgrind});

  // Pinned for every case (harness/cpu_pin.h); the counters follow the thread.
  const int cpu = options.pin ? harness::last_allowed_cpu() : -1;
  const bool pinned = cpu >= 0 && harness::pin_to_cpu(cpu);
  const std::string cpu_text = pinned ? std::to_string(cpu) : "unpinned";
  if (!options.pairs.empty()) return run_paired(options, cpu_text);
  benchmark::AddCustomContext("deferbench_cpu", cpu_text);
  benchmark::AddCustomContext("deferbench_counting", options.callgrind ? "callgrind" : "perf");
  for (const auto& [key, value] : harness::build_context()) {
    benchmark::AddCustomContext(key, value);
  }
  // Statuses in brief (the reasons are in the manifest and on the console).
  std::string statuses;
  for (const auto& e : counters.events()) {
    statuses += (statuses.empty() ? "" : ", ") + e.name + "=" + harness::to_string(e.status);
  }
  benchmark::AddCustomContext("deferbench_perf_events", statuses.empty() ? "none" : statuses);
  if (!harness::suite_case_infos().empty()) {
    benchmark::AddCustomContext("cases", harness::case_infos_json());
  }

  if (options.callgrind) harness::prepare_instruction_counting();
  for (const harness::Case& c : harness::suite_cases()) {
    if (options.callgrind) {
      harness::register_instruction_count(
          c, std::max(1L, options.callgrind_iterations / c.callgrind_divisor));
      continue;
    }
    auto* b = benchmark::RegisterBenchmark(
        c.name.c_str(), [&c](benchmark::State& state) {
          harness::set_current_case(&c.name);
          c.run(state);
          harness::set_current_case(nullptr);
        });
    if (c.configure) c.configure(b);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  if (options.callgrind) harness::finish_instruction_counting();
  benchmark::Shutdown();
  return 0;
}
