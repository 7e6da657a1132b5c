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
                    "C++: deferbench defer_cost suite, open_coded and chain_stack over call"]
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
                              "C++: deferbench defer_cost suite, call and chain_stack"])


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


def _r4(run):
    ok_, over = _label(run, "cliffs", "exits/3x5"), _label(run, "cliffs", "exits/4x4")
    cpp = (_pair_obs(_strategy_obs(ok_, True), _strategy_obs(over, False)),
           f"3 exits x 5 defers: {ok_ or '?'}; 4 x 4: {over or '?'}" if ok_ or over
           else "not in this run")
    return _rule_row("R4", (None, "no Go case for exits"), cpp, judge="C++")


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


def _b6(run):
    esc = _label(run, "go", "cliffs/closure/capturing", "heap_escapes")
    cap = report_data.measure(run, "go", "cliffs/closure/capturing", "allocs_per_op")
    plain = report_data.measure(run, "go", "cliffs/closure/plain_call", "allocs_per_op")
    items = report_data.measure(run, "go", "cliffs/closure/capturing", "peak_open")
    go_obs = None
    go_text = "not in this run"
    if esc or cap.measured:
        found = "moved to heap" in esc and "func literal escapes to heap" in esc
        more = cap.measured and plain.measured and cap.median > plain.median
        go_obs = found and more
        per_item = (f", {cap.median / items.median:.1f} per item" if items.measured
                    and items.median else "")
        counts = (f"; {cap.median:.0f} allocs/op{per_item} vs {plain.median:.0f} for the plain "
                  "call" if cap.measured and plain.measured else "; allocations not counted")
        go_text = f"-m: {esc or 'no escape reported'}{counts}"
    ccap = report_data.measure(run, "cliffs", "closure/capturing", "allocs_per_op")
    cplain = report_data.measure(run, "cliffs", "closure/plain_call", "allocs_per_op")
    citems = report_data.measure(run, "cliffs", "closure/capturing", "items")
    cpp_obs, cpp_text = None, "not in this run"
    if ccap.measured and cplain.measured:
        cpp_obs = ccap.median > cplain.median
        n = citems.median if citems.measured and citems.median else 1
        cpp_text = (f"{ccap.median / n:.1f} allocs per item vs {cplain.median / n:.1f} "
                    f"({_label(run, 'cliffs', 'closure/capturing')})")
    row = _rule_row("B6", (go_obs, go_text), (cpp_obs, cpp_text))
    if row.verdict == REPRODUCED:
        row.note = (f"the capture allocates; the article counts "
                    f"{claims.ARTICLE_CLOSURE_ALLOCS_PER_ITEM} per iteration")
    return row


def _b7(run):
    """Each fix beside its cliff: allocations for cliffs 1 and 3 (counts), ns per
    defer for cliff 2 (two timings: decided on their paired ratio's interval,
    undecided where it straddles 1 or the run has no pair)."""
    def step(suite, prefix):
        r = report_data.ratio(run, suite, prefix + "ndefers/9", prefix + "ndefers/8")
        if math.isnan(r.value):
            return None, "not in this run"
        if r.interval is None:
            return UNDECIDED, f"ndefers/9 / ndefers/8 per defer {r.value * 8 / 9:.3g}x (no pair)"
        decided = paired.interval_verdict(*r.interval, 1, math.inf)
        observed = {"ok": True, "MISSED": False}.get(decided, UNDECIDED)
        return observed, (f"ndefers/9 / ndefers/8 per defer {r.value:.3g}x "
                          f"[{r.interval[0]:.3g}, {r.interval[1]:.3g}] paired")

    def fixes(suite, prefix):
        out, texts = [], []
        for cliff, fix in (("loop/defer_in_loop", "loop/helper"),
                           ("closure/capturing", "closure/plain_call")):
            a = report_data.measure(run, suite, prefix + cliff, "allocs_per_op")
            b = report_data.measure(run, suite, prefix + fix, "allocs_per_op")
            if not (a.measured and b.measured):
                return None, "not in this run"
            out.append(b.median < a.median)
            texts.append(f"{fix} {b.median:.3g} vs {a.median:.3g} allocs/op")
        observed, text = step(suite, prefix)
        if observed is None:
            return None, "not in this run"
        texts.insert(1, text)
        if not all(out) or observed is False:
            return False, "; ".join(texts)
        return (UNDECIDED if observed == UNDECIDED else True), "; ".join(texts)
    return _rule_row("B7", fixes("go", "cliffs/"), fixes("cliffs", ""))


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
                if r.strategy == "open_coded" and not math.isnan(r.bytes_per_frame)]
    cpp = max(cpp_rows, key=lambda r: r.stack_bytes) if cpp_rows else None
    go_text = (f"{go[1]:,.0f} defers, {go[2]:.0f} B/frame of {go[3] / 2**20:.0f} MiB"
               if go else "not in this run")
    cpp_text = (f"{cpp.depth:,.0f} frames, {cpp.bytes_per_frame:.0f} B/frame of "
                f"{cpp.stack_bytes / 2**20:.0f} MiB" if cpp else "not in this run")
    programs = [program("go", "stack/open_coded") + " (-mode=defer)",
                "go tool objdump -s main.viaDefer (its prologue)",
                "deferbench stack suite: open_coded"]
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
            note += (f"; the machine code's {per_level} B a level does not account for the "
                     f"{go[2]:.1f} B measured")
        elif verdict == DIFFERS:
            stack_record = _frames(run, "stack/chain_stack").get("frame_bytes_per_level")
            note += (f". What changed is the frame: Go {release} calls the open-coded deferred "
                     f"call from the function's own exit, so a level is "
                     f"{frames['frame_function']}'s frame alone, {per_level} B from its "
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
    (C++ suite, case), article ns). Go's figure decides; all parts must hold."""
    parts: tuple

    def rows(self, run, head):
        made = []
        for prefix, go_name, (suite, case), article_ns in self.parts:
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
class Tested:
    """A rule no run observes: the library's tests that check it."""

    def rows(self, run, head):
        return _rule_row(None, (None, "not observable in a run"),
                         (None, "not observable in a run"), "tested")


@dataclass(frozen=True)
class Own:
    """A claim whose rule is its own: fn(run, head) -> ClaimRow or [ClaimRow]."""
    fn: object

    def rows(self, run, head):
        return self.fn(run, head)


_NDEFERS = Labels(go=(("cliffs/ndefers/8", True), ("cliffs/ndefers/9", False)),
                  cpp=(("cliffs", "ndefers/8", True), ("cliffs", "ndefers/9", False)))

RULES = {
    "A1": Times((("", "runtime/BenchmarkDefer/noopendefer", ("defer_cost", "chain_stack"),
                  claims.ARTICLE_NS["chain_stack"][0]),)),
    "A2": Times((("", "runtime/BenchmarkDefer", ("defer_cost", "open_coded"),
                  claims.ARTICLE_NS["open_coded"][0]),)),
    "A3": Times((("", "defer_cost/defer1_call", ("defer_cost", "call"),
                  claims.ARTICLE_NS["call"][0]),)),
    "A4": Own(lambda run, head: _a4(run, head)),
    "A5": Own(lambda run, head: _a5(run)),
    "B1": Times((("open_coded_", "runtime/BenchmarkDefer", ("defer_cost", "open_coded"),
                  claims.ARTICLE_B1_NS["open_coded"]),
                 ("deferproc_", "runtime/BenchmarkDefer/noopendefer",
                  ("defer_cost", "chain_stack"), claims.ARTICLE_B1_NS["chain_stack"]))),
    "B2": Own(lambda run, head: _b2(head)),
    "R1": Tested(),
    "R2": _NDEFERS,
    "R3": Labels(go=(("cliffs/loop/defer_in_loop", False),),
                 cpp=(("cliffs", "loop/defer_in_loop", False),)),
    "R4": Own(lambda run, head: _r4(run)),
    "R5": Tested(),
    "R6": Tested(),
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
            if row.verdict == NOT_OBSERVED and c.id in claims.TESTED_ONLY:
                row.note = f"covered by {claims.TESTED_ONLY[c.id]}"
            out.append(row)
    return out


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
