"""Compare two run folders: median change, confidence interval, Mann-Whitney U.

For every benchmark in both runs: the ratio of the medians of the
repetitions with a 95% bootstrap interval, a Mann-Whitney U test corrected
with Holm-Bonferroni for the number of benchmarks compared, and a verdict.
Counters (allocs_per_op, bytes_per_op, perf events, callgrind's
instructions) are compared the same way where both runs have them.

Marks: + slower (worse), - faster (better), = no significant change,
? not comparable. A change is a verdict only when the corrected p-value is
below 0.05 and the medians differ by at least 5% (--min-change); figures that
are identical in every repetition are compared exactly.

With no runs named, it compares this machine's two newest complete runs of
the same kind (QUICK with QUICK, full with full). A run is a folder or a run
id, looked up under --results-dir.

Output: a table on the console, rows by suite, and the same as Markdown and
JSON, written into the NEW run folder as compare-<base-run-id>.md and .json, or
to --out PREFIX (PREFIX.md, PREFIX.json). An existing file is never
overwritten: a repeated comparison is written as compare-<base-run-id>-2.md.
Runs from different machines, compilers or build types (manifest.json:
machine_id, toolchain.cxx, build.type) are refused unless --allow-different.
"""

import math
import os
import sys

from .. import atomic, inputs
from ..analysis import comparison
from ..run import folder, machine
from ..errors import UserError

MARKS = {comparison.SLOWER: "+", comparison.FASTER: "-", comparison.SAME: "=",
         comparison.NOT_COMPARABLE: "?"}
MARKS_LEGEND = "marks: + slower/worse, - faster/better, = no significant change, ? not comparable"


def add_arguments(p):
    p.add_argument("base", nargs="?", help="the earlier run: a run folder "
                   "(results/<machine>/<run-id>) or a run id (default: the newer runs' "
                   "predecessor, see below)")
    p.add_argument("new", nargs="?", help="the later run (default: this machine's newest)")
    p.add_argument("--results-dir", default="results",
                   help="where run ids are looked up (default: results)")
    p.add_argument("--machine", default=None, help="whose runs are compared when none is "
                   "named (default: this machine's)")
    p.add_argument("--metric", choices=["real_time", "cpu_time"], default="real_time",
                   help="the time compared (default: real_time)")
    p.add_argument("--min-change", type=float, default=comparison.MIN_CHANGE * 100,
                   metavar="PERCENT", help="smallest change called a change "
                   f"(default: {comparison.MIN_CHANGE * 100:g})")
    inputs.add_switch(p, "--allow-different", "ALLOW_DIFFERENT",
                      "compare runs from different machines, compilers or build types",
                      positionals=True)
    p.add_argument("--out", default=None, metavar="PREFIX",
                   help="write PREFIX.md and PREFIX.json (default: "
                        "NEW/compare-<base-run-id>.md and .json); never overwrites")
    p.add_argument("--site", default=None, help="the site folder the NEW run's report links (default: "
                   "<build-dir>/site for results/, <results-dir>-site for another)")
    p.add_argument("--build-dir", default="build", help="the build folder (default: build)")


# ---- rendering: each returns lines or data, nothing prints ----

TIME_UNITS = (("ns", 1.0), ("us", 1e3), ("ms", 1e6), ("s", 1e9))


def time_unit(rows):
    """One unit for a group of time rows: the largest in which its largest
    figure stays under a million."""
    largest = max((max(r.base_median, r.new_median) for r in rows
                   if not (math.isnan(r.base_median) or math.isnan(r.new_median))), default=0)
    return next(((u, f) for u, f in TIME_UNITS if largest / f < 1e6), TIME_UNITS[-1])


def _fmt_value(value, metric, unit=None):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric in ("real_time", "cpu_time"):
        name, factor = unit or time_unit([])
        return f"{value / factor:,.2f} {name}"
    return f"{value:.4g}"


def _fmt_change(ratio):
    if math.isnan(ratio):
        return "n/a"
    change = (ratio - 1) * 100
    return "0.0%" if round(change, 1) == 0 else f"{change:+.1f}%"


def _fmt_ci(row):
    if row.exact:
        return "exact"
    if math.isnan(row.ci[0]):
        return ""
    return f"[{_fmt_change(row.ci[0])}, {_fmt_change(row.ci[1])}]"


def _fmt_p(row):
    return "" if math.isnan(row.p_adjusted) else f"{row.p_adjusted:.3g}"


def _cells(row, with_metric, unit=None):
    name = f"{row.suite}/{row.benchmark}" + (f" {row.metric}" if with_metric else "")
    return [MARKS[row.verdict], name, _fmt_value(row.base_median, row.metric, unit),
            _fmt_value(row.new_median, row.metric, unit), _fmt_change(row.ratio), _fmt_ci(row),
            _fmt_p(row), f"{row.base_n}/{row.new_n}", row.note]


def _group(row):
    """A row's group: its suite and the first part of its name (go/stack, cliffs/loop)."""
    return row.suite, row.benchmark.split("/")[0]


def _grouped_cells(rows, with_metric):
    """Cells of rows in their order, each group's times in one unit."""
    groups = {}
    for r in rows:
        groups.setdefault(_group(r), []).append(r)
    units = {g: time_unit(members) for g, members in groups.items()}
    return [_cells(r, with_metric, units[_group(r)]) for r in rows]


HEADER = ["", "benchmark", "base", "new", "change", "95% CI", "p (Holm)", "reps", ""]


def header_lines(c):
    """The lines above the tables: what was compared, and any warning."""
    lines = [f"compare: base {c.base.run_id} -> new {c.new.run_id} "
             f"({c.metric}, median of the repetitions)"]
    for what, a, b in c.differences:
        lines.insert(0, f"WARNING: different {what}: {a} vs {b}; compared because "
                        "--allow-different was given: differences include the machines'")
    lines += [w if w.startswith("note: ") else f"note: {w}" for w in c.warnings]
    return lines


def table_lines(rows, with_metric=False):
    """A plain-text table, columns aligned."""
    grid = [HEADER] + _grouped_cells(rows, with_metric)
    widths = [max(len(r[i]) for r in grid) for i in range(len(HEADER))]
    right = {2, 3, 4, 6, 7}
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                      for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in grid]


def console_lines(c):
    """The console's view: every time, and the counters that did not stay the
    same (the Markdown and JSON files have them all)."""
    lines = header_lines(c) + [""] + table_lines(c.times)
    moved = [r for r in c.counters if r.verdict in (comparison.SLOWER, comparison.FASTER)]
    if moved:
        lines += ["", "counters that changed:"] + table_lines(moved, with_metric=True)
    if len(moved) < len(c.counters):
        rest = {}
        for r in c.counters:
            if r not in moved:
                rest[r.verdict] = rest.get(r.verdict, 0) + 1
        lines += ["", "counters not shown: " + ", ".join(
            f"{n} {verdict}" for verdict, n in sorted(rest.items()))
            + " (all are in the Markdown and JSON files)"]
    return lines + ["", MARKS_LEGEND, summary_line(c)]


def summary_line(c):
    counts = {}
    for r in c.times:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    return f"{c.metric}: " + ", ".join(f"{counts.get(v, 0)} {v}" for v in MARKS)


def markdown_lines(c):
    def md_table(rows, with_metric):
        out = ["| " + " | ".join(h or " " for h in HEADER) + " |",
               "|" + "---|" * len(HEADER)]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
                for cells in _grouped_cells(rows, with_metric)]
        return out
    lines = [f"# Comparison: {c.base.run_id} -> {c.new.run_id}", ""]
    for what, a, b in c.differences:
        lines += [f"**Different {what}**: `{a}` vs `{b}` (compared with --allow-different).", ""]
    lines += [f"- base: `{c.base.path}`", f"- new: `{c.new.path}`",
              f"- time: `{c.metric}`, median of the repetitions; 95% percentile-bootstrap "
              "interval of the ratio of medians; Mann-Whitney U, Holm-corrected; a verdict "
              f"needs p < {c.alpha} and a change of at least "
              f"{c.min_change * 100:g}%", ""]
    lines += [f"> {w if w.startswith('note: ') else 'note: ' + w}" for w in c.warnings] \
        + ([""] if c.warnings else [])
    lines += md_table(c.times, False)
    if c.counters:
        lines += ["", "## Counters", ""] + md_table(c.counters, True)
    return lines + ["", MARKS_LEGEND, "", summary_line(c)]


def _num(x):
    return None if isinstance(x, float) and math.isnan(x) else x


def row_json(r):
    return {"suite": r.suite, "benchmark": r.benchmark, "metric": r.metric,
            "mark": MARKS[r.verdict], "verdict": r.verdict, "base_median": _num(r.base_median),
            "new_median": _num(r.new_median), "ratio": _num(r.ratio),
            "ci": [_num(r.ci[0]), _num(r.ci[1])], "p_value": _num(r.p_value),
            "p_holm": _num(r.p_adjusted), "exact": r.exact, "base_repetitions": r.base_n,
            "new_repetitions": r.new_n, "note": r.note}


def comparison_json(c, allowed_different):
    return {
        "base": {"run_id": c.base.run_id, "path": os.path.abspath(c.base.path)},
        "new": {"run_id": c.new.run_id, "path": os.path.abspath(c.new.path)},
        "metric": c.metric,
        "different": [{"what": w, "base": a, "new": b} for w, a, b in c.differences],
        "allowed_different": allowed_different,
        "settings": {"alpha": c.alpha, "min_change": c.min_change,
                     "confidence": comparison.CONFIDENCE,
                     "bootstrap_resamples": comparison.BOOTSTRAP_RESAMPLES,
                     "bootstrap_seed": comparison.BOOTSTRAP_SEED},
        "warnings": c.warnings,
        "times": [row_json(r) for r in c.times],
        "counters": [row_json(r) for r in c.counters],
    }


# ---- the command ----

def output_paths(args, base, new):
    """(markdown, json): --out's, which must not exist, or the first free
    compare-<base-run-id>[-k] in the new run's folder."""
    if args.out:
        paths = (args.out + ".md", args.out + ".json")
        for p in paths:
            if os.path.exists(p):
                raise UserError(f"{p} exists; a comparison never overwrites a file "
                                "(remove it, or choose another OUT=)")
        where = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(where):
            raise UserError(f"OUT={args.out}: folder {where} does not exist")
        return paths
    for k in range(1, 1000):
        prefix = os.path.join(new.path, f"compare-{base.run_id}" + (f"-{k}" if k > 1 else ""))
        if not any(os.path.exists(prefix + ext) for ext in (".md", ".json")):
            return prefix + ".md", prefix + ".json"
    raise UserError(f"{new.path}: too many comparisons with {base.run_id}")


def chosen_runs(args):
    """(base, new) folders: those named (paths or run ids), or this machine's two
    newest complete runs of one kind."""
    if args.base and args.new:
        return (folder.locate(args.base, args.results_dir),
                folder.locate(args.new, args.results_dir))
    if args.base or args.new:
        raise UserError("compare needs two runs (BASE= and NEW=) or none, for this machine's "
                        "two newest complete runs of one kind")
    from ..analysis import machine_runs
    machine_id, _ = machine.machine_id(args.machine)
    newest = machine_runs.complete_runs(os.path.join(args.results_dir, machine_id))
    for i, new in enumerate(newest):
        earlier = [r for r in newest[i + 1:] if kind(r) == kind(new)]
        if earlier:
            return earlier[0].path, new.path
    raise UserError(f"{os.path.join(args.results_dir, machine_id)}: fewer than two complete "
                    "runs of one kind (QUICK or full) to compare; run `make bench` again, or "
                    "name the runs (BASE= NEW=)")


def kind(run):
    return "QUICK" if run.quick else "full"


def kind_notes(base, new):
    """Lines that say what makes two runs less comparable than they look."""
    notes = []
    if os.path.realpath(base.path) == os.path.realpath(new.path):
        notes.append(f"note: {base.path} is compared with itself: every change is 0")
    if kind(base) != kind(new):
        notes.append(f"note: a {kind(base)} run against a {kind(new)} run: their repetitions "
                     "and settings differ, so their times need not agree")
    commits = [(r.manifest.get("git") or {}).get("commit") for r in (base, new)]
    if all(commits) and commits[0] != commits[1]:
        notes.append(f"note: the runs were made by different code ({commits[0][:12]} and "
                     f"{commits[1][:12]}): a change may be the code's")
    return notes


def run(args):
    if args.min_change < 0:
        raise UserError(f"--min-change must be a percentage >= 0, got {args.min_change}")
    base_path, new_path = chosen_runs(args)
    base, new = folder.load_complete(base_path), folder.load_complete(new_path)
    different = comparison.identity_differences(base, new)
    if different and not args.allow_different:
        what, a, b = different[0]
        raise UserError(f"{base.path} and {new.path} are from different {what}s ({a} vs {b}); "
                        "pass --allow-different (ALLOW_DIFFERENT=1) to compare them anyway")
    md_path, json_path = output_paths(args, base, new)
    c = comparison.compare_runs(base, new, metric=args.metric,
                                min_change=args.min_change / 100)
    if not c.times:
        raise UserError(f"{base.path} and {new.path} have no benchmark in common")
    c.warnings[:0] = kind_notes(base, new)
    print("\n".join(console_lines(c)))
    atomic.write_text(md_path, "\n".join(markdown_lines(c)) + "\n")
    try:
        atomic.write_json(json_path, comparison_json(c, args.allow_different))
    except BaseException:
        os.unlink(md_path)  # both files or neither
        raise
    print(f"\ncompare: wrote {md_path} and {json_path}")
    if not args.out:
        from ..render.site_location import default_site
        relist_in_report(new.path, args.site or default_site(args.results_dir, args.build_dir))
    sys.stdout.flush()
    return 0


def relist_in_report(run_path, site_dir):
    """The run's report lists the comparisons in its folder: rebuilt with the
    new one. A report that cannot be rebuilt costs nothing of the comparison."""
    if not os.path.isfile(os.path.join(run_path, "report.html")):
        return
    try:
        from ..render import report  # matplotlib is loaded only here
        report.build(run_path, site_index=os.path.join(site_dir, "index.html"))
        print(f"compare: {os.path.join(run_path, 'report.html')} lists it")
    except Exception as e:  # noqa: BLE001 (the comparison is written either way)
        print(f"compare: the report was not rebuilt ({type(e).__name__}: {e}); "
              f"`make report RUN={run_path}` does it", file=sys.stderr)
