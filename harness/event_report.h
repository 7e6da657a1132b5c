// What a suite binary says about its perf events, the same in every suite
// (Google Benchmark suites and program suites alike): the list given as
// --events=LIST, each event's status as JSON for --probe-events, and the one
// line that refuses a name libpfm4 does not know.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "perf_counters.h"

namespace harness {

// "a,b,,c" as {"a", "b", "c"}: a comma-separated list, empty items dropped.
std::vector<std::string> split_commas(std::string_view list);

// One object per event: name and status, and libpfm4's encoding and the
// reason it is not counted where there are any.
nlohmann::json event_statuses_json(const PerfCounters& counters);

// "unknown perf event 'NAME' (why); closest libpfm4 names: ...": the problem
// with an event whose status is unknown_event, on one line.
std::string unknown_event_problem(const EventInfo& event);

// One line on stderr for each unknown event, after `prefix` ("deferbench: ");
// whether there was any.
bool report_unknown_events(const PerfCounters& counters, std::string_view prefix);

// --probe-events: the statuses as JSON on stdout, then the unknown names on
// stderr; the exit status, 2 when a name is unknown, 0 otherwise.
int print_event_probe(const PerfCounters& counters, std::string_view prefix);

}  // namespace harness
