"""What each case of a suite is, as the suite's binary says (harness/registry.h).

A Google Benchmark suite that describes its cases writes them into its JSON
context as "cases": a JSON array, in registration order, of objects with
name, kind, mechanism, go_counterpart, claims, pair and omits, and
target_ratio where deferbench sets the case a goal. That array is
the one list of the suite's cases: the summary's order, the paired ratios,
the Go benchmark each case stands beside and the line saying what it leaves
out all come from it. Runs made before the suites wrote it have none; they are
read with the list their binary would have written (LEGACY, by listed()).
"""

import json
import math
from dataclasses import dataclass

from ..errors import UserError
from .results import suite_of

FIELDS = ("name", "kind", "mechanism", "go_counterpart", "claims", "pair", "omits")
KINDS = ("reference", "go_model", "floor", "analog", "idiom", "harness")


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    mechanism: str
    go_counterpart: str   # the go.json benchmark of the same mechanism; "" for none
    claims: str
    pair: str             # the case its paired ratio is taken against; "" for none
    omits: str
    target_ratio: float = math.nan  # deferbench's goal for that ratio, at most; nan: none


def from_context(context, where="the suite's context"):
    """The cases a suite's context describes, in order; None when it has none."""
    raw = (context or {}).get("cases")
    if raw is None:
        return None
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
        cases = [Case(**{f: str(e[f]) for f in FIELDS},
                      target_ratio=float(e.get("target_ratio", math.nan))) for e in entries]
    except (ValueError, TypeError, KeyError) as e:
        raise UserError(f"{where}: 'cases' is not a list of case descriptions with "
                        f"{', '.join(FIELDS)} ({e})") from None
    unknown = sorted({c.kind for c in cases} - set(KINDS))
    if unknown:
        raise UserError(f"{where}: case kind {unknown[0]!r} is not one of {', '.join(KINDS)}")
    return cases


def of_suite(suite):
    """The cases of a loaded suite (results.SuiteResult); None for older runs."""
    return from_context(suite.context, suite.path) if suite is not None else None


# The cases of defer_cost and stack as their binaries had them before they
# described them, under today's names (results.RENAMED), in their order: what
# listed() reads for those runs. Their descriptions are left empty: those
# binaries gave none.
LEGACY = {"defer_cost": [
    Case(name, kind, "", go_counterpart, claim_ids, pair, "", target)
    for name, kind, go_counterpart, claim_ids, pair, target in [
        ("call", "reference", "defer_cost/call", "A3", "", math.nan),
        ("scope_guard", "floor", "defer_cost/open_coded", "A2, A4", "call", 1.05),
        ("open_coded_bits", "analog", "defer_cost/open_coded", "A2", "call", math.nan),
        ("chain_stack", "analog", "defer_cost/chain_stack", "A1, A4", "call", 2.5),
        ("chain_heap", "analog", "defer_cost/chain_heap", "A1", "call", math.nan),
        ("chain_heap_pooled", "analog", "defer_cost/chain_heap", "A1", "call", 4.0),
        ("std_function_guard", "idiom", "", "", "call", math.nan),
        ("counters_off/call", "harness", "", "", "", math.nan),
    ]],
    "stack": [
    Case(name, kind, "", go_counterpart, "A6, A7", "", "")
    for name, kind, go_counterpart in [
        ("call", "reference", "stack/plain"),
        ("scope_guard", "floor", "stack/open_coded"),
        ("open_coded_bits", "analog", "stack/open_coded"),
        ("chain_stack", "analog", "stack/chain_stack"),
        ("chain_heap", "analog", "stack/chain_heap"),
        ("chain_heap_pooled", "analog", "stack/chain_heap"),
    ]]}


def listed(suite):
    """The cases of a loaded suite: its own description, or for a run made
    before it wrote one, LEGACY's list of that suite; empty without either."""
    if suite is None:
        return []
    described = of_suite(suite)
    if described is not None:
        return described
    return LEGACY.get(suite_of(suite.path), [])
