#include "registry.h"

#include <nlohmann/json.hpp>
#include <set>
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

std::vector<CaseInfo>& suite_case_infos() {
  static std::vector<CaseInfo> infos;
  return infos;
}

int add_case_info(CaseInfo info) {
  suite_case_infos().push_back(std::move(info));
  return static_cast<int>(suite_case_infos().size()) - 1;
}

std::string undescribed_case() {
  if (suite_case_infos().empty()) return "";
  std::set<std::string> described, registered;
  for (const CaseInfo& i : suite_case_infos()) described.insert(i.name);
  for (const Case& c : suite_cases()) {
    registered.insert(c.name);
    if (!described.count(c.name)) return c.name;
  }
  for (const CaseInfo& i : suite_case_infos()) {
    if (!registered.count(i.name)) return i.name;
  }
  return "";
}

std::string case_infos_json() {
  nlohmann::json cases = nlohmann::json::array();
  for (const CaseInfo& i : suite_case_infos()) {
    nlohmann::json c = {{"name", i.name}, {"kind", i.kind}, {"mechanism", i.mechanism},
                        {"go_counterpart", i.go_counterpart}, {"claims", i.claims},
                        {"pair", i.pair}, {"omits", i.omits}};
    if (i.target_ratio > 0) c["target_ratio"] = i.target_ratio;
    cases.push_back(std::move(c));
  }
  return cases.dump();
}

}  // namespace harness
