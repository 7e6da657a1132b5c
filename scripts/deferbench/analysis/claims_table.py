"""The claims table: one row per claim id (claims.py), with the article's
figure, what this run measured with Go and with the C++ analog, and a
verdict. Pure functions over a loaded run folder (run/folder.load).

One rule per claim, whatever the run's options: the claims are about Go, so
Go's figure decides, the article's own code on this machine; the C++ analog
stands beside it and never decides. Where Go did not run, the claim is "not
measured in this run". R4 alone has no Go case and is judged on the C++
analog's label, in every run. The tolerances are claims.py's:
- a time reproduces within TIME_TOLERANCE of the article's, either way;
- a ratio to the plain call (A4, B2) within RATIO_TOLERANCE; outside it, the
  row says what Go here measured beside the article's Go release;
- bytes per frame of the recursion (A7) within FRAME_TOLERANCE;
- a rule reproduces when the run observed the behaviour (a strategy label, a
  compiler diagnostic, an allocation count) and nothing contradicted it; one
  that compares two timings is decided on their paired interval, and is
  "undecided" when the interval straddles the bound;
  rules no run can observe name the tests that check them;
- a figure the machine's limits keep out of reach is "not measurable here",
  with the limit.
"""

import math
from dataclasses import dataclass, field

from . import claims, paired, report_data
from .claims import DIFFERS, NOT_IN_RUN, NOT_MEASURABLE, NOT_OBSERVED, REPRODUCED, UNDECIDED

NAN = math.nan


@dataclass
class ClaimRow:
    id: str
    claim: str
    article: str
    go: str
    cpp: str
    verdict: str       # claims.REPRODUCED, DIFFERS, UNDECIDED, NOT_MEASURABLE, NOT_OBSERVED, NOT_IN_RUN
    note: str = ""     # the factor, the reason, what was observed
    # The measured figures behind the cells, for claims.json: named with their
    # unit in the name (rss_mib, time_s, allocs_per_item), numbers or strings.
    go_fields: dict = field(default_factory=dict)
    cpp_fields: dict = field(default_factory=dict)
    # The programs that produced them ("goref/cliffs ClosureCapturing", ...).
    programs: list = field(default_factory=list)

    @property
    def verdict_text(self):
        return f"{self.verdict}{': ' + self.note if self.note else ''}"


def _ns(m):
    return f"{m.median:.1f} ns" if m.measured else "not in this run"


def _within(factor, tolerance):
    return 1 / tolerance <= factor <= tolerance


def _factor_verdict(here, article, tolerance):
    factor = here / article
    return (REPRODUCED if _within(factor, tolerance) else DIFFERS), \
        f"{factor:.2f}x the article's, tolerance {tolerance:g}x"


def go_release(run):
    """'1.19' from go.json's context, or None when Go did not run."""
    go = run.suite("go")
    text = (go.context.get("go_version") or "") if go else ""
    word = next((w for w in text.split() if w.startswith("go1.")), "")
    return ".".join(word[2:].split(".")[:2]) or None


def _not_in_run(run):
    return run.not_run.get("go", "the go suite did not run") if "go" in run.not_run \
        else "the go suite is not in this run"


def _time_row(run, cid, go, cpp, article):
    """A time claim, judged on Go's figure; the C++ analog's factor beside it."""
    c = _claim(cid)
    if not go.measured:
        return ClaimRow(cid, c.summary, c.article, _ns(go), _ns(cpp), NOT_IN_RUN,
                        _not_in_run(run) if not run.suite("go") else
                        "Go's figure is missing from go.json")
    verdict, note = _factor_verdict(go.median, article, claims.TIME_TOLERANCE)
    if cpp.measured:
        note += f"; C++ analog {cpp.median / article:.2f}x"
    return ClaimRow(cid, c.summary, c.article, _ns(go), _ns(cpp), verdict, note)


def _claim(cid):
    return next(c for c in claims.CLAIMS if c.id == cid)


def _label(run, suite, name, key="label"):
    return report_data.first_field(run, suite, name, key) or ""


def _rule_row(cid, go_obs, cpp_obs, tests=None, judge="Go"):
    """go_obs/cpp_obs: (observed: True/False/None, text), None: not in this run.
    `judge` is the side that decides, the same in every run."""
    c = _claim(cid)
    observed = (go_obs if judge == "Go" else cpp_obs)[0]
    if tests:
        verdict, note = NOT_OBSERVED, f"covered by {tests}"
    elif observed is None:
        verdict, note = NOT_IN_RUN, f"{judge}'s case did not run"
    elif observed == UNDECIDED:
        verdict, note = UNDECIDED, f"{judge}'s paired interval straddles the bound (see its cell)"
    elif observed:
        verdict, note = REPRODUCED, f"observed ({judge})"
    else:
        verdict, note = DIFFERS, f"{judge}'s run contradicts it (see its cell)"
    return ClaimRow(cid, c.summary, c.article, go_obs[1], cpp_obs[1], verdict, note)


def _strategy_obs(text, expect_open):
    if not text:
        return None
    is_open = text.startswith("open-coded")
    return is_open == expect_open


def _pair_obs(a, b):
    if a is None or b is None:
        return None
    return a and b


# --------------------------------------------------------------------------- rows

def _a4(run, head):
    """Both ratios to the plain call, Go's, each within RATIO_TOLERANCE of the
    article's; a ratio outside it is said as a finding about the Go release."""
    c = _claim("A4")
    _, open_, normal = head

    def cell(side):
        r1, r2 = getattr(open_, side + "_ratio"), getattr(normal, side + "_ratio")
        return f"{r1:.2f}x and {r2:.2f}x" if not math.isnan(r1 + r2) else "not in this run"
    if math.isnan(open_.go_ratio + normal.go_ratio):
        return ClaimRow("A4", c.summary, c.article, cell("go"), cell("cpp"), NOT_IN_RUN,
                        "Go's ratios need the go suite's pairs or its medians")
    release = go_release(run) or "?"
    findings, factors = [], []
    for what, case in (("open-coded defer", open_), ("stack-record defer", normal)):
        factor = case.go_ratio / case.article_ratio
        factors.append(f"{factor:.2f}x")
        if not _within(factor, claims.RATIO_TOLERANCE):
            findings.append(f"Go {release}'s {what} is {case.go_ratio:.1f}x a call, the "
                            f"article's Go {claims.ARTICLE_GO} was {case.article_ratio:.1f}x")
    if findings:
        return ClaimRow("A4", c.summary, c.article, cell("go"), cell("cpp"), DIFFERS,
                        "; ".join(findings))
    return ClaimRow("A4", c.summary, c.article, cell("go"), cell("cpp"), REPRODUCED,
                    f"ratios {' and '.join(factors)} the article's, tolerance "
                    f"{claims.RATIO_TOLERANCE:g}x")


def _a5(run):
    c = _claim("A5")
    cmd = _label(run, "go", "runtime/BenchmarkDefer", "go_command")
    if cmd:
        return ClaimRow("A5", c.summary, c.article, f"ran: {cmd}", "defer_cost suite (analog)",
                        REPRODUCED, "the article's benchmark ran as shipped")
    if not run.suite("go"):
        return ClaimRow("A5", c.summary, c.article, "not run", "-", NOT_IN_RUN, _not_in_run(run))
    reason = report_data.error_of(run, "go", "runtime/BenchmarkDefer") or \
        "the runtime's benchmark is not in go.json"
    return ClaimRow("A5", c.summary, c.article, "not run", "-", NOT_MEASURABLE, reason)


def _b2(head):
    c = _claim("B2")
    plain, _, normal = head
    work = 35.0  # the article's 35 ns of work (B2)
    article_slowdown = (work + 35.0) / work

    def added(side):
        """The plain call times (normal's ratio - 1): within one program, as the
        ratio is (Go's normal ns/op are the runtime's, its plain call goref's)."""
        p, ratio = getattr(plain, side), getattr(normal, side + "_ratio")
        return p.median * (ratio - 1) if p.measured and not math.isnan(ratio) else NAN
    go_d, cpp_d = added("go"), added("cpp")
    cell = lambda d: "not in this run" if math.isnan(d) else (  # noqa: E731
        f"+{d:.1f} ns per defer: 35 ns of work runs {(work + d) / work:.2f}x slower")
    if math.isnan(go_d):
        return ClaimRow("B2", c.summary, c.article, cell(go_d), cell(cpp_d), NOT_IN_RUN,
                        "Go's normal defer and plain call are not both in this run")
    verdict, note = _factor_verdict((work + go_d) / work, article_slowdown,
                                    claims.RATIO_TOLERANCE)
    return ClaimRow("B2", c.summary, c.article, cell(go_d), cell(cpp_d), verdict,
                    f"derived from A1 - A3 here; slowdown {note}")


def _r2_b5(run, cid):
    go8 = _label(run, "go", "cliffs/ndefers/8", "defer_strategy")
    go9 = _label(run, "go", "cliffs/ndefers/9", "defer_strategy")
    cpp8, cpp9 = _label(run, "cliffs", "ndefers/8"), _label(run, "cliffs", "ndefers/9")
    go = (_pair_obs(_strategy_obs(go8, True), _strategy_obs(go9, False)),
          f"-d=defer: 8 defers {go8 or '?'}, 9 defers {go9 or '?'}" if go8 or go9
          else "not in this run")
    cpp = (_pair_obs(_strategy_obs(cpp8, True), _strategy_obs(cpp9, False)),
           f"ndefers/8 {cpp8 or '?'}; ndefers/9 {cpp9 or '?'}" if cpp8 or cpp9
           else "not in this run")
    return _rule_row(cid, go, cpp)


def _r3(run):
    go_s = _label(run, "go", "cliffs/loop/defer_in_loop", "defer_strategy")
    cpp_s = _label(run, "cliffs", "loop/defer_in_loop")
    return _rule_row("R3", (_strategy_obs(go_s, False),
                            f"-d=defer: {go_s}" if go_s else "not in this run"),
                     (_strategy_obs(cpp_s, False), cpp_s or "not in this run"))


# R4's Go cases (goref/cliffs/exits.go): return statements x defers, and
# whether Go's rule (returns x defers > MAX_RETURNS_X_DEFERS: not open-coded)
# says they are open-coded.
_EXITS = ("3x5", "5x3", "4x4", "2x8")


def _exits_open(shape):
    returns, defers = (int(n) for n in shape.split("x"))
    return returns * defers <= claims.MAX_RETURNS_X_DEFERS


def _r4(run):
    """Go's -d=defer labels of functions at returns x defers = 15 and 16: each
    must be open-coded exactly when the product is at most 15."""
    labels = {s: _label(run, "go", f"cliffs/exits/{s}", "defer_strategy") for s in _EXITS}
    seen = [_strategy_obs(labels[s], _exits_open(s)) for s in _EXITS]
    go_obs = None if None in seen else all(seen)
    go_text = ("-d=defer: " + "; ".join(
        f"{s} ({int(s.split('x')[0]) * int(s.split('x')[1])}) {labels[s] or '?'}"
        for s in _EXITS)) if any(labels.values()) else "not in this run"
    ok_, over = _label(run, "cliffs", "exits/3x5"), _label(run, "cliffs", "exits/4x4")
    cpp = (_pair_obs(_strategy_obs(ok_, True), _strategy_obs(over, False)),
           f"3 exits x 5 defers: {ok_ or '?'}; 4 x 4: {over or '?'}" if ok_ or over
           else "not in this run")
    row = _rule_row("R4", (go_obs, go_text), cpp)
    row.go_fields = {f"exits_{s}_defer_strategy": labels[s] for s in _EXITS if labels[s]}
    row.cpp_fields = {k: v for k, v in (("exits_3x5_label", ok_), ("exits_4x4_label", over))
                      if v}
    row.programs = [f"goref/cliffs exits{s}" for s in _EXITS] + [
        "suites/cliffs exits/3x5, exits/4x4 (defer::OpenFrame)"]
    return row


# --------------------------------------------------------------------------- R1, R5, R6
# Observed in every run: by Go (goref/cmd/defersemantics, suites/go/semantics.py)
# and by the C++ strategies (the cliffs suite's JSON context holds
# deferbench_semantics_<experiment>: "<key>: <observed>" parts joined by "; ").
_SEMANTICS = "goref/cmd/defersemantics"
_CPP_STRATEGIES = ("guard", "chain", "open_frame")
# The C++ frames that model a Go function's defers; the guard is scoped to its
# block, as every C++ object is, and stands beside them.
_CPP_FRAMES = ("chain", "open_frame")


def _cpp_parts(run, experiment):
    """{key: observed} from the cliffs suite's context, {} without it."""
    suite = run.suite("cliffs")
    text = (suite.context.get(f"deferbench_semantics_{experiment}") or "") if suite else ""
    return dict(p.split(": ", 1) for p in text.split("; ") if ": " in p)


def _cpp_observed(run, experiment):
    """{strategy: what it did}, or None when the run has no such observation."""
    parts = _cpp_parts(run, experiment)
    found = {s: parts[s] for s in _CPP_STRATEGIES if s in parts}
    return found if len(found) == len(_CPP_STRATEGIES) else None


def _cpp_row_parts(run, experiments, judge):
    """(observed, text, fields) of the C++ side: judge(found per experiment)
    -> True/False; None when the run has no such cases."""
    found = [_cpp_observed(run, e) for e in experiments]
    if None in found:
        return None, "not in this run", {}
    fields = {f"{s}_{e}": f[s] for e, f in zip(experiments, found) for s in _CPP_STRATEGIES}
    text = "; ".join(f"{e}: " + ", ".join(f"{s} {f[s]}" for s in _CPP_STRATEGIES)
                     for e, f in zip(experiments, found))
    observed = judge(*found)
    # Whether the C++ frames keep the rule; it stands beside Go's, never decides.
    fields["rule_observed"] = observed
    return observed, text, fields


def _observed(run, experiment):
    """Go's observation of one experiment: its fields, or None when the run
    has none (no go suite, or the program failed: error_of says why)."""
    name = f"semantics/{experiment}"
    events = report_data.first_field(run, "go", name, "events")
    if not isinstance(events, list):
        return None
    return {"events": events, **{k: report_data.first_field(run, "go", name, k) for k in (
        "at_defer", "received", "at_return", "panicked", "recovered")}}


def _after(events, prefix):
    return [e[len(prefix):] for e in events if e.startswith(prefix)]


def _semantics_row(run, cid, observe, experiments, cpp_judge):
    """observe(run) -> (observed, Go's text, go_fields) or None; cpp_judge
    decides the C++ cell from each experiment's {strategy: observed}."""
    got = observe(run)
    cpp_obs, cpp_text, cpp_fields = _cpp_row_parts(run, experiments, cpp_judge)
    programs = [f"{_SEMANTICS} {e}" for e in experiments] + [
        f"suites/cliffs context deferbench_semantics_{e} (guard, chain, open_frame)"
        for e in experiments]
    if got is None:
        why = next(filter(None, (report_data.error_of(run, "go", f"semantics/{e}")
                                 for e in experiments)), None)
        go = (None, why or "not in this run")
        fields = {}
    else:
        go, fields = got[:2], got[2]
    row = _rule_row(cid, go, (cpp_obs, cpp_text))
    row.go_fields, row.cpp_fields, row.programs = fields, cpp_fields, programs
    return row


def _r1(run):
    def observe(run):
        o = _observed(run, "lifo")
        if o is None:
            return None
        deferred, ran = _after(o["events"], "defer "), _after(o["events"], "ran ")
        return (len(deferred) > 1 and ran == deferred[::-1],
                f"deferred {', '.join(deferred)}; ran {', '.join(ran)}",
                {"defers_order": ",".join(deferred), "defers_run_order": ",".join(ran)})
    return _semantics_row(run, "R1", observe, ["lifo"],
                          lambda lifo: all(v == "3,2,1" for v in lifo.values()))


def _r5(run):
    def observe(run):
        o = _observed(run, "eager_args")
        if o is None:
            return None
        at_defer, received, at_return = o["at_defer"], o["received"], o["at_return"]
        if None in (at_defer, received, at_return):
            return None
        return (at_defer != at_return and received == at_defer,
                f"x = {at_defer} at the defer, {at_return} at the return: the call received "
                f"{received}",
                {"value_at_defer": at_defer, "value_at_return": at_return,
                 "value_received": received})

    def cpp(eager):
        parts = _cpp_parts(run, "eager_args")
        at_defer, at_return = parts.get("at_defer"), parts.get("at_return")
        return at_defer != at_return and all(v == at_defer for v in eager.values())
    return _semantics_row(run, "R5", observe, ["eager_args"], cpp)


def _r6(run):
    def observe(run):
        p, s = _observed(run, "panic"), _observed(run, "function_scope")
        if p is None or s is None or p["panicked"] is None:
            return None
        events = p["events"]
        unwound = _after(events[events.index("panic") + 1:] if "panic" in events else [],
                         "ran ")
        # defersemantics defers 1 then 2 before it panics.
        during_panic = unwound == ["2", "1"] and p["recovered"] == p["panicked"]
        order = s["events"]
        ran_at_exit = ("deferred call ran" in order and "code after the block" in order and
                       order.index("deferred call ran") > order.index("code after the block"))
        return (during_panic and ran_at_exit,
                f"during the panic ran {', '.join(unwound) or 'nothing'}, recover() returned "
                f"{p['recovered']!r}; a defer in an if block ran " + (
                    "at the function's return, after the code that follows the block"
                    if ran_at_exit else "before the code that follows the block"),
                {"panic_run_order": ",".join(unwound), "recovered_value": p["recovered"],
                 "panicked_value": p["panicked"],
                 "block_defer_ran": "at the function's return" if ran_at_exit else
                 "at the block's end"})

    def cpp(panic, scope):
        # Go's defer is modelled by the frames; the guard's block scope is C++'s
        # own, reported in the cell and not a contradiction.
        unwound = all(v.startswith("2,1 then recovered ") and len(v) > 19
                      for v in panic.values())
        return unwound and all(scope[s] == "at the function's return" for s in _CPP_FRAMES)
    return _semantics_row(run, "R6", observe, ["panic", "function_scope"], cpp)


def _loop_row(run, cid, name):
    c = _claim(cid)
    article_ns, article_b, article_allocs = claims.ARTICLE_LOOP[name]
    go = report_data.measure(run, "go", f"cliffs/{name}")
    cpp = report_data.measure(run, "cliffs", name)

    def cell(m, suite, bench):
        if not m.measured:
            return "not in this run"
        allocs = report_data.measure(run, suite, bench, "allocs_per_op")
        nbytes = report_data.measure(run, suite, bench, "bytes_per_op")
        return (f"{m.median:.1f} ns, {nbytes.median:.0f} B/op, {allocs.median:.0f} allocs/op"
                if allocs.measured and nbytes.measured else f"{m.median:.1f} ns")
    row = _time_row(run, cid, go, cpp, article_ns)
    row.claim, row.article = c.summary, c.article
    row.go, row.cpp = cell(go, "go", f"cliffs/{name}"), cell(cpp, "cliffs", name)
    allocs = report_data.measure(run, "go", f"cliffs/{name}", "allocs_per_op")
    if allocs.measured:
        same = allocs.median == article_allocs
        row.note += f"; Go's allocs/op {'match' if same else 'differ from'} the article's"
        if not same and row.verdict == REPRODUCED:
            row.verdict = DIFFERS
    return row


def _per_item(run, suite, name, items_key="items"):
    """allocs/op over the items the case loops over (its items field; Go's
    closure/capturing has only peak_open, every item held to the return), or
    NAN."""
    allocs = report_data.measure(run, suite, name, "allocs_per_op")
    items = report_data.measure(run, suite, name, items_key)
    if not (allocs.measured and items.measured and items.median):
        return NAN
    return allocs.median / items.median


def _b6(run):
    """Article B's count per iteration against Go's, like with like: a closure
    capturing a variable of the iteration (closure/per_item), each allocation
    per item accounted for from the escape analysis, the remainder the defer
    records the runtime's pool could not supply."""
    c = _claim("B6")
    article = claims.ARTICLE_CLOSURE_ALLOCS_PER_ITEM
    esc = _label(run, "go", "cliffs/closure/per_item", "heap_escapes")
    small = _per_item(run, "go", "cliffs/closure/per_item")
    many = _per_item(run, "go", "cliffs/closure/per_item_10k")
    counter = _per_item(run, "go", "cliffs/closure/capturing", "peak_open")
    programs = ["goref/cliffs ClosurePerItem (closure/per_item, per_item_10k)",
                "goref/cliffs ClosureCapturing (closure/capturing: the loop counter)"]
    ccap = report_data.measure(run, "cliffs", "closure/capturing", "allocs_per_op")
    cplain = report_data.measure(run, "cliffs", "closure/plain_call", "allocs_per_op")
    citems = report_data.measure(run, "cliffs", "closure/capturing", "items")
    cpp_text, cpp_fields = "not in this run", {}
    if ccap.measured and cplain.measured:
        n = citems.median if citems.measured and citems.median else 1
        cpp_fields = {"allocs_per_item": ccap.median / n,
                      "plain_call_allocs_per_item": cplain.median / n}
        cpp_text = (f"{ccap.median / n:.1f} allocs per item vs {cplain.median / n:.1f} "
                    f"({_label(run, 'cliffs', 'closure/capturing')})")
        programs.append("suites/cliffs closure/capturing, closure/plain_call")
    if math.isnan(small) and math.isnan(many):
        verdict = NOT_IN_RUN
        note = _not_in_run(run) if not run.suite("go") else \
            "Go's closure/per_item is not in go.json"
        return ClaimRow("B6", c.summary, c.article, "not in this run", cpp_text, verdict, note,
                        cpp_fields=cpp_fields, programs=programs)
    # One allocation per item of each kind the escape analysis reports for a
    # variable of the iteration; what is left is the defer records.
    closure = 1 if "func literal escapes to heap" in esc else 0
    captured = 1 if "moved to heap: f" in esc else 0
    measured = many if not math.isnan(many) else small
    records = measured - closure - captured
    fields = {"allocs_per_item": measured, "article_allocs_per_item": article,
              "closure_allocs_per_item": closure, "captured_variable_allocs_per_item": captured,
              "defer_record_allocs_per_item": records,
              "items": 10_000 if not math.isnan(many) else 10}
    if not math.isnan(small):
        fields["allocs_per_item_10_items"] = small
    if not math.isnan(counter):
        fields["loop_counter_capture_allocs_per_item"] = counter
    go_text = (f"{measured:.2f} allocs per item ({fields['items']:,} items) = closure "
               f"{closure} + captured variable {captured} + defer records {records:.2f}; "
               f"-m: {esc or 'no escape reported'}")
    if not math.isnan(counter):
        go_text += (f"; capturing the loop counter instead: {counter:.2f} per item (one "
                    "variable per loop before Go 1.22: moved to heap once per call)")
    if not (closure and captured):
        verdict, note = DIFFERS, "the escape analysis did not report both the closure and " \
            "the captured variable on the heap"
    elif abs(measured - article) < 0.5:
        verdict, note = REPRODUCED, f"{measured:.2f} per item against the article's {article}"
    else:
        verdict = DIFFERS
        note = (f"{measured:.2f} per item against the article's {article}: the closure and the "
                "captured variable are one each, as the article's diagnostics say; what is left, "
                f"{records:.2f}, is the defer records (the only other heap object of a deferred "
                "closure): this Go takes them from the runtime's pools (newdefer: the P's own, "
                "then the central one each GC empties) and allocates only when both are empty")
    release = go_release(run)
    note += (". Go 1.22 gives each iteration its own loop variable: capturing the loop "
             "counter then costs one variable per item, as closure/per_item does here"
             + (f" (this run's Go is {release})" if release else ""))
    return ClaimRow("B6", c.summary, c.article, go_text, cpp_text, verdict, note,
                    go_fields=fields, cpp_fields=cpp_fields, programs=programs)


def _b7_step(run, suite, prefix):
    """Cliff 2's fix on its own program: ndefers/8 open-coded where 9 is not
    (where the run has the labels), and 9 slower per defer than 8 on their
    paired interval."""
    r = report_data.ratio(run, suite, prefix + "ndefers/9", prefix + "ndefers/8")
    if math.isnan(r.value):
        return None, "not in this run", {}
    key = "defer_strategy" if suite == "go" else "label"
    eight, nine = (_label(run, suite, f"{prefix}ndefers/{n}", key) for n in (8, 9))
    labels_ok = _pair_obs(_strategy_obs(eight, True), _strategy_obs(nine, False))
    fields = {"ndefers_9_over_8_ratio": r.value}
    fields.update({k: v for k, v in (("ndefers_8_defer_strategy", eight),
                                     ("ndefers_9_defer_strategy", nine)) if v})
    labels = f"; 8 {eight}, 9 {nine}" if eight and nine else ""
    if r.interval is None:
        return (False if labels_ok is False else UNDECIDED), (
            f"ndefers/9 / ndefers/8 per defer {r.value * 8 / 9:.3g}x (no pair){labels}"), fields
    fields.update(ratio_ci_low=r.interval[0], ratio_ci_high=r.interval[1])
    decided = paired.interval_verdict(*r.interval, 1, math.inf)
    observed = {"ok": True, "MISSED": False}.get(decided, UNDECIDED)
    if labels_ok is False:
        observed = False
    return observed, (f"ndefers/9 / ndefers/8 per defer {r.value:.3g}x "
                      f"[{r.interval[0]:.3g}, {r.interval[1]:.3g}] paired{labels}"), fields


def _allocs(run, suite, name):
    m = report_data.measure(run, suite, name, "allocs_per_op")
    return m.median if m.measured else NAN


# The fixes: (id, which fix, its cliff's program and the fix on it, Go then C++).
_FIXES = (
    ("B7.1", "fix 1, defer at function scope (a per-item helper)", "1",
     ("loop/defer_in_loop", "loop/helper"), ("loop/defer_in_loop", "loop/helper")),
    ("B7.2", "fix 2, at most 8 defers per function", "2", None, None),
    ("B7.3", "fix 3, defer a plain call rather than a capturing closure", "3",
     ("closure/per_item", "closure/per_item_plain_call"),
     ("closure/capturing", "closure/plain_call")),
)


def _alone(run, fix):
    """What the fix does alone to the program with all three cliffs: allocs per
    item before and after, and the -d=defer label after."""
    none = _per_item(run, "go", "cliffs/fixes/none")
    after = _per_item(run, "go", f"cliffs/fixes/{fix}")
    label = _label(run, "go", f"cliffs/fixes/{fix}", "defer_strategy")
    if math.isnan(none) or math.isnan(after):
        return {}, ""
    return ({"three_cliffs_allocs_per_item": none, "fix_alone_allocs_per_item": after,
             "fix_alone_defer_strategy": label},
            f"alone on the three cliffs' program (fixes/{fix}): {after:.3g} allocs per item "
            f"of {none:.3g}, -d=defer {label or '?'}")


def _b7_fix(run, cid, what, fix, go_pair, cpp_pair):
    """One fix against its own cliff. Fix 1 passes when the helper allocates
    nothing where the loop allocates, its defer open-coded; fix 3 when the
    plain call leaves only cliff 1's allocations (loop/defer_in_loop's per
    item), fewer than the capturing closure's; fix 2 on cliff 2's step."""
    alone_fields, alone_text = _alone(run, fix)

    def side(suite, prefix, pair):
        if pair is None:
            return _b7_step(run, suite, prefix)
        cliff, fixed = (prefix + p for p in pair)
        if fix == "1":
            a, b = _allocs(run, suite, cliff), _allocs(run, suite, fixed)
            if math.isnan(a + b):
                return None, "not in this run", {}
            key = "defer_strategy" if suite == "go" else "label"
            label = _label(run, suite, fixed, key)
            ok = b == 0 < a and (not label or "open-coded" in label)
            return ok, f"{pair[1]} {b:.3g} vs {pair[0]} {a:.3g} allocs/op ({label or '?'})", \
                {"cliff_allocs_per_op": a, "fixed_allocs_per_op": b,
                 "fixed_defer_strategy": label}
        a, b = _per_item(run, suite, cliff), _per_item(run, suite, fixed)
        floor = _per_item(run, suite, prefix + "loop/defer_in_loop",
                          "peak_open" if suite == "go" else "items")
        if math.isnan(a + b):
            return None, "not in this run", {}
        ok = b < a and (math.isnan(floor) or b <= floor)
        return ok, (f"{pair[1]} {b:.3g} vs {pair[0]} {a:.3g} allocs per item; a defer in a "
                    f"loop alone {floor:.3g}"), \
            {"cliff_allocs_per_item": a, "fixed_allocs_per_item": b,
             "defer_in_loop_allocs_per_item": floor}
    go_obs, go_text, go_fields = side("go", "cliffs/", go_pair)
    cpp_obs, cpp_text, cpp_fields = side("cliffs", "", cpp_pair)
    if alone_text:
        go_text += "; " + alone_text
    row = _rule_row("B7", (go_obs, go_text), (cpp_obs, cpp_text))
    # The article's part of B7 that this fix is ("function scope, <= 8, plain call").
    row.id, row.claim = cid, what
    row.article = row.article.split(", ")[int(fix) - 1]
    row.go_fields = {**go_fields, **alone_fields}
    # Whether the C++ analog keeps the fix too; it stands beside Go's, never decides.
    row.cpp_fields = {**cpp_fields, "rule_observed": cpp_obs} if cpp_fields else {}
    row.programs = [f"goref/cliffs {p}" for p in (go_pair or ("ndefers/9", "ndefers/8"))] + \
        [f"goref/cliffs fixes/none, fixes/{fix}", "suites/cliffs " +
         ", ".join(cpp_pair or ("ndefers/9", "ndefers/8"))]
    if fix == "2" and alone_fields and not alone_fields["fix_alone_defer_strategy"] \
            .startswith("open-coded"):
        row.note += ("; alone on the three cliffs' program its 8 defers stay off open-coding: "
                     "the defer in the loop still holds the function (R3)")
    return row


def _b7(run):
    """Each fix alone against its cliff (B7.1-B7.3), then all three together on
    the program with all three cliffs (B7): no allocation left, every defer
    open-coded, where the program with none of them allocates."""
    out = [_b7_fix(run, *f) for f in _FIXES]
    c = _claim("B7")
    none, all_ = (_per_item(run, "go", f"cliffs/fixes/{k}") for k in ("none", "all"))
    label = _label(run, "go", "cliffs/fixes/all", "defer_strategy")
    none_label = _label(run, "go", "cliffs/fixes/none", "defer_strategy")
    programs = ["goref/cliffs FixesNone (fixes/none)",
                "goref/cliffs FixesAll, fixAllItem (fixes/all)"]
    if math.isnan(none + all_):
        verdict = NOT_IN_RUN
        note = _not_in_run(run) if not run.suite("go") else "Go's fixes/* are not in go.json"
        out.append(ClaimRow("B7", c.summary, c.article, "not in this run",
                            "no C++ program with the three cliffs", verdict, note,
                            programs=programs))
        return out
    ok = all_ == 0 < none and label == "open-coded"
    out.append(ClaimRow(
        "B7", c.summary, c.article,
        f"fixes/all {all_:.3g} allocs per item ({label or '?'}) vs fixes/none {none:.3g} "
        f"({none_label or '?'})", "no C++ program with the three cliffs",
        REPRODUCED if ok else DIFFERS,
        "all three together: no allocation, every defer open-coded" if ok else
        "all three together leave allocations or a defer off open-coding (see its cell)",
        go_fields={"three_cliffs_allocs_per_item": none, "all_fixes_allocs_per_item": all_,
                   "all_fixes_defer_strategy": label, "three_cliffs_defer_strategy": none_label},
        programs=programs))
    return out


def _a6(run):
    c = _claim("A6")
    limit = _label(run, "go", "stack/open_coded", "limit_bytes")
    depth = report_data.measure(run, "go", "stack/open_coded", "depth")
    go_text, verdict, note = "not in this run", NOT_MEASURABLE, ""
    err = report_data.error_of(run, "go", "stack/open_coded")
    if limit and depth.measured:
        go_text = (f"\"goroutine stack exceeds {limit}-byte limit\", \"fatal error: stack "
                   f"overflow\" at depth {depth.median:,.0f}")
        verdict = REPRODUCED
        note = "observed" + ("" if limit == claims.GO_STACK_LIMIT_BYTES else
                             f" under a {limit:,}-byte limit (QUICK sets it), not Go's 1 GB")
    elif err:
        go_text, verdict, note = "failed", DIFFERS, err
    elif "go" in run.not_run:
        note = f"go suite: {run.not_run['go']}"
    rows = report_data.stack(run)["cpp"]
    over = [r for r in rows if r.outcomes.get("overflow")]
    cpp_text = (f"overflow of a {max(r.stack_bytes for r in over) / 2**20:.0f} MiB stack caught "
                f"in a child, {len(over)}/{len(rows)} cases" if over else "not in this run")
    if verdict == NOT_MEASURABLE and not run.suite("go"):
        verdict, note = NOT_IN_RUN, _not_in_run(run)
    return ClaimRow("A6", c.summary, c.article, go_text, cpp_text, verdict, note)


def _a7(run):
    c = _claim("A7")
    article_bpf = claims.GO_ARTICLE_BYTES_PER_FRAME
    go = next((g for g in report_data.stack(run)["go"] if g[0] == "stack/open_coded"), None)
    cpp_rows = [r for r in report_data.stack(run)["cpp"]
                if r.strategy == "open_coded" and not math.isnan(r.bytes_per_frame)]
    cpp = max(cpp_rows, key=lambda r: r.stack_bytes) if cpp_rows else None
    go_text = (f"{go[1]:,.0f} defers, {go[2]:.0f} B/frame of {go[3] / 2**20:.0f} MiB"
               if go else "not in this run")
    cpp_text = (f"{cpp.depth:,.0f} frames, {cpp.bytes_per_frame:.0f} B/frame of "
                f"{cpp.stack_bytes / 2**20:.0f} MiB" if cpp else "not in this run")
    # The depth scales with the stack; bytes per frame compares stacks of any size.
    if not go:
        return ClaimRow("A7", c.summary, c.article, go_text, cpp_text, NOT_IN_RUN,
                        _not_in_run(run) if not run.suite("go") else "Go's recursion failed")
    verdict, _ = _factor_verdict(article_bpf / go[2], 1.0, claims.FRAME_TOLERANCE)
    return ClaimRow("A7", c.summary, c.article, go_text, cpp_text, verdict,
                    f"{article_bpf / go[2]:.2f}x the article's depth for the same stack "
                    f"({go[2]:.0f} vs {article_bpf:.0f} B/frame), tolerance "
                    f"{claims.FRAME_TOLERANCE:g}x")


def _a8(run):
    c = _claim("A8")
    sec = report_data.fd(run)
    fm = sec.limits.get("file_max") or (run.suite("go").context.get("fd_file_max")
                                        if run.suite("go") else None)
    if not fm:
        return ClaimRow("A8", c.summary, c.article, "-", "not in this run", NOT_MEASURABLE,
                        "no fd suite in this run")
    text = f"fs.file-max {fm:,}"
    return ClaimRow("A8", c.summary, c.article, text if not sec.limits else "-",
                    text if sec.limits else "-", DIFFERS,
                    f"{fm / 1e5:.1f}x 10^5; the kernel computes it from memory at boot, so it "
                    "is this machine's figure")


def _fd_row(run, cid, n):
    c = _claim(cid)
    art = claims.ARTICLE_RUNS[n]
    sec = report_data.fd(run)
    go_err = next((r for name, r in sec.go_not_measured if name == f"fd/{n}"), None)
    go_m = report_data.measure(run, "go", f"fd/{n}")
    cpp_nm = next((m for m in sec.not_measured if int(m["files"]) == n), None)
    cpp_rows = [r for r in sec.rows if r.n == n and r.strategy == "chain"]
    cells = {}
    for side, m_text in (("go", go_m), ("cpp", cpp_rows)):
        cells[side] = "not in this run"
    if go_m.measured:
        rss = report_data.measure(run, "go", f"fd/{n}", "max_rss_bytes").median
        cells["go"] = f"{go_m.median / 1e9:.2f} s, {rss / 1e6:.0f} MB RSS"
    elif go_err:
        cells["go"] = "not measured"
    if cpp_rows:
        r = cpp_rows[0]
        cells["cpp"] = f"{r.ns_per_file * n / 1e9:.2f} s, {r.peak_rss / 1e6:.0f} MB RSS (chain)"
    elif cpp_nm:
        cells["cpp"] = "not measured"
    if go_m.measured:
        wall = go_m.median / 1e9
        verdict, note = _factor_verdict(wall, art["wall_s"], claims.TIME_TOLERANCE)
        if cid == "A9" and wall < art["wall_s"]:
            verdict = REPRODUCED  # the article's figure is a bound: "< 1 s"
        return ClaimRow(cid, c.summary, c.article, cells["go"], cells["cpp"], verdict,
                        f"wall time {note}")
    if not run.suite("go"):
        return ClaimRow(cid, c.summary, c.article, cells["go"], cells["cpp"], NOT_IN_RUN,
                        _not_in_run(run))
    reason = go_err or (cpp_nm or {}).get("reason") or "Go's fd case is not in go.json"
    lim = sec.limits
    if lim.get("rlimit_nofile_hard"):
        reason = (f"N={n:,} is above RLIMIT_NOFILE (soft {lim.get('rlimit_nofile_soft')}, hard "
                  f"{lim.get('rlimit_nofile_hard')}); the largest N here is "
                  f"{lim.get('largest_n', '?')}; raising the hard limit needs CAP_SYS_RESOURCE")
    return ClaimRow(cid, c.summary, c.article, cells["go"], cells["cpp"], NOT_MEASURABLE,
                    reason)


def rows(run):
    """The claims table, in the claims' order (claims.py)."""
    head = report_data.headline(run)
    plain, open_, normal = head
    out = {
        "A1": _time_row(run, "A1", normal.go, normal.cpp, claims.ARTICLE_NS["chain_stack"][0]),
        "A2": _time_row(run, "A2", open_.go, open_.cpp, claims.ARTICLE_NS["open_coded"][0]),
        "A3": _time_row(run, "A3", plain.go, plain.cpp, claims.ARTICLE_NS["call"][0]),
        "A4": _a4(run, head),
        "A5": _a5(run),
        "B2": _b2(head),
        "R2": _r2_b5(run, "R2"),
        "R3": _r3(run),
        "R1": _r1(run),
        "R4": _r4(run),
        "R5": _r5(run),
        "R6": _r6(run),
        "B3": _loop_row(run, "B3", "loop/defer_in_loop"),
        "B4": _loop_row(run, "B4", "loop/helper"),
        "B5": _r2_b5(run, "B5"),
        "B6": _b6(run),
        "B7": _b7(run),
        "A6": _a6(run),
        "A7": _a7(run),
        "A8": _a8(run),
        "A9": _fd_row(run, "A9", 250_000),
        "A10": _fd_row(run, "A10", 700_000),
    }
    b1 = [_time_row(run, "B1", open_.go, open_.cpp, claims.ARTICLE_B1_NS["open_coded"]),
          _time_row(run, "B1", normal.go, normal.cpp, claims.ARTICLE_B1_NS["chain_stack"])]
    c = _claim("B1")
    both = [r.verdict for r in b1]
    out["B1"] = ClaimRow("B1", c.summary, c.article, " / ".join(r.go for r in b1),
                         " / ".join(r.cpp for r in b1),
                         REPRODUCED if all(v == REPRODUCED for v in both) else
                         DIFFERS if DIFFERS in both else both[0],
                         "open-coded " + b1[0].note + "; deferproc " + b1[1].note)
    for cid, tests in claims.TESTED_ONLY.items():
        out[cid] = _rule_row(cid, (None, "not observable in a run"),
                             (None, "not observable in a run"), tests)
    # B7 is a list: a row per fix, then the three together.
    return [r for c in claims.CLAIMS for r in
            (out[c.id] if isinstance(out[c.id], list) else [out[c.id]])]


VERDICT_RULES = [
    "one rule per claim: Go's figure decides (the article's own code on this machine), in "
    "every run; the C++ analog stands beside it. Where Go did not run, 'not measured in this "
    "run'. R4 has no Go case and is judged on the C++ analog.",
    f"times: reproduced within {claims.TIME_TOLERANCE:g}x of the article's figure either way "
    "(the machine's clock and cores, and the Go release, move an absolute time that much).",
    f"ratios to the plain call of the same program (A4, B2): within "
    f"{claims.RATIO_TOLERANCE:g}x of the article's ratio (the clock cancels; cores move such "
    "a ratio by up to a quarter); outside it the row says how Go here differs from the "
    f"article's Go {claims.ARTICLE_GO}.",
    f"bytes per frame of the recursion (A7): within {claims.FRAME_TOLERANCE:g}x (one Go "
    "release lays the frame out alike on every machine).",
    "rules: reproduced when this run observed the behaviour (strategy labels, compiler "
    "diagnostics, allocation counts) and nothing contradicted it; rules no run can observe "
    "(R1, R5, R6) are covered by the library's tests, named in the row.",
    "limits: 'not measurable here' names the limit that kept the figure out of reach.",
]
