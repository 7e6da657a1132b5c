"""The stack suite binary end to end: every strategy overflows and is caught,
the parent survives, and nothing is left behind (no child, no core file, no
half-written output), including after a timeout and a SIGINT."""

import glob
import json
import os
import signal
import subprocess
import time

import pytest

STRATEGIES = ["call", "scope_guard", "open_coded_bits", "chain_stack", "chain_heap",
              "chain_heap_pooled"]


@pytest.fixture(scope="module")
def stack_binary(build_dir):
    path = os.path.join(build_dir, "suites", "stack", "stack")
    assert os.access(path, os.X_OK), f"{path} missing: run `make build`"
    return path


def _group_members(pgid):
    """Processes still in the process group (the binary's children stay in it)."""
    members = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[2]) == pgid:
            members.append(int(stat.split("/")[2]))
    return members


def _run(binary, cwd, *args, sizes=None, timeout_s=None, wait_s=120):
    env = dict(os.environ)
    env.pop("STACK_SIZES", None)
    env.pop("STACK_TIMEOUT_S", None)
    if sizes is not None:
        env["STACK_SIZES"] = sizes
    if timeout_s is not None:
        env["STACK_TIMEOUT_S"] = str(timeout_s)
    proc = subprocess.Popen([binary, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = proc.communicate(timeout=wait_s)
    return proc, out, err


def _entries(path):
    with open(path) as f:
        data = json.load(f)
    assert data["context"]["deferbench_suite"] == "stack"
    return data


@pytest.fixture(scope="module")
def quick_run(stack_binary, tmp_path_factory):
    """1MiB (a mapped stack on a thread) and 8MiB (the child's main thread)."""
    cwd = tmp_path_factory.mktemp("stack")
    out = cwd / "stack.json"
    proc, _, err = _run(stack_binary, cwd, "--quick", f"--out={out}", sizes="1MiB,8MiB")
    assert proc.returncode == 0, err
    return proc, cwd, _entries(out), err


def test_every_strategy_overflows_at_one_depth_per_size(quick_run):
    _, _, data, _ = quick_run
    entries = data["benchmarks"]
    assert len(entries) == len(STRATEGIES) * 2 * 2
    for size, size_bytes in (("1MiB", 1 << 20), ("8MiB", 8 << 20)):
        for strategy in STRATEGIES:
            reps = [e for e in entries if e["name"] == f"{strategy}/{size}"]
            assert [e["repetition_index"] for e in reps] == [0, 1], (strategy, size)
            for e in reps:
                assert e["outcome"] == "overflow", e
                assert "error_occurred" not in e
                assert e["depth"] > 0
                assert e["stack_bytes"] == size_bytes
                assert e["bytes_per_frame"] == pytest.approx(size_bytes / e["depth"])
                assert e["real_time"] > 0 and e["peak_rss_bytes"] > 0
            assert len({e["depth"] for e in reps}) == 1, f"{strategy}/{size} depths differ"


def test_the_default_stack_runs_on_the_main_thread_and_others_on_a_mapping(quick_run):
    _, _, data, _ = quick_run
    kinds = {e["name"].split("/")[1]: e["stack_kind"] for e in data["benchmarks"]}
    if data["context"].get("rlimit_stack_bytes") == 8 << 20:
        assert kinds["8MiB"].startswith("main thread")
    assert kinds["1MiB"].startswith("mapped")


def test_perf_events_are_per_frame_and_page_faults_match_the_stack(quick_run):
    _, _, data, _ = quick_run
    statuses = {e["name"]: e["status"] for e in data["context"]["perf_events"]}
    for e in data["benchmarks"]:
        for name, status in statuses.items():
            assert (name in e) == (status == "counted"), (e["name"], name, status)
    if statuses.get("perf::PAGE-FAULTS") != "counted":
        pytest.skip("page faults are not counted here")
    page = os.sysconf("SC_PAGE_SIZE")
    for e in data["benchmarks"]:
        if e["name"].split("/")[0] in ("call", "scope_guard", "open_coded_bits", "chain_stack"):
            # no heap in the loop: each stack page faults once as the stack grows
            faults = e["perf::PAGE-FAULTS"] * e["depth"]
            assert faults == pytest.approx(e["stack_bytes"] / page, rel=0.1), e["name"]


def test_a_deeper_stack_reaches_a_deeper_depth(quick_run):
    _, _, data, _ = quick_run
    depth = {e["name"]: e["depth"] for e in data["benchmarks"]}
    for strategy in STRATEGIES:
        assert depth[f"{strategy}/8MiB"] > 7 * depth[f"{strategy}/1MiB"], strategy


def test_no_child_and_no_core_file_is_left(quick_run):
    proc, cwd, _, _ = quick_run
    assert _group_members(proc.pid) == []
    assert sorted(os.listdir(cwd)) == ["stack.json"], "no core file, no temporary file"


def test_progress_names_each_case(quick_run):
    _, _, _, err = quick_run
    assert "stack: chain_stack/1MiB: overflow@" in err
    assert "depths agree" in err


@pytest.mark.parametrize("sizes, expected", [
    ("8MB", "'8MB' is not a size"),
    ("8", "has no unit"),
    ("8MiB,,1GiB", "empty entry"),
    ("100000GiB", "MemAvailable"),
])
def test_bad_stack_sizes_give_one_line_and_exit_2(stack_binary, tmp_path, sizes, expected):
    out = tmp_path / "stack.json"
    proc, _, err = _run(stack_binary, tmp_path, f"--out={out}", sizes=sizes)
    assert proc.returncode == 2
    assert err.count("\n") == 1, err
    assert "STACK_SIZES" in err and expected in err, err
    assert os.listdir(tmp_path) == []


def test_bad_options_give_one_line_and_exit_2(stack_binary, tmp_path):
    proc, _, err = _run(stack_binary, tmp_path, "--bogus")
    assert proc.returncode == 2 and err.count("\n") == 1 and "--bogus" in err
    proc, _, err = _run(stack_binary, tmp_path, timeout_s="soon")
    assert proc.returncode == 2 and "STACK_TIMEOUT_S" in err


def test_an_existing_output_is_never_overwritten(stack_binary, tmp_path):
    out = tmp_path / "stack.json"
    out.write_text("earlier run\n")
    proc, _, err = _run(stack_binary, tmp_path, f"--out={out}", sizes="1MiB")
    assert proc.returncode == 2 and "already exists" in err
    assert out.read_text() == "earlier run\n"


def test_help_documents_the_options(stack_binary, tmp_path):
    proc, out, _ = _run(stack_binary, tmp_path, "--help")
    assert proc.returncode == 0
    for word in ("STACK_SIZES", "STACK_TIMEOUT_S", "--quick", "8MiB,64MiB", "no 1GiB"):
        assert word in out, word


def test_a_child_past_the_bound_is_killed_and_reported(stack_binary, tmp_path):
    # 1GiB takes about a second to exhaust here; 50 ms is far short of it.
    out = tmp_path / "stack.json"
    proc, _, err = _run(stack_binary, tmp_path, "--quick", f"--out={out}", sizes="1GiB",
                        timeout_s=0.05)
    assert proc.returncode == 0, err
    entries = _entries(out)["benchmarks"]
    assert len(entries) == len(STRATEGIES), "one attempt from 512MiB up"
    for e in entries:
        assert e["outcome"] == "timeout", e
        assert e["repetitions"] == 1
        assert e["error_occurred"] is True and e["error_message"].startswith("timeout")
        assert "bytes_per_frame" not in e, "no overflow, so no bytes per frame"
    assert _group_members(proc.pid) == []
    assert sorted(os.listdir(tmp_path)) == ["stack.json"]


def _children_of(pid):
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_kills_the_child_and_writes_nothing(stack_binary, tmp_path, sig):
    out = tmp_path / "stack.json"
    env = dict(os.environ, STACK_SIZES="1GiB")
    env.pop("STACK_TIMEOUT_S", None)
    proc = subprocess.Popen([stack_binary, f"--out={out}"], cwd=tmp_path, env=env,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not _children_of(proc.pid):
            assert time.monotonic() < deadline, "no attempt started"
            time.sleep(0.005)
        time.sleep(0.1)  # into the recursion
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig, err
    assert "interrupted" in err and "nothing written" in err
    assert _group_members(proc.pid) == []
    assert os.listdir(tmp_path) == []


def test_bench_runs_the_suite_and_prints_its_summary(deferbench, tmp_path, monkeypatch):
    monkeypatch.setenv("STACK_SIZES", "1MiB")
    proc = deferbench("bench", "--quick", "--suites", "stack", "--results-dir",
                      str(tmp_path / "r"), "--machine", "test-machine", check_exit=0)
    # The console: a line per case and the brief; the run's summary.txt: all of it.
    assert "chain_stack/1MiB" in proc.stdout
    assert "bytes per frame at 1MiB" in proc.stdout and "(Go, article A: 112)" in proc.stdout
    (run_dir,) = glob.glob(str(tmp_path / "r" / "test-machine" / "*"))
    summary = open(os.path.join(run_dir, "summary.txt")).read()
    assert "target: fewer B/frame than Go" in summary
    # No go suite in this run: the comparison falls back to the article's figure.
    assert "below 112 (article A (no Go run here)): ok" in summary
    assert "4,793,476" in summary
    with open(os.path.join(run_dir, "manifest.json")) as f:
        assert json.load(f)["suites"]["stack"]["status"] == "ok"


def test_the_binary_lists_its_strategies_each_beside_gos_recursion(quick_run):
    """The suite's list of cases pairs each strategy with the go suite's
    recursion of the same mechanism; the rows take Go's figure from there."""
    from deferbench.analysis import cases, results
    from deferbench.suites import stack
    _, cwd, data, _ = quick_run
    listed = cases.from_context(data["context"])
    assert [c.name for c in listed] == STRATEGIES
    assert {c.name: c.go_counterpart for c in listed}["scope_guard"] == "stack/open_coded"
    assert all(c.omits and c.claims == "A6, A7" for c in listed)
    go = {"stack/plain": 48.0, "stack/open_coded": 112.0, "stack/chain_stack": 200.0,
          "stack/chain_heap": 160.0}
    rows = stack.stack_rows(results.load(str(cwd / "stack.json")), go)
    for row in rows:
        assert row.go_here == go[row.go_counterpart], row
