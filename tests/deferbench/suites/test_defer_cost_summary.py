"""defer_cost's summary says when the floor, scope_guard, is not `call`'s code."""

import math

from deferbench.suites import defer_cost


def _row(case, instructions):
    return defer_cost.CostRow(case=case, median_ns=1.0, cv=0.0, ratio=1.0, allocs_per_op=0.0,
                              article_ns=math.nan, article_claim="", target_ratio=math.nan,
                              cv_applies=True, instructions=instructions)


def test_a_floor_that_is_not_calls_code_is_named_with_both_counts():
    lines = defer_cost.defer_cost_lines([_row("call", 15.5), _row("scope_guard", 16.0)])
    (line,) = [l for l in lines if l.startswith("  scope_guard runs")]
    assert "16 instr/op against call's 15.5" in line


def test_a_floor_folded_into_the_call_or_not_counted_says_nothing():
    for call, floor in ((17.0, 17.0), (math.nan, math.nan)):
        lines = defer_cost.defer_cost_lines([_row("call", call), _row("scope_guard", floor)])
        assert not [l for l in lines if "scope_guard runs" in l]
