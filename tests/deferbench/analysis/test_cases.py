"""The cases a suite's binary describes (analysis/cases.py), and what reads them."""

import json

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
