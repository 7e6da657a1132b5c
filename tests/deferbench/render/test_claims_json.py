"""claims.json: the claims table as data, written with every report."""

import json
import os
import shutil

import pytest

from conftest import FIXTURES
from deferbench.analysis import claims, claims_table, report_data
from deferbench.render import claims_json, report
from deferbench.run import folder

RUN_A = os.path.join(FIXTURES, "report_runs", "fixture-a", "quick.fixture")
VERDICTS = {claims.REPRODUCED, claims.DIFFERS, claims.UNDECIDED, claims.NOT_MEASURABLE,
            claims.NOT_OBSERVED, claims.NOT_IN_RUN}


def _reject_constant(name):
    raise ValueError(f"claims.json holds {name}, which JSON has no place for")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("results") / "fixture-a" / "run"
    shutil.copytree(RUN_A, run_dir)
    report.build(str(run_dir))
    with open(run_dir / claims_json.FILE) as f:
        return folder.load(str(run_dir)), json.load(f, parse_constant=_reject_constant)


def test_every_report_writes_one_entry_per_row_of_the_claims_table(written):
    run, doc = written
    assert doc["format"] == claims_json.FORMAT and doc["version"] == claims_json.VERSION
    rows = claims_table.rows(run)
    assert [c["id"] for c in doc["claims"]] == [r.id for r in rows]
    assert {c["id"].split(".")[0] for c in doc["claims"]} == {c.id for c in claims.CLAIMS}
    assert sum(doc["verdict_counts"].values()) == len(rows)
    for entry in doc["claims"]:
        assert entry["verdict"] in VERDICTS
        assert entry["reason"], entry["id"]
        assert entry["article"]["text"]


def test_each_claim_gives_the_articles_figure_as_named_fields(written):
    _, doc = written
    entries = {c["id"]: c for c in doc["claims"]}
    assert entries["A1"]["article"]["time_ns"] == 35.4
    assert entries["A10"]["article"]["rss_mb"] == 226
    assert entries["B6"]["article"]["extra_allocs_per_item"] == 3


def test_measured_figures_are_the_runs_and_name_their_program(written):
    run, doc = written
    a1 = next(c for c in doc["claims"] if c["id"] == "A1")
    go = report_data.measure(run, "go", "runtime/BenchmarkDefer/noopendefer")
    assert go.measured, "the fixture ran the runtime's benchmark"
    assert a1["go"]["time_ns"] == pytest.approx(go.median)
    assert any("BenchmarkDefer" in p and "noopendefer" in p for p in a1["programs"])


def test_a_figure_the_run_did_not_measure_is_null(written):
    run, _ = written
    run.suites.pop("go")
    run.raw.pop("go", None)
    doc = claims_json.document(run)
    a1 = next(c for c in doc["claims"] if c["id"] == "A1")
    assert a1["go"]["time_ns"] is None and a1["verdict"] == claims.NOT_IN_RUN
    assert a1["cpp"]["time_ns"] > 0
