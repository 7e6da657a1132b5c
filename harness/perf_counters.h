// Hardware and software perf counters, named as libpfm4 names them.
//
// Each event name is encoded by libpfm4 (pfm_get_os_event_encoding with
// PFM_OS_PERF_EVENT) and then probed by opening it with perf_event_open:
// an event can encode and still fail to open (a VM with no PMU answers
// ENOENT). Every event ends with a status, counted or unavailable with the
// reason; an unavailable event is left out of the results, never reported as
// zero. Opening never aborts: a machine with no counters yields a usable,
// empty set.
//
// Counted hardware events are read as one group, so ratios such as IPC come
// from one scheduling window; software events, which the kernel never
// multiplexes, are read one by one by default. A clock (task-clock,
// cpu-clock) never shares a group with the other software events: measured on
// this VM's kernel (6.18) over a 64 MiB touch, the page faults of a group led
// by task-clock read 0 to about 90% of the 16384 an ungrouped counter saw (0
// in most runs), and a task-clock member of a group led by page-faults read 0
// to a fraction of its time, while page-faults, minor-faults and
// context-switches in one group counted every fault, run after run. So
// Grouping::software_together puts the non-clock software events in one group
// and leaves each clock alone. When the kernel multiplexes a group, values are
// scaled by time enabled / time running, and the running fraction is kept
// beside them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct perf_event_attr;

namespace harness {

// The kernel's side of counting, behind one seam: perf_event_open(2) for this
// thread on any CPU, read(2) and close(2). The system's by default; a test
// puts a fake kernel here to drive the group read, scaling and multiplexing
// code as a machine with a PMU would (ScopedKernel).
struct Kernel {
  int (*open)(perf_event_attr* attr, int group_fd);  // an fd, or -1 with errno set
  ssize_t (*read)(int fd, void* buffer, std::size_t bytes);
  int (*close)(int fd);
};

// Puts `kernel` in place of the system's for as long as it lives (tests only).
class ScopedKernel {
 public:
  explicit ScopedKernel(const Kernel& kernel);
  ~ScopedKernel();
  ScopedKernel(const ScopedKernel&) = delete;
  ScopedKernel& operator=(const ScopedKernel&) = delete;

 private:
  const Kernel* previous_;
};

// How counted events share groups (one read, one scheduling window).
enum class Grouping {
  hardware_together,  // the hardware events in one group, each software event alone
  software_together,  // the same, and the non-clock software events in one group
};

enum class EventStatus {
  counted,
  unknown_event,  // libpfm4 does not know the name
  no_pmu,         // ENOENT/ENODEV: no such counter on this machine
  permission,     // EACCES/EPERM: perf_event_paranoid or capabilities
  not_supported,  // EOPNOTSUPP/EINVAL: the PMU refuses this configuration
  error,          // anything else, with its errno
};

const char* to_string(EventStatus status) noexcept;

struct EventInfo {
  std::string name;    // as asked for
  std::string encoded; // libpfm4's fully qualified name, when it encoded
  EventStatus status = EventStatus::error;
  std::string reason;  // empty when counted
};

// One reading of every counted event, in the order of counted_names().
struct CounterValues {
  std::vector<double> values;   // scaled for multiplexing
  double running_fraction = 1;  // lowest time running / time enabled
};

class PerfCounters {
 public:
  // The default set: the four generic hardware events, then three software.
  static std::vector<std::string> default_events();

  // Encodes, probes and opens each event. count_kernel adds kernel-mode
  // counting (user space only otherwise).
  static PerfCounters open(const std::vector<std::string>& names,
                           bool count_kernel = false,
                           Grouping grouping = Grouping::hardware_together);

  // How many groups the counted events were opened in (one read each).
  std::size_t group_count() const { return groups_.size(); }

  PerfCounters() = default;
  PerfCounters(PerfCounters&& other) noexcept;
  PerfCounters& operator=(PerfCounters&& other) noexcept;
  PerfCounters(const PerfCounters&) = delete;
  PerfCounters& operator=(const PerfCounters&) = delete;
  ~PerfCounters();

  const std::vector<EventInfo>& events() const { return events_; }
  const std::vector<std::string>& counted_names() const { return counted_; }
  bool empty() const { return counted_.empty(); }

  // Raw cumulative reading; subtract two with delta() for an interval.
  struct Snapshot {
    std::vector<std::uint64_t> value, enabled, running;  // per counted event
  };
  Snapshot read() const;
  // The same into a snapshot sized by an earlier read(): no allocation, so
  // reading around a loop does not show up in its allocation counts.
  void read(Snapshot& into) const;
  static CounterValues delta(const Snapshot& before, const Snapshot& after);

  // Scales a raw count for multiplexing: value * enabled / running. Returns
  // a negative number when the event never ran (nothing was measured).
  static double scale(std::uint64_t value, std::uint64_t enabled,
                      std::uint64_t running) noexcept;

 private:
  struct Group {
    int leader_fd = -1;
    std::vector<int> fds;          // leader first
    std::vector<std::size_t> slot; // index into counted_ for each fd
  };
  void close_all() noexcept;

  std::vector<EventInfo> events_;
  std::vector<std::string> counted_;
  std::vector<Group> groups_;
};

// Perf events counted for another process and every thread it starts, from
// its exec to its end (inherit, enable_on_exec): what a launcher counts for a
// program that is not deferbench's (Go's test binaries). Events are opened one
// by one (the kernel cannot read an inherited group) and probed as
// PerfCounters probes them: an event that cannot be counted has its status
// and reason, and no value.
class ChildCounters {
 public:
  struct Count {
    EventInfo event;
    std::uint64_t value = 0, enabled = 0, running = 0;  // when counted
  };
  // Opens the events for `child`, which must not have exec'd yet (it waits).
  static ChildCounters open(int child, const std::vector<std::string>& names,
                            bool count_kernel);
  ChildCounters() = default;
  ChildCounters(ChildCounters&& other) noexcept;
  ChildCounters& operator=(ChildCounters&&) = delete;
  ChildCounters(const ChildCounters&) = delete;
  ~ChildCounters();

  // Every event with its count so far (read after the child has ended: its total).
  std::vector<Count> read() const;

 private:
  std::vector<EventInfo> events_;
  std::vector<int> fds_;  // per event, -1 when not counted
};

// Names libpfm4 lists on this machine that are closest to `name` (for the
// message about an unknown event). Empty when libpfm4 cannot list any.
std::vector<std::string> closest_event_names(const std::string& name,
                                             std::size_t how_many = 3);

}  // namespace harness
