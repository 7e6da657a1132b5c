// The main() of a program suite, in pieces: a suite binary that runs its own
// experiment (forked children, not a Google Benchmark loop) and writes one
// Google Benchmark-shaped JSON document, {"context": ..., "benchmarks": [...]}.
// suites/stack and suites/fd are program suites (the kind "program" in
// scripts/deferbench/run/registry.py).
//
// The command line is the same for all: --out=PATH, --quick, --events=LIST,
// --probe-events, --check-options, --help; a suite's own settings come from its environment.
// Bad input is refused with one line on stderr, "deferbench: <suite>:
// <problem>", and exit status 2, before anything runs; so is an --out that
// exists or cannot be written. A run writes its results whole or not at all.
//
//   const auto options = harness::parse_program_options("stack", kUsage, argc, argv);
//   const auto perf_events = harness::probe_program_events(options.events);
//   ... read and check the suite's settings, harness::refuse(...) on bad ones ...
//   if (options.check_only) return 0;
//   harness::ProgramOutput output(options.out);
//   ... the experiment; output.discard() when interrupted ...
//   nlohmann::json context = harness::program_context();  // + the suite's fields
//   return output.write({{"context", context}, {"benchmarks", entries}}) ? 0 : 1;
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "perf_counters.h"

namespace harness {

struct ProgramOptions {
  std::string out;     // --out=PATH; empty: standard output
  bool quick = false;  // --quick
  // --check-options: check the options and the suite's settings, refusing bad
  // ones as a run would, then exit 0 before anything is created, so that a
  // runner can refuse bad input before it makes a run folder.
  bool check_only = false;
  // --events=LIST, libpfm4 names; --events= counts none.
  std::vector<std::string> events = PerfCounters::default_events();
};

// Reads the command line. --help prints `usage` and exits 0; --probe-events
// prints each event's status as JSON, as a Google Benchmark suite's
// --probe-events does, and exits (2 when a name is unknown to libpfm4, 0
// otherwise); any other option is refused. From here on `suite` names the
// suite in refusals and in the context.
ProgramOptions parse_program_options(std::string_view suite, const char* usage, int argc,
                                     char** argv);

// "deferbench: <suite>: <problem>" on stderr, then exit status 2. An output
// file created but not written yet is removed first.
[[noreturn]] void refuse(const std::string& problem);

// The statuses of `events` as a program suite counts them, user and kernel
// mode, for its context: [{"name", "status", "reason"}, ...] (the reason is
// empty for a counted event). An unknown name is refused.
nlohmann::json probe_program_events(const std::vector<std::string>& events);

// The context every program suite records: date (UTC), host_name, num_cpus,
// kernel, executable, library_build_type, deferbench_suite and the build
// (harness/build_info.h). The suite adds its own fields.
nlohmann::json program_context();

// Where a run's JSON goes: the --out file, written whole, or standard output.
class ProgramOutput {
 public:
  // With a path: refuses one that exists (a run never overwrites an earlier
  // one) and creates the temporary file beside it now, refused when it
  // cannot be, so that an unwritable folder is found before anything runs. No
  // descriptor stays open meanwhile. An empty path: standard output.
  explicit ProgramOutput(std::string path);
  ~ProgramOutput();  // removes a temporary file never written
  ProgramOutput(const ProgramOutput&) = delete;
  ProgramOutput& operator=(const ProgramOutput&) = delete;

  // The document, indented, whole: into the temporary file, fsync, close,
  // renamed onto the path unless something appeared there meanwhile (then
  // the results stay in the temporary file, which the line names). On
  // failure one line on stderr and false.
  bool write(const nlohmann::json& document);

  // An interrupted run writes nothing: removes the temporary file.
  void discard() noexcept;

 private:
  std::string path_;
  std::string temp_;  // empty once written or discarded
};

}  // namespace harness
