"""The fd suite binary end to end: small sweeps, bad input, limits, and
clean-up after an interrupt. Each test gives the suite its own FD_DIR, so
"nothing left behind" is a look at one folder."""

import json
import math
import os
import resource
import signal
import subprocess

import pytest

from deferbench.suites import fd as fd_summary
from deferbench.analysis import results
from deferbench.run import cpu_turns

STRATEGIES = ["plain", "guards", "chain", "open_frame_in_loop"]


@pytest.fixture
def fd_binary(build_dir):
    path = os.path.join(build_dir, "suites", "fd", "fd")
    assert os.access(path, os.X_OK), f"{path} missing: run `make build`"
    return path


def run_fd(binary, fd_dir, fd_n, *args, nofile=None, fd_system=None, cpu_turns=None,
           files=None):
    env = dict(os.environ, FD_DIR=str(fd_dir), FD_N=fd_n)
    for name, value in (("FD_SYSTEM", fd_system), ("FD_CPU_TURNS", cpu_turns),
                        ("FD_FILES", files)):
        env.pop(name, None)
        if value is not None:
            env[name] = value
    preexec = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) \
        if nofile else None
    return subprocess.run([binary, *args], env=env, capture_output=True, text=True,
                          preexec_fn=preexec, timeout=120)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, build_dir):
    work = tmp_path_factory.mktemp("fd")
    (work / "files").mkdir()
    out = work / "fd.json"
    proc = run_fd(os.path.join(build_dir, "suites", "fd", "fd"), work / "files", "100,1000",
                  "--quick", f"--out={out}")
    assert proc.returncode == 0, proc.stderr
    with open(out) as f:
        return proc, work, json.load(f), results.load(str(out))


def test_every_strategy_is_measured_at_every_n(small_run):
    _, _, data, _ = small_run
    for n in (100, 1000):
        for s in STRATEGIES + ["chain_records_only"]:
            reps = [e for e in data["benchmarks"] if e["name"] == f"{s}/{n}"]
            assert len(reps) == 3, (s, n)
            for e in reps:
                assert not e.get("error_occurred"), e.get("error_message")
                assert e["iterations"] == n and e["files"] == n
                # Per file, not per run: the child's own CPU time (its wall time
                # grows with the machine's load; its CPU time hardly does).
                assert e["real_time"] > 0 and 0 < e["cpu_time"] < 1e6, "under 1 ms per file"
                assert e["peak_rss_bytes"] > 0 and e["peak_vm_bytes"] >= e["peak_rss_bytes"]


def test_perf_events_are_per_file_when_counted_and_absent_otherwise(small_run):
    _, _, data, _ = small_run
    statuses = {e["name"]: e["status"] for e in data["context"]["perf_events"]}
    assert "perf::TASK-CLOCK" in statuses
    measured = [e for e in data["benchmarks"] if not e.get("error_occurred")]
    for name, status in statuses.items():
        present = [name in e for e in measured]
        assert all(present) if status == "counted" else not any(present), (name, status)
    if statuses["perf::TASK-CLOCK"] == "counted":
        for e in measured:  # the child's own task clock, per file: measured, so positive
            assert e["perf::TASK-CLOCK"] > 0, e["name"]


def test_an_unknown_perf_event_is_one_line_and_creates_nothing(fd_binary, tmp_path):
    out = tmp_path / "fd.json"
    proc = run_fd(fd_binary, tmp_path, "100", "--events=cyclez", f"--out={out}")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown perf event 'cyclez'" in proc.stderr
    assert not out.exists()


def test_heap_use_per_file_matches_each_strategy(small_run):
    _, _, data, _ = small_run
    per_file = {e["name"]: e["heap_bytes_per_file"] for e in data["benchmarks"]}
    assert per_file["plain/1000"] == pytest.approx(4.0)     # one int, reserved once
    # A 24-byte heap record per file: a closure over the descriptor.
    assert per_file["open_frame_in_loop/1000"] == pytest.approx(24.0)
    # The chain carves 24-byte records from 16 KiB blocks; the warm-up's
    # block already holds some, so at most one block's rounding more.
    assert 0 < per_file["chain/1000"] <= 24.0 + 16384 / 1000


def test_the_folder_is_removed_and_no_descriptor_leaks(small_run):
    _, work, data, _ = small_run
    assert os.listdir(work / "files") == []
    ctx = data["context"]
    assert ctx["descriptors_open_at_start"] == ctx["descriptors_open_at_end"]
    assert ctx["deferbench_suite"] == "fd"
    for key in ("rlimit_nofile_soft", "rlimit_nofile_hard", "largest_n", "headroom"):
        assert key in ctx["limits"]


def test_a_shared_folder_gains_the_files_it_lacks_and_is_left_in_place(fd_binary, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "7").write_text("7\n")  # an earlier suite's file
    out = tmp_path / "fd.json"
    proc = run_fd(fd_binary, tmp_path, "100", "--quick", f"--out={out}", files=str(shared))
    assert proc.returncode == 0, proc.stderr
    assert f"100 files in {shared}, shared with later suites" in proc.stderr
    assert f"done; left {shared}" in proc.stderr
    assert sorted(os.listdir(shared), key=int) == [str(k) for k in range(100)]
    assert all((shared / str(k)).read_text() == f"{k}\n" for k in range(100))
    assert sorted(os.listdir(tmp_path)) == ["fd.json", "shared"], "no private folder"
    data = json.loads(out.read_text())
    measured = [e for e in data["benchmarks"] if e["name"] == "plain/100"]
    assert measured and not any(e.get("error_occurred") for e in measured)


def test_an_fd_files_that_is_no_folder_is_one_line_and_creates_nothing(fd_binary, tmp_path):
    out = tmp_path / "fd.json"
    proc = run_fd(fd_binary, tmp_path, "100", f"--out={out}", files=str(tmp_path / "absent"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "FD_FILES=" in proc.stderr, proc.stderr
    assert os.listdir(tmp_path) == []


def test_the_summary_reports_limits_gaps_and_memory(small_run):
    _, _, _, suite = small_run
    text = "\n".join(fd_summary.fd_summary(suite))
    assert "RLIMIT_NOFILE soft" in text
    assert "gap to floor (cpu)" in text
    assert "B/file over N = 100, 1000" in text
    assert "PROJECTION" not in text, "nothing was stopped by a limit"


@pytest.mark.parametrize("bad, why", [("0", "is zero"), ("-5", "is negative"),
                                      ("ten", "is not a number"), ("1k,,2k", "empty item"),
                                      ("5000000000", "larger than")])
def test_a_bad_fd_n_is_one_line_and_creates_nothing(fd_binary, tmp_path, bad, why):
    out = tmp_path / "fd.json"
    proc = run_fd(fd_binary, tmp_path, bad, f"--out={out}")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and why in proc.stderr, proc.stderr
    assert os.listdir(tmp_path) == []


def test_fd_system_other_than_0_or_1_is_one_line(fd_binary, tmp_path):
    proc = run_fd(fd_binary, tmp_path, "100", fd_system="yes")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "accepted values are 0 and 1" in proc.stderr
    assert os.listdir(tmp_path) == []


def test_fd_system_past_its_bound_is_refused_before_anything_runs(fd_binary, tmp_path):
    # 100 files per process: reaching fs.file-max takes far more than 1024
    # processes, so the plan is refused and nothing is created. (Filling the
    # table for real is not a test: it holds the whole system's files.)
    out = tmp_path / "fd.json"
    proc = run_fd(fd_binary, tmp_path, "10", f"--out={out}", nofile=100, fd_system="1")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "FD_SYSTEM=1" in proc.stderr and "at most 1024 are started" in proc.stderr
    assert os.listdir(tmp_path) == []


def test_an_n_above_nr_open_is_refused_before_anything_is_created(fd_binary, tmp_path):
    with open("/proc/sys/fs/nr_open") as f:
        nr_open = int(f.read())
    proc = run_fd(fd_binary, tmp_path, f"100,{nr_open + 1}")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "nr_open" in proc.stderr
    assert os.listdir(tmp_path) == []


def test_an_n_above_the_hard_limit_is_recorded_as_not_measured(fd_binary, tmp_path):
    out = tmp_path / "fd.json"
    (tmp_path / "files").mkdir()
    proc = run_fd(fd_binary, tmp_path / "files", "100,1000", "--quick", f"--out={out}",
                  nofile=300)
    assert proc.returncode == 0, proc.stderr
    assert "N=1000 not measured: RLIMIT_NOFILE" in proc.stderr
    data = json.loads(out.read_text())
    # What it would take is in the results (and the summary), not in the progress line.
    (why,) = {m["reason"] for m in data["context"]["not_measured"]}
    assert "ulimit -Hn" in why
    stopped = [e for e in data["benchmarks"] if e["files"] == 1000
               and e["strategy"] in STRATEGIES]
    assert len(stopped) == 4
    for e in stopped:
        assert e["error_occurred"] and "RLIMIT_NOFILE" in e["error_message"]
        assert "real_time" not in e, "unmeasured is absent, never zero"
    largest = data["context"]["limits"]["largest_n"]
    assert 0 < largest < 300
    measured = [e for e in data["benchmarks"] if e["files"] == largest
                and e["strategy"] in STRATEGIES]
    assert measured and not any(e.get("error_occurred") for e in measured)
    assert any(e["name"] == "chain_records_only/1000" and not e.get("error_occurred")
               for e in data["benchmarks"]), "the user-space part runs at the full N"
    text = "\n".join(fd_summary.fd_summary(results.load(str(out))))
    assert "PROJECTION, not a measurement" in text
    # The console says what was measured above the limit: both halves at N.
    brief = fd_summary.fd_brief(results.load(str(out)))
    assert brief[0].startswith(f"fd: largest N with real descriptors {largest:,}")
    (estimate,) = [x for x in brief if "above it, an estimate" in x]
    assert "1,000 files " in estimate and " s, " in estimate
    assert os.listdir(tmp_path / "files") == []


def test_each_repetitions_children_run_on_the_cpu_fd_cpu_turns_gives_it(fd_binary, tmp_path):
    # Every CPU this test may use, one repetition each in turn: the CPU an
    # entry records is the one its child ended its work on (sched_getcpu).
    turns = sorted(os.sched_getaffinity(0))
    out = tmp_path / "fd.json"
    (tmp_path / "files").mkdir()
    proc = run_fd(fd_binary, tmp_path / "files", "100", "--quick", f"--out={out}",
                  cpu_turns=",".join(map(str, turns)))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["context"]["child_cpus"] == turns
    measured = [e for e in data["benchmarks"] if "real_time" in e]
    assert {e["strategy"] for e in measured} >= set(STRATEGIES) | {"kernel_batches"}
    for e in measured:
        assert e["cpu"] == turns[e["repetition_index"] % len(turns)], e
    # A gap's pair (a strategy's repetition k and plain's) shares its CPU.
    plain = {e["repetition_index"]: e["cpu"] for e in measured if e["strategy"] == "plain"}
    assert all(e["cpu"] == plain[e["repetition_index"]] for e in measured
               if e["strategy"] in STRATEGIES)


def test_without_fd_cpu_turns_every_child_runs_on_the_last_cpu(small_run):
    _, _, data, _ = small_run
    last = max(os.sched_getaffinity(0))
    assert data["context"]["child_cpus"] == [last]
    assert {e["cpu"] for e in data["benchmarks"] if "real_time" in e} == {last}


@pytest.mark.parametrize("bad, why", [
    ("1,,0", "is an empty item"), ("x", "is not a CPU number"),
    (str(max(os.sched_getaffinity(0)) + 1), "is not a CPU this process may use")])
def test_a_bad_fd_cpu_turns_is_one_line_and_creates_nothing(fd_binary, tmp_path, bad, why):
    out = tmp_path / "fd.json"
    proc = run_fd(fd_binary, tmp_path, "100", f"--out={out}", cpu_turns=bad)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and why in proc.stderr, proc.stderr
    assert f'FD_CPU_TURNS="{bad}"' in proc.stderr
    assert os.listdir(tmp_path) == []


def test_make_bench_hands_the_fd_suite_the_cpus_in_turn():
    env = fd_summary.environment({})
    assert env["FD_CPU_TURNS"] == ",".join(map(str, cpu_turns.cycle(cpu_turns.usable())))


def test_sigterm_mid_run_kills_the_children_and_removes_the_folder(fd_binary, tmp_path):
    out = tmp_path / "fd.json"
    (tmp_path / "files").mkdir()
    env = dict(os.environ, FD_DIR=str(tmp_path / "files"), FD_N="5000")
    proc = subprocess.Popen([fd_binary, f"--out={out}"], env=env, stderr=subprocess.PIPE,
                            text=True)
    for line in proc.stderr:
        if "repetitions of each strategy" in line:
            break
    assert os.listdir(tmp_path / "files"), "the folder exists mid-run"
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == -signal.SIGTERM
    assert "interrupted by TERM" in rest
    assert os.listdir(tmp_path / "files") == []
    assert not out.exists()


def _row(strategy, n, gap, low, high):
    return fd_summary.Row(strategy, n, "requested", 10, 3000.0, 0.01, 3000.0, 0.01, 0.0,
                          3000.0, 24.0, 1e6, 1e7, gap_ns=gap * 3000, gap=gap, gap_low=low,
                          gap_high=high)


@pytest.mark.parametrize("strategy, n, gap, low, high, verdict", [
    ("chain", 10_000, 0.03, 0.01, 0.049, "ok"),
    ("chain", 10_000, 0.08, 0.051, 0.10, "MISSED"),
    ("chain", 10_000, 0.036, 0.01, 0.108, "undecided"),  # straddles 5%: neither
    ("chain", 10_000, 0.02, math.nan, math.nan, "undecided"),  # no interval: no decision
    ("guards", 250_000, 0.02, 0.0, 0.03, "ok"),
    ("chain", 1_000, 0.20, 0.1, 0.3, None),               # below 10k files: no verdict
    ("open_frame_in_loop", 10_000, 0.07, 0.06, 0.08, None),  # Go's heap fallback: not judged
    ("plain", 10_000, 0.0, 0.0, 0.0, None)])
def test_the_gap_target_is_decided_on_its_paired_interval_from_10k_files(
        strategy, n, gap, low, high, verdict):
    assert _row(strategy, n, gap, low, high).gap_verdict == verdict


def test_the_gap_pairs_each_repetition_with_plains_of_the_same_repetition():
    """Drift between repetitions moves both sides of a pair alike: the paired
    gap sees a steady 4% where unpaired medians would mix the drift in."""
    from deferbench.analysis.results import SuiteResult, Benchmark
    reps = []
    for k in range(10):
        drift = 1 + 0.1 * k   # the machine slows down repetition after repetition
        for strategy, cost in (("plain", 1000.0), ("chain", 1040.0)):
            reps.append({"name": f"{strategy}/10000", "strategy": strategy, "files": 10000,
                         "repetition_index": k, "real_time": cost * drift,
                         "cpu_time": cost * drift, "user_ns_per_file": 1.0,
                         "sys_ns_per_file": 1.0, "heap_bytes_per_file": 0.0,
                         "peak_rss_bytes": 1.0, "peak_vm_bytes": 1.0})
    benchmarks = {}
    for e in reps:
        benchmarks.setdefault(e["name"], Benchmark(e["name"])).repetitions.append(e)
    (chain,) = [r for r in fd_summary.rows(SuiteResult("fd.json", {}, benchmarks))
                if r.strategy == "chain"]
    assert chain.gap == pytest.approx(0.04)
    assert chain.gap_low == pytest.approx(0.04) and chain.gap_high == pytest.approx(0.04)
    assert chain.gap_verdict == "ok"


def test_the_estimate_sums_the_two_halves_and_puts_the_real_run_beside_it():
    fd_mod = fd_summary

    def row(strategy, n, ns, rss=1.0, vm=2.0):
        return fd_mod.Row(strategy, n, "requested", 5, ns, 0, ns, 0, 0, 0, 0, rss, vm)
    table = [row("chain_records_only", 1000, 10.0, 3.0, 4.0), row("kernel_batches", 1000, 900.0),
             row("chain", 1000, 950.0), row("chain_records_only", 250_000, 20.0, 5.0, 6.0),
             row("kernel_batches", 250_000, 1000.0), row("chain_records_only", 700_000, 30.0)]
    (small, large) = fd_mod.estimates(table)  # 700k has no kernel half: no estimate
    assert (small.n, large.n) == (1000, 250_000)
    assert small.wall_s == pytest.approx(1000 * (10.0 + 900.0) / 1e9)
    assert small.real_s == pytest.approx(1000 * 950.0 / 1e9)
    assert large.wall_s == pytest.approx(250_000 * 1020.0 / 1e9) and math.isnan(large.real_s)
    assert (large.rss_bytes, large.vm_bytes) == (5.0, 6.0)
