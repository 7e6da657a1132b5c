"""A run's verdicts as data: claims.json in the run folder, for CI and other
tools, beside the report that shows the same rows to people.

One object per row of the claims table (claims_table.rows): the claim's id
("B7.1" for a claim judged in parts), the article's figure and the Go and C++
figures this run measured, each as named fields with the unit in the name
(`time_ns`, `rss_mib`, `allocs_per_item`), the cell's text beside them, the
programs that produced them, and the verdict with its reason. A figure the
run did not measure is null, never zero.
"""

import json
import math

from ..analysis import claims, claims_table

FORMAT = "deferbench-claims"
VERSION = 1
FILE = "claims.json"

def _plain(value):
    """JSON has no NaN or infinity: an unmeasured figure is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _entry(row):
    claim_id = row.id.split(".")[0]
    return {
        "id": row.id,
        "claim": row.claim,
        "article": {"text": row.article, **claims.ARTICLE_FIGURES.get(claim_id, {})},
        "go": {"text": row.go, **row.go_fields},
        "cpp": {"text": row.cpp, **row.cpp_fields},
        "programs": list(row.programs),
        "verdict": row.verdict,
        "reason": row.note,
    }


def document(run, rows=None):
    """The claims.json object of a loaded run folder."""
    rows = claims_table.rows(run) if rows is None else rows
    counts = {}
    for r in rows:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    return _plain({
        "format": FORMAT,
        "version": VERSION,
        "run_id": run.run_id,
        "machine_id": run.machine_id,
        "commit": run.commit or None,
        "go_release": claims_table.go_release(run),
        "verdict_counts": counts,
        "claims": [_entry(r) for r in rows],
    })


def text(run, rows=None):
    return json.dumps(document(run, rows), indent=1, allow_nan=False) + "\n"
