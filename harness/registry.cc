#include "registry.h"

#include <utility>

namespace harness {

std::vector<Case>& suite_cases() {
  static std::vector<Case> cases;  // function-local: safe at static init
  return cases;
}

int add_case(std::string name, void (*run)(benchmark::State&),
             std::function<void(benchmark::internal::Benchmark*)> configure,
             long callgrind_divisor) {
  suite_cases().push_back({std::move(name), run, std::move(configure), callgrind_divisor});
  return static_cast<int>(suite_cases().size()) - 1;
}

}  // namespace harness
