"""What each case of a suite is, as the suite's binary says (harness/registry.h).

A Google Benchmark suite that describes its cases writes them into its JSON
context as "cases": a JSON array, in registration order, of objects with
name, kind, mechanism, go_counterpart, claims, pair and omits. That array is
the one list of the suite's cases: the summary's order, the paired ratios,
the Go benchmark each case stands beside and the line saying what it leaves
out all come from it. Runs made before the suites wrote it have none; their
readers fall back to the names those runs used (LEGACY_* where they are read).
"""

import json
from dataclasses import dataclass

from ..errors import UserError

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


def from_context(context, where="the suite's context"):
    """The cases a suite's context describes, in order; None when it has none."""
    raw = (context or {}).get("cases")
    if raw is None:
        return None
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
        cases = [Case(**{f: str(e[f]) for f in FIELDS}) for e in entries]
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
