"""The report's section on a TOOLCHAINS= run: what a defer costs with each Go
release and each C++ compiler (analysis/toolchain_axis.py), as blocks of the
report's sections (render/report.py walks them)."""

import math

from ..analysis import toolchain_axis
from ..text import number

TITLE = "Across toolchains"


def _ratio(r):
    if r is None or math.isnan(r.value):
        return "-"
    if r.interval:
        return f"{r.value:.2f}x [{r.interval[0]:.2f}, {r.interval[1]:.2f}]"
    return f"{r.value:.2f}x ({r.how})" if r.how else f"{r.value:.2f}x"


def _added(col, what):
    value = col.added.get(what, math.nan)
    return "-" if math.isnan(value) else f"{value:+.0f}"


def _steps(language):
    return [what for what, *_ in toolchain_axis.STEPS[language]]


def _row(col, extra):
    steps = [_ratio(col.steps.get(w)) for w in _steps(col.language)]
    if col.not_run and not col.added:
        return ([col.label, f"not measured: {col.not_run}"]
                + ["-"] * (2 * len(toolchain_axis.DEFERS) + len(steps)) + extra)
    mechanisms = [w for w, _ in toolchain_axis.DEFERS]
    return ([col.label, "-" if col.article else number(col.call_instructions, ".0f")]
            + ["-" if col.article else _added(col, w) for w in mechanisms]
            + [_ratio(col.ratios.get(w)) for w in mechanisms] + steps + extra)


def _runtime(col):
    shipped, noopen = col.runtime_instructions
    if col.article or math.isnan(shipped) or math.isnan(noopen):
        return "-"
    return f"{shipped:.0f} / {noopen:.0f} (+{noopen - shipped:.0f})"


def blocks(run):
    """The section's blocks; [] for a run made without TOOLCHAINS=."""
    go, cpp = toolchain_axis.columns(run)
    if not go and not cpp:
        return []
    mechanisms = [w for w, _ in toolchain_axis.DEFERS]
    header = (["toolchain", "call, instr/op"] + [f"+{w}, instr" for w in mechanisms]
              + [f"{w} / call" for w in mechanisms])
    out = [("p", "The run measured with every toolchain TOOLCHAINS= named, beside the "
                 "defaults (whose figures are the rest of this report). For each: the "
                 "instructions per op of a plain call under callgrind, what one defer adds to "
                 "it (exact: the same build counts the same every run), and each defer's "
                 "paired ratio to the call of its own program with its 95% interval. Go: "
                 "goref's benchmarks, built by each release; the first row is article A's "
                 "Go 1.14, ratios of its ns (its heap figure is Go 1.12's and left out). "
                 "C++: defer_cost's model of each of Go's mechanisms, built by each "
                 "compiler with the project's flags.")]
    measured_go = [c for c in go if not c.article]
    if measured_go:
        out.append(("table", header + _steps("Go") + ["runtime BenchmarkDefer, instr/op "
                                                      "(shipped / noopendefer)"],
                    [_row(c, [_runtime(c)]) for c in go]))
        changes = toolchain_axis.changed_paths(go)
        out.append(("p", "Where a release changed the defer path (a defer's instructions "
                         f"moved by more than {toolchain_axis.RELEASE_CHANGE:.0%} from the "
                         "release before):" if changes else
                         "No release changed what a defer adds by more than "
                         f"{toolchain_axis.RELEASE_CHANGE:.0%} from the release before."))
        if changes:
            out.append(("list", [f"{what}: {a} {x:.0f} -> {b} {y:.0f} instructions over the "
                                 f"call ({(y - x) / x:+.0%})"
                                 for what, a, b, x, y in changes]))
        names = [c[0] for c in toolchain_axis.CLIFFS]
        out.append(("p", "Article B's cliffs in each release, from the compiler's own "
                         "diagnostics (-gcflags=-d=defer) on either side of each: a cliff "
                         "holds when the case before it is open-coded and the case past it "
                         "is not; allocations per op from the benchmark's -benchmem."))
        out.append(("table", ["Go release"] + [f"{n} ({c[1]})" for n, c in
                                               zip(names, toolchain_axis.CLIFFS)],
                    [[c.label] + ([f"not measured: {c.not_run}"] + ["-"] * (len(names) - 1)
                                  if c.not_run and not c.cliffs else
                                  [c.cliffs.get(n, "-") for n in names])
                     for c in measured_go]))
    if cpp:
        cases = "; ".join(f"{w}: {c}" for w, c in (cpp[0].cases or {}).items())
        out.append(("table", header + _steps("C++"), [_row(c, []) for c in cpp]))
        out.append(("p", f"C++ cases: {cases or 'none measured'}; each ratio is to "
                         "defer_cost's call, built by the same compiler."))
    return out
