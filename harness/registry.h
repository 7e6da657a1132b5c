// The cases of a suite, collected at static-initialisation time and handed to
// Google Benchmark by the suite's main() once the command line is known (so
// that, for instance, callgrind mode can fix every case's iteration count).
//
//   DEFERBENCH_CASE("call", run_call);
//   DEFERBENCH_CASE("ndefers/9", run_ndefers<9>, [](auto* b) { b->Arg(9); });
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
};

std::vector<Case>& suite_cases();

// Adds a case; returns its index (the value exists so it can initialise a
// namespace-scope constant).
int add_case(std::string name, void (*run)(benchmark::State&),
             std::function<void(benchmark::internal::Benchmark*)> configure = {});

}  // namespace harness

#define DEFERBENCH_CONCAT_INNER(a, b) a##b
#define DEFERBENCH_CONCAT(a, b) DEFERBENCH_CONCAT_INNER(a, b)
#define DEFERBENCH_CASE(...)                                           \
  [[maybe_unused]] static const int DEFERBENCH_CONCAT(deferbench_case_, \
                                                      __LINE__) =       \
      ::harness::add_case(__VA_ARGS__)
