"""Paired ratios: the median of per-pair ratios and its distribution-free interval."""

import math

import numpy as np
import pytest
from scipy import stats

from deferbench.analysis import paired
from deferbench.run import cpu_turns


def test_the_interval_is_the_binomial_order_statistics_of_the_median():
    values = np.arange(1, 301, dtype=float)  # 300 values; the median is 150.5
    low, high = paired.median_interval(values)
    j = int(stats.binom.ppf(0.025, 300, 0.5))
    assert (low, high) == (values[j - 1], values[300 - j])
    assert low < 150.5 < high
    # Its coverage: the chance that the j-th..(n-j+1)-th smallest miss the median.
    assert stats.binom.cdf(j - 1, 300, 0.5) * 2 <= 0.05


def test_the_interval_covers_the_true_median_95_times_in_100():
    rng = np.random.default_rng(3)
    inside = 0
    for _ in range(400):
        low, high = paired.median_interval(rng.lognormal(0, 0.5, 101))
        inside += low <= 1.0 <= high  # the lognormal's median is 1
    assert 0.93 <= inside / 400 <= 0.99


def test_too_few_values_give_no_interval_not_a_false_precision():
    # Too few for a 95% interval: none, rather than the range posing as one.
    assert all(math.isnan(x) for x in paired.median_interval([2.0, 1.0, 3.0]))
    assert not any(math.isnan(x) for x in paired.median_interval([2.0, 1.0, 3.0, 4, 5, 6]))
    assert all(math.isnan(x) for x in paired.median_interval([]))


def test_an_entry_is_the_median_of_the_kept_per_pair_ratios_scaled():
    data = {"subject_iterations": 100, "reference_iterations": 200,
            "subject_ns_per_op": [9.0, 9.0, 18.0, 9.0, 9.0, 9.0, 9.0, 90.0],
            "reference_ns_per_op": [8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0],
            "disturbed": ["", "context_switch", "", "", "", "cpu_migration", "", ""]}
    e = paired.entry(paired.Pair("ndefers/9", "ndefers/8", scale=8 / 9), data)
    assert e["ratio"] == pytest.approx(1.0), "(9/8 per op) x 8/9 per defer"
    assert e["pairs"] == 8 and e["pairs_kept"] == 5 and e["pairs_dropped"] == 3
    assert (e["dropped_context_switch"], e["dropped_cpu_migration"], e["dropped_outlier"]) == \
        (1, 1, 1), "90 ns is 10x the median chunk: an outlier; 18 ns, 2x, is kept"
    assert e["median_ns"] == 9.0 and e["min_ns"] == 9.0 and e["reference_median_ns"] == 8.0
    assert e["run_name"] == "ndefers/9" and e["aggregate_name"] == paired.AGGREGATE


def test_without_disturbance_flags_only_the_outlier_rule_drops():
    data = {"subject_iterations": 1, "reference_iterations": 1,
            "subject_ns_per_op": [1.0, 1.0, 1.0, 0.2], "reference_ns_per_op": [1.0] * 4}
    mask, dropped = paired.keep(data)
    assert mask.tolist() == [True, True, True, False] and dropped["outlier"] == 1


def test_a_pair_whose_chunks_were_all_disturbed_has_no_figure_and_says_why():
    data = {"subject_iterations": 1, "reference_iterations": 1,
            "subject_ns_per_op": [1.0, 1.0], "reference_ns_per_op": [1.0, 1.0],
            "disturbed": ["context_switch", "context_switch"]}
    e = paired.entry(paired.Pair("counters_on/call", "counters_off/call"), data)
    assert paired.usable(e) is None and math.isnan(e["ratio"])
    assert paired.unmeasured_reason(e) == \
        "not measured: all 2 pairs were dropped (2 context switch)"


def test_a_ratio_from_fewer_pairs_than_an_interval_needs_has_no_figure_and_says_why():
    # A busy neighbour can leave one 25 ms pair of the counters' ninety.
    data = {"subject_iterations": 1, "reference_iterations": 1,
            "subject_ns_per_op": [1.0] * 5, "reference_ns_per_op": [1.0] * 5,
            "disturbed": ["context_switch"] * 4 + [""]}
    e = paired.entry(paired.Pair("counters_on/call", "counters_off/call"), data)
    assert e["pairs_kept"] == 1 and paired.usable(e) is None
    assert math.isnan(e["ratio_ci_low"]) and math.isnan(e["ratio_ci_high"])
    assert paired.unmeasured_reason(e) == ("not measured: 1 of 5 pairs kept, too few for a 95% "
                                           "interval (it needs 6; dropped: 4 context switch)")


def test_the_pairs_of_several_processes_are_pooled_in_order_with_their_process():
    one = {"subject": "a", "reference": "b", "subject_iterations": 10, "reference_iterations": 20,
           "subject_ns_per_op": [1.0], "reference_ns_per_op": [2.0], "disturbed": [""]}
    two = dict(one, subject_iterations=11, subject_ns_per_op=[3.0], disturbed=["cpu_migration"])
    merged = paired.merge([{"context": {"order": "ABBA", "layout": {"seed": 5}}, "pairs": [one]},
                           {"context": {"order": "ABBA", "layout": {"seed": 7}}, "pairs": [two]}])
    (p,) = merged["pairs"]
    assert p["subject_ns_per_op"] == [1.0, 3.0] and p["disturbed"] == ["", "cpu_migration"]
    assert p["subject_iterations"] == [10, 11] and p["pairs"] == 2
    assert p["process"] == [0, 1]
    assert merged["context"]["processes"] == 2
    assert merged["context"]["layouts"] == [{"seed": 5}, {"seed": 7}]


def test_each_chunk_keeps_the_cpu_its_process_ran_on_and_the_entry_counts_them():
    one = {"subject": "a", "reference": "b", "subject_iterations": 10, "reference_iterations": 20,
           "subject_ns_per_op": [2.0] * 3, "reference_ns_per_op": [1.0] * 3,
           "disturbed": [""] * 3}
    merged = paired.merge([{"context": {"deferbench_cpu": cpu}, "pairs": [one]}
                           for cpu in ("1", "1", "0", "0", "1", "1")])
    (p,) = merged["pairs"]
    assert p["cpu"] == ["1"] * 6 + ["0"] * 6 + ["1"] * 6
    assert paired.entry(paired.Pair("a", "b"), p)["cpus"] == 2
    assert "cpus" not in paired.entry(paired.Pair("a", "b"), dict(p, cpu=None)), \
        "a run made before the CPUs were recorded says nothing of them"


def test_each_process_of_a_round_gets_a_layout_seed_of_its_own():
    series = paired.Series(pairs_per_process=24, processes=4)
    pairs = [paired.Pair("a", "b"), paired.Pair("c", "b"),
             paired.Pair("d", "e", chunk_ms=25, pairs_fraction=0.2)]
    commands = paired.commands(pairs, series)
    assert [c[:3] for c in commands] == [
        ["--pairs=a:b,c:b", "--pairs-count=24", "--chunk-ms=1"],
        ["--pairs=d:e", "--pairs-count=5", "--chunk-ms=25"]]
    seeds = {c[3] for c in commands + paired.commands(pairs, series)}
    assert len(seeds) == 4 and all(s.startswith("--layout-seed=") for s in seeds)


def _process_data(process_ratios, pairs_each=5, jitter=0.001):
    """Pair data whose processes sit at the given ratios, each with a little
    noise of its own around it."""
    rng = np.random.default_rng(11)
    s, r, process = [], [], []
    for k, ratio in enumerate(process_ratios):
        for _ in range(pairs_each):
            s.append(ratio * (1 + rng.normal(0, jitter)))
            r.append(1.0)
            process.append(k)
    return {"subject_iterations": [1] * len(process_ratios),
            "reference_iterations": [1] * len(process_ratios),
            "subject_ns_per_op": s, "reference_ns_per_op": r, "process": process}


def test_the_interval_spans_processes_not_pairs():
    """Ten processes whose layouts put the ratio at 1.00 to 1.09: many tight
    pairs each cannot narrow the interval below what the processes spread."""
    data = _process_data([1.00 + 0.01 * k for k in range(10)], pairs_each=70)
    e = paired.entry(paired.Pair("a", "b"), data)
    assert e["interval_unit"] == "process" and e["processes"] == 10
    assert e["pairs_kept"] == 700
    assert e["process_ratio_min"] == pytest.approx(1.0, abs=1e-3)
    assert e["process_ratio_max"] == pytest.approx(1.09, abs=1e-3)
    # Ten processes make six blocks of consecutive ones (2, 2, 2, 2, 1, 1):
    # the binomial interval of six medians is their whole range.
    assert e["interval_blocks"] == 6
    assert e["ratio_ci_low"] == pytest.approx(1.005, abs=1e-3)
    assert e["ratio_ci_high"] == pytest.approx(1.09, abs=1e-3)


def test_blocks_are_consecutive_units_and_at_least_six():
    assert paired.blocks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]) \
        == [2, 5, 8, 11, 14, 17, 20]
    assert paired.blocks([5, 1, 4, 2, 6, 3]) == [5, 1, 4, 2, 6, 3]
    assert paired.blocks([3, 1, 2]) == [3, 1, 2], "fewer than six: no interval comes of them"
    assert paired.blocks([]) == []


def test_an_interval_over_processes_covers_a_rerun_as_often_as_it_claims():
    """Runs whose processes each draw a layout that moves the ratio: a run's
    interval holds the median of two other runs' estimates about 9 times in 10
    (an interval over pairs, which ignores the layouts, did 2 in 10)."""
    rng = np.random.default_rng(5)

    def run():
        return paired.entry(paired.Pair("a", "b"),
                            _process_data(1 + rng.normal(0, 0.03, 20), pairs_each=30))
    held = 0
    trials = 200
    for _ in range(trials):
        a, b, c = run(), run(), run()
        other = np.median([b["ratio"], c["ratio"]])
        held += a["ratio_ci_low"] <= other <= a["ratio_ci_high"]
    assert 0.8 <= held / trials <= 0.99


def test_an_interval_over_blocks_covers_a_rerun_when_the_machine_changes_during_a_run():
    """A shared machine whose state steps the ratio by 6% and lasts about five
    processes (each process keeps it with probability 0.8): single processes
    are not independent, and an interval over them held the median of two
    other runs about 6 times in 10; one over blocks of consecutive processes
    holds it about 9 times in 10."""
    rng = np.random.default_rng(7)

    def run():
        state, ratios = rng.integers(2), []
        for _ in range(30):
            state = state if rng.random() < 0.8 else 1 - state
            ratios.append((1.0 + 0.06 * state) * (1 + rng.normal(0, 0.005)))
        return paired.entry(paired.Pair("a", "b"), _process_data(ratios, pairs_each=5)), ratios
    blocked = single = 0
    trials = 200
    for _ in range(trials):
        (a, units), (b, _), (c, _) = run(), run(), run()
        other = np.median([b["ratio"], c["ratio"]])
        blocked += a["ratio_ci_low"] <= other <= a["ratio_ci_high"]
        low, high = paired.median_interval(units)
        single += low <= other <= high
    assert blocked / trials >= 0.8
    assert single / trials <= 0.75


def test_taking_the_cpus_in_turn_covers_a_rerun_when_each_cpu_keeps_its_state_for_a_run():
    """A shared VM whose two virtual CPUs each sit, for a whole run, on a
    quiet or a shared core (a step of 6% in the ratio, either with
    probability 1/2): a series pinned to one CPU sees one of them and its
    interval held two other runs' median about 1 time in 4; a series whose
    blocks take the CPUs in turn holds it about twice as often."""
    rng = np.random.default_rng(3)

    def run(cpus):
        state = {cpu: rng.integers(2) for cpu in (0, 1)}
        ratios = [(1.0 + 0.06 * state[cpu_turns.for_unit(k, cpus)]) * (1 + rng.normal(0, 0.005))
                  for k in range(30)]
        return paired.entry(paired.Pair("a", "b"), _process_data(ratios))

    def coverage(cpus, trials=200):
        held = 0
        for _ in range(trials):
            a, b, c = run(cpus), run(cpus), run(cpus)
            held += a["ratio_ci_low"] <= np.median([b["ratio"], c["ratio"]]) <= a["ratio_ci_high"]
        return held / trials
    assert coverage([1]) <= 0.35
    assert coverage([0, 1]) >= 0.45


def test_too_few_processes_give_no_interval_and_say_so():
    data = _process_data([1.0, 1.1, 1.2], pairs_each=20)
    e = paired.entry(paired.Pair("a", "b"), data)
    assert e["pairs_kept"] == 60 and paired.usable(e) is None
    assert paired.unmeasured_reason(e) == (
        "not measured: 60 of 60 pairs kept, from 3 processes, too few for a 95% interval "
        "(it needs 6 processes; dropped: none)")
