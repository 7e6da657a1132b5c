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

Output: a table on the console, and the same as Markdown and JSON, written
into the NEW run folder as compare-<base-run-id>.md and .json, or to
--out PREFIX (PREFIX.md, PREFIX.json). An existing file is never overwritten.
Runs from different machines, compilers or build types (manifest.json:
machine_id, toolchain.cxx, build.type) are refused unless --allow-different.
"""

import math
import os
import sys

from .. import atomic
from ..analysis import comparison
from ..run import folder
from ..errors import UserError

MARKS = {comparison.SLOWER: "+", comparison.FASTER: "-", comparison.SAME: "=",
         comparison.NOT_COMPARABLE: "?"}
MARKS_LEGEND = "marks: + slower/worse, - faster/better, = no significant change, ? not comparable"


def add_arguments(p):
    p.add_argument("base", help="the earlier run folder (results/<machine>/<run-id>)")
    p.add_argument("new", help="the later run folder")
    p.add_argument("--metric", choices=["real_time", "cpu_time"], default="real_time",
                   help="the time compared (default: real_time)")
    p.add_argument("--min-change", type=float, default=comparison.MIN_CHANGE * 100,
                   metavar="PERCENT", help="smallest change called a change "
                   f"(default: {comparison.MIN_CHANGE * 100:g})")
    p.add_argument("--allow-different", action="store_true",
                   help="compare runs from different machines, compilers or build types")
    p.add_argument("--out", default=None, metavar="PREFIX",
                   help="write PREFIX.md and PREFIX.json (default: "
                        "NEW/compare-<base-run-id>.md and .json); never overwrites")


# ---- rendering: each returns lines or data, nothing prints ----

def _fmt_value(value, metric):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric in ("real_time", "cpu_time"):
        return f"{value:.2f} ns" if value < 1e4 else f"{value / 1e3:.2f} us"
    return f"{value:.4g}"


def _fmt_change(ratio):
    return "n/a" if math.isnan(ratio) else f"{(ratio - 1) * 100:+.1f}%"


def _fmt_ci(row):
    if row.exact:
        return "exact"
    if math.isnan(row.ci[0]):
        return ""
    return f"[{_fmt_change(row.ci[0])}, {_fmt_change(row.ci[1])}]"


def _fmt_p(row):
    return "" if math.isnan(row.p_adjusted) else f"{row.p_adjusted:.3g}"


def _cells(row, with_metric):
    name = f"{row.suite}/{row.benchmark}" + (f" {row.metric}" if with_metric else "")
    return [MARKS[row.verdict], name, _fmt_value(row.base_median, row.metric),
            _fmt_value(row.new_median, row.metric), _fmt_change(row.ratio), _fmt_ci(row),
            _fmt_p(row), f"{row.base_n}/{row.new_n}", row.note]


HEADER = ["", "benchmark", "base", "new", "change", "95% CI", "p (Holm)", "reps", ""]


def header_lines(c):
    """The lines above the tables: what was compared, and any warning."""
    lines = [f"compare: base {c.base.run_id} -> new {c.new.run_id} "
             f"({c.metric}, median of the repetitions)"]
    for what, a, b in c.differences:
        lines.insert(0, f"WARNING: different {what}: {a} vs {b}; compared because "
                        "--allow-different was given: differences include the machines'")
    lines += [f"warning: {w}" for w in c.warnings]
    return lines


def table_lines(rows, with_metric=False):
    """A plain-text table, columns aligned."""
    grid = [HEADER] + [_cells(r, with_metric) for r in rows]
    widths = [max(len(r[i]) for r in grid) for i in range(len(HEADER))]
    right = {2, 3, 4, 6, 7}
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                      for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in grid]


def console_lines(c):
    lines = header_lines(c) + [""] + table_lines(c.times)
    if c.counters:
        lines += ["", "counters:"] + table_lines(c.counters, with_metric=True)
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
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(r, with_metric))
                + " |" for r in rows]
        return out
    lines = [f"# Comparison: {c.base.run_id} -> {c.new.run_id}", ""]
    for what, a, b in c.differences:
        lines += [f"**Different {what}**: `{a}` vs `{b}` (compared with --allow-different).", ""]
    lines += [f"- base: `{c.base.path}`", f"- new: `{c.new.path}`",
              f"- time: `{c.metric}`, median of the repetitions; 95% percentile-bootstrap "
              "interval of the ratio of medians; Mann-Whitney U, Holm-corrected; a verdict "
              f"needs p < {c.alpha} and a change of at least "
              f"{c.min_change * 100:g}%", ""]
    lines += [f"> warning: {w}" for w in c.warnings] + ([""] if c.warnings else [])
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
    prefix = args.out or os.path.join(new.path, f"compare-{base.run_id}")
    paths = (prefix + ".md", prefix + ".json")
    for p in paths:
        if os.path.exists(p):
            raise UserError(f"{p} exists; a comparison never overwrites a file "
                            "(remove it, or choose another OUT=)")
    folder = os.path.dirname(os.path.abspath(prefix))
    if not os.path.isdir(folder):
        raise UserError(f"OUT={args.out}: folder {folder} does not exist")
    return paths


def run(args):
    if args.min_change < 0:
        raise UserError(f"--min-change must be a percentage >= 0, got {args.min_change}")
    base, new = folder.load_complete(args.base), folder.load_complete(args.new)
    different = comparison.identity_differences(base, new)
    if different and not args.allow_different:
        what, a, b = different[0]
        raise UserError(f"{args.base} and {args.new} are from different {what}s ({a} vs {b}); "
                        "pass --allow-different (ALLOW_DIFFERENT=1) to compare them anyway")
    md_path, json_path = output_paths(args, base, new)
    c = comparison.compare_runs(base, new, metric=args.metric,
                                min_change=args.min_change / 100)
    if not c.times:
        raise UserError(f"{args.base} and {args.new} have no benchmark in common")
    print("\n".join(console_lines(c)))
    atomic.write_text(md_path, "\n".join(markdown_lines(c)) + "\n")
    try:
        atomic.write_json(json_path, comparison_json(c, args.allow_different))
    except BaseException:
        os.unlink(md_path)  # both files or neither
        raise
    print(f"\ncompare: wrote {md_path} and {json_path}")
    sys.stdout.flush()
    return 0
