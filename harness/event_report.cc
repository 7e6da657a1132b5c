#include "event_report.h"

#include <cstdio>
#include <iostream>
#include <sstream>

namespace harness {

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> out;
  std::stringstream in{std::string(list)};
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

nlohmann::json event_statuses_json(const PerfCounters& counters) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : counters.events()) {
    nlohmann::json item = {{"name", e.name}, {"status", to_string(e.status)}};
    if (!e.encoded.empty()) item["encoded"] = e.encoded;
    if (!e.reason.empty()) item["reason"] = e.reason;
    list.push_back(item);
  }
  return list;
}

std::string unknown_event_problem(const EventInfo& event) {
  std::string line = "unknown perf event '" + event.name + "' (" + event.reason + ")";
  const auto near = closest_event_names(event.name);
  if (!near.empty()) {
    line += "; closest libpfm4 names:";
    for (std::size_t i = 0; i < near.size(); ++i) line += (i ? ", " : " ") + near[i];
  }
  line += "; `showevtinfo` from libpfm4's examples lists them all";
  return line;
}

bool report_unknown_events(const PerfCounters& counters, std::string_view prefix) {
  bool any = false;
  for (const auto& e : counters.events()) {
    if (e.status != EventStatus::unknown_event) continue;
    any = true;
    std::fprintf(stderr, "%.*s%s\n", static_cast<int>(prefix.size()), prefix.data(),
                 unknown_event_problem(e).c_str());
  }
  return any;
}

int print_event_probe(const PerfCounters& counters, std::string_view prefix) {
  std::cout << event_statuses_json(counters).dump(2) << '\n' << std::flush;
  return report_unknown_events(counters, prefix) ? 2 : 0;
}

}  // namespace harness
