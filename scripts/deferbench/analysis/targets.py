"""deferbench's own targets, gathered from the suites of one run: each with
the figure this run measured and a verdict, so a report says in one table
what held on this machine and what did not.

The targets, defined in claims.py but for defer_cost's ratios, which the
suite's list of cases holds (target_ratio):
  defer_cost  paired ratios to `call`, met when the whole 95% interval is
              inside the target, missed when it is wholly outside, undecided
              otherwise, and the interval's width (claims.TARGET_INTERVAL);
              runs without paired ratios: the ratio of medians and the repetitions' spread (claims.TARGET_CV);
  fd          the defer machinery's gap to the plain open/close floor (paired
              per repetition, decided on its interval as defer_cost's are), and the
              chain's user-space bytes per file (claims.TARGET_GAP, claims.TARGET_CHAIN_BYTES);
  stack       bytes per frame below Go's for the same mechanism
              (each strategy's go_counterpart in the suite's list of cases).
A target whose suite did not run is left out, not marked missed."""

import math
from dataclasses import dataclass

from . import claims, report_data
from ..suites import defer_cost


OK, MISSED, UNDECIDED, NOT_MEASURED = "ok", "MISSED", "undecided", "not measured"


@dataclass
class Target:
    suite: str
    what: str
    target: str
    measured: str
    met: bool
    verdict: str = ""   # OK, MISSED or UNDECIDED; from met when not given

    def __post_init__(self):
        self.verdict = self.verdict or (OK if self.met else MISSED)


def _defer_cost(run):
    suite = run.suite("defer_cost")
    rows = defer_cost.defer_cost_rows(suite) if suite else []
    call = next((r for r in rows if r.case == "call"), None)
    out = []
    for r in rows:
        if r.ratio_verdict is None:
            continue
        if r.interval:
            measured = f"{r.paired['ratio']:.3f}x [{r.interval[0]:.3f}, {r.interval[1]:.3f}]"
            what = f"{r.case} / call, paired"
        else:
            measured, what = f"{r.ratio:.2f}x", f"{r.case} / call, median ns/op"
        if call and not math.isnan(r.instructions) and not math.isnan(call.instructions):
            measured += (f" (instructions {r.instructions:.0f} vs {call.instructions:.0f}: "
                         f"{r.instructions / call.instructions:.2f}x)")
        verdict = r.ratio_verdict
        if verdict == UNDECIDED:
            measured += ": the interval straddles the target; more pairs or a quieter machine decide"
        out.append(Target("defer_cost", what, f"<= {r.target_ratio:.2f}x", measured,
                          verdict == OK, verdict))
    overhead = defer_cost.counter_overhead_paired(suite) if suite else None
    what = "call with perf counters read / without, paired"
    within = f"within {claims.COUNTER_OVERHEAD_TARGET:.0%} of 1"
    if overhead is not None:
        ratio, low, high, verdict = overhead
        out.append(Target("defer_cost", what, within, f"{ratio:.4f} [{low:.4f}, {high:.4f}]",
                          verdict == OK, verdict))
    elif suite and defer_cost.counter_overhead_unmeasured(suite):
        out.append(Target("defer_cost", what, within, defer_cost.counter_overhead_unmeasured(suite),
                          False, NOT_MEASURED))
    for r in rows:
        if r.paired:
            out.append(Target("defer_cost", f"{r.case} / call: width of the 95% interval",
                              f"<= {claims.TARGET_INTERVAL:.0%} of the ratio",
                              f"{r.interval_width:.2%}", r.stable))
        elif r.cv_applies and not math.isnan(r.cv):
            out.append(Target("defer_cost", f"{r.case}: spread of the repetitions (CV)",
                              f"<= {claims.TARGET_CV:.0%}", f"{r.cv:.1%}", r.stable))
    return out


def _fd(run):
    sec = report_data.fd(run)
    out = []
    for r in sec.rows:
        if r.gap_verdict is None:
            continue
        out.append(Target("fd", f"{r.strategy} at N = {r.n:,}: CPU time per file above plain, "
                          "paired", f"<= {claims.TARGET_GAP:.0%}", r.gap_text(),
                          r.gap_verdict == OK, r.gap_verdict))
    for s in sec.slopes:
        if s.meets_target is not None:
            out.append(Target("fd", f"{s.strategy}: user-space bytes per file",
                              f"<= {claims.TARGET_CHAIN_BYTES} B", s.target_text(),
                              s.meets_target))
    return out


def _stack(run):
    out = []
    for r in report_data.stack(run)["cpp"]:
        if r.meets_target is None:
            continue
        figure, source = r.go_reference
        out.append(Target("stack", f"{r.case}: bytes per frame",
                          f"< {figure:.1f} ({source})", f"{r.bytes_per_frame:.1f}",
                          r.meets_target))
    return out


def rows(run):
    return _defer_cost(run) + _fd(run) + _stack(run)
