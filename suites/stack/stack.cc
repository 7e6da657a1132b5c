// Suite stack (claims A6, A7): article A's `func f() { defer f() }`, for
// every strategy, until the stack runs out.
//
// For each stack size and strategy, a few attempts, each in its own child
// process (stack/attempt.h): the depth reached, bytes per frame (stack size
// / depth), time to overflow and the child's peak RSS. Depth is a property
// of the binary and the stack size, so the repetitions should agree exactly;
// the JSON keeps each one and the summary says whether they do.
//
// A program suite (harness/program_suite.h): it writes Google
// Benchmark-shaped JSON itself, one entry per attempt, named
// "<strategy>/<size>" ("chain_stack/64MiB").
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "program_suite.h"
#include "registry.h"
#include "stack/attempt.h"
#include "stack/recursion.h"
#include "stack/size.h"

namespace {

using stack_suite::size_label;

constexpr std::string_view kDefaultSizes = "8MiB,64MiB,1GiB";
constexpr std::string_view kQuickDefaultSizes = "8MiB,64MiB";
// Two attempts: the depth is a property of the binary and the stack size, and
// a second attempt shows that it repeats.
constexpr int kRepetitions = 2;
constexpr int kQuickRepetitions = 2;
// From this size up, one attempt: the depth is exact (the smaller sizes show
// each strategy's attempts agreeing, byte for byte per frame), and a second
// attempt at 1 GiB would cost some twenty seconds of the run to repeat it.
constexpr std::uint64_t kOneAttemptFromBytes = std::uint64_t{512} << 20;
constexpr double kDefaultTimeoutS = 120;

constexpr const char* kUsage = R"(usage: stack [--out=PATH] [--quick] [--events=LIST] [--probe-events]
             [--check-options]

Recursion through defer until the stack runs out (claims A6, A7): for each
strategy, a function whose only work is to defer a call to itself. Each
attempt runs in its own child process, which catches its stack overflow on an
alternate signal stack and reports the depth reached; the parent survives
every outcome and leaves no child and no core file behind. 2 attempts per
case (they agree exactly), 1 from 512MiB up.

  --out=PATH    write the results (Google Benchmark-shaped JSON) to PATH, which
                must not exist; it is written whole or not at all. Without
                --out the JSON goes to standard output.
  --quick       the default sizes 8MiB,64MiB (no 1GiB) unless STACK_SIZES
                is set
  --events=LIST perf events (libpfm4 names) counted over each recursion by
                the recursing thread, user and kernel mode, reported per
                frame (default: deferbench's set; --events= counts none)
  --probe-events print each event's status as JSON and exit (exit 2 if a
                name is unknown to libpfm4)
  --check-options check the options and the environment below, refusing bad
                ones as a run would (exit 2), then exit 0 having run nothing
  --help        this text

Environment:
  STACK_SIZES=LIST     stack sizes, comma-separated, each an integer and K, M
                       or G, powers of 1024 (8M, 8m, 8MiB alike; default
                       8MiB,64MiB,1GiB). A size equal to
                       RLIMIT_STACK (8MiB here) runs on the child's own main
                       thread; any other on a thread whose stack is a mapping
                       of exactly that size above a guard. Sizes this machine's
                       memory cannot back are refused.
  STACK_TIMEOUT_S=SEC  the bound on one attempt, after which the child is
                       killed and the attempt reported as a timeout (default 120)

Outcomes: overflow (the result sought), out_of_memory (heap records ran out
first), killed (a signal; SIGKILL is usually the OOM killer), timeout,
crashed, setup_failed. Exit status: 0 when the file is written, whatever the
outcomes; 2 for bad options; 128+N when interrupted by signal N.
)";

double parse_timeout() {
  const char* text = std::getenv("STACK_TIMEOUT_S");
  if (text == nullptr) return kDefaultTimeoutS;
  char* end = nullptr;
  errno = 0;
  const double seconds = std::strtod(text, &end);
  if (*text == '\0' || *end != '\0' || errno != 0 || !(seconds > 0) || !std::isfinite(seconds)) {
    harness::refuse(std::string("STACK_TIMEOUT_S: '") + text +
           "' is not a positive number of seconds (e.g. 120 or 0.5)");
  }
  return seconds;
}

// The soft RLIMIT_STACK: the size of the process's default stack, or nullopt
// when unlimited (then every size runs on a mapped stack).
std::optional<std::uint64_t> default_stack_bytes() {
  rlimit limit{};
  if (getrlimit(RLIMIT_STACK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return std::nullopt;
  }
  return limit.rlim_cur;
}

// The kernel's transparent huge page mode, the bracketed word of sysfs's
// "always [madvise] never": mapped stacks ask for huge pages (attempt.cc),
// which the kernel grants in "always" and "madvise" modes.
std::string transparent_huge_pages() {
  std::FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!f) return "not offered (no /sys/kernel/mm/transparent_hugepage)";
  char line[128] = {};
  const bool read = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  const std::string_view text(line);
  const auto open = text.find('['), close = text.find(']');
  if (!read || open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return "unknown";
  }
  return std::string(text.substr(open + 1, close - open - 1));
}

nlohmann::json context_json(const std::vector<std::uint64_t>& sizes, bool sizes_from_env,
                            bool quick, int repetitions, double timeout_s,
                            const stack_suite::MemoryBounds& bounds,
                            std::optional<std::uint64_t> child_as_limit,
                            std::optional<std::uint64_t> main_stack) {
  nlohmann::json context = harness::program_context();
  context["deferbench_tail_calls"] =
      "none in the recursions: each returns after its deferred self-call, as in Go";
  context["quick"] = quick;
  context["repetitions"] = repetitions;
  context["repetitions_from_bytes"] = {{"bytes", kOneAttemptFromBytes}, {"repetitions", 1}};
  context["timeout_s"] = timeout_s;
  nlohmann::json labels = nlohmann::json::array();
  for (auto s : sizes) labels.push_back(size_label(s));
  context["stack_sizes"] = labels;
  context["stack_sizes_source"] =
      sizes_from_env ? "STACK_SIZES" : (quick ? "quick default (no 1GiB)" : "default");
  if (main_stack) context["rlimit_stack_bytes"] = *main_stack;
  if (bounds.mem_available_bytes) context["mem_available_bytes"] = *bounds.mem_available_bytes;
  if (child_as_limit) context["child_address_space_limit_bytes"] = *child_as_limit;
  context["child_core_dumps"] = "off (RLIMIT_CORE 0)";
  // Why repetitions agree exactly, and what they do not vary.
  context["repetitions_layout"] =
      "each attempt is a fork of this process, so all share its address-space layout; "
      "across runs of the binary the main-thread stack's depth moves by a few KiB of stack "
      "(ASLR places the first frame at a random offset in the top pages, and the "
      "environment's size differs); mapped stacks do not move";
  context["guard_bytes_mapped_stack"] = stack_suite::kGuardBytes;
  context["mapped_stack_pages"] =
      "huge pages asked for (MADV_HUGEPAGE); the kernel's mode: " + transparent_huge_pages();
  return context;
}

nlohmann::json entry_json(const std::string& name, defer::Strategy strategy,
                          std::uint64_t stack_bytes, bool on_main_stack, int repetitions,
                          int index, const stack_suite::AttemptResult& r) {
  const bool overflowed = r.classified.outcome == stack_suite::Outcome::overflow;
  const bool is_result = overflowed || r.classified.outcome == stack_suite::Outcome::out_of_memory;
  // real_time is the one experiment: from the first frame to the fault when
  // the child timed it, else the parent's fork-to-reap.
  const double time_ns = static_cast<double>(r.overflow_ns.value_or(r.wall_ns));
  nlohmann::json e = {
      {"name", name},
      {"run_name", name},
      {"run_type", "iteration"},
      {"repetitions", repetitions},
      {"repetition_index", index},
      {"threads", 1},
      {"iterations", 1},
      {"real_time", time_ns},
      {"cpu_time", r.cpu_ns ? static_cast<double>(*r.cpu_ns) : time_ns},
      {"time_unit", "ns"},
      {"strategy", std::string(defer::name(strategy))},
      {"stack_bytes", stack_bytes},
      {"stack_kind", on_main_stack ? "main thread (RLIMIT_STACK)" : "mapped, on a thread"},
      {"outcome", std::string(stack_suite::name(r.classified.outcome))},
      {"depth", r.depth},
      {"attempt_wall_ns", r.wall_ns},
  };
  if (!r.classified.detail.empty()) e["outcome_detail"] = r.classified.detail;
  if (overflowed && r.depth > 0) {
    e["bytes_per_frame"] = static_cast<double>(stack_bytes) / static_cast<double>(r.depth);
  }
  if (r.overflow_ns && r.depth > 0) {
    e["ns_per_frame"] = static_cast<double>(*r.overflow_ns) / static_cast<double>(r.depth);
  }
  if (r.usable_stack_bytes > 0) e["usable_stack_bytes"] = r.usable_stack_bytes;
  if (r.peak_rss_bytes) e["peak_rss_bytes"] = *r.peak_rss_bytes;
  if (r.minor_faults) e["minor_faults"] = *r.minor_faults;
  // Perf events per frame, named as requested; absent when not counted.
  for (const auto& [event, total] : r.perf_totals) {
    if (r.depth > 0) e[event] = total / static_cast<double>(r.depth);
  }
  if (!is_result) {
    e["error_occurred"] = true;
    e["error_message"] = std::string(stack_suite::name(r.classified.outcome)) + ": " +
                         r.classified.detail;
  }
  return e;
}

// One stderr line per case: its depths and whether the attempts agree.
void print_case(const std::string& name, const std::vector<stack_suite::AttemptResult>& runs,
                std::uint64_t stack_bytes) {
  std::string line = "stack: " + name + ":";
  std::uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& r : runs) {
    line += " " + std::string(stack_suite::name(r.classified.outcome)) + "@" +
            std::to_string(r.depth);
    lo = std::min(lo, r.depth);
    hi = std::max(hi, r.depth);
  }
  if (!runs.empty() && lo > 0) {
    char tail[96];
    std::snprintf(tail, sizeof tail, "; %.1f B/frame; depths %s", double(stack_bytes) / double(hi),
                  lo == hi ? "agree" : ("differ by " + std::to_string(hi - lo)).c_str());
    line += tail;
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

// The suite's list of cases, in the format of the Google Benchmark suites'
// (harness/registry.h), which the scripts read the same way.
std::string cases_json() {
  for (const stack_suite::Recursion& r : stack_suite::recursions()) {
    harness::add_case_info({.name = std::string(defer::name(r.strategy)), .kind = r.kind,
                            .mechanism = r.mechanism, .go_counterpart = r.go_counterpart,
                            .claims = "A6, A7", .omits = r.omits});
  }
  return harness::case_infos_json();
}

}  // namespace

int main(int argc, char** argv) {
  const harness::ProgramOptions options =
      harness::parse_program_options("stack", kUsage, argc, argv);

  // Probe the events here (statuses go in the context); each attempt's
  // recursing thread opens its own. An unknown name is bad input.
  const nlohmann::json perf_events = harness::probe_program_events(options.events);
  stack_suite::set_perf_events(options.events);

  const char* sizes_env = std::getenv("STACK_SIZES");
  const std::string_view sizes_text =
      sizes_env ? sizes_env : (options.quick ? kQuickDefaultSizes : kDefaultSizes);
  const stack_suite::ParsedSizes sizes = stack_suite::parse_stack_sizes(sizes_text);
  if (!sizes.error.empty()) harness::refuse(sizes.error);
  const stack_suite::MemoryBounds bounds = stack_suite::current_memory_bounds();
  if (const std::string problem = stack_suite::check_memory(sizes.bytes, bounds);
      !problem.empty()) {
    harness::refuse(problem);
  }
  const double timeout_s = parse_timeout();
  const int repetitions = options.quick ? kQuickRepetitions : kRepetitions;
  const std::optional<std::uint64_t> main_stack = default_stack_bytes();

  // The child may use what is available now and no more: past it, operator
  // new fails in the child (reported as out_of_memory) instead of the OOM
  // killer choosing a victim on a shared machine.
  std::optional<std::uint64_t> child_as_limit = bounds.mem_available_bytes;
  if (bounds.address_space_limit_bytes &&
      (!child_as_limit || *bounds.address_space_limit_bytes < *child_as_limit)) {
    child_as_limit = bounds.address_space_limit_bytes;
  }

  if (options.check_only) return 0;  // every setting is good: nothing is created
  harness::ProgramOutput output(options.out);
  stack_suite::install_interrupt_handlers();

  nlohmann::json benchmarks = nlohmann::json::array();
  for (const std::uint64_t stack_bytes : sizes.bytes) {
    const bool on_main = main_stack && *main_stack == stack_bytes;
    for (const stack_suite::Recursion& recursion : stack_suite::recursions()) {
      const std::string name =
          std::string(defer::name(recursion.strategy)) + "/" + size_label(stack_bytes);
      std::vector<stack_suite::AttemptResult> runs;
      const int attempts = stack_bytes >= kOneAttemptFromBytes ? 1 : repetitions;
      for (int rep = 0; rep < attempts; ++rep) {
        const stack_suite::AttemptSpec spec{&recursion, stack_bytes, on_main, child_as_limit,
                                            timeout_s};
        stack_suite::AttemptResult result = stack_suite::run_attempt(spec);
        if (result.interrupted || stack_suite::interrupt_signal() != 0) {
          const int sig = stack_suite::interrupt_signal();
          output.discard();
          std::fprintf(stderr, "deferbench: stack: interrupted by %s; child killed, nothing written\n",
                       sigabbrev_np(sig) ? sigabbrev_np(sig) : "a signal");
          return 128 + sig;
        }
        benchmarks.push_back(
            entry_json(name, recursion.strategy, stack_bytes, on_main, attempts, rep, result));
        runs.push_back(std::move(result));
      }
      print_case(name, runs, stack_bytes);
    }
  }

  nlohmann::json document = {
      {"context", context_json(sizes.bytes, sizes_env != nullptr, options.quick, repetitions,
                               timeout_s, bounds, child_as_limit, main_stack)},
      {"benchmarks", benchmarks}};
  document["context"]["perf_events"] = perf_events;  // per frame, user and kernel mode
  document["context"]["cases"] = cases_json();
  return output.write(document) ? 0 : 1;
}
