"""Go's paired ratios: short runs of two test binaries, interleaved, judged by paired.py."""

import os
import stat

import pytest

from deferbench.run import cpu_turns
from deferbench.suites.go import pairs as go_pairs


def fake_test_binary(path, log):
    """A stand-in for goref's test binary: logs its arguments and the CPUs it may
    use, and prints one result line, 2 ns/op for the plain call and 5 ns/op for any case with a defer."""
    path.write_text("#!/bin/sh\n"
                    f"echo \"$@\" $(grep Cpus_allowed_list /proc/self/status) >> {log}\n"
                    "case \"$*\" in *call\\$*) ns=2.000;; *) ns=5.000;; esac\n"
                    "printf 'BenchmarkDeferCost/case \\t 1000\\t %s ns/op\\n' $ns\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_each_goref_case_is_paired_with_goref_call_in_abba_order(tmp_path):
    log = tmp_path / "calls.log"
    binaries = {"defercost.test": fake_test_binary(tmp_path / "defercost.test", log),
                "runtime.test": str(tmp_path / "missing"),
                "runtime-noopendefer.test": str(tmp_path / "missing")}
    entries, raw = go_pairs.measure(binaries, 4, str(tmp_path), dict(os.environ), 30)
    # The runtime pair is left out: its binaries are not there (no golang-src), and so
    # is the twin's noopendefer build (no binary given).
    assert [e["run_name"] for e in entries] == ["defer_cost/open_coded", "defer_cost/chain_stack",
                                                "defer_cost/chain_heap", "defer_cost/defer1"]
    assert [e["reference"] for e in entries] == ["defer_cost/call"] * 3 + ["defer_cost/defer1_call"]
    assert all(e["pairs_kept"] == 4 for e in entries)
    assert all(e["ratio"] == pytest.approx(2.5) for e in entries), "5 ns over 2 ns"
    calls = [line.split("-test.bench=")[1].split()[0] for line in log.read_text().splitlines()]
    first_pair = calls[2:10]  # after calibrating both sides
    # Each level anchored: Go matches level by level, and call$ alone would also run
    # defer1_call.
    assert first_pair == ["^BenchmarkDeferCost$/^open_coded$", "^BenchmarkDeferCost$/^call$",
                          "^BenchmarkDeferCost$/^call$", "^BenchmarkDeferCost$/^open_coded$"] * 2
    assert raw["context"]["order"] == "ABBA"
    assert all(f"-test.benchtime={n}x" in log.read_text()
               for n in [raw["pairs"][0]["subject_iterations"]])


def test_the_pairs_take_the_cpus_in_turn_a_block_each(tmp_path):
    log = tmp_path / "calls.log"
    binaries = {"defercost.test": fake_test_binary(tmp_path / "defercost.test", log)}
    _, raw = go_pairs.measure(binaries, 8, str(tmp_path), dict(os.environ), 30)
    cpus = cpu_turns.usable()
    assert raw["context"]["cpus"] == cpus
    ran = [line.split()[-1] for line in log.read_text().splitlines()]
    per_case = 2 + 8 * 2  # calibrating both sides, then 8 pairs of two runs
    first = ran[:per_case]
    assert first[:2] == [str(cpus[-1])] * 2, "calibrated on the suites' own CPU"
    expected = [str(cpu_turns.for_unit(k, cpus)) for k in range(8)]
    assert first[2::2] == first[3::2] == expected, "both runs of a pair on its CPU"
    assert all(p["cpu"] == expected for p in raw["pairs"])
