"""Go's instructions per op under callgrind: N and 2N runs, the least of a few
counts, exact only when it repeats; and the runtime's benchmark, counted twice,
gives the same figures."""

import os
import subprocess

import pytest

from deferbench.run import callgrind
from deferbench.suites.go import instructions, toolchain


def test_the_least_count_is_kept_and_exact_only_when_it_comes_up_twice(monkeypatch):
    counts = {("a", 10): iter([150, 140, 140, 141]), ("a", 20): iter([240, 240, 250, 260]),
              ("b", 10): iter([140, 141, 142, 143, 144, 145]), ("b", 20): iter([240] * 6),
              # 2N's least is 105 over N's, not a whole 10 per op, until 2 counts more
              ("c", 10): iter([140] * 6), ("c", 20): iter([245, 245, 245, 245, 240, 240])}
    monkeypatch.setattr(instructions, "_counted",
                        lambda binary, case, n, cwd, setting: next(counts[(case.name, n)]))
    cases = [instructions.Case(name, "bin", "^x$", "f") for name in ("a", "b", "c")]
    found = instructions.count({"bin": __file__}, ".", iterations=10, cases=cases)
    assert found["a"]["instructions_per_op"] == 10.0 and found["a"]["exact"]
    assert found["a"]["fixed_instructions"] == 40
    assert len(found["a"]["counts"]["10"]) == instructions.REPEATS, "clean: no count more"
    assert found["b"]["instructions_per_op"] == 10.0 and not found["b"]["exact"]
    assert len(found["b"]["counts"]["10"]) == instructions.MOST_REPEATS
    assert found["c"]["instructions_per_op"] == 10.0 and found["c"]["exact"]


def test_an_inexact_count_is_read_as_no_count(tmp_path):
    from deferbench import atomic
    from deferbench.analysis import results
    path = tmp_path / "go.callgrind.json"
    atomic.write_json(str(path), {"benchmarks": [
        {"name": "x", "instructions_per_op": 3.0, "exact": True},
        {"name": "y", "instructions_per_op": 4.5, "exact": False},
        {"name": "z", "instructions_per_op": 7.0}]})
    assert results.instruction_counts(str(path)) == {"x": 3.0, "z": 7.0}


def _runtime_binaries():
    go = toolchain.find()
    if go is None or not callgrind.available():
        pytest.skip("needs Go and valgrind")
    binaries = {c.binary: go.path(c.binary) for c in instructions.CASES}
    if not all(os.path.exists(binaries[b]) for b in ("runtime.test", "runtime-noopendefer.test")):
        pytest.skip("the go suite has not built the runtime's tests in this build folder")
    return go, binaries


def test_the_runtimes_benchmark_counts_the_same_twice():
    go, binaries = _runtime_binaries()
    cases = [c for c in instructions.CASES if c.name.startswith("runtime/")]
    first = instructions.count(binaries, go.work_dir, cases=cases, repeats=2)
    second = instructions.count(binaries, go.work_dir, cases=cases, repeats=2)
    for name in ("runtime/BenchmarkDefer", "runtime/BenchmarkDefer/noopendefer"):
        assert first[name]["exact"] and second[name]["exact"]
        assert first[name]["instructions_per_op"] == second[name]["instructions_per_op"]
        assert first[name]["instructions_per_op"] == int(first[name]["instructions_per_op"])
    # The normal (stack record) defer costs more than the open-coded one.
    assert first["runtime/BenchmarkDefer/noopendefer"]["instructions_per_op"] > \
        first["runtime/BenchmarkDefer"]["instructions_per_op"]


def test_a_go_count_does_not_move_with_the_path_or_the_environment(tmp_path):
    """The Go side's invariance, as the C++ gate's: the runtime's benchmark copied
    to a 300-character path and run with 64 KiB more environment counts the same."""
    import shutil
    go, binaries = _runtime_binaries()
    (case,) = [c for c in instructions.CASES if c.name == "runtime/BenchmarkDefer"]
    here = instructions.count(binaries, go.work_dir, cases=[case], repeats=2)[case.name]
    deep = tmp_path.joinpath(*[f"level-{i:02d}-of-a-deeply-nested-ci-workspace" for i in range(8)])
    deep.mkdir(parents=True)
    moved = {case.binary: shutil.copy2(binaries[case.binary], deep / "runtime.test")}
    setting = callgrind.Setting(extra_environment={"DEFERBENCH_PADDING": "x" * 65536})
    there = instructions.count(moved, str(deep), cases=[case], repeats=2,
                               setting=setting)[case.name]
    assert len(str(deep)) > 300
    assert here["exact"] and there["exact"]
    assert here["instructions_per_op"] == there["instructions_per_op"]


_RDTSCP_FIXTURE_BENCH = '''package tiny

import "testing"

var sink int

func BenchmarkTiny(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink += i
	}
}
'''


def test_the_gate_counts_go_on_a_cpu_that_advertises_rdtscp(tmp_path):
    """Where the CPU advertises RDTSCP (AMD Zen 5 does), Go's runtime.cputicks
    executes it before main and valgrind 3.19 cannot decode it: a Go binary
    started under callgrind as Go ships dies there. The gate's environment
    turns that path off; a benchmark counted through the gate's own code then
    gives an exact count on every CPU. On a CPU without the instruction (or a
    valgrind that decodes it) the first half shows the plain run works too."""
    go = toolchain.find()
    if go is None or not callgrind.available():
        pytest.skip("needs Go and valgrind")
    package = tmp_path / "tiny"
    package.mkdir()
    (package / "go.mod").write_text("module tiny\n\ngo 1.19\n")
    (package / "tiny_test.go").write_text(_RDTSCP_FIXTURE_BENCH)
    binary = str(tmp_path / "tiny.test")
    go.check(["test", "-c", "-o", binary, "."], cwd=str(package))

    shipped = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary,
         "-test.run=NONE", "-test.bench=^BenchmarkTiny$", "-test.benchtime=10x"],
        env=dict(callgrind.DEFAULT_SETTING.environment(), GODEBUG="asyncpreemptoff=1"),
        capture_output=True, text=True)
    advertises = "unhandled instruction bytes: 0xF 0x1 0xF9" in shipped.stderr
    assert advertises or shipped.returncode == 0, shipped.stderr[-2000:]

    case = instructions.Case("tiny", "tiny.test", "^BenchmarkTiny$", "tiny.BenchmarkTiny")
    found = instructions.count({"tiny.test": binary}, str(tmp_path), cases=[case], repeats=2)
    assert found["tiny"]["exact"], (found, f"RDTSCP advertised: {advertises}")
    assert found["tiny"]["instructions_per_op"] > 0


def test_no_case_copies_its_stack_inside_the_counted_loop(tmp_path):
    """chain_stack's nine records and cliff 2's ninth defer outgrow the 2 KiB a
    goroutine starts with. goref grows the stack before the loop's function is
    entered, so the runtime never copies it while callgrind counts (which lost
    the loop's return when it did, and took in other work): the counted
    function runs no runtime.copystack. A preemption, which a loaded machine
    brings about, is not a copy, so this holds however busy the machine is."""
    go = toolchain.find()
    if go is None or not callgrind.available():
        pytest.skip("needs Go and valgrind")
    binaries = {}
    for package in ("defercost", "cliffs"):
        binaries[f"{package}.test"] = str(tmp_path / f"{package}.test")
        go.check(["test", "-c", "-o", binaries[f"{package}.test"], f"./{package}"])
    for case in [c for c in instructions.CASES
                 if c.name in ("defer_cost/chain_stack", "cliffs/ndefers/9")]:
        counted = instructions.dump(binaries[case.binary], case, 100, str(tmp_path))
        assert callgrind.total_instructions(counted) > 100 * 100, case.name
        assert "runtime.copystack" not in counted, case.name
