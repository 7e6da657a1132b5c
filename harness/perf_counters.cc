// libpfm4 encoding, perf_event_open probing and group reads (see
// perf_counters.h for what is guaranteed).
#include "perf_counters.h"

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <utility>

namespace harness {
namespace {

bool pfm_ready() {
  static const bool ready = pfm_initialize() == PFM_SUCCESS;
  return ready;
}

int system_open(perf_event_attr* attr, int group_fd) {
  return static_cast<int>(
      syscall(SYS_perf_event_open, attr, 0 /* this thread */, -1 /* any cpu */,
              group_fd, 0UL));
}

const Kernel kSystemKernel{system_open, ::read, ::close};
const Kernel* g_kernel = &kSystemKernel;

int perf_event_open(perf_event_attr* attr, int group_fd) { return g_kernel->open(attr, group_fd); }

// The software events that are clocks (hrtimer-driven): no group's leader.
bool is_clock(const perf_event_attr& attr) {
  return attr.type == PERF_TYPE_SOFTWARE &&
         (attr.config == PERF_COUNT_SW_TASK_CLOCK || attr.config == PERF_COUNT_SW_CPU_CLOCK);
}

std::string paranoid_level() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string level;
  return (in >> level) ? level : "unreadable";
}

// Turns a perf_event_open errno into a status and a reason a person can act on.
void classify_open_error(int err, EventInfo& event) {
  const std::string errno_text =
      std::string(strerrorname_np(err) ? strerrorname_np(err) : "errno") + ", " +
      std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENODEV:
      event.status = EventStatus::no_pmu;
      event.reason = "no such counter on this machine (" + errno_text +
                     "): no hardware PMU is exposed, as in most VMs";
      return;
    case EACCES:
    case EPERM:
      event.status = EventStatus::permission;
      event.reason = "permission denied (" + errno_text +
                     "): kernel.perf_event_paranoid is " + paranoid_level() +
                     "; counting needs a lower level or CAP_PERFMON";
      return;
    case EOPNOTSUPP:
    case EINVAL:
      event.status = EventStatus::not_supported;
      event.reason = "the PMU refuses this event (" + errno_text + ")";
      return;
    default:
      event.status = EventStatus::error;
      event.reason = "perf_event_open failed (" + errno_text + ")";
  }
}

struct Encoded {
  perf_event_attr attr{};
  std::string fully_qualified;
};

// libpfm4's encoding of a name, or its error.
int encode(const std::string& name, bool count_kernel, Encoded& out) {
  out.attr = perf_event_attr{};
  char* fstr = nullptr;
  pfm_perf_encode_arg_t arg{};
  arg.attr = &out.attr;
  arg.fstr = &fstr;
  arg.size = sizeof(arg);
  const int plm = count_kernel ? (PFM_PLM0 | PFM_PLM3) : PFM_PLM3;
  const int rc = pfm_get_os_event_encoding(name.c_str(), plm, PFM_OS_PERF_EVENT, &arg);
  if (fstr != nullptr) {
    out.fully_qualified = fstr;
    std::free(fstr);
  }
  out.attr.size = sizeof(perf_event_attr);
  out.attr.exclude_hv = 1;
  if (!count_kernel) out.attr.exclude_kernel = 1;
  return rc;
}

constexpr std::uint64_t kGroupReadFormat = PERF_FORMAT_GROUP |
                                           PERF_FORMAT_TOTAL_TIME_ENABLED |
                                           PERF_FORMAT_TOTAL_TIME_RUNNING;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Names the event and encodes it with libpfm4; false, with the event marked
// unknown and libpfm4's reason, when it cannot (what every open starts with).
bool encode_event(const std::string& name, bool count_kernel, EventInfo& event, Encoded& enc) {
  event.name = name;
  const int rc = pfm_ready() ? encode(name, count_kernel, enc) : PFM_ERR_NOINIT;
  if (rc != PFM_SUCCESS) {
    event.status = EventStatus::unknown_event;
    event.reason = std::string("libpfm4 cannot encode it: ") + pfm_strerror(rc);
    return false;
  }
  event.encoded = enc.fully_qualified;
  return true;
}

}  // namespace

const char* to_string(EventStatus status) noexcept {
  switch (status) {
    case EventStatus::counted: return "counted";
    case EventStatus::unknown_event: return "unknown_event";
    case EventStatus::no_pmu: return "no_pmu";
    case EventStatus::permission: return "permission";
    case EventStatus::not_supported: return "not_supported";
    case EventStatus::error: return "error";
  }
  return "error";
}

std::vector<std::string> PerfCounters::default_events() {
  return {"cycles",           "instructions",      "branch-misses",
          "cache-misses",     "perf::TASK-CLOCK",  "perf::PAGE-FAULTS",
          "perf::CONTEXT-SWITCHES"};
}

ScopedKernel::ScopedKernel(const Kernel& kernel) : previous_(g_kernel) { g_kernel = &kernel; }
ScopedKernel::~ScopedKernel() { g_kernel = previous_; }

PerfCounters PerfCounters::open(const std::vector<std::string>& names,
                                bool count_kernel, Grouping grouping) {
  PerfCounters counters;
  std::vector<Encoded> encodings;  // of the events that probed as countable
  for (const std::string& name : names) {
    EventInfo event;
    Encoded enc;
    if (!encode_event(name, count_kernel, event, enc)) {
      counters.events_.push_back(std::move(event));
      continue;
    }
    // Probe alone: encoding proves nothing about the machine.
    const int fd = perf_event_open(&enc.attr, -1);
    if (fd < 0) {
      classify_open_error(errno, event);
    } else {
      g_kernel->close(fd);
      event.status = EventStatus::counted;
      encodings.push_back(enc);
      counters.counted_.push_back(name);
    }
    counters.events_.push_back(std::move(event));
  }

  // Hardware events share one group (one scheduling window, so IPC is
  // consistent); an event the group cannot hold gets its own. Software events
  // each get their own unless asked together: the kernel never multiplexes
  // them, so a group buys one read instead of several; a clock never joins
  // one (see the header).
  auto open_in_group = [&](Group& group, Encoded& enc, std::size_t slot) {
    enc.attr.read_format = kGroupReadFormat;
    const int fd = perf_event_open(&enc.attr, group.leader_fd);
    if (fd < 0) return false;
    if (group.leader_fd < 0) group.leader_fd = fd;
    group.fds.push_back(fd);
    group.slot.push_back(slot);
    return true;
  };
  Group hardware, software;
  for (std::size_t i = 0; i < encodings.size(); ++i) {
    const bool is_software = encodings[i].attr.type == PERF_TYPE_SOFTWARE;
    if (!is_software && open_in_group(hardware, encodings[i], i)) continue;
    if (is_software && grouping == Grouping::software_together &&
        !is_clock(encodings[i].attr) && open_in_group(software, encodings[i], i)) {
      continue;
    }
    Group alone;
    if (open_in_group(alone, encodings[i], i)) counters.groups_.push_back(std::move(alone));
  }
  for (Group* g : {&hardware, &software}) {
    if (g->leader_fd >= 0) counters.groups_.push_back(std::move(*g));
  }
  return counters;
}

PerfCounters::PerfCounters(PerfCounters&& other) noexcept
    : events_(std::move(other.events_)),
      counted_(std::move(other.counted_)),
      groups_(std::exchange(other.groups_, {})) {}

PerfCounters& PerfCounters::operator=(PerfCounters&& other) noexcept {
  if (this != &other) {
    close_all();
    events_ = std::move(other.events_);
    counted_ = std::move(other.counted_);
    groups_ = std::exchange(other.groups_, {});
  }
  return *this;
}

PerfCounters::~PerfCounters() { close_all(); }

void PerfCounters::close_all() noexcept {
  for (Group& g : groups_) {
    for (int fd : g.fds) g_kernel->close(fd);
  }
  groups_.clear();
}

PerfCounters::Snapshot PerfCounters::read() const {
  Snapshot s;
  s.value.resize(counted_.size());
  s.enabled.resize(counted_.size());
  s.running.resize(counted_.size());
  read(s);
  return s;
}

void PerfCounters::read(Snapshot& s) const {
  std::fill(s.value.begin(), s.value.end(), 0);
  std::fill(s.enabled.begin(), s.enabled.end(), 0);
  std::fill(s.running.begin(), s.running.end(), 0);
  // nr, time_enabled, time_running, then one value per member; groups are
  // never larger than the events asked for.
  constexpr std::size_t kMaxGroup = 32;
  std::uint64_t buffer[3 + kMaxGroup];
  for (const Group& g : groups_) {
    const std::size_t members = std::min(g.fds.size(), kMaxGroup);
    const auto bytes = static_cast<ssize_t>((3 + members) * sizeof(std::uint64_t));
    if (g_kernel->read(g.leader_fd, buffer, static_cast<std::size_t>(bytes)) != bytes) {
      continue;  // left at zero enabled: delta() reports it as not measured
    }
    for (std::size_t k = 0; k < members && k < buffer[0]; ++k) {
      s.value[g.slot[k]] = buffer[3 + k];
      s.enabled[g.slot[k]] = buffer[1];
      s.running[g.slot[k]] = buffer[2];
    }
  }
}

double PerfCounters::scale(std::uint64_t value, std::uint64_t enabled,
                           std::uint64_t running) noexcept {
  if (running == 0) return -1;  // never scheduled: nothing was measured
  if (running >= enabled) return static_cast<double>(value);
  return static_cast<double>(value) * static_cast<double>(enabled) /
         static_cast<double>(running);
}

CounterValues PerfCounters::delta(const Snapshot& before, const Snapshot& after) {
  CounterValues out;
  out.values.resize(after.value.size());
  for (std::size_t i = 0; i < after.value.size(); ++i) {
    const std::uint64_t enabled = after.enabled[i] - before.enabled[i];
    const std::uint64_t running = after.running[i] - before.running[i];
    out.values[i] = scale(after.value[i] - before.value[i], enabled, running);
    if (enabled > 0) {
      out.running_fraction = std::min(
          out.running_fraction,
          static_cast<double>(running) / static_cast<double>(enabled));
    }
  }
  return out;
}

ChildCounters ChildCounters::open(int child, const std::vector<std::string>& names,
                                  bool count_kernel) {
  ChildCounters counters;
  for (const std::string& name : names) {
    EventInfo event;
    Encoded enc;
    int fd = -1;
    if (encode_event(name, count_kernel, event, enc)) {
      enc.attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
      enc.attr.inherit = 1;         // the threads it starts, too
      enc.attr.disabled = 1;        // not the launcher's own work before the exec ...
      enc.attr.enable_on_exec = 1;  // ... counting starts with the program
      fd = static_cast<int>(syscall(SYS_perf_event_open, &enc.attr, child, -1, -1, 0UL));
      if (fd < 0) {
        classify_open_error(errno, event);
      } else {
        event.status = EventStatus::counted;
      }
    }
    counters.events_.push_back(std::move(event));
    counters.fds_.push_back(fd);
  }
  return counters;
}

ChildCounters::ChildCounters(ChildCounters&& other) noexcept
    : events_(std::move(other.events_)), fds_(std::exchange(other.fds_, {})) {}

ChildCounters::~ChildCounters() {
  for (const int fd : fds_) {
    if (fd >= 0) ::close(fd);
  }
}

std::vector<ChildCounters::Count> ChildCounters::read() const {
  std::vector<Count> out;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    Count c{events_[i]};
    std::uint64_t buffer[3] = {};
    if (fds_[i] >= 0 && ::read(fds_[i], buffer, sizeof buffer) != sizeof buffer) {
      c.event.status = EventStatus::error;
      c.event.reason = "the count could not be read";
    } else if (fds_[i] >= 0) {
      c.value = buffer[0];
      c.enabled = buffer[1];
      c.running = buffer[2];
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> closest_event_names(const std::string& name,
                                             std::size_t how_many) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  if (!pfm_ready()) return {};
  for (int p = PFM_PMU_NONE; p < PFM_PMU_MAX; ++p) {
    pfm_pmu_info_t pmu{};
    pmu.size = sizeof(pmu);
    if (pfm_get_pmu_info(static_cast<pfm_pmu_t>(p), &pmu) != PFM_SUCCESS ||
        !pmu.is_present) {
      continue;
    }
    for (int idx = pmu.first_event; idx != -1; idx = pfm_get_event_next(idx)) {
      pfm_event_info_t info{};
      info.size = sizeof(info);
      if (pfm_get_event_info(idx, PFM_OS_PERF_EVENT, &info) != PFM_SUCCESS) continue;
      const std::string qualified = std::string(pmu.name) + "::" + info.name;
      const std::size_t d = std::min(edit_distance(name, info.name),
                                     edit_distance(name, qualified));
      scored.emplace_back(d, qualified);
    }
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && names.size() < how_many; ++i) {
    names.push_back(scored[i].second);
  }
  return names;
}

}  // namespace harness
