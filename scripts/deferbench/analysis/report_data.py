"""What a run's report shows, computed from its JSON alone: the machine and
the warnings that affect its figures, the headline of the three cases, and
the sections (cliffs, fd, stack, counters). Pure functions returning plain
data; report.py renders them, charts.py draws them, claims_table.py judges
the claims from them.
"""

import math
from dataclasses import dataclass, field

from . import cases, claims, paired, results, stats
from ..run import registry
from ..suites import cliffs as cliffs_summary, fd as fd_summary, stack as stack_summary

NAN = math.nan
# Other processes keeping more than this fraction of the CPUs busy as the suites
# start mark a loaded machine (runs before that measurement: the 1-minute load
# average, which still counts a build that has just ended).
LOADED_FRACTION = 0.5


@dataclass
class Measure:
    """One benchmark's repetitions in one suite."""
    source: str          # "<suite>.json: <benchmark>"
    values: list         # per repetition, in the unit below
    unit: str = "ns/op"

    @property
    def median(self):
        return stats.median(self.values) if self.values else NAN

    @property
    def cv(self):
        return stats.cv(self.values)

    @property
    def measured(self):
        return bool(self.values)


def measure(run, suite, name, key="real_time"):
    """A Measure of one benchmark; empty values when it is not in the run."""
    s = run.suite(suite)
    b = s.benchmarks.get(name) if s else None
    if b is None:
        values = []
    elif key in ("real_time", "cpu_time"):
        values = b.times_ns(key)
    else:
        values = b.counter(key)
    return Measure(f"{suite}.json: {name}", values)


def error_of(run, suite, name):
    """The error message of a benchmark that failed or was not measured."""
    for e in run.entries(suite):
        if e.get("run_name", e.get("name")) == name and e.get("error_occurred"):
            return e.get("error_message", "failed")
    return None


def first_field(run, suite, name, key):
    s = run.suite(suite)
    b = s.benchmarks.get(name) if s else None
    return b.repetitions[0].get(key) if b is not None and b.repetitions else None


# --------------------------------------------------------------------------- machine

def machine_rows(run):
    m = run.manifest
    mach, tool, build, git = (m.get(k) or {} for k in ("machine", "toolchain", "build", "git"))
    mem = mach.get("memory_bytes")
    rows = [
        ("machine id", run.machine_id),
        ("run", f"{run.run_id} ({run.status}{', QUICK' if run.quick else ''})"),
        ("started / finished", f"{m.get('started', '?')} / {m.get('finished', '-')}"),
        ("CPU", f"{mach.get('cpu_model', '?')}, {mach.get('cores', '?')} cores, {mach.get('arch', '?')}"),
        ("memory", f"{mem / 2**30:.1f} GiB" if mem else "unknown"),
        ("kernel", mach.get("kernel", "?")),
        ("frequency governor / boost", f"{mach.get('frequency_governor') or 'not readable'} / "
                                       f"{_yes_no(mach.get('boost'), 'not readable')}"),
        ("hypervisor", _yes_no(mach.get("hypervisor"), "unknown")),
        ("hardware PMU", ", ".join(mach.get("pmu_devices") or []) or "none"),
        ("busy CPUs before the suites", _busy_text(mach.get("busy_before_run"))),
        ("load average at start", " ".join(f"{x:.2f}" for x in mach.get("load_average") or [])
         or "unknown"),
        ("compiler", tool.get("cxx") or "?"),
        ("Go", tool.get("go") or "not installed"),
        ("Google Benchmark / libpfm4", f"{tool.get('google_benchmark') or '?'} / "
                                       f"{tool.get('libpfm4') or '?'}"),
        ("build", f"{build.get('type') or '?'} ({build.get('cxx_flags') or ''})"),
        ("git", f"{(git.get('commit') or '?')[:12]}"
                f"{' (dirty tree)' if git.get('dirty') else ''}"),
    ]
    return rows


def _busy_text(busy):
    if not busy:
        return "not measured"
    steal = f", {busy['steal_cpus']:.2f} stolen by the hypervisor" if busy.get("steal_cpus") \
        else ""
    return (f"{busy['busy_cpus']:.2f} of {busy['cpus']} over the {busy['window_s']:g} s "
            f"before the suites started{steal}")


def loaded_warning(mach):
    """The loaded-machine warning, saying what was measured; None when the
    machine was not loaded."""
    busy = mach.get("busy_before_run")
    if busy:
        if busy["busy_cpus"] <= LOADED_FRACTION * busy["cpus"]:
            return None
        return (f"loaded machine: other processes kept {busy['busy_cpus']:.1f} of "
                f"{busy['cpus']} CPUs busy over the {busy['window_s']:g} s before the suites "
                "started; they shared the CPUs (close them, or compare ratios).")
    load = mach.get("load_average") or []
    cores = mach.get("cores") or 0
    if load and cores and load[0] > LOADED_FRACTION * cores:
        return (f"loaded machine: 1-minute load average {load[0]:.2f} on {cores} cores at "
                "the start, which also counts work that had just ended, such as the build "
                "(the run did not measure what else ran); other work may have shared the "
                "CPUs (close it, or compare ratios).")
    return None


def _yes_no(value, unknown):
    return unknown if value is None else ("yes" if value else "no")


def warnings(run):
    """Lines that qualify the run's figures, each with what to do, those that
    change the figures most first (the report's answer shows the first two)."""
    m = run.manifest
    mach = m.get("machine") or {}
    out = []
    if run.partial:
        missing = ", ".join(f"{k} ({v})" for k, v in run.not_run.items()) or "none"
        out.append(f"PARTIAL run: status '{run.status}'; suites without results: {missing}. "
                   "Rows that need them say 'not in this run'.")
    elif run.not_run:
        out.append("suites without results: " +
                   "; ".join(f"{k}: {v}" for k, v in run.not_run.items()))
    if run.quick:
        out.append("QUICK run: few, short repetitions (and Go's recursion under a smaller stack "
                   "limit); figures are for smoke tests, run `make bench` for the real ones.")
    loaded = loaded_warning(mach)
    if loaded:
        out.append(loaded)
    if (m.get("git") or {}).get("dirty"):
        out.append("dirty git tree: the code measured is not the commit named.")
    build_type = (m.get("build") or {}).get("type")
    if build_type and build_type != "Release":
        out.append(f"non-Release build ({build_type}): times are not representative; "
                   "`make bench` builds Release.")
    if mach.get("hypervisor"):
        out.append("hypervisor: a virtual machine; neighbours and the host add noise.")
    gov = mach.get("frequency_governor")
    if gov and gov != "performance":
        out.append(f"frequency scaling: governor '{gov}'; times drift with the clock "
                   "(set the 'performance' governor for benchmarks).")
    elif gov is None:
        out.append("frequency scaling: the governor is not readable (usual in a VM); the "
                   "clock may change under the benchmarks.")
    if mach.get("boost"):
        out.append("turbo/boost is on: the clock depends on temperature and load; "
                   "compare ratios rather than times.")
    if mach.get("pmu_present") is False:
        out.append("no hardware PMU: cycles, instructions and misses are not counted "
                   "(COUNTERS=callgrind counts instructions under valgrind instead).")
    return out


# --------------------------------------------------------------------------- headline

@dataclass
class HeadlineCase:
    label: str
    claim: str
    article_ns: float
    go: Measure
    cpp: Measure
    article_ratio: float = NAN
    go_ratio: float = NAN
    cpp_ratio: float = NAN
    # The 95% interval of a paired ratio, and which pair it is; None for a ratio
    # of two medians (runs without pairs).
    go_interval: tuple = None
    cpp_interval: tuple = None
    go_pair: str = ""
    cpp_case: str = ""   # the defer_cost case shown (stand_in)


def _listed_case(run, go_benchmark, kinds):
    """The first defer_cost case of one of `kinds` beside `go_benchmark`, or None."""
    return next((c.name for c in cases.listed(run.suite("defer_cost"))
                 if c.go_counterpart == go_benchmark and c.kind in kinds), None)


def stand_in(run, go_benchmark):
    """The defer_cost case beside Go's benchmark `go_benchmark` (a mechanism)
    on the first screen: the run's model of it (kind go_model), the plain call
    for the call; in runs made before the suite had models, the first case of
    the mechanism, floor or analog, as those runs showed it."""
    return (_listed_case(run, go_benchmark, ("reference", "go_model"))
            or _listed_case(run, go_benchmark, ("floor", "analog")))


def floor_of(run, go_benchmark):
    """The defer_cost floor of that mechanism (kind floor), or None."""
    return _listed_case(run, go_benchmark, ("floor",))


# (label, claim, Go benchmark in go.json, the mechanism: its Go benchmark,
#  whose C++ stand-in is shown (stand_in) and whose article figure is quoted
#  (claims.ARTICLE_NS), Go's pair for the ratio: (with the defer, without),
#  one program, goref's).
# The runtime's BenchmarkDefer has no defer-free twin, so Go's ratios come from
# goref's copy of its body (defer1) and that copy without the defer
# (defer1_call), as shipped and built with noopendefer; Go's plain call is the
# twin, the article's "defer removed".
HEADLINE = [
    ("plain call", "A3", "defer_cost/defer1_call", "defer_cost/call", None),
    ("open-coded defer", "A2", "runtime/BenchmarkDefer", "defer_cost/open_coded",
     ("defer_cost/defer1", "defer_cost/defer1_call")),
    ("normal defer (stack record)", "A1", "runtime/BenchmarkDefer/noopendefer",
     "defer_cost/chain_stack",
     ("defer_cost/defer1/noopendefer", "defer_cost/defer1_call/noopendefer")),
]


def paired_entry(run, suite, name, reference=None):
    """The run's paired entry of a benchmark (paired.py), against `reference`
    when given; None when the run has none, or none with a figure."""
    result = run.suite(suite)
    b = result.benchmarks.get(name) if result else None
    entry = paired.usable(b.aggregates.get(paired.AGGREGATE)) if b else None
    if entry is None or (reference is not None and entry.get("reference") != reference):
        return None
    return entry


@dataclass
class Ratio:
    value: float            # NaN when the run has neither side
    interval: tuple = None  # the paired 95% interval; None for a ratio of medians
    how: str = ""           # "paired" or "medians"


def ratio(run, suite, subject, reference):
    """subject over reference, two benchmarks of one program: the paired ratio
    where the run has it, else the ratio of their medians."""
    entry = paired_entry(run, suite, subject, reference)
    if entry:
        return Ratio(entry["ratio"], (entry["ratio_ci_low"], entry["ratio_ci_high"]), "paired")
    s, r = measure(run, suite, subject), measure(run, suite, reference)
    if s.measured and r.measured:
        return Ratio(s.median / r.median, None, "medians")
    return Ratio(NAN)


def headline(run):
    """The three cases. A ratio is always within one program (ratio()): Go's
    the pair's two benchmarks, C++'s the case and call of defer_cost; never a
    benchmark over a plain call of another program."""
    cases = []
    for label, claim, go_name, mechanism, _ in HEADLINE:
        cpp_case = stand_in(run, mechanism)
        cases.append(HeadlineCase(label, claim, claims.ARTICLE_NS[mechanism][0],
                                  measure(run, "go", go_name),
                                  measure(run, "defer_cost", cpp_case), cpp_case=cpp_case))
    plain = cases[0]
    for c, (_, _, _, _, go_pair) in zip(cases, HEADLINE):
        c.article_ratio = c.article_ns / plain.article_ns
        cpp = ratio(run, "defer_cost", c.cpp_case, plain.cpp_case)
        c.cpp_ratio, c.cpp_interval = cpp.value, cpp.interval
        if go_pair is None:
            c.go_ratio = 1.0 if c.go.measured else NAN
            continue
        go = ratio(run, "go", *go_pair)
        c.go_ratio, c.go_interval = go.value, go.interval
        if go.how:
            c.go_pair = f"{go_pair[0]} / {go_pair[1]}, {go.how}"
    return cases


# --------------------------------------------------------------------------- the answer
# The first screen: each side's row is one program, its time, its ratio and
# what a defer adds all measured there. Go's program is goref's copy of the
# runtime's BenchmarkDefer body with and without the defer (and that pair
# built with noopendefer for the normal defer); the runtime's own benchmark,
# on which A1 and A2 are judged, has no defer-free twin, so it is quoted
# apart (runtime_benchmark_ns). C++'s program is the defer_cost suite.
ANSWER = [
    # label, claim, Go (case, plain call of its program), C++ (the mechanisms
    # whose stand-ins are the case and its plain call: stand_in; the first is
    # also the one whose article figure is quoted)
    ("plain call", "A3", ("defer_cost/defer1_call", None), ("defer_cost/call", None)),
    ("open-coded defer", "A2",
     ("defer_cost/defer1", "defer_cost/defer1_call"),
     ("defer_cost/open_coded", "defer_cost/call")),
    ("normal defer (stack record)", "A1",
     ("defer_cost/defer1/noopendefer", "defer_cost/defer1_call/noopendefer"),
     ("defer_cost/chain_stack", "defer_cost/call")),
]
ANSWER_PROGRAMS = {"go": "goref's copy of BenchmarkDefer's body (defer_cost/defer1), "
                         "over the same without the defer (defer1_call)",
                   "defer_cost": "deferbench's defer_cost suite: its model of each of Go's "
                                 "mechanisms (go_open_coded, go_stack_record) over its call"}


@dataclass
class AnswerSide:
    """One case in one program: its ns/op, its ratio to the program's plain
    call, and what one defer adds there in ns and in instructions. From the
    pair's own runs where the run paired them (both times and the ratio come
    from the same interleaved processes), else from the repetitions' medians."""
    ns: float = NAN
    ratio: float = NAN
    interval: tuple = None
    added_ns: float = NAN
    added_instructions: float = NAN

    @property
    def measured(self):
        return not math.isnan(self.ns)


@dataclass
class AnswerCase:
    label: str
    claim: str
    article_ns: float
    article_ratio: float
    go: AnswerSide
    cpp: AnswerSide


def _instructions(run, suite, name):
    """Instructions per op: callgrind's count, else the PMU's median; NaN when
    the run counted neither."""
    counted = run.instructions(suite)
    if name in counted:
        return counted[name]
    return measure(run, suite, name, "instructions").median


def _answer_side(run, suite, case, reference):
    if reference is None:
        return AnswerSide(measure(run, suite, case).median, 1.0)
    entry = paired_entry(run, suite, case, reference)
    if entry and entry.get("median_ns") and entry.get("reference_median_ns"):
        side = AnswerSide(entry["median_ns"], entry["ratio"],
                          (entry["ratio_ci_low"], entry["ratio_ci_high"]))
        plain_ns = entry["reference_median_ns"]
    else:
        s, r = measure(run, suite, case), measure(run, suite, reference)
        side = AnswerSide(s.median, s.median / r.median if s.measured and r.measured else NAN)
        plain_ns = r.median
    if not math.isnan(side.ratio + plain_ns):
        # The plain call's time times the ratio's excess: the pair's estimate.
        side.added_ns = plain_ns * (side.ratio - 1)
    side.added_instructions = _instructions(run, suite, case) - _instructions(run, suite, reference)
    return side


def answer(run):
    """The three cases of the first screen, each side within one program."""
    plain_ns = claims.ARTICLE_NS[claims.PLAIN_CALL][0]
    def cpp_side(case, reference):
        return _answer_side(run, "defer_cost", stand_in(run, case),
                            reference and stand_in(run, reference))
    return [AnswerCase(label, claim, claims.ARTICLE_NS[cpp[0]][0],
                       claims.ARTICLE_NS[cpp[0]][0] / plain_ns,
                       _answer_side(run, "go", *go), cpp_side(*cpp))
            for label, claim, go, cpp in ANSWER]


def runtime_benchmark_ns(run):
    """The article's own program (A5) as shipped and built with noopendefer."""
    return (measure(run, "go", "runtime/BenchmarkDefer"),
            measure(run, "go", "runtime/BenchmarkDefer/noopendefer"))


# --------------------------------------------------------------------------- defer cost

@dataclass
class StrategyCost:
    strategy: str
    cpp: Measure
    go: Measure
    article_ns: float


def cost_cases(run):
    """[(C++ case, go.json benchmark or None)] of the run's defer_cost suite."""
    return [(c.name, c.go_counterpart or None)
            for c in cases.listed(run.suite("defer_cost")) if c.kind != "harness"]


def defer_costs(run):
    out = []
    for case, go_case in cost_cases(run):
        cpp = measure(run, "defer_cost", case)
        go = measure(run, "go", go_case) if go_case else Measure("no Go counterpart", [])
        if cpp.measured or go.measured:
            out.append(StrategyCost(case, cpp, go, claims.ARTICLE_NS.get(go_case, (NAN,))[0]))
    return out


# --------------------------------------------------------------------------- the cases

@dataclass
class CaseRow:
    """A defer_cost case as its binary describes it (analysis/cases.py), its
    ratio to the plain call, and its Go counterpart's ratio in goref, each
    within its own program, with the instructions one defer adds where the
    run counted them."""
    case: cases.Case
    cpp: Ratio
    go: Ratio
    cpp_added_instructions: float = NAN
    go_added_instructions: float = NAN


def case_rows(run):
    """The described cases of the run's defer_cost suite, harness cases left
    out; empty for runs made before the binary described its cases. A case
    with no pair has no ratio (the reference is its own)."""
    described = cases.of_suite(run.suite("defer_cost")) or []
    rows = []
    for c in described:
        if c.kind == "harness":
            continue
        row = CaseRow(c, Ratio(NAN), Ratio(NAN))
        if c.kind == "reference":
            row.cpp = ratio(run, "defer_cost", c.name, c.name)
        elif c.pair:
            row.cpp = ratio(run, "defer_cost", c.name, c.pair)
            row.cpp_added_instructions = (_instructions(run, "defer_cost", c.name) -
                                          _instructions(run, "defer_cost", c.pair))
        if c.go_counterpart:
            go_reference = "defer_cost/call"
            row.go = ratio(run, "go", c.go_counterpart, go_reference)
            row.go_added_instructions = (_instructions(run, "go", c.go_counterpart) -
                                         _instructions(run, "go", go_reference))
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- cliffs

def cliffs(run):
    """{"cpp": cliffs_summary.cliff_rows or None, "go_ndefers": [(n, ns, strategy)]}."""
    cpp = cliffs_summary.cliff_rows(run.suite("cliffs")) if run.suite("cliffs") else None
    go = []
    for n in range(1, 13):
        m = measure(run, "go", f"cliffs/ndefers/{n}")
        if m.measured:
            go.append((n, m.median, first_field(run, "go", f"cliffs/ndefers/{n}",
                                                "defer_strategy") or ""))
    return {"cpp": cpp, "go_ndefers": go}


# --------------------------------------------------------------------------- fd

@dataclass
class FdSection:
    limits: dict
    limit_lines: list
    rows: list            # fd_summary.Row
    not_measured: list    # {"files", "reason"}
    projections: list     # fd_summary.Projection, labelled as projections
    go_rows: list = field(default_factory=list)  # (name, N, ns per file, RSS bytes, VM bytes)
    slopes: list = field(default_factory=list)   # fd_summary.Slope: bytes per file
    go_not_measured: list = field(default_factory=list)  # (name, reason)


def fd(run):
    s = run.suite("fd")
    go_rows, go_missing = [], []
    for e in run.entries("go"):
        name = e.get("name", "")
        if not name.startswith("fd/") or e.get("repetition_index", 0) != 0:
            continue
        if e.get("error_occurred"):
            go_missing.append((name, e.get("error_message", "failed")))
            continue
        b = run.suite("go").benchmarks.get(name)
        go_rows.append((name, int(e["files"]), stats.median(b.counter("ns_per_file")),
                        stats.median(b.counter("max_rss_bytes")),
                        stats.median(b.counter("vm_peak_bytes"))))
    if s is None:
        return FdSection({}, [], [], [], [], go_rows=go_rows, go_not_measured=go_missing)
    return FdSection(s.context.get("limits", {}), fd_summary.limit_lines(s.context),
                     fd_summary.rows(s), s.context.get("not_measured", []),
                     fd_summary.projections(s), go_rows=go_rows, go_not_measured=go_missing,
                     slopes=fd_summary.rss_slopes(s))


# --------------------------------------------------------------------------- stack

def stack(run):
    """{"cpp": [stack_summary.StackRow], "go": [(case, depth, B/frame, stack bytes, limit)]}."""
    go = []
    for case in ("stack/open_coded", "stack/chain_stack", "stack/chain_heap", "stack/plain"):
        depth = measure(run, "go", case, "depth")
        if depth.measured:
            go.append((case, depth.median,
                       measure(run, "go", case, "bytes_per_frame").median,
                       measure(run, "go", case, "stack_bytes").median,
                       first_field(run, "go", case, "limit_bytes")))
    go_per_frame = {case: per_frame for case, _, per_frame, _, _ in go}
    cpp = stack_summary.stack_rows(run.suite("stack"), go_per_frame) if run.suite("stack") \
        else []
    return {"cpp": cpp, "go": go}


# --------------------------------------------------------------------------- counters

# Column title -> key in a repetition (per op), in the order shown.
COUNTER_COLUMNS = [
    ("instructions/op", "instructions"), ("cycles/op", "cycles"), ("IPC", "IPC"),
    ("branch-misses/op", "branch-misses"), ("cache-misses/op", "cache-misses"),
    ("bytes/op", "bytes_per_op"), ("allocs/op", "allocs_per_op"),
]


@dataclass
class CounterTable:
    suite: str
    columns: list          # titles of the columns with at least one value
    rows: list             # (benchmark, [value or nan per column])


def counters(run):
    """Per gbench suite: the counters that were counted, and callgrind's instructions."""
    tables = []
    for name in (s.name for s in registry.SUITES.values() if s.kind == "gbench"):
        s = run.suite(name)
        if s is None:
            continue
        cols = list(COUNTER_COLUMNS)
        if s.instructions:
            cols.append(("instructions/op (callgrind)", "callgrind"))
        rows = []
        # In name order: the file's order is the interleaved run's, not a reader's.
        for bname, b in sorted(s.benchmarks.items(), key=lambda kv: results.natural_key(kv[0])):
            if not b.repetitions:
                continue
            values = []
            for _, key in cols:
                if key == "callgrind":
                    values.append(s.instructions.get(bname, NAN))
                else:
                    v = b.counter(key)
                    values.append(stats.median(v) if v else NAN)
            rows.append((bname, values))
        keep = [i for i in range(len(cols)) if any(not math.isnan(r[1][i]) for r in rows)]
        tables.append(CounterTable(name, [cols[i][0] for i in keep],
                                   [(n, [v[i] for i in keep]) for n, v in rows]))
    return tables


def uncounted(run):
    """Lines naming each event that could not be counted, with the reason."""
    return [f"{e.get('name')}: {e.get('reason', e.get('status'))}"
            for e in run.manifest.get("perf_events") or [] if e.get("status") != "counted"]


# --------------------------------------------------------------------------- instructions

# Instructions per defer above the plain call, per mechanism: (what, C++ (the
# mechanisms whose stand-ins are the case and its reference, defers), Go (case,
# reference, defers)); counts from callgrind, identical run after run, so the
# table does not depend on the machine's noise. C++'s case is the run's model
# of Go's mechanism (stand_in), and beside it the mechanism's floor (floor_of).
DEFER_MECHANISMS = [
    ("open-coded defer, over a plain call",
     ("defer_cost/open_coded", "defer_cost/call", 1),
     ("defer_cost/open_coded", "defer_cost/call", 1)),
    ("stack-allocated record, over a plain call",
     ("defer_cost/chain_stack", "defer_cost/call", 1),
     ("defer_cost/chain_stack", "defer_cost/call", 1)),
    ("heap-allocated record, over a plain call",
     ("defer_cost/chain_heap", "defer_cost/call", 1),
     ("defer_cost/chain_heap", "defer_cost/call", 1)),
    ("open-coded defer of the runtime's benchmark body (defer1), over its twin without it",
     ("defer_cost/open_coded", "defer_cost/call", 1),
     ("defer_cost/defer1", "defer_cost/defer1_call", 1)),
    ("stack record over open-coded (the runtime's BenchmarkDefer: noopendefer / shipped)",
     ("defer_cost/chain_stack", "defer_cost/open_coded", 1),
     ("runtime/BenchmarkDefer/noopendefer", "runtime/BenchmarkDefer", 1)),
]


@dataclass
class InstructionRow:
    what: str
    cpp: float     # nan: not counted in this run
    go: float
    how_cpp: str
    how_go: str
    floor: float = math.nan    # the C++ floor's count, where the mechanism has one
    how_floor: str = ""
    floor_ratio: float = math.nan  # the floor's whole count over its reference's

    @property
    def model_over_go(self):
        """The C++ model's count over Go's; nan where either is missing or not above 0."""
        return self.cpp / self.go if self.cpp > 0 and self.go > 0 else math.nan


def _difference(counts, case, reference, defers):
    if case in counts and reference in counts:
        return (counts[case] - counts[reference]) / defers
    return math.nan


def _per_defer(counts, name, n):
    return counts[name] / n if name in counts else math.nan


def instructions_per_defer(run):
    """The table of instructions per defer, Go beside C++, for each mechanism and
    cliff 2's step; [] when neither side was counted (COUNTERS=callgrind)."""
    cpp = run.suite("defer_cost").instructions if run.suite("defer_cost") else {}
    cliffs = run.suite("cliffs").instructions if run.suite("cliffs") else {}
    go = run.suite("go").instructions if run.suite("go") else {}
    if not (cpp or cliffs or go):
        return []
    rows = []
    for what, (case, reference, defers), g in DEFER_MECHANISMS:
        c = (stand_in(run, case), stand_in(run, reference), defers)
        row = InstructionRow(what, _difference(cpp, *c), _difference(go, *g),
                             f"{c[0]} - {c[1]}", f"{g[0]} - {g[1]}")
        floor = floor_of(run, case) if g[0] == case else None  # the mechanism's own row
        if floor:
            row.floor = _difference(cpp, floor, c[1], defers)
            row.how_floor = f"{floor} - {c[1]}"
            if floor in cpp and cpp.get(c[1]):
                row.floor_ratio = cpp[floor] / cpp[c[1]]
        rows.append(row)
    for n in (8, 9):
        rows.append(InstructionRow(
            f"cliff 2: per defer with {n} defers in one frame",
            _per_defer(cliffs, f"ndefers/{n}", n), _per_defer(go, f"cliffs/ndefers/{n}", n),
            f"ndefers/{n} / {n}", f"cliffs/ndefers/{n} / {n}"))
    return rows
