"""The regression gate: instructions per op under callgrind against the baseline.

Runs every Google Benchmark suite under valgrind's callgrind (a fixed
iteration count, only each benchmark's loop counted: the same binary gives
the same figure every run), and compares each case's instructions per op
with the baseline in regress/baselines/<toolchain key>.json. With Go on PATH,
the same for the Go cases whose counts are exact (the runtime's BenchmarkDefer
as shipped and with noopendefer, goref's defer_cost and cliffs cases), against
regress/baselines/go-<version>_<GOARCH>.json.

Exit status: 1 when any case grew by more than the tolerance (default 1%,
--tolerance / TOLERANCE=, in percent) or a baseline case is missing, each
named with its old and new figure; 0 otherwise. Improvements are reported.
With no baseline for this toolchain it checks nothing, says so in a warning,
and exits 0 (--require-baseline: exit 1); `make baseline` records one.
--out DIR also writes regress.json and regress.md there, and regress-go.json and
.md for the Go side (never overwritten).
"""

import datetime
import os
import sys

from .. import SOURCE_DIR, atomic, inputs
from ..analysis import gate
from ..errors import UserError

BASELINES_DIR = os.path.join(SOURCE_DIR, "regress", "baselines")


def add_common_arguments(p):
    p.add_argument("--build-dir", default="build", help="the CMake build folder")
    p.add_argument("--only", choices=["C++", "Go"], default=None,
                   help="one side of the gate only (default: both; Go when it is installed)")
    p.add_argument("--baselines-dir", default=BASELINES_DIR,
                   help="where baselines live (default: regress/baselines)")


def add_arguments(p):
    add_common_arguments(p)
    p.add_argument("--tolerance", default=None, metavar="PERCENT",
                   help=f"allowed growth of instructions/op (default: "
                        f"{gate.DEFAULT_TOLERANCE * 100:g}; '1', '1%%' and '0.5' are accepted)")
    inputs.add_switch(p, "--require-baseline", "REQUIRE_BASELINE",
                      "exit 1, not 0, when this toolchain has no baseline")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="also write DIR/regress.json and .md (and regress-go.json and .md)")


def parse_tolerance(text):
    """A fraction from a percentage written as '1', '1%' or '0.5'."""
    if text is None:
        return gate.DEFAULT_TOLERANCE
    try:
        value = float(str(text).strip().removesuffix("%"))
    except ValueError:
        value = -1
    if not 0 <= value < 100:
        raise UserError(f"TOLERANCE={text!r}: give a percentage from 0 to 100, e.g. 1 or 0.5")
    return value / 100


# ---- rendering ----

def _fmt(x):
    return "-" if x is None else f"{x:.3f}"


def _fmt_delta(row):
    if row.delta is None:
        return ""
    rel = f" ({row.relative * 100:+.2f}%)" if row.relative is not None else ""
    return f"{row.delta:+.3f}{rel}"


def table_lines(rows):
    grid = [["suite/case", "baseline", "now", "change", "status"]]
    grid += [[f"{r.suite}/{r.case}", _fmt(r.old), _fmt(r.new), _fmt_delta(r), r.status]
             for r in rows]
    widths = [max(len(g[i]) for g in grid) for i in range(5)]
    return ["  " + "  ".join(c.rjust(w) if 0 < i < 4 else c.ljust(w)
                             for i, (c, w) in enumerate(zip(g, widths))).rstrip()
            for g in grid]


def verdict_lines(rows, tolerance):
    """The lines a reader acts on: each failure named, then improvements."""
    lines = []
    for r in rows:
        if r.status == gate.REGRESSED:
            lines.append(f"REGRESSION: {r.suite}/{r.case}: {r.old:.3f} -> {r.new:.3f} "
                         f"instructions/op ({r.relative * 100:+.2f}%, tolerance "
                         f"{tolerance * 100:g}%)")
        elif r.status == gate.MISSING:
            lines.append(f"MISSING: {r.suite}/{r.case}: in the baseline ({r.old:.3f} "
                         "instructions/op) but not measured; if it was renamed or removed "
                         "on purpose, run `make baseline`")
    for r in rows:
        if r.status == gate.IMPROVED:
            lines.append(f"improved: {r.suite}/{r.case}: {r.old:.3f} -> {r.new:.3f} "
                         f"instructions/op ({r.relative * 100:+.2f}%); `make baseline` "
                         "locks the improvement in")
        elif r.status == gate.NEW_CASE:
            lines.append(f"not gated: {r.suite}/{r.case} ({r.new:.3f} instructions/op) has "
                         "no baseline figure; `make baseline` adds it")
    return lines


def report_json(m, rows, tolerance, baseline_file, passed):
    return {"toolchain_key": m.key, "toolchain": m.toolchain, "baseline": baseline_file,
            "tolerance": tolerance, "passed": passed, "iterations": m.iterations,
            "cases": [{"suite": r.suite, "case": r.case, "baseline": r.old, "measured": r.new,
                       "delta": r.delta, "relative": r.relative, "status": r.status}
                      for r in rows]}


def report_markdown(m, rows, tolerance, baseline_file, passed):
    lines = [f"# Regression gate: {'passed' if passed else 'FAILED'}", "",
             f"- toolchain: `{m.key}`", f"- baseline: `{baseline_file}`",
             f"- instructions per op under callgrind, iterations per case: "
             f"{gate.iterations_text(m.iterations)}; "
             f"tolerance {tolerance * 100:g}%", "",
             "| case | baseline | now | change | status |", "|---|---:|---:|---:|---|"]
    lines += [f"| {r.suite}/{r.case} | {_fmt(r.old)} | {_fmt(r.new)} | {_fmt_delta(r)} | "
              f"{r.status} |" for r in rows]
    return lines + [""] + [f"- {v}" for v in verdict_lines(rows, tolerance)]


def _check_out(out, name):
    if out is None:
        return None
    paths = [os.path.join(out, f"{name}.json"), os.path.join(out, f"{name}.md")]
    for p in paths:
        if os.path.exists(p):
            raise UserError(f"{p} exists; the gate never overwrites a report (choose another OUT=)")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise UserError(f"OUT={out}: cannot create the folder: {e.strerror}") from e
    return paths


def measurements(build_dir, only=None):
    """The gate's two sides: the Google Benchmark suites, then Go's cases (when
    Go is installed), each with its own baseline; `only` one of them."""
    out = [gate.measure(build_dir)] if only in (None, "C++") else []
    if only == "C++":
        return out
    try:
        go = gate.measure_go(build_dir)
    except RuntimeError as e:  # a Go build or count that failed: the gate cannot pass
        raise gate.GateError(f"the Go side could not be counted: {e}") from None
    if go is None:
        if only == "Go":
            raise UserError("--only Go: no Go toolchain on PATH")
        print("regress: no Go toolchain on PATH: the Go side is not checked", file=sys.stderr)
    else:
        out.append(go)
    return out


def gate_one(m, args, tolerance, out_paths):
    """Checks one side against its baseline; returns True when it passed."""
    path = gate.baseline_path(args.baselines_dir, m.key)
    print(f"regress: {m.side}: toolchain {m.key}")
    print(f"regress: {m.side}: instructions per op under callgrind "
          f"(iterations per case: {gate.iterations_text(m.iterations)})")
    if m.injected():
        print(f"regress: note: built with an injected slowdown: {m.injected()}")
    baseline = gate.load_baseline(path)
    if baseline is None:
        known = sorted(f[:-5] for f in os.listdir(args.baselines_dir) if f.endswith(".json")) \
            if os.path.isdir(args.baselines_dir) else []
        rows = gate.compare({}, m.counts, tolerance)
        print("\n".join(table_lines(rows)))
        print(f"\nWARNING: no baseline for this toolchain ({path}): NOTHING WAS CHECKED on the "
              f"{m.side} side. Record one with `make baseline` (and commit it)."
              + (f" Baselines exist for: {', '.join(known)}." if known else ""),
              file=sys.stderr)
        return not args.require_baseline
    rows = gate.compare(baseline["suites"], m.counts, tolerance)
    failed = [r for r in rows if r.status in gate.FAILING]
    print("\n".join(table_lines(rows)))
    verdicts = verdict_lines(rows, tolerance)
    if verdicts:
        print()
        print("\n".join(verdicts))
    rel = os.path.relpath(path, SOURCE_DIR)
    if out_paths:
        atomic.write_json(out_paths[0], report_json(m, rows, tolerance, rel, not failed))
        atomic.write_text(out_paths[1],
                          "\n".join(report_markdown(m, rows, tolerance, rel, not failed)) + "\n")
    checked = sum(r.status not in (gate.NEW_CASE,) for r in rows)
    if failed:
        print(f"\nregress: {m.side}: FAILED: {len(failed)} of {checked} cases beyond the "
              f"baseline ({rel}) by more than {tolerance * 100:g}%", file=sys.stderr)
        return False
    print(f"\nregress: {m.side}: passed: {checked} cases within {tolerance * 100:g}% of {rel}")
    return True


def run(args):
    tolerance = parse_tolerance(args.tolerance)
    # The report files: regress.* for the C++ side, regress-go.* for Go's.
    out_paths = {"C++": _check_out(args.out, "regress"), "Go": _check_out(args.out, "regress-go")}
    passed = [gate_one(m, args, tolerance, out_paths[m.side])
              for m in measurements(args.build_dir, args.only)]
    return 0 if all(passed) else 1


def recorded_now(source_dir=SOURCE_DIR):
    from ..run import machine
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "git": machine.git_state(source_dir), "cpu_model": machine.describe()["cpu_model"]}
