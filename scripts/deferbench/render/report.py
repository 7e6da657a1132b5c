"""A run's report: report.md and a self-contained report.html (charts
embedded as base64 PNG) in the run folder, rebuilt from its JSON alone.

The report answers first: what each kind of defer costs here against a plain
call, how the claims came out, and the warnings that most affect the figures;
a contents list, the machine and the detail follow. It links the site's
index, the previous run of its machine and the comparisons in its folder.

build() is what the end of every run and `make report` call. A partial run
(interrupted, still running, a suite missing) is reported as partial; a
missing folder or manifest, or malformed JSON, is a UserError naming the file.
"""

import base64
import html
import math
import os
import re
from dataclasses import dataclass, field

from ..text import number
from .. import atomic
from . import charts, claims_json, export, toolchain_section
from ..analysis import (claims, claims_table, machine_comparison, paired, paired_runs,
                        report_data, results, targets)
from ..suites import fd as fd_summary, stack as stack_summary
from ..run import folder


ANSWER = "The answer"
ANSWER_WARNINGS = 2  # the first warnings (report_data orders them by weight)
ANSWER_DIFFERS = 4   # the first claims that differ, in the claims' order


def _answer_cell(side):
    """ns/op, the ratio to the plain call of the same program with its
    interval, and what one defer adds there, in ns and in instructions."""
    if not side.measured:
        return "not in this run"
    if side.ratio == 1.0 and side.interval is None:
        return f"{side.ns:.2f} ns, the plain call"
    text = f"{side.ns:.2f} ns, {side.ratio:.2f}x"
    if side.interval:
        text += f" [{side.interval[0]:.2f}, {side.interval[1]:.2f}]"
    added = [f"{side.added_ns:+.2f} ns"] if not math.isnan(side.added_ns) else []
    if not math.isnan(side.added_instructions):
        added.append(f"{side.added_instructions:+.0f} instructions")
    return text + (f"; a defer adds {', '.join(added)}" if added else "")


def _case_ratio_cell(r, added_instructions, kind):
    """'1.52x [1.48, 1.55] paired; +16 instr', or 'not measured'."""
    if math.isnan(r.value):
        return "not measured"
    if kind == "reference":
        return "the plain call, 1.00x"
    text = f"{r.value:.2f}x"
    if r.interval:
        text += f" [{r.interval[0]:.2f}, {r.interval[1]:.2f}]"
    if r.how:
        text += f" {r.how}"
    if not math.isnan(added_instructions):
        text += f"; {added_instructions:+.0f} instr"
    return text


def _answer_blocks(run, head, table):
    """What a defer costs here against a plain call, each side's row from one
    program with its interval and what a defer adds, the claims' verdicts
    counted, and the heaviest warnings."""
    rows = [[f"{c.label} ({c.claim})", _answer_cell(c.go), _answer_cell(c.cpp),
             f"{c.article_ns:.1f} ns, {c.article_ratio:.2f}x" + (
                 f"; a defer adds {c.article_ns - claims.ARTICLE_NS[claims.PLAIN_CALL][0]:+.1f} ns"
                 if c.article_ratio != 1.0 else "")]
            for c in report_data.answer(run)]
    shipped, noopen = report_data.runtime_benchmark_ns(run)
    runtime = (f"The article's own program, the runtime's BenchmarkDefer, ran here at "
               f"{shipped.median:.2f} ns as shipped (A2) and {noopen.median:.2f} ns built with "
               "noopendefer (A1); it has no defer-free twin, so its ratios are not "
               "shown." if shipped.measured and noopen.measured else
               "The runtime's own BenchmarkDefer is not in this run.")
    counts = {}
    for r in table:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    verdicts = ", ".join(f"{counts[v]} {v}" for v in (
        claims.REPRODUCED, claims.DIFFERS, claims.UNDECIDED, claims.NOT_IN_RUN,
        claims.NOT_MEASURABLE, claims.NOT_OBSERVED) if counts.get(v))
    differ = [f"{r.id}: {r.note}" for r in table if r.verdict == claims.DIFFERS]
    blocks = [
        ("p", "Each kind of defer against a plain call on this machine. Every cell is one "
              "program: its ns per op, its ratio to its own plain call with the 95% "
              "interval where the run paired them, and what one defer adds there (ns: the "
              "plain call's time times the ratio's excess; instructions: where the run "
              "counted them). Go: " + report_data.ANSWER_PROGRAMS["go"] + ", shipped and "
              "built with noopendefer. C++: " + report_data.ANSWER_PROGRAMS["defer_cost"] +
              "."),
        ("table", ["", "Go here (goref defer1 / defer1_call)", "C++ here (defer_cost)",
                   "article (Go 1.14)"], rows),
        ("p", runtime),
        ("p", f"Of the articles' {len(table)} claims: {verdicts}. Go's figure decides each "
              "claim; the claims table below gives every row and its tolerance."),
    ]
    if differ:
        shown = ANSWER_DIFFERS
        more = f" (and {len(differ) - shown} more in the claims table)" \
            if len(differ) > shown else ""
        blocks += [("p", f"Where this machine differs from the articles{more}:"),
                   ("list", differ[:shown])]
    warn = report_data.warnings(run)[:ANSWER_WARNINGS]
    if warn:
        blocks += [("p", "Warnings that most affect these figures:"), ("list", warn)]
    return blocks


def sections(run):
    """The report as [(title, [blocks])], a block being ("p", text),
    ("list", [text]) or ("table", header, rows); both renderers walk it."""
    out = []
    head = report_data.headline(run)
    table = claims_table.rows(run)
    out.append((ANSWER, _answer_blocks(run, head, table)))
    warn = report_data.warnings(run)
    out.append(("Machine", [("table", ["", ""], report_data.machine_rows(run))] +
                ([("p", "Warnings that affect the figures:"), ("list", warn)] if warn else [])))

    rows = []
    for c in head:
        rows.append([f"{c.label} ({c.claim})", f"{c.article_ns:.1f} ns, {c.article_ratio:.2f}x",
                     _cell(c.go, c.go_ratio, c.go_interval, c.go_pair),
                     _cell(c.cpp, c.cpp_ratio, c.cpp_interval,
                           f"{c.cpp_case} / {head[0].cpp_case}, "
                           + ("paired" if c.cpp_interval else "medians"))])
    out.append(("The three cases", [
        ("p", "Median ns/op of the repetitions (spread: coefficient of variation), and the "
              "ratio to the plain call, always within one program. Go: the ns/op are the "
              "runtime's own BenchmarkDefer as shipped (open-coded) and built with "
              "noopendefer (normal); the runtime has no defer-free twin of it, so the plain "
              "call and every Go ratio come from goref's copy of its body (defer_cost/defer1: "
              "the same closure, recover and arguments) against that copy without the defer "
              "(defer_cost/defer1_call), as shipped and in goref's noopendefer build; each "
              "cell names its pair. C++: defer_cost.json, the model of each of Go's "
              "mechanisms (named in its cell) against its call. A ratio marked "
              "'paired' is the median of interleaved pairs with its 95% interval; without "
              "pairs it is the ratio of the two medians."),
        ("table", ["case", "article (Go 1.14)", "Go here", "C++ here"], rows)]))

    case_rows = report_data.case_rows(run)
    if case_rows:
        out.append(("The C++ cases", [
            ("p", "Every case of defer_cost, as its binary describes it: the go_* cases model "
                  "Go's mechanism step by step, a floor is the least C++ needs for the same "
                  "guarantee, an analog an earlier, lighter stand-in. Each ratio is to the "
                  "plain call of its own program (C++: defer_cost's call; Go: goref's "
                  "defer_cost/call), paired with its 95% interval where the run paired it; "
                  "'+N instr' is what one defer adds under callgrind, where the run counted "
                  "instructions."),
            ("table", ["case", "kind", "what it does", "C++ here", "Go counterpart here",
                       "what it leaves out of Go's mechanism"],
             [[r.case.name, r.case.kind.replace("_", " "), r.case.mechanism,
               _case_ratio_cell(r.cpp, r.cpp_added_instructions, r.case.kind),
               (f"{r.case.go_counterpart}: " +
                _case_ratio_cell(r.go, r.go_added_instructions, r.case.kind)
                if r.case.go_counterpart else "none"),
               r.case.omits] for r in case_rows])]))

    header, rows = machine_comparison.report_rows(run)
    if len(rows) > 1:
        blocks = [("p", "This run beside the newest complete full run of every other machine "
                        "under the same results folder: each ratio is to that machine's own "
                        f"plain call, with its {machine_comparison.RATIO_INTERVAL}; "
                        "instruction counts of one toolchain should be equal on every "
                        "x86-64 machine. `make plots` draws the same comparison.")]
    else:
        blocks = [("p", "No other machine has a complete full run in this results folder; "
                        "`make refile FROM=<folder>` imports runs made elsewhere.")]
    out.append(("This machine and others", blocks + [("table", header, rows)]))

    spread = paired_spread_rows(run)
    if spread:
        out.append(("Paired ratios and their processes", [
            ("p", "Every paired ratio of this run: the median of its units' ratios (a unit is "
                  "a process, each in a layout of its own; for Go, a pair of processes) with "
                  "the 95% interval over blocks of consecutive units (the machine's state "
                  "lasts seconds, so neighbouring units move together), how many units, "
                  "blocks, CPUs and pairs it rests on, and how far the units spread. The "
                  "blocks take the CPUs in turn: on a shared machine one CPU can run slower "
                  "than another for minutes. A wide spread is the layout moving the ratio "
                  "from one process to the next, CPUs that differ, or the machine's noise; "
                  "the interval holds it, rather than hiding it behind many pairs of one "
                  "process."),
            ("table", ["ratio", "reference", "ratio [95%]", "units", "pairs kept",
                       "units' spread"], spread)]))

    over_runs = paired_runs.rows(run)
    if over_runs:
        differing = sum(bool(r[3]) for r in over_runs)
        held, repeats, repeat_runs = paired_runs.same_binary_coverage(over_runs)
        compared = len({f.run_id for _, _, theirs, _ in over_runs for f in theirs})
        tested = (f" {repeat_runs} of those {compared} runs timed the same suite binaries as this "
                  f"one (their SHA-256 in the manifests): this run's 95% intervals hold "
                  f"{held} of their {repeats} ratios ({held / repeats:.0%}; an interval that "
                  "holds what it claims holds about 95 in 100, fewer where the machine's state "
                  "moved for a whole run)." if repeats else
                  " None of them timed the same suite binaries as this one (or recorded "
                  "which), so none tests this run's intervals as a repeat would.")

        def other(mine, f):
            return f"{f.run_id} ({f.commit}{', same binary' if mine.same_binary(f) else ''})"
        out.append(("Paired ratios over this machine's runs", [
            ("p", f"This run's paired ratios beside the newest {paired_runs.OTHERS} other complete "
                  "full runs of this machine, each with its 95% interval. An interval covers "
                  "its own run, the processes' layouts included: two runs whose intervals do "
                  "not overlap differ by more than that, because the ratio itself moved (a "
                  "neighbour that shared the core for a whole run, or a change of code "
                  "between the runs: a run marked 'same binary' timed the very same program, "
                  f"so the machine moved it). {differing} of {len(over_runs)} ratios differ "
                  "from some other run that way." + tested),
            ("table", ["ratio", "this run", "other runs (run id (commit): ratio [95%])",
                       "differs from"],
             [[name, mine.text(),
               "; ".join(f"{other(mine, f)}: {f.text()}" for f in theirs),
               ", ".join(other(mine, f) for f in theirs if f.run_id in differ) or "none"]
              for name, mine, theirs, differ in over_runs])]))

    across = toolchain_section.blocks(run)
    goals = targets.rows(run)
    if goals:
        met = sum(t.verdict == targets.OK for t in goals)
        undecided = sum(t.verdict == targets.UNDECIDED for t in goals)
        unmeasured = sum(t.verdict == targets.NOT_MEASURED for t in goals)
        out.append(("Targets", [
            ("p", f"deferbench's own targets, as this run measured them: {met} of {len(goals)} "
                  f"met{f', {undecided} undecided' if undecided else ''}"
                  f"{f', {unmeasured} not measured' if unmeasured else ''}. A paired ratio meets "
                  "its target when its whole 95% interval is inside it. Times come from this "
                  "machine as it was; where an instruction count is given, it does not depend "
                  "on the machine's load."),
            ("table", ["suite", "what", "target", "measured", "verdict"],
             [[t.suite, t.what, t.target, t.measured, t.verdict] for t in goals])]))

    release = claims_table.go_release(run)
    judged = (f" Go's figures, and every verdict judged on them, are Go {release}'s, the "
              "release a plain `make bench` uses"
              + (f"; the other releases are in '{toolchain_section.TITLE}'." if across else
                 "; `make bench TOOLCHAINS=all` adds every other release found here.")
              if release else "")
    out.append(("Claims", [
        ("p", "One row per claim of the articles." + judged + " Verdict rules and tolerances:"),
        ("list", claims_table.VERDICT_RULES),
        ("table", ["id", "claim", "article", f"Go {release} here" if release else "Go here",
                   "C++ here", "verdict"],
         [[r.id, r.claim, r.article, r.go, r.cpp, r.verdict_text] for r in table])]))

    counted = report_data.instructions_per_defer(run)
    if counted:
        out.append(("Instructions per defer, Go beside C++", [
            ("p", "Instructions per defer above what each is compared with, counted by "
                  "callgrind (COUNTERS=callgrind): the same binary gives the same count every "
                  "run, so this table does not move with the machine's load. '-' where a side "
                  "was not counted, or (Go) its count was disturbed by the scheduler and is "
                  "left out. Go's open-coded, stack and heap figures are goref's benchmarks, "
                  "each against goref's plain call; the last mechanism row is the runtime's "
                  "own benchmark in its two builds. C++ is the model of Go's mechanism "
                  "(the go_* cases), and beside it the floor: the least C++ pays for the "
                  "same guarantee (a scope guard, the lightest chain). model / Go: the "
                  "model's count over Go's (deferbench aims at 0.75x to 1.33x); floor, "
                  "whole / reference: the floor's own count over its plain call's."),
            ("table", ["mechanism", "C++ model here", "Go here", "model / Go",
                       "C++ floor here", "floor, whole / reference", "C++ from", "Go from",
                       "floor from"],
             [[r.what, number(r.cpp, ".1f"), number(r.go, ".1f"),
               _times(r.model_over_go), number(r.floor, ".1f"), _times(r.floor_ratio),
               r.how_cpp, r.how_go, r.how_floor or "-"]
              for r in counted])]))

    if across:
        out.append((toolchain_section.TITLE, across))

    out.append(("Cliffs", _cliff_blocks(run)))
    out.append(("File descriptors", _fd_blocks(run)))
    out.append(("Stack depth", _stack_blocks(run)))
    out.append(("Counters", _counter_blocks(run)))
    return out


def _times(ratio):
    """'1.71x', or '-' for a ratio not measured."""
    return "-" if math.isnan(ratio) else f"{ratio:.2f}x"


def _cell(m, ratio, interval=None, pair="", brief=False):
    """ns/op and the ratio to the plain call: with its spread, three decimals and
    the pair it comes from, or `brief` (the answer block) with two and neither."""
    if not m.measured:
        return "not in this run"
    spread = "" if brief or math.isnan(m.cv) else f" ±{m.cv * 100:.1f}%"
    ns = f"{m.median:.2f} ns{spread}"
    if math.isnan(ratio):
        return f"{ns}, no ratio in this run"
    if interval is None:
        return f"{ns}, {ratio:.2f}x" + (" (medians)" if brief else f" ({pair})" if pair else "")
    digits = 2 if brief else 3
    text = f"{ns}, {ratio:.{digits}f}x [{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"
    return text if brief else text + (f" ({pair})" if pair else " paired")


def _cliff_blocks(run):
    data = report_data.cliffs(run)
    cpp = data["cpp"]
    blocks = []
    if cpp:
        rows = [[r["name"], number(r["ns"]), number(r["ns"] / r["defers"], ".2f")
                 if r.get("defers") and not math.isnan(r["defers"]) else "-",
                 number(r["bytes"], ".0f"), number(r["allocs"], ".2f"), r["label"]]
                for fam in ("loop", "ndefers", "exits", "closure") for r in cpp[fam]]
        blocks.append(("table", ["C++ case", "ns/op", "ns/defer", "B/op", "allocs/op",
                                 "strategy / what"], rows))
    else:
        blocks.append(("p", "No cliffs suite in this run."))
    go = run.suite("go")
    if go:
        rows = []
        for name, b in go.benchmarks.items():
            if name.startswith("cliffs/") and b.repetitions:
                m = report_data.measure(run, "go", name)
                rows.append([name, number(m.median),
                             number(report_data.measure(run, "go", name, "bytes_per_op").median, ".0f"),
                             number(report_data.measure(run, "go", name, "allocs_per_op").median, ".0f"),
                             b.repetitions[0].get("defer_strategy", "")])
        if rows:
            blocks.append(("table", ["Go case", "ns/op", "B/op", "allocs/op",
                                     "-gcflags=-d=defer says"], rows))
    return blocks


def _fd_blocks(run):
    sec = report_data.fd(run)
    if not sec.rows and not sec.go_rows:
        return [("p", "No fd suite in this run.")]
    blocks = [("p", "Limits that bound N:"), ("list", [x.strip() for x in sec.limit_lines])]
    if sec.rows:
        blocks.append(("table", ["strategy", "N", "wall ns/file", "cpu ns/file", "cpu spread",
                                 f"gap to floor (cpu), target <= {claims.TARGET_GAP:.0%} "
                                 f"from N = {claims.TARGET_GAP_FROM_N:,}",
                                 "peak RSS MiB", "peak VM MiB"],
                       [[r.strategy, str(r.n), number(r.ns_per_file, ".0f"),
                         number(r.cpu_ns_per_file, ".0f"),
                         "" if math.isnan(r.cpu_cv) else f"{r.cpu_cv * 100:.1f}%",
                         _fd_gap_cell(r),
                         number(r.peak_rss / 2**20), number(r.peak_vm / 2**20)] for r in sec.rows]))
        blocks.append(("p", "A gap smaller than the spread of the CPU time is not "
                            "significant. The target is for "
                            f"{' and '.join(claims.TARGET_GAP_STRATEGIES)}; "
                            "open_frame_in_loop is Go's fallback for a defer in a loop, a heap "
                            "allocation per file, shown with its gap and no verdict."))
    if sec.slopes:
        blocks.append(("p", "User-space memory per file: the slope of the child's peak RSS "
                            "over N (the kernel's struct file is not in it):"))
        blocks.append(("table", ["strategy", "RSS slope B/file", "over N",
                                 "operator new B/file (largest N)", "target"],
                       [[s.strategy, number(s.bytes_per_file), ", ".join(f"{n:,}" for n in s.ns),
                         number(s.heap_bytes_per_file), _fd_memory_verdict(s)]
                        for s in sec.slopes]))
    if sec.go_rows:
        blocks.append(("table", ["Go case", "N", "ns/file", "max RSS MB", "peak VM MB"],
                       [[n, str(k), number(ns, ".0f"), number(rss / 1e6), number(vm / 1e6)]
                        for n, k, ns, rss, vm in sec.go_rows]))
    system = fd_summary.system_line(run.suite("fd")) if run.suite("fd") else None
    if system:
        blocks.append(("p", system))
    missing = [f"N={m['files']}: {m['reason']}" for m in sec.not_measured] + \
        [f"{n}: {r}" for n, r in sec.go_not_measured]
    if missing:
        blocks += [("p", "Not measured:"), ("list", missing)]
    if sec.projections:
        blocks += [("p", "PROJECTION, not a measurement (a straight line through the measured "
                         "N):"),
                   ("list", [f"{p.strategy} N={p.n}: ~{p.wall_s:.2f} s, ~{p.rss_bytes / 2**20:.0f}"
                             f" MiB peak RSS; {p.fit}" for p in sec.projections])]
    return blocks


def paired_spread_rows(run):
    """One row per paired ratio of the run, in the suites' order: its figure,
    its units and how far they spread (paired.py's fields)."""
    rows = []
    for suite_name, suite in run.suites.items():
        for name in sorted(suite.benchmarks, key=results.natural_key):
            e = suite.benchmarks[name].aggregates.get(paired.AGGREGATE)
            if not e:
                continue
            if not paired.usable(e):
                rows.append([f"{suite_name}/{name}", e["reference"], paired.unmeasured_reason(e),
                             "", f"{e['pairs_kept']} of {e['pairs']}", ""])
                continue
            unit = "processes" if e.get("interval_unit") == "process" else "pairs"
            units = e.get("processes", e["pairs_kept"])
            low, high = e.get("process_ratio_min"), e.get("process_ratio_max")
            rows.append([f"{suite_name}/{name}", e["reference"],
                         f"{e['ratio']:.3f}x [{e['ratio_ci_low']:.3f}, {e['ratio_ci_high']:.3f}]",
                         f"{units} {unit}" + (f" in {e['interval_blocks']} blocks"
                                              if e.get("interval_blocks") else "")
                         + (f" on {e['cpus']} CPU{'s' if e['cpus'] > 1 else ''}"
                            if e.get("cpus") else ""),
                         f"{e['pairs_kept']} of {e['pairs']}",
                         f"{low:.3f} to {high:.3f}" if low is not None else "not recorded"])
    return rows


def _fd_gap_cell(row):
    if math.isnan(row.gap):
        return ""
    verdict = "" if row.gap_verdict is None else f": {row.gap_verdict}"
    return f"{row.gap_text()}{verdict}"


def _fd_memory_verdict(slope):
    if slope.meets_target is None:
        return ""
    return (f"<= {claims.TARGET_CHAIN_BYTES} B: {'ok' if slope.meets_target else 'MISSED'} "
            f"on {slope.target_text()} (Go: about {claims.GO_BYTES_PER_FILE} B/file at "
            "250k, deferbench's estimate)")


def _stack_blocks(run):
    data = report_data.stack(run)
    blocks = []
    if data["cpp"]:
        blocks.append(("table", ["C++ case", "depth", "B/frame", "outcomes", "to overflow ms",
                                 "Go B/frame (same mechanism)", "target: fewer than Go"],
                       [[r.case, number(r.depth, ",.0f"), number(r.bytes_per_frame),
                         ", ".join(f"{k} x{n}" for k, n in sorted(r.outcomes.items())),
                         number(r.overflow_ms), _stack_go_cell(r), _stack_verdict(r)]
                        for r in data["cpp"]]))
    if data["go"]:
        blocks.append(("table", ["Go case", "depth", "B/frame", "last stack MiB", "limit bytes"],
                       [[c, number(d, ",.0f"), number(b), number(s / 2**20, ".0f"), str(lim)]
                        for c, d, b, s, lim in data["go"]]))
    if not blocks:
        return [("p", "No stack suite and no Go recursion in this run.")]
    blocks.append(("p", f"Article A (quoted): 512 MiB / {claims.GO_ARTICLE_DEPTH:,} defers = "
                        f"{claims.GO_ARTICLE_BYTES_PER_FRAME:.0f} B/frame."))
    return blocks


def _stack_go_cell(row):
    figure, source = row.go_reference
    return f"{figure:.1f} ({source})"


def _stack_verdict(row):
    if row.strategy == stack_summary.FLOOR:
        return "floor, no defer"
    if row.meets_target is None:
        return "-"
    return f"{'ok' if row.meets_target else 'MISSED'}, {row.vs_go:.2f}x"


def _counter_blocks(run):
    blocks = []
    for t in report_data.counters(run):
        if not t.rows:
            continue
        spec = lambda col: ".3f" if col == "IPC" else ".2f"  # noqa: E731
        blocks.append(("p", f"{t.suite} (medians per op):"))
        blocks.append(("table", ["benchmark", *t.columns],
                       [[n, *[number(v, spec(c)) for v, c in zip(vals, t.columns)]]
                        for n, vals in t.rows]))
    missing = report_data.uncounted(run)
    if missing:
        blocks += [("p", "Not counted on this machine (absent above, never zero):"),
                   ("list", missing)]
    return blocks or [("p", "No Google Benchmark suite in this run.")]


# --------------------------------------------------------------------------- renderers

def _md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def slug(title):
    """The anchor of a section: its title in lower case, words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class Links:
    """Where a report points beyond itself, as paths relative to its folder."""
    index: str = None          # the site's index.html, when there is one
    previous: str = None       # report.html of the machine's previous run
    previous_id: str = None
    comparisons: list = field(default_factory=list)  # compare-*.md in the folder


def links(path, site_index=None, index_written=False):
    """The report's links. The previous run is the machine's run started last
    before this one that has a report (any kind: the index tells them apart);
    the index is linked when it exists, or when the caller writes it next."""
    run_dir = os.path.abspath(path)
    machine_dir = os.path.dirname(run_dir)
    here = folder.order_of(run_dir) or ("", os.path.basename(run_dir))
    earlier = []
    for name in os.listdir(machine_dir):
        key = folder.order_of(os.path.join(machine_dir, name))
        if key and key < here and os.path.isfile(os.path.join(machine_dir, name, "report.html")):
            earlier.append((key, name))
    out = Links(comparisons=folder.comparisons(run_dir))
    if earlier:
        name = max(earlier)[1]
        out.previous, out.previous_id = f"../{name}/report.html", name
    if site_index and (index_written or os.path.isfile(site_index)):
        out.index = os.path.relpath(os.path.abspath(site_index), run_dir)
    return out


def _link_items(link):
    """[(text, href or None)] of the links line."""
    items = []
    if link.index:
        items.append(("all runs and machines (index)", link.index))
    if link.previous:
        items.append((f"previous run of this machine: {link.previous_id}", link.previous))
    else:
        items.append(("the first run of this machine in this results folder", None))
    items += [(f"comparison: {c}", c) for c in link.comparisons]
    return items


def render_md(run, secs, chart_files, link=None):
    link = link or Links()
    title = f"deferbench report: {run.machine_id} / {run.run_id}"
    lines = [f"# {title}{' (PARTIAL)' if run.partial else ''}", "",
             "Rebuilt from the run folder's JSON by `make report RUN=...`. Article figures are "
             "quoted from the articles (scripts/deferbench/analysis/claims.py); everything else "
             "was measured in this run.", ""]
    lines += [f"- [{text}]({href})" if href else f"- {text}" for text, href in _link_items(link)]
    lines.append("")
    titles = [name for name, _ in secs] + (["Charts"] if chart_files else [])
    for i, (name, blocks) in enumerate(secs):
        lines += [f"## {name}", ""]
        for b in blocks:
            if b[0] == "p":
                lines += [b[1], ""]
            elif b[0] == "list":
                lines += [f"- {x}" for x in b[1]] + [""]
            else:
                _, header, rows = b
                lines.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
                lines.append("|" + "---|" * len(header))
                lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
                lines.append("")
        if i == 0:
            lines += ["Contents: " + " · ".join(f"[{t}](#{slug(t)})" for t in titles[1:]), ""]
    if chart_files:
        lines += ["## Charts", ""]
        for c in chart_files.values():
            lines += [f"![{c.alt}]({os.path.basename(c.path)})", "", f"*{c.caption}*", ""]
    return "\n".join(lines)


CSS = ("body{font-family:sans-serif;max-width:1200px;margin:auto;padding:0 1em}"
       "h1{font-size:1.4em;margin:0.4em 0}h2{font-size:1.2em;margin:0.8em 0 0.3em}"
       "table{border-collapse:collapse;margin:0.4em 0;font-size:0.9em}"
       "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
       "th{background:#eee}.reproduced{background:#e3f6e3}.differs{background:#fbe9d0}"
       ".notm{background:#eee}.partial{color:#b00;font-weight:bold}"
       "#answer{border:2px solid #888;padding:0 0.8em;margin:0.4em 0}"
       "#answer p,#answer ul{margin:0.3em 0}nav{margin:0.4em 0;font-size:0.9em}"
       ".links{font-size:0.85em;margin:0.2em 0}figure{margin:1em 0}"
       "figcaption{font-size:0.85em;color:#333}img{max-width:100%}")


def _html_blocks(name, blocks):
    e = html.escape
    parts = []
    for b in blocks:
        if b[0] == "p":
            parts.append(f"<p>{e(b[1])}</p>")
        elif b[0] == "list":
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in b[1]) + "</ul>")
        else:
            _, header, rows = b
            parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
            for r in rows:
                cls = ""
                if name == "Claims":
                    v = r[-1]
                    cls = ("reproduced" if v.startswith(claims.REPRODUCED) else
                           "differs" if v.startswith(claims.DIFFERS) else "notm")
                parts.append(f"<tr class='{cls}'>" + "".join(f"<td>{e(str(c))}</td>"
                                                          for c in r) + "</tr>")
            parts.append("</table>")
    return parts


def render_html(run, secs, chart_files, link=None):
    e = html.escape
    link = link or Links()
    title = f"deferbench report: {run.machine_id} / {run.run_id}"
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(title)}</h1>"]
    items = _link_items(link)
    parts.append("<p class='links'>" + " · ".join(
        f"<a href='{e(href)}'>{e(text)}</a>" if href else e(text) for text, href in items)
        + "</p>")
    if run.partial:
        parts.append(f"<p class='partial'>PARTIAL run (status {e(run.status)})</p>")
    titles = [name for name, _ in secs] + (["Charts"] if chart_files else [])
    for i, (name, blocks) in enumerate(secs):
        if i == 0:
            parts.append(f"<section id='answer'><h2 id='{slug(name)}'>{e(name)}</h2>")
            parts += _html_blocks(name, blocks)
            parts.append("</section>")
            parts.append("<nav id='contents'>Contents: " + " · ".join(
                f"<a href='#{slug(t)}'>{e(t)}</a>" for t in titles[1:]) + "</nav>")
            continue
        parts.append(f"<h2 id='{slug(name)}'>{e(name)}</h2>")
        parts += _html_blocks(name, blocks)
    if chart_files:
        parts.append("<h2 id='charts'>Charts</h2>")
        for c in chart_files.values():
            with open(c.path, "rb") as f:
                data = base64.b64encode(f.read()).decode()
            parts.append(f"<figure><img alt='{e(c.alt)}' src='data:image/png;base64,{data}'>"
                         f"<figcaption>{e(c.caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build(path, dpi=110, site_index=None, index_written=False):
    """Writes report.md, report.html and the charts into the run folder;
    returns the paths of the two reports. site_index: the site's index.html,
    linked when it exists or `index_written` (the caller writes it next)."""
    run = folder.load(path)
    secs = sections(run)
    chart_files = charts.draw_all(run, path, dpi)
    link = links(path, site_index, index_written)
    md, page = os.path.join(path, "report.md"), os.path.join(path, "report.html")
    atomic.write_text(md, render_md(run, secs, chart_files, link))
    atomic.write_text(page, render_html(run, secs, chart_files, link))
    atomic.write_text(os.path.join(path, "bench.txt"), export.benchstat_text(run))
    atomic.write_text(os.path.join(path, "results.csv"), export.csv_text(run))
    atomic.write_text(os.path.join(path, claims_json.FILE), claims_json.text(run))
    return md, page
