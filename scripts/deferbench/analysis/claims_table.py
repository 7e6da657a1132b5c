"""The claims table: one row per claim id (claims.py), or one per part where
a claim is judged in parts (B7.1-B7.3, then B7), with the article's figure,
what this run measured with Go and with the C++ analog, and a verdict. Pure
functions over a loaded run folder (run/folder.load). RULES says, as data,
which program and which rule decide each claim; render/claims_json.py writes
the same rows as claims.json.

One rule per claim, whatever the run's options: the claims are about Go, so
Go's figure decides, the article's own code (or the closest Go program, named
in the row) on this machine; the C++ analog stands beside it and never
decides. Where Go did not run, the claim is "not measured in this run". The
tolerances are claims.py's:
- a time reproduces within TIME_TOLERANCE of the article's, either way;
- a ratio to the plain call (A4, B2) within RATIO_TOLERANCE; outside it, the
  row says what Go here measured beside the article's Go release;
- bytes per frame of the recursion (A7) within FRAME_TOLERANCE, with the
  machine code's frames accounting for the bytes;
- memory (A9, A10) within RSS_TOLERANCE and VM_TOLERANCE;
- a rule reproduces when the run observed the behaviour (a strategy label, a
  compiler diagnostic, an allocation count, the order of deferred calls) and
  nothing contradicted it; one that compares two timings is decided on their
  paired interval, and is "undecided" when the interval straddles the bound;
- where a limit keeps a figure out of reach, the parts that can be measured
  decide, labelled as such (A9, A10: the sum of two measured halves); "not
  measurable here" only where no part was measured, with the limit.
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
    """The claim's words; blank for a rule of RULES, whose row rows() names."""
    return next((c for c in claims.CLAIMS if c.id == cid), claims.Claim(cid or "", "", "", ""))


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
        row = ClaimRow("A4", c.summary, c.article, cell("go"), cell("cpp"), DIFFERS,
                       "; ".join(findings))
    else:
        row = ClaimRow("A4", c.summary, c.article, cell("go"), cell("cpp"), REPRODUCED,
                       f"ratios {' and '.join(factors)} the article's, tolerance "
                       f"{claims.RATIO_TOLERANCE:g}x")
    for side in ("go", "cpp"):
        fields = getattr(row, side + "_fields")
        for key, case in (("open_coded_ratio", open_), ("normal_ratio", normal)):
            value = getattr(case, side + "_ratio")
            fields[key] = None if math.isnan(value) else value
            interval = getattr(case, side + "_interval")
            if interval:
                fields[key + "_interval_95"] = list(interval)
    row.programs = [f"Go: {open_.go_pair or 'goref defer_cost/defer1 over defer1_call'}",
                    f"Go: {normal.go_pair or 'the same built with noopendefer'}",
                    f"C++: deferbench defer_cost suite, {open_.cpp_case} and "
                    f"{normal.cpp_case} over {head[0].cpp_case}"]
    return row


def _a5(run):
    c = _claim("A5")
    cmd = _label(run, "go", "runtime/BenchmarkDefer", "go_command")
    if cmd:
        return ClaimRow("A5", c.summary, c.article, f"ran: {cmd}", "defer_cost suite (analog)",
                        REPRODUCED, "the article's benchmark ran as shipped",
                        go_fields={"command": cmd}, programs=[program("go", "runtime/BenchmarkDefer")])
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
    fields = lambda d: {} if math.isnan(d) else {  # noqa: E731
        "added_ns_per_defer": d, "slowdown_ratio": (work + d) / work}
    return ClaimRow("B2", c.summary, c.article, cell(go_d), cell(cpp_d), verdict,
                    f"derived from A1 - A3 here; slowdown {note}", go_fields=fields(go_d),
                    cpp_fields=fields(cpp_d),
                    programs=["Go: goref defer_cost/defer1_call and its noopendefer pair",
                              f"C++: deferbench defer_cost suite, {plain.cpp_case} and "
                              f"{normal.cpp_case}"])


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
    row.programs = [program("go", f"cliffs/{name}"), program("cliffs", name)]
    for fields, suite, bench in ((row.go_fields, "go", f"cliffs/{name}"),
                                 (row.cpp_fields, "cliffs", name)):
        for key in ("real_time", "bytes_per_op", "allocs_per_op"):
            m = report_data.measure(run, suite, bench, key)
            fields["time_ns" if key == "real_time" else key] = m.median if m.measured else None
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
    # C++: the model of ClosurePerItem over Go's runtime where the run has it,
    # else (older runs) the capturing analog.
    ccase = "closure/go_per_item" if report_data.measure(
        run, "cliffs", "closure/go_per_item").measured else "closure/capturing"
    ccap = report_data.measure(run, "cliffs", ccase, "allocs_per_op")
    cplain = report_data.measure(run, "cliffs", "closure/plain_call", "allocs_per_op")
    citems = report_data.measure(run, "cliffs", ccase, "items")
    cpp_text, cpp_fields = "not in this run", {}
    if ccap.measured and cplain.measured:
        n = citems.median if citems.measured and citems.median else 1
        cpp_fields = {"case": ccase, "allocs_per_item": ccap.median / n,
                      "plain_call_allocs_per_item": cplain.median / n}
        cpp_text = (f"{ccap.median / n:.1f} allocs per item vs {cplain.median / n:.1f} "
                    f"({ccase}: {_label(run, 'cliffs', ccase)})")
        programs.append(f"suites/cliffs {ccase}, closure/plain_call")
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


def _frames(run, case):
    """go.json's machine-code frame fields of a recursion case ({} when the
    run read none: another architecture, or an older run)."""
    keys = ("frame_bytes", "frame_function", "deferreturn_frame_bytes", "frame_bytes_per_level")
    return {k: v for k in keys if (v := _label(run, "go", case, k)) not in ("", None)}


def _a7(run):
    """Bytes per level of the recursion against the article's 112, explained
    by the machine code: each level holds the function's frame (its
    prologue's reservation and the return address), and, where the deferred
    call is made from runtime.deferreturn, that frame too. The verdict
    compares with the article; the machine code must account for what was
    measured, or the row says it does not."""
    c = _claim("A7")
    article_bpf = claims.GO_ARTICLE_BYTES_PER_FRAME
    go = next((g for g in report_data.stack(run)["go"] if g[0] == "stack/open_coded"), None)
    cpp_rows = [r for r in report_data.stack(run)["cpp"]
                if r.strategy == "scope_guard" and not math.isnan(r.bytes_per_frame)]
    cpp = max(cpp_rows, key=lambda r: r.stack_bytes) if cpp_rows else None
    go_text = (f"{go[1]:,.0f} defers, {go[2]:.0f} B/frame of {go[3] / 2**20:.0f} MiB"
               if go else "not in this run")
    cpp_text = (f"{cpp.depth:,.0f} frames, {cpp.bytes_per_frame:.0f} B/frame of "
                f"{cpp.stack_bytes / 2**20:.0f} MiB" if cpp else "not in this run")
    programs = [program("go", "stack/open_coded") + " (-mode=defer)",
                "go tool objdump -s main.viaDefer (its prologue)",
                "deferbench stack suite: scope_guard"]
    cpp_fields = ({"depth_frames": cpp.depth, "bytes_per_frame": cpp.bytes_per_frame,
                   "stack_bytes": cpp.stack_bytes} if cpp else {})
    # The depth scales with the stack; bytes per frame compares stacks of any size.
    if not go:
        return ClaimRow("A7", c.summary, c.article, go_text, cpp_text, NOT_IN_RUN,
                        _not_in_run(run) if not run.suite("go") else "Go's recursion failed",
                        cpp_fields=cpp_fields, programs=programs)
    frames = _frames(run, "stack/open_coded")
    go_fields = {"depth_defers": go[1], "bytes_per_frame": go[2], "stack_bytes": go[3],
                 **frames}
    verdict, _ = _factor_verdict(article_bpf / go[2], 1.0, claims.FRAME_TOLERANCE)
    release = go_release(run) or "?"
    note = (f"{article_bpf / go[2]:.2f}x the article's depth for the same stack "
            f"({go[2]:.0f} vs {article_bpf:.0f} B/frame), tolerance {claims.FRAME_TOLERANCE:g}x")
    per_level = frames.get("frame_bytes_per_level")
    if per_level:
        go_text += f"; machine code: {frames['frame_function']} {frames['frame_bytes']} B a call"
        if abs(go[2] / per_level - 1) > 0.01:
            note += (f"; the machine code's {per_level:g} B a level does not account for the "
                     f"{go[2]:.1f} B measured")
        elif verdict == DIFFERS:
            stack_record = _frames(run, "stack/chain_stack").get("frame_bytes_per_level")
            note += (f". What changed is the frame: Go {release} calls the open-coded deferred "
                     f"call from the function's own exit, so a level is "
                     f"{frames['frame_function']}'s frame alone, {per_level:g} B from its "
                     "prologue, every measured byte" +
                     (f" (a record on the chain takes {stack_record} B a level: the frame "
                      "holds the record and runtime.deferreturn's frame stays under the "
                      "call)" if stack_record else "") +
                     f"; the article's Go {claims.ARTICLE_GO} took {article_bpf:.0f} B a level")
    else:
        note += "; no machine code read (frames are read from amd64 code)"
    return ClaimRow("A7", c.summary, c.article, go_text, cpp_text, verdict, note,
                    go_fields=go_fields, cpp_fields=cpp_fields, programs=programs)


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


MIB = 2**20
ESTIMATE = "estimate (sum of two measured halves)"
KERNEL_STRATEGY = "kernel_batches"  # the fd suite's kernel half, where it ran


def _median(run, suite, name, key="real_time"):
    m = report_data.measure(run, suite, name, key)
    return m.median if m.measured else None


def _go_fd(run, n):
    """Go's figures at N, named with their units: the real run (fd/N) where the
    limits allowed it, and the two halves (fd/nofd/N, fd/kernel/N) at any N,
    their sum labelled as an estimate. Empty when none was measured."""
    f = {}
    real = _median(run, "go", f"fd/{n}")
    user = _median(run, "go", f"fd/nofd/{n}")
    kernel_ns = _median(run, "go", f"fd/kernel/{n}", "ns_per_file")
    if user is not None:
        f["user_space_time_s"] = user / 1e9
        f["user_space_rss_mib"] = _median(run, "go", f"fd/nofd/{n}", "max_rss_bytes") / MIB
        f["user_space_vm_mib"] = _median(run, "go", f"fd/nofd/{n}", "vm_peak_bytes") / MIB
    if kernel_ns is not None:
        f["kernel_open_close_ns_per_file"] = kernel_ns
        f["kernel_time_s"] = kernel_ns * n / 1e9
    if user is not None and kernel_ns is not None:
        f["estimate_time_s"] = f["user_space_time_s"] + f["kernel_time_s"]
    f["real_descriptors"] = real is not None
    if real is not None:
        f["real_time_s"] = real / 1e9
        f["time_s"] = f["real_time_s"]
        f["rss_mib"] = _median(run, "go", f"fd/{n}", "max_rss_bytes") / MIB
        f["vm_mib"] = _median(run, "go", f"fd/{n}", "vm_peak_bytes") / MIB
        f["decided_on"] = "real descriptors"
    elif user is not None:
        f["rss_mib"], f["vm_mib"] = f["user_space_rss_mib"], f["user_space_vm_mib"]
        if "estimate_time_s" in f:
            f["time_s"] = f["estimate_time_s"]
        f["decided_on"] = ESTIMATE
    else:
        return {}
    f["rss_mb"], f["vm_mb"] = f["rss_mib"] * MIB / 1e6, f["vm_mib"] * MIB / 1e6
    check = _go_estimate_check(run)
    if check:
        f["estimate_check_n"], f["estimate_over_real"] = check
    return f


def _go_estimate_check(run):
    """(N, estimate / real run) at the largest N where Go ran both: how far
    the sum of the halves is from what it estimates, on this machine."""
    go = run.suite("go")
    ns = sorted((int(name[3:]) for name in (go.benchmarks if go else {})
                 if name.startswith("fd/") and name[3:].isdigit()), reverse=True)
    for k in ns:
        real = _median(run, "go", f"fd/{k}")
        user = _median(run, "go", f"fd/nofd/{k}")
        kernel = _median(run, "go", f"fd/kernel/{k}", "ns_per_file")
        if None not in (real, user, kernel) and real > 0:
            return k, (user + kernel * k) / real
    return None


def _cpp_fd(run, n, go_fields):
    """The C++ analog's figures at N (the chain strategy): the real run where
    the limits allowed it; the user-space half (chain_records_only) and the
    kernel half (the fd suite's own, else Go's: the same system calls) at any N."""
    rows = report_data.fd(run).rows
    at = {r.strategy: r for r in rows if r.n == n}
    f = {}
    records = at.get("chain_records_only")
    kernel = at.get(KERNEL_STRATEGY)
    if records:
        f["user_space_time_s"] = records.ns_per_file * n / 1e9
        f["user_space_rss_mib"], f["user_space_vm_mib"] = records.peak_rss / MIB, \
            records.peak_vm / MIB
    if kernel:
        f["kernel_open_close_ns_per_file"] = kernel.ns_per_file
        f["kernel_half_from"] = "fd suite (C++)"
    elif "kernel_open_close_ns_per_file" in go_fields and records:
        f["kernel_open_close_ns_per_file"] = go_fields["kernel_open_close_ns_per_file"]
        f["kernel_half_from"] = "go suite (fd/kernel), the same system calls"
    if "kernel_open_close_ns_per_file" in f:
        f["kernel_time_s"] = f["kernel_open_close_ns_per_file"] * n / 1e9
        if records:
            f["estimate_time_s"] = f["user_space_time_s"] + f["kernel_time_s"]
    chain = at.get("chain")
    f["real_descriptors"] = chain is not None
    if chain:
        f["real_time_s"] = f["time_s"] = chain.ns_per_file * n / 1e9
        f["rss_mib"], f["vm_mib"] = chain.peak_rss / MIB, chain.peak_vm / MIB
        f["decided_on"] = "real descriptors"
    elif records:
        f["rss_mib"], f["vm_mib"] = f["user_space_rss_mib"], f["user_space_vm_mib"]
        if "estimate_time_s" in f:
            f["time_s"] = f["estimate_time_s"]
        f["decided_on"] = ESTIMATE
    else:
        return {}
    return f


def _fd_cell(f, what=""):
    if not f:
        return "not in this run"
    parts = []
    if f["real_descriptors"]:
        parts.append(f"{f['time_s']:.2f} s{what}")
    elif "time_s" in f:
        parts.append(f"estimate {f['time_s']:.2f} s{what} (user space "
                     f"{f['user_space_time_s']:.2f} s + kernel {f['kernel_time_s']:.2f} s)")
    else:
        parts.append(f"user space {f['user_space_time_s']:.2f} s{what}, kernel half missing")
    parts.append(f"{f['rss_mib']:.0f} MiB RSS, {f['vm_mib']:.0f} MiB virtual")
    if f["real_descriptors"] and "estimate_time_s" in f:
        parts.append(f"halves' estimate {f['estimate_time_s']:.2f} s")
    return ", ".join(parts)


def _fd_verdict(cid, f, art):
    """Time, RSS and virtual size against the article's, each within its
    tolerance (A9's time is a bound: "< 1 s"); the article's "MB" read as MiB,
    as the kB of ps, top and time(1) divided by 1024 are."""
    findings, notes = [], []
    if "time_s" in f:
        t = f["time_s"]
        ok = _within(t / art["wall_s"], claims.TIME_TOLERANCE) or (cid == "A9" and t < art["wall_s"])
        notes.append(f"time {t / art['wall_s']:.2f}x the article's (tolerance "
                     f"{claims.TIME_TOLERANCE:g}x{'; a bound' if cid == 'A9' else ''})")
        if not ok:
            findings.append("time")
    for key, label, article, tol in (("rss_mib", "RSS", art["rss_mb"], claims.RSS_TOLERANCE),
                                     ("vm_mib", "virtual size", art["vm_mb"], claims.VM_TOLERANCE)):
        factor = f[key] / article
        notes.append(f"{label} {factor:.2f}x (tolerance {tol:g}x)")
        if not _within(factor, tol):
            findings.append(label)
    if findings:
        verdict = DIFFERS
    elif "time_s" not in f:
        verdict = UNDECIDED
        notes.append("no time: the kernel half is missing")
    else:
        verdict = REPRODUCED
    return verdict, "; ".join(notes) + (f"; differs in {', '.join(findings)}" if findings else "")


def _fd_row(run, cid, n):
    """A9/A10: decided on Go's real run at N where the limits allowed it, else
    on the estimate, the sum of Go's two measured halves, saying which."""
    c = _claim(cid)
    art = claims.ARTICLE_RUNS[n]
    sec = report_data.fd(run)
    go_err = next((r for name, r in sec.go_not_measured if name == f"fd/{n}"), None)
    cpp_nm = next((m for m in sec.not_measured if int(m["files"]) == n), None)
    go_f = _go_fd(run, n)
    cpp_f = _cpp_fd(run, n, go_f)
    programs = []
    if go_f:
        programs += [f"goref/cmd/deferfd -mode {m} -n {n}" for m, name in
                     (("defer", f"fd/{n}"), ("nofd", f"fd/nofd/{n}"),
                      ("kernel", f"fd/kernel/{n}"))
                     if report_data.measure(run, "go", name).measured]
    if cpp_f:
        programs += [f"suites/fd/fd {s}/{n}" for s in ("chain", "chain_records_only",
                                                        KERNEL_STRATEGY)
                     if any(r.n == n and r.strategy == s for r in sec.rows)]
    go_cell = _fd_cell(go_f) if go_f else ("not measured" if go_err else "not in this run")
    cpp_cell = _fd_cell(cpp_f, " (chain)") if cpp_f else (
        "not measured" if cpp_nm else "not in this run")
    limit = ""
    lim = sec.limits or ({k[3:]: v for k, v in run.suite("go").context.items()
                          if k.startswith("fd_")} if run.suite("go") else {})
    if lim.get("rlimit_nofile_hard"):
        limit = (f"N={n:,} is above RLIMIT_NOFILE (soft {lim.get('rlimit_nofile_soft')}, hard "
                 f"{lim.get('rlimit_nofile_hard')}); the largest N here is "
                 f"{lim.get('largest_n', lim.get('max_n', '?'))}; raising the hard limit "
                 "needs CAP_SYS_RESOURCE")
    if go_f:
        verdict, note = _fd_verdict(cid, go_f, art)
        if go_f["real_descriptors"]:
            note = f"decided on real descriptors: {note}"
        else:
            note = f"decided on the {ESTIMATE}, no real run at N ({limit or go_err}): {note}"
        if "estimate_over_real" in go_f:
            note += (f"; at N={go_f['estimate_check_n']:,}, where both ran, the estimate was "
                     f"{go_f['estimate_over_real']:.2f}x the real run")
        return ClaimRow(cid, c.summary, c.article, go_cell, cpp_cell, verdict, note,
                        go_fields=go_f, cpp_fields=cpp_f, programs=programs)
    if not run.suite("go"):
        return ClaimRow(cid, c.summary, c.article, go_cell, cpp_cell, NOT_IN_RUN,
                        _not_in_run(run), cpp_fields=cpp_f, programs=programs)
    reason = limit or go_err or (cpp_nm or {}).get("reason") or "Go's fd case is not in go.json"
    return ClaimRow(cid, c.summary, c.article, go_cell, cpp_cell, NOT_MEASURABLE, reason,
                    cpp_fields=cpp_f, programs=programs)


# --------------------------------------------------------------------------- rules as data
# Which program and which rule decide each claim. A claim of a common shape
# (a time against the article's, a compiler's label) is an entry of data; a
# claim whose rule is its own (a derived ratio, a limit) names its function.

def program(suite, name):
    """The program that measured a benchmark, in words a reader can run."""
    if suite != "go":
        return f"deferbench {suite} suite: {name}"
    if name.startswith("runtime/BenchmarkDefer"):
        build = " built with -gcflags=runtime=-d=noopendefer" if "noopendefer" in name else ""
        return f"Go's runtime test BenchmarkDefer{build} ({claims.ARTICLE_COMMAND})"
    for prefix, where in (("defer_cost/", "goref/defercost BenchmarkDeferCost/"),
                          ("cliffs/", "goref/cliffs BenchmarkCliffs/"),
                          ("stack/", "goref/cmd/deferstack "), ("fd/", "goref/cmd/deferfd ")):
        if name.startswith(prefix):
            return where + name[len(prefix):]
    return f"go.json: {name}"


@dataclass(frozen=True)
class Times:
    """Times against the article's ns/op: each part (field prefix, Go benchmark,
    (C++ suite, case), article ns), a defer_cost case given as the mechanism's
    go.json benchmark and shown by its stand-in (report_data.stand_in). Go's
    figure decides; all parts must hold."""
    parts: tuple

    def rows(self, run, head):
        made = []
        for prefix, go_name, (suite, case), article_ns in self.parts:
            if suite == "defer_cost":  # a mechanism: the run's model of it
                case = report_data.stand_in(run, case)
            go, cpp = report_data.measure(run, "go", go_name), report_data.measure(run, suite, case)
            row = _time_row(run, None, go, cpp, article_ns)
            made.append((prefix, go_name, suite, case, go, cpp, row))
        verdicts = [m[-1].verdict for m in made]
        verdict = (REPRODUCED if all(v == REPRODUCED for v in verdicts) else
                   DIFFERS if DIFFERS in verdicts else verdicts[0])
        single = len(made) == 1
        row = ClaimRow("", "", "", " / ".join(m[-1].go for m in made),
                       " / ".join(m[-1].cpp for m in made), verdict,
                       "; ".join((f"{m[0].rstrip('_').replace('_', '-')} " if not single else "")
                                 + m[-1].note for m in made))
        for prefix, go_name, suite, case, go, cpp, _ in made:
            row.go_fields[prefix + "time_ns"] = go.median if go.measured else None
            row.cpp_fields[prefix + "time_ns"] = cpp.median if cpp.measured else None
            row.programs += [program("go", go_name), program(suite, case)]
        return row


@dataclass(frozen=True)
class Labels:
    """A rule the compiler's label shows: each Go benchmark (from -d=defer) and
    C++ case (its strategy label) with whether it must be open-coded."""
    go: tuple    # ((benchmark, expect open-coded), ...)
    cpp: tuple   # ((suite, case, expect open-coded), ...)

    def rows(self, run, head):
        def side(suite_of, cases, key, prefix):
            seen, texts, fields = [], [], {}
            for suite, name, expect in cases:
                label = _label(run, suite, name, key)
                seen.append(_strategy_obs(label, expect))
                texts.append(f"{name} {label or '?'}")
                fields[name.replace("/", "_") + "_strategy"] = label or None
            observed = None if None in seen else all(seen)
            text = prefix + "; ".join(texts) if any(fields.values()) else "not in this run"
            return (observed, text), fields
        go, go_fields = side("go", [("go", n, e) for n, e in self.go], "defer_strategy",
                             "-d=defer: ")
        cpp, cpp_fields = side("cpp", self.cpp, "label", "")
        row = _rule_row(None, go, cpp)
        row.go_fields, row.cpp_fields = go_fields, cpp_fields
        row.programs = [program("go", n) for n, _ in self.go] + \
            [program(s, n) for s, n, _ in self.cpp]
        return row


@dataclass(frozen=True)
class Loop:
    """Cliff 1 and its rewrite: ns/op, B/op and allocs/op of one cliffs case."""
    case: str

    def rows(self, run, head):
        return _loop_row(run, None, self.case)


@dataclass(frozen=True)
class Own:
    """A claim whose rule is its own: fn(run, head) -> ClaimRow or [ClaimRow]."""
    fn: object

    def rows(self, run, head):
        return self.fn(run, head)


_NDEFERS = Labels(go=(("cliffs/ndefers/8", True), ("cliffs/ndefers/9", False)),
                  cpp=(("cliffs", "ndefers/8", True), ("cliffs", "ndefers/9", False)))

RULES = {
    "A1": Times((("", "runtime/BenchmarkDefer/noopendefer",
                  ("defer_cost", "defer_cost/chain_stack"),
                  claims.ARTICLE_NS["defer_cost/chain_stack"][0]),)),
    "A2": Times((("", "runtime/BenchmarkDefer", ("defer_cost", "defer_cost/open_coded"),
                  claims.ARTICLE_NS["defer_cost/open_coded"][0]),)),
    "A3": Times((("", "defer_cost/defer1_call", ("defer_cost", "defer_cost/call"),
                  claims.ARTICLE_NS["defer_cost/call"][0]),)),
    "A4": Own(lambda run, head: _a4(run, head)),
    "A5": Own(lambda run, head: _a5(run)),
    "B1": Times((("open_coded_", "runtime/BenchmarkDefer",
                  ("defer_cost", "defer_cost/open_coded"),
                  claims.ARTICLE_B1_NS["defer_cost/open_coded"]),
                 ("deferproc_", "runtime/BenchmarkDefer/noopendefer",
                  ("defer_cost", "defer_cost/chain_stack"),
                  claims.ARTICLE_B1_NS["defer_cost/chain_stack"]))),
    "B2": Own(lambda run, head: _b2(head)),
    "R1": Own(lambda run, head: _r1(run)),
    "R2": _NDEFERS,
    "R3": Labels(go=(("cliffs/loop/defer_in_loop", False),),
                 cpp=(("cliffs", "loop/defer_in_loop", False),)),
    "R4": Own(lambda run, head: _r4(run)),
    "R5": Own(lambda run, head: _r5(run)),
    "R6": Own(lambda run, head: _r6(run)),
    "B3": Loop("loop/defer_in_loop"),
    "B4": Loop("loop/helper"),
    "B5": _NDEFERS,
    "B6": Own(lambda run, head: _b6(run)),
    "B7": Own(lambda run, head: _b7(run)),
    "A6": Own(lambda run, head: _a6(run)),
    "A7": Own(lambda run, head: _a7(run)),
    "A8": Own(lambda run, head: _a8(run)),
    "A9": Own(lambda run, head: _fd_row(run, "A9", 250_000)),
    "A10": Own(lambda run, head: _fd_row(run, "A10", 700_000)),
}


def rows(run):
    """The claims table, in the claims' order (claims.py): one row per claim,
    or several where a claim is judged in parts (ids "<claim>.<part>")."""
    head = report_data.headline(run)
    out = []
    for c in claims.CLAIMS:
        made = RULES[c.id].rows(run, head)
        for row in (made if isinstance(made, list) else [made]):
            # The rule knows the measurement; the claim's own words come from claims.py.
            part = row.id if row.id and row.id != c.id else None
            row.id = part or c.id
            if not part:
                row.claim, row.article = c.summary, c.article
            out.append(row)
    return out


VERDICT_RULES = [
    "one rule per claim: Go's figure decides (the article's own code, or the closest Go "
    "program, named in the row), in every run; the C++ analog stands beside it. Where Go did "
    "not run, 'not measured in this run'.",
    f"times: reproduced within {claims.TIME_TOLERANCE:g}x of the article's figure either way "
    "(the machine's clock and cores, and the Go release, move an absolute time that much).",
    f"ratios to the plain call of the same program (A4, B2): within "
    f"{claims.RATIO_TOLERANCE:g}x of the article's ratio (the clock cancels; cores move such "
    "a ratio by up to a quarter); outside it the row says how Go here differs from the "
    f"article's Go {claims.ARTICLE_GO}.",
    f"bytes per frame of the recursion (A7): within {claims.FRAME_TOLERANCE:g}x (one Go "
    "release lays the frame out alike on every machine); the frames read from the machine "
    "code must account for the bytes measured.",
    f"files (A9, A10): time within {claims.TIME_TOLERANCE:g}x (A9's '< 1 s' is a bound), RSS "
    f"within {claims.RSS_TOLERANCE:g}x and virtual size within {claims.VM_TOLERANCE:g}x, on "
    "real descriptors where the limits allow N, else on the sum of two measured halves "
    "(N files' objects and deferred closes without descriptors, and the kernel's open and "
    "close in batches below the limit), labelled an estimate.",
    "rules: reproduced when this run observed the behaviour (compiler diagnostics, "
    "allocation counts, the order and arguments of deferred calls, a panic) and nothing "
    "contradicted it; B7 is judged per fix (B7.1-B7.3) and for all three together.",
    "limits: 'not measurable here' only where no part of a figure was measured, naming the "
    "limit.",
]
