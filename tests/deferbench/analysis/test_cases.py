"""The cases a suite's binary describes (analysis/cases.py), and what reads them."""

import json
import math

import pytest

from deferbench.analysis import cases
from deferbench.errors import UserError
from deferbench.suites import defer_cost


def _described(*entries):
    base = {f: "" for f in cases.FIELDS}
    return {"cases": json.dumps([{**base, "kind": "analog", **e} for e in entries])}


def test_a_context_without_cases_is_an_older_run():
    assert cases.from_context({"deferbench_cpu": "1"}) is None
    assert cases.from_context(None) is None


def test_the_cases_come_in_the_binarys_order_with_every_field():
    context = _described({"name": "call", "kind": "reference"},
                         {"name": "go_open_coded", "kind": "go_model", "pair": "call",
                          "go_counterpart": "defer_cost/open_coded", "omits": "funcdata"})
    got = cases.from_context(context)
    assert [c.name for c in got] == ["call", "go_open_coded"]
    assert got[1].go_counterpart == "defer_cost/open_coded" and got[1].omits == "funcdata"


@pytest.mark.parametrize("raw, expected", [
    (json.dumps([{"name": "call"}]), "is not a list of case descriptions"),
    ("not json", "is not a list of case descriptions"),
])
def test_a_malformed_list_is_one_clear_error(raw, expected):
    with pytest.raises(UserError, match=expected):
        cases.from_context({"cases": raw}, "defer_cost.json")


def test_an_unknown_kind_names_the_kinds_accepted():
    with pytest.raises(UserError, match="'guess' is not one of reference, go_model"):
        cases.from_context(_described({"name": "x", "kind": "guess"}))


def test_defer_costs_pairs_are_the_described_pairs_and_the_counters():
    context = _described({"name": "call", "kind": "reference"},
                         {"name": "a", "pair": "call"}, {"name": "b", "pair": "call"},
                         {"name": "counters_off/call", "kind": "harness"})
    pairs = defer_cost.SUITE.pairs_for(context)
    assert [(p.subject, p.reference) for p in pairs] == [
        ("a", "call"), ("b", "call"), (defer_cost.COUNTERS_ON, "counters_off/call")]


def test_the_instruction_table_sets_the_model_beside_go_and_the_floor_beside_both(tmp_path):
    """A run whose binary described models and floors: each mechanism's row
    counts the model (go_*) against call and, beside it, the floor."""
    import shutil
    from deferbench.analysis import report_data
    from deferbench.run import folder
    from conftest import ROOT
    run_dir = tmp_path / "run.fixture"
    shutil.copytree(f"{ROOT}/tests/fixtures/runs/vm-fixture/compare_base.fixture", run_dir)
    counts = {"call": 17, "scope_guard": 17, "floor_chain": 29, "go_open_coded": 33,
              "go_stack_record": 125, "go_heap_record": 202}
    described = [{"name": "call", "kind": "reference", "go_counterpart": "defer_cost/call"},
                 {"name": "scope_guard", "kind": "floor",
                  "go_counterpart": "defer_cost/open_coded"},
                 {"name": "floor_chain", "kind": "floor",
                  "go_counterpart": "defer_cost/chain_stack"}] + [
                 {"name": f"go_{m}", "kind": "go_model", "go_counterpart": f"defer_cost/{g}"}
                 for m, g in (("open_coded", "open_coded"), ("stack_record", "chain_stack"),
                              ("heap_record", "chain_heap"))]
    suite = json.loads((run_dir / "defer_cost.json").read_text())
    suite["context"].update(_described(*described))
    (run_dir / "defer_cost.json").write_text(json.dumps(suite))
    counted = json.loads((run_dir / "defer_cost.callgrind.json").read_text())
    counted["benchmarks"] = [{"name": n, "iterations": 1000, "instructions": c * 1000,
                              "instructions_per_op": float(c)} for n, c in counts.items()]
    (run_dir / "defer_cost.callgrind.json").write_text(json.dumps(counted))

    table = report_data.instructions_per_defer(folder.load(str(run_dir)))
    rows = {r.what.split(",")[0]: r for r in table}
    opened, stack, heap = (rows[k] for k in ("open-coded defer", "stack-allocated record",
                                             "heap-allocated record"))
    assert (opened.cpp, opened.floor, opened.how_floor) == (16, 0, "scope_guard - call")
    assert (stack.cpp, stack.floor, stack.how_cpp) == (108, 12, "go_stack_record - call")
    assert (opened.floor_ratio, stack.floor_ratio) == (1.0, 29 / 17), "the whole count over call's"
    assert math.isnan(heap.floor_ratio)
    assert heap.cpp == 185 and heap.how_floor == ""


def test_a_target_is_read_where_the_binary_gives_one_and_nan_elsewhere():
    context = _described({"name": "call", "kind": "reference"},
                         {"name": "scope_guard", "kind": "floor", "pair": "call"})
    raw = json.loads(context["cases"])
    raw[1]["target_ratio"] = 1.05
    got = cases.from_context({"cases": json.dumps(raw)})
    assert math.isnan(got[0].target_ratio) and got[1].target_ratio == 1.05
    legacy = {c.name: c.target_ratio for c in cases.LEGACY["defer_cost"]}
    assert (legacy["scope_guard"], legacy["chain_stack"]) == (1.05, 2.5)
