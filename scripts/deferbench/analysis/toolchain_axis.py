"""A run's toolchain axis (TOOLCHAINS=): what a defer costs with each Go
release and each C++ compiler the run measured, side by side.

For each toolchain: the instructions per op a plain call takes and what an
open-coded, a stack-record and a heap-record defer add to it (callgrind,
exact), and each defer's paired ratio to the call within one program. Go
releases also say whether each of article B's cliffs still holds, from the
compiler's own diagnostics (-d=defer) and the allocations per op; the
articles' Go 1.14 figures come first, as ratios of their ns. The figures of
the default toolchains are the run folder's own; the others' are under
<run>/toolchains/<key>/ (run/toolchain_axis.py).
"""

import math
import os
from dataclasses import dataclass, field

from . import claims, stats
from .report_data import Ratio, ratio, stand_in
from ..errors import UserError
from ..run import folder as run_folder
from ..run.folder import RunFolder
from ..run.toolchains import release_key

# The mechanisms compared, as Go's benchmarks in goref (claims.ARTICLE_NS's keys):
# C++ measures its model of each (report_data.stand_in).
CALL = claims.PLAIN_CALL
DEFERS = (("open-coded", "defer_cost/open_coded"), ("stack record", "defer_cost/chain_stack"),
          ("heap record", "defer_cost/chain_heap"))
ARTICLE_RELEASE = "1.14"

# Article B's cliffs, each as the compiler's strategy on either side of it:
# (name, claim, the case past the cliff, its strategy there, the case before it).
CLIFFS = (
    ("defer in a loop", "B3", "cliffs/loop/defer_in_loop", "heap-allocated",
     "cliffs/loop/helper"),
    ("more than 8 defers", "B5", "cliffs/ndefers/9", "stack-allocated", "cliffs/ndefers/8"),
    ("returns x defers > 15", "R4", "cliffs/exits/4x4", "stack-allocated", "cliffs/exits/3x5"),
)
OPEN_CODED = "open-coded"
# A release changed a defer's path when the defer adds this much more or
# fewer instructions than in the release before.
RELEASE_CHANGE = 0.2

# The cliffs' paired steps, per language: (what, suite, case, its reference).
STEPS = {
    "Go": (("9th defer / 8th, per defer", "go", "cliffs/ndefers/9", "cliffs/ndefers/8"),),
    "C++": (("9th defer / 8th, per defer", "cliffs", "ndefers/9", "ndefers/8"),
            ("defer in a loop / helper", "cliffs", "loop/defer_in_loop", "loop/helper")),
}


@dataclass
class Column:
    """One toolchain's figures."""
    key: str
    language: str
    version: str
    default: bool
    not_run: str = ""                                  # why it has no figures
    call_instructions: float = math.nan
    added: dict = field(default_factory=dict)          # mechanism -> instructions over the call
    ratios: dict = field(default_factory=dict)         # mechanism -> Ratio
    cases: dict = field(default_factory=dict)          # mechanism -> C++'s case measured
    cliffs: dict = field(default_factory=dict)         # cliff -> "holds: ..." text (Go)
    steps: dict = field(default_factory=dict)          # STEPS' what -> Ratio
    runtime_instructions: tuple = (math.nan, math.nan)  # BenchmarkDefer shipped, noopendefer
    article: bool = False                               # the articles' Go 1.14 figures

    @property
    def label(self):
        return (f"Go {self.version} (article A)" if self.article else
                f"{self.key}{' (default)' if self.default else ''}")


# The suites whose figures a language's column shows.
SUITES = {"Go": ("go",), "C++": ("defer_cost", "cliffs")}


def _sub_run(run, entry):
    """(the run-like view of one toolchain's files, {suite: why it has no
    figures}): the run itself for a default, else its folder's suites with
    the run's manifest."""
    if entry.get("default"):
        return run, {n: why for n, why in run.not_run.items()
                     if n in SUITES.get(entry.get("language"), ())}
    where = os.path.join(run.path, entry.get("folder", ""))
    try:
        sub = run_folder.load(where)
    except UserError as e:  # a run stopped before the toolchain's folder began
        return RunFolder(where, run.manifest, {}), {"its folder": str(e)}
    return sub, sub.not_run


def _steps(col, sub):
    for what, suite, case, reference in STEPS.get(col.language, ()):
        if sub.suite(suite):
            col.steps[what] = ratio(sub, suite, case, reference)


def _go_column(col, sub):
    _steps(col, sub)
    go = sub.suite("go")
    if go is None:
        col.not_run = col.not_run or "its go suite did not run"
        return col
    counts = go.instructions
    col.call_instructions = counts.get(CALL, math.nan)
    for what, case in DEFERS:
        col.added[what] = counts.get(case, math.nan) - col.call_instructions
        col.ratios[what] = ratio(sub, "go", case, CALL)
    col.runtime_instructions = (counts.get("runtime/BenchmarkDefer", math.nan),
                                counts.get("runtime/BenchmarkDefer/noopendefer", math.nan))
    strategies = go.context.get("go_defer_strategies") or {}
    for name, claim, past, expected, before in CLIFFS:
        there, here = strategies.get(past), strategies.get(before)
        if there is None or here is None:
            col.cliffs[name] = "not measured"
            continue
        holds = there == expected and here == OPEN_CODED
        col.cliffs[name] = (f"{'holds' if holds else 'GONE'}: {before.split('/', 1)[1]} "
                            f"{here}, {past.split('/', 1)[1]} {there}")
    allocs = go.benchmarks.get("cliffs/loop/defer_in_loop")
    values = allocs.counter("allocs_per_op") if allocs else []
    if values and CLIFFS[0][0] in col.cliffs:
        col.cliffs[CLIFFS[0][0]] += f" ({stats.median(values):g} allocs/op)"
    return col


def _cpp_column(col, sub):
    _steps(col, sub)
    suite = sub.suite("defer_cost")
    if suite is None:
        col.not_run = col.not_run or "its defer_cost suite did not run"
        return col
    counts = suite.instructions
    call = stand_in(sub, CALL)
    col.call_instructions = counts.get(call, math.nan)
    for what, mechanism in DEFERS:
        case = stand_in(sub, mechanism)
        if case is None:
            continue
        col.cases[what] = case
        col.added[what] = counts.get(case, math.nan) - col.call_instructions
        col.ratios[what] = ratio(sub, "defer_cost", case, call)
    return col


def article_column():
    """Article A's Go 1.14 figures as a column: ratios of its ns, no counts."""
    col = Column("article", "Go", ARTICLE_RELEASE, False, article=True)
    call = claims.ARTICLE_NS[CALL][0]
    for what, mechanism in DEFERS:
        ns = claims.ARTICLE_NS.get(mechanism)
        if ns and mechanism != "defer_cost/chain_heap":  # the heap figure is Go 1.12's
            col.ratios[what] = Ratio(ns[0] / call, None, "article's ns")
    return col


def columns(run):
    """(Go columns, the article's first, by release; C++ columns by compiler
    and version); ([], []) for a run without TOOLCHAINS=."""
    toolchains = run.manifest.get("toolchains") or {}
    if not toolchains:
        return [], []
    go, cpp = [article_column()], []
    for key, entry in toolchains.items():
        col = Column(key, entry.get("language", ""), entry.get("version", ""),
                     bool(entry.get("default")))
        sub, not_run = _sub_run(run, entry)
        if not_run:
            col.not_run = "; ".join(f"{n} {why}" for n, why in not_run.items())
        if col.language == "Go":
            go.append(_go_column(col, sub))
        else:
            cpp.append(_cpp_column(col, sub))
    go[1:] = sorted(go[1:], key=lambda c: release_key(c.version))
    cpp.sort(key=lambda c: (c.key.split("-")[0], release_key(c.version)))
    return go, cpp


def changed_paths(go):
    """Where a release changed a defer's path: a mechanism whose defer adds
    more than RELEASE_CHANGE more or fewer instructions than in the release
    before; [(mechanism, from key, to key, before, after)]."""
    found = []
    measured = [c for c in go if not c.article]
    for a, b in zip(measured, measured[1:]):
        for what, _ in DEFERS:
            x, y = a.added.get(what, math.nan), b.added.get(what, math.nan)
            if x > 0 and y > 0 and abs(y - x) / x > RELEASE_CHANGE:
                found.append((what, a.key, b.key, x, y))
    return found

