// The cases of a suite, collected at static-initialisation time and handed to
// Google Benchmark by the suite's main() once the command line is known (so
// that, for instance, callgrind mode can fix every case's iteration count).
//
//   DEFERBENCH_CASE("call", run_call);
//   DEFERBENCH_CASE("loop/helper/items:1000", run<1000>, {}, /*callgrind_divisor=*/100);
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

}  // namespace harness

#define DEFERBENCH_CONCAT_INNER(a, b) a##b
#define DEFERBENCH_CONCAT(a, b) DEFERBENCH_CONCAT_INNER(a, b)
#define DEFERBENCH_CASE(...)                                           \
  [[maybe_unused]] static const int DEFERBENCH_CONCAT(deferbench_case_, \
                                                      __LINE__) =       \
      ::harness::add_case(__VA_ARGS__)
