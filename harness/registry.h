// The cases of a suite, collected at static-initialisation time and handed to
// Google Benchmark by the suite's main() once the command line is known (so
// that, for instance, callgrind mode can fix every case's iteration count).
//
//   DEFERBENCH_CASE("call", run_call);
//   DEFERBENCH_CASE("loop/helper/items:1000", run<1000>, {}, /*callgrind_divisor=*/100);
//
// A suite may also say what each case is (CaseInfo): the one list of its
// cases that the scripts read, from the "cases" entry of every run's JSON
// context. Where a suite describes any case it must describe all of them;
// its binary refuses to start otherwise, naming the case.
#pragma once

#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

namespace harness {

struct Case {
  std::string name;
  void (*run)(benchmark::State&);
  std::function<void(benchmark::internal::Benchmark*)> configure;
  // Under --callgrind a case runs --callgrind-iterations / this: a case whose
  // op is a hundred times heavier divides by a hundred, so that every case
  // costs callgrind about the same. The count is fixed, so still repeatable.
  long callgrind_divisor = 1;
};

std::vector<Case>& suite_cases();

// Adds a case; returns its index (the value exists so it can initialise a
// namespace-scope constant).
int add_case(std::string name, void (*run)(benchmark::State&),
             std::function<void(benchmark::internal::Benchmark*)> configure = {},
             long callgrind_divisor = 1);

// What a case is, for the results and the report.
struct CaseInfo {
  std::string name{};
  // "reference" (the plain call the others are measured against), "go_model"
  // (does the work Go's mechanism does), "floor" (the least C++ needs for the
  // same guarantee), "analog" (an earlier, lighter stand-in for a Go
  // mechanism), "idiom" (what C++ code often does) or "harness" (measures
  // the harness itself).
  std::string kind{};
  std::string mechanism{};       // what it does, in words
  std::string go_counterpart{};  // the go.json benchmark of the same mechanism; "" for none
  std::string claims{};          // the claim ids it bears on, "A2, A4"; "" for none
  std::string pair{};            // the case its paired ratio is taken against; "" for none
  std::string omits{};           // in one line, what it leaves out relative to Go
  // deferbench's goal for the case's paired ratio to `pair`: at most this
  // much; 0 for none (the JSON then has no target_ratio).
  double target_ratio{};
};

std::vector<CaseInfo>& suite_case_infos();
int add_case_info(CaseInfo info);

// The first case registered without a CaseInfo, or with a CaseInfo and no
// case, in a suite that describes its cases; "" when every case is described
// (or none is).
std::string undescribed_case();

// The suite's CaseInfos, in registration order, as a JSON array.
std::string case_infos_json();

}  // namespace harness

#define DEFERBENCH_CONCAT_INNER(a, b) a##b
#define DEFERBENCH_CONCAT(a, b) DEFERBENCH_CONCAT_INNER(a, b)
#define DEFERBENCH_CASE(...)                                           \
  [[maybe_unused]] static const int DEFERBENCH_CONCAT(deferbench_case_, \
                                                      __LINE__) =       \
      ::harness::add_case(__VA_ARGS__)

#define DEFERBENCH_CASE_INFO(...)                                           \
  [[maybe_unused]] static const int DEFERBENCH_CONCAT(deferbench_case_info_, \
                                                      __LINE__) =            \
      ::harness::add_case_info(::harness::CaseInfo{__VA_ARGS__})
