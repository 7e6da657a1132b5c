"""The regression gate: instructions per op under callgrind against a reference.

Runs every Google Benchmark suite under valgrind's callgrind (a fixed
iteration count, only each benchmark's loop counted: the same binary gives
the same figure every run), and compares each case's instructions per op
with the baseline in regress/baselines/<toolchain key>.json. With Go on PATH,
the same for the Go cases whose counts are exact (the runtime's BenchmarkDefer
as shipped and with noopendefer, goref's defer_cost and cliffs cases), against
regress/baselines/go-<version>_<GOARCH>.json.

--base REV (BASE=) compares with a commit instead: REV is built in a
temporary git worktree with the same toolchain (kept under
<build>/regress-base/<commit>, so that building it again costs nothing), its
cases are counted the same way, and the gate names the commit. With no
committed baseline for this toolchain and no --base, it warns that NOTHING WAS
CHECKED and exits 0 (--require-baseline: exit 1); under CI (CI=true) it
compares with the previous commit instead, and fails when there is none.

Exit status: 1 when any case grew by more than the tolerance (default 1%,
--tolerance / TOLERANCE=, in percent) or a reference case is missing, each
named with its old and new figure; 0 otherwise. Improvements are reported.
--out DIR also writes regress.json and regress.md there, and regress-go.json and
.md for the Go side (never overwritten).
"""
import datetime
import os
import sys
from dataclasses import dataclass

from .. import SOURCE_DIR, atomic, inputs
from ..analysis import gate
from ..errors import UserError
from ..run import interrupts

BASELINES_DIR = os.path.join(SOURCE_DIR, "regress", "baselines")


def add_common_arguments(p):
    p.add_argument("--build-dir", default="build", help="the CMake build folder")
    p.add_argument("--only", choices=["C++", "Go"], default=None,
                   help="one side of the gate only (default: both; Go when it is installed)")
    p.add_argument("--baselines-dir", default=BASELINES_DIR,
                   help="where baselines live (default: regress/baselines)")
    p.add_argument("--toolchains", default="",
                   help="also each of these toolchains, against its own baseline: all, or a "
                        "comma-separated list (go-1.22, clang-16; `make toolchains` lists "
                        "them); another compiler's suites are built in "
                        "<build dir>/toolchains/<key>")
    p.add_argument("--jobs", type=inputs.count_type("JOBS"), default=os.cpu_count() or 2,
                   help="parallel jobs for building (the base, another compiler's suites; "
                        "default: the CPU count)")


def add_arguments(p):
    add_common_arguments(p)
    p.add_argument("--tolerance", default=None, metavar="PERCENT",
                   help=f"allowed growth of instructions/op (default: "
                        f"{gate.DEFAULT_TOLERANCE * 100:g}; '1', '1%%' and '0.5' are accepted)")
    p.add_argument("--base", default=None, metavar="REV",
                   help="compare with commit REV built here in a temporary worktree, "
                        "not with the committed baseline")
    p.add_argument("--base-builds", default=None, metavar="DIR",
                   help="where base commits are built, one folder each "
                        "(default: <build dir>/regress-base)")
    inputs.add_switch(p, "--require-baseline", "REQUIRE_BASELINE",
                      "exit 1, not 0, when this toolchain has no baseline (and no --base)")
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


def table_lines(rows, reference_what="baseline"):
    grid = [["suite/case", reference_what, "now", "change", "status"]]
    grid += [[f"{r.suite}/{r.case}", _fmt(r.old), _fmt(r.new), _fmt_delta(r), r.status]
             for r in rows]
    widths = [max(len(g[i]) for g in grid) for i in range(5)]
    return ["  " + "  ".join(c.rjust(w) if 0 < i < 4 else c.ljust(w)
                             for i, (c, w) in enumerate(zip(g, widths))).rstrip()
            for g in grid]


@dataclass
class Reference:
    """What one side is compared with: a committed baseline file, or the counts
    of a base commit built here."""
    counts: dict        # suite -> {case: instructions per op}
    name: str           # the baseline file (relative to the tree), or "commit <id>"
    commit: str = None  # the base commit's id; None for a baseline file

    @property
    def what(self):
        return "base commit" if self.commit else "baseline"


def verdict_lines(rows, tolerance, reference_what="baseline"):
    """The lines a reader acts on: each failure named, then improvements."""
    in_file = reference_what == "baseline"
    lines = []
    for r in rows:
        if r.status == gate.REGRESSED:
            lines.append(f"REGRESSION: {r.suite}/{r.case}: {r.old:.3f} -> {r.new:.3f} "
                         f"instructions/op ({r.relative * 100:+.2f}%, tolerance "
                         f"{tolerance * 100:g}%)")
        elif r.status == gate.MISSING:
            lines.append(f"MISSING: {r.suite}/{r.case}: in the {reference_what} ({r.old:.3f} "
                         "instructions/op) but not measured"
                         + ("; if it was renamed or removed on purpose, run `make baseline`"
                            if in_file else ""))
    for r in rows:
        if r.status == gate.IMPROVED:
            lines.append(f"improved: {r.suite}/{r.case}: {r.old:.3f} -> {r.new:.3f} "
                         f"instructions/op ({r.relative * 100:+.2f}%)"
                         + ("; `make baseline` locks the improvement in" if in_file else ""))
        elif r.status == gate.NEW_CASE:
            lines.append(f"not gated: {r.suite}/{r.case} ({r.new:.3f} instructions/op) has "
                         + ("no baseline figure; `make baseline` adds it" if in_file
                            else "no figure in the base commit"))
    return lines


def report_json(m, rows, tolerance, reference, passed):
    return {"toolchain_key": m.key, "toolchain": m.toolchain, "baseline": reference.name,
            "base_commit": reference.commit,
            "tolerance": tolerance, "passed": passed, "iterations": m.iterations,
            "cases": [{"suite": r.suite, "case": r.case, "baseline": r.old, "measured": r.new,
                       "delta": r.delta, "relative": r.relative, "status": r.status}
                      for r in rows]}


def report_markdown(m, rows, tolerance, reference, passed):
    lines = [f"# Regression gate: {'passed' if passed else 'FAILED'}", "",
             f"- toolchain: `{m.key}`", f"- {reference.what}: `{reference.name}`",
             f"- instructions per op under callgrind, iterations per case: "
             f"{gate.iterations_text(m.iterations)}; "
             f"tolerance {tolerance * 100:g}%", "",
             f"| case | {reference.what} | now | change | status |",
             "|---|---:|---:|---:|---|"]
    lines += [f"| {r.suite}/{r.case} | {_fmt(r.old)} | {_fmt(r.new)} | {_fmt_delta(r)} | "
              f"{r.status} |" for r in rows]
    return lines + [""] + [f"- {v}" for v in verdict_lines(rows, tolerance, reference.what)]


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


def measurements(build_dir, only=None, axis=None, jobs=2):
    """The gate's two sides: the Google Benchmark suites, then Go's cases (when
    Go is installed), each with its own baseline; `only` one of them. Then the
    same for each other toolchain of `axis` (other_toolchains: TOOLCHAINS=),
    each a measurement of its own with its own baseline."""
    out = [gate.measure(build_dir)] if only in (None, "C++") else []
    if only != "C++":
        try:
            go = gate.measure_go(build_dir)
        except RuntimeError as e:  # a Go build or count that failed: the gate cannot pass
            raise gate.GateError(f"the Go side could not be counted: {e}") from None
        if go is None:
            if only == "Go":
                raise UserError("--only Go: no Go toolchain on PATH")
            print("regress: no Go toolchain on PATH: the Go side is not checked",
                  file=sys.stderr)
        else:
            out.append(go)
    return out + (_measure_others(axis, build_dir, jobs) if axis else [])


def other_toolchains(text, only):
    """The toolchain axis of TOOLCHAINS= over the gate's suites, or None."""
    from ..run import toolchain_axis
    suites = [s for s in gate.gbench_suites() if only in (None, "C++")]
    if only in (None, "Go"):
        from ..suites.go import suite as go_suite
        suites.append(go_suite.SUITE)
    return toolchain_axis.plan(text, suites) if text else None


def _measure_others(axis, build_dir, jobs):
    from ..run import toolchain_axis
    toolchain_axis.build(axis, build_dir, gate.gbench_suites(), jobs, who="regress")
    out = []
    for t in axis.others:
        if t.key in axis.failed:
            raise gate.GateError(f"{t.key}: the suites could not be built: {axis.failed[t.key]}")
        try:
            m = (gate.measure(axis.builds[t.key]) if t.language == "C++"
                 else gate.measure_go(build_dir, exe=t.path))
        except RuntimeError as e:
            raise gate.GateError(f"{t.key} could not be counted: {e}") from None
        m.other = t.key
        out.append(m)
    return out


def in_ci():
    """CI=true (or 1, yes), as GitHub Actions, GitLab CI and .ci/run set it."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def committed_references(sides, baselines_dir):
    """{key: Reference} for the measurements that have a committed baseline."""
    found = {}
    for m in sides:
        path = gate.baseline_path(baselines_dir, m.key)
        baseline = gate.load_baseline(path)
        if baseline is not None:
            found[m.key] = Reference(baseline["suites"], os.path.relpath(path, SOURCE_DIR))
    return found


def measure_base(commit, sides, args):
    """{key: Reference}: `commit` built in a temporary worktree with this
    build's compiler, build type and flags, and counted as the working tree is."""
    from ..run import base_build
    root = args.base_builds or os.path.join(args.build_dir, "regress-base")
    here = {m.side: m for m in sides}
    settings = base_build.cmake_settings(args.build_dir)
    targets = [os.path.basename(s.binary) for s in gate.gbench_suites()]
    found = {}
    print(f"regress: building commit {commit[:12]} in a temporary worktree "
          f"(its builds are kept in {os.path.join(root, commit)})", flush=True)
    try:
        with base_build.checkout(commit, root) as src:
            measured = []
            if "C++" in here:
                measured.append(gate.measure(base_build.build(
                    src, os.path.join(root, commit, "build"), settings, targets, args.jobs)))
            if "Go" in here:
                measured.append(gate.measure_go(
                    os.path.join(root, commit), module_dir=os.path.join(src, "goref"),
                    caches=os.path.join(os.path.abspath(args.build_dir), "go")))
    except RuntimeError as e:
        raise gate.GateError(f"the base commit {commit[:12]} could not be counted: {e}") from None
    for m in measured:
        if m.key != here[m.side].key:  # e.g. the base's CMakeLists set other flags
            print(f"regress: {m.side}: note: the base commit builds as {m.key}, this tree as "
                  f"{here[m.side].key}", file=sys.stderr)
        found[here[m.side].key] = Reference(m.counts, f"commit {commit}", commit)
    return found


def gate_one(m, reference, args, tolerance, out_paths):
    """Checks one side against its reference (None: no baseline, nothing to
    check); returns True when it passed."""
    print(f"regress: {m.side}: toolchain {m.key}")
    print(f"regress: {m.side}: instructions per op under callgrind "
          f"(iterations per case: {gate.iterations_text(m.iterations)})")
    if m.injected():
        print(f"regress: note: built with an injected slowdown: {m.injected()}")
    if reference is None:
        path = gate.baseline_path(args.baselines_dir, m.key)
        known = sorted(f[:-5] for f in os.listdir(args.baselines_dir) if f.endswith(".json")) \
            if os.path.isdir(args.baselines_dir) else []
        rows = gate.compare({}, m.counts, tolerance)
        print("\n".join(table_lines(rows)))
        print(f"\nWARNING: no baseline for this toolchain ({path}): NOTHING WAS CHECKED on the "
              f"{m.side} side. Record one with `make baseline` (and commit it), or compare "
              "with a commit: `make regress BASE=<rev>`."
              + (f" Baselines exist for: {', '.join(known)}." if known else ""),
              file=sys.stderr)
        return not args.require_baseline
    print(f"regress: {m.side}: compared with {reference.name}")
    rows = gate.compare(reference.counts, m.counts, tolerance)
    failed = [r for r in rows if r.status in gate.FAILING]
    print("\n".join(table_lines(rows, reference.what)))
    verdicts = verdict_lines(rows, tolerance, reference.what)
    if verdicts:
        print()
        print("\n".join(verdicts))
    if out_paths:
        atomic.write_json(out_paths[0], report_json(m, rows, tolerance, reference, not failed))
        atomic.write_text(out_paths[1], "\n".join(
            report_markdown(m, rows, tolerance, reference, not failed)) + "\n")
    checked = sum(r.status != gate.NEW_CASE for r in rows)
    if failed:
        print(f"\nregress: {m.side}: FAILED: {len(failed)} of {checked} cases beyond the "
              f"{reference.what} ({reference.name}) by more than {tolerance * 100:g}%",
              file=sys.stderr)
        return False
    print(f"\nregress: {m.side}: passed: {checked} cases within {tolerance * 100:g}% of "
          f"{reference.name}")
    return True


def run(args):
    # Callgrind's children and the builds start through run/interrupts.py:
    # a signal, even one that comes while a child is being started, ends them
    # and their temporary folders before the process ends with 128 + N.
    with interrupts.ending_the_process("regress"):
        return _gate(args)


def _gate(args):
    tolerance = parse_tolerance(args.tolerance)
    base = None
    if args.base is not None:  # a bad revision is refused before anything is counted
        from ..run import base_build
        base, subject = base_build.resolve(args.base)
    if base is not None and args.toolchains:
        raise UserError("BASE= compares the default toolchains with a commit; leave "
                        "TOOLCHAINS= out (each other toolchain has its own baseline)")
    # The report files: regress.* for the C++ side, regress-go.* for Go's,
    # regress-<key>.* for each other toolchain's.
    axis = other_toolchains(args.toolchains, args.only)  # a bad name: before any count
    out_paths = {"C++": _check_out(args.out, "regress"), "Go": _check_out(args.out, "regress-go")}
    for t in axis.others if axis else []:
        out_paths[t.key] = _check_out(args.out, f"regress-{t.key}")
    if base is not None:
        print(f"regress: comparing with commit {base} (BASE={args.base}: {subject})")
    sides = measurements(args.build_dir, args.only, axis, args.jobs)
    references = {} if base else committed_references(sides, args.baselines_dir)
    # The defaults without a baseline; another toolchain without one warns.
    unreferenced = [m for m in sides if m.key not in references and not m.other]
    if unreferenced and base is None and in_ci() and not args.require_baseline:
        # In CI a gate that checks nothing would pass every change: with no
        # committed baseline for this toolchain, the previous commit is the base.
        from ..run import base_build
        base = base_build.previous_commit()
        names = " and ".join(m.side for m in unreferenced)
        if base is None:
            raise gate.GateError(
                f"CI: no committed baseline for this toolchain ({names}) and no previous "
                "commit to compare with (a shallow clone has none: fetch two commits or "
                "more); record one with `make baseline` and commit it, or give BASE=<rev>")
        print(f"regress: CI: no committed baseline for this toolchain ({names}); comparing "
              f"with the previous commit, {base}")
    if unreferenced and base is not None:
        references.update(measure_base(base, unreferenced, args))
    passed = [gate_one(m, references.get(m.key), args, tolerance,
                       out_paths[m.other or m.side])
              for m in sides]
    return 0 if all(passed) else 1


def recorded_now(source_dir=SOURCE_DIR):
    from ..run import machine
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "git": machine.git_state(source_dir), "cpu_model": machine.describe()["cpu_model"]}
