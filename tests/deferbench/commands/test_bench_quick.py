"""End to end: a QUICK=1 run of defer_cost, and the bad inputs of `bench`.

These run the real suite binary, so they check what a user gets: the run
folder, Google Benchmark's JSON with our counters, and the manifest."""

import glob
import json
import os

import pytest

from deferbench.analysis import paired
from deferbench.run import callgrind, cpu_turns

CASES = ["call", "scope_guard", "open_coded_bits", "chain_stack", "chain_heap",
         "chain_heap_pooled", "floor_chain", "go_open_coded", "go_stack_record",
         "go_heap_record", "std_function_guard"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, build_dir):
    import subprocess, sys
    from conftest import ROOT
    results_dir = tmp_path_factory.mktemp("results")
    proc = subprocess.run(
        [sys.executable, "-m", "deferbench", "bench", "--quick", "--suites", "defer_cost",
         "--results-dir", str(results_dir), "--build-dir", build_dir, "--machine", "test-machine",
         "--site", str(results_dir.with_name(results_dir.name + "-site"))],
        capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (run_dir,) = glob.glob(str(results_dir / "test-machine" / "*"))
    return proc, run_dir


def _suite(run_dir):
    with open(os.path.join(run_dir, "defer_cost.json")) as f:
        return json.load(f)


def test_the_run_folder_holds_the_suite_and_a_complete_manifest(quick_run):
    _, run_dir = quick_run
    files = set(os.listdir(run_dir))
    results = {f for f in files if f.endswith(".json")}
    assert results == {"defer_cost.json", "defer_cost.pairs.json", "manifest.json",
                       "claims.json"}
    # The suite's raw console output, the report the run ends with, and nothing else.
    assert files - results == {"defer_cost.log", "summary.txt", "report.md", "report.html",
                               "bench.txt", "results.csv"} | {
        f"chart_{name}.{ext}" for name in ("defer_cost", "counters") for ext in ("png", "svg")}
    with open(os.path.join(run_dir, "manifest.json")) as f:
        manifest = json.load(f)
    assert manifest["status"] == "complete"
    assert manifest["suites"]["defer_cost"]["status"] == "ok"
    for key in ("machine", "toolchain", "build", "git", "perf_events"):
        assert key in manifest
    assert manifest["build"]["type"] == "Release"
    assert {e["name"] for e in manifest["perf_events"]} >= {"cycles", "perf::TASK-CLOCK"}


def test_the_last_line_says_where_the_time_went(quick_run):
    proc, run_dir = quick_run
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("deferbench: times: checks ") and "defer_cost " in last
    assert "; total " in last and "build" not in last  # no --started-at: make's build unknown
    with open(os.path.join(run_dir, "manifest.json")) as f:
        manifest = json.load(f)
    assert set(manifest["times"]) == {"build_s", "checks_s", "report_s", "total_s"}
    assert manifest["times"]["build_s"] is None
    step = manifest["suites"]["defer_cost"]
    # The suite's whole step holds its process and its paired measurement (each
    # figure rounded to 10 ms).
    assert step["step_seconds"] >= step["seconds"] + step["pairs_seconds"] - 0.02
    assert manifest["times"]["total_s"] >= step["step_seconds"]


def test_every_case_has_its_repetitions_and_aggregates(quick_run):
    _, run_dir = quick_run
    entries = _suite(run_dir)["benchmarks"]
    for case in CASES:
        reps = [e for e in entries if e["run_name"] == case and e["run_type"] == "iteration"]
        aggs = {e["aggregate_name"] for e in entries
                if e["run_name"] == case and e["run_type"] == "aggregate"}
        assert len(reps) == 3, case
        assert {"median", "cv"} <= aggs, case
        assert all(r["real_time"] > 0 for r in reps), case


def test_allocation_counts_match_each_strategy(quick_run):
    _, run_dir = quick_run
    reps = [e for e in _suite(run_dir)["benchmarks"] if e["run_type"] == "iteration"]
    for e in reps:
        expected = 1.0 if e["run_name"] == "chain_heap" else 0.0
        assert e["allocs_per_op"] == pytest.approx(expected, abs=1e-6), e["run_name"]


def test_unavailable_events_are_absent_never_zero(quick_run):
    _, run_dir = quick_run
    with open(os.path.join(run_dir, "manifest.json")) as f:
        statuses = {e["name"]: e["status"] for e in json.load(f)["perf_events"]}
    # counters_off/ cases leave the perf counters unread on purpose.
    reps = [e for e in _suite(run_dir)["benchmarks"]
            if e["run_type"] == "iteration" and not e["run_name"].startswith("counters_off/")]
    for name, status in statuses.items():
        present = [name in e for e in reps]
        if status == "counted":
            assert all(present), name
        else:
            assert not any(present), f"{name} is {status} but appears in the results"
    if "IPC" in reps[0]:
        assert statuses["cycles"] == statuses["instructions"] == "counted"


def test_the_counters_overhead_case_reads_no_perf_counters(quick_run):
    _, run_dir = quick_run
    reps = [e for e in _suite(run_dir)["benchmarks"]
            if e["run_type"] == "iteration" and e["run_name"] == "counters_off/call"]
    assert reps, "the overhead baseline ran"
    assert not any(k.startswith("perf::") for e in reps for k in e)
    assert all("allocs_per_op" in e for e in reps)


def test_the_summary_shows_ratios_and_the_article(quick_run):
    proc, _ = quick_run
    assert "ratio to `call`" in proc.stdout
    assert "counters: `call` with perf counters read / without" in proc.stdout
    assert "35.4 ns (A1)" in proc.stdout
    assert "counters:" in proc.stdout


def test_an_unknown_suite_stops_before_anything_runs(deferbench, tmp_path):
    proc = deferbench("bench", "--suites", "nope", "--results-dir", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, "one line"
    assert "unknown suite 'nope'" in proc.stderr
    assert not (tmp_path / "r").exists()


def test_an_unknown_event_stops_before_anything_runs(deferbench, tmp_path):
    proc = deferbench("bench", "--quick", "--events", "cycles,instructons",
                      "--results-dir", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "unknown perf event 'instructons'" in proc.stderr
    assert "INSTRUCTIONS" in proc.stderr, "suggests the closest names"
    assert not any((tmp_path / "r").rglob("*.json"))


def test_an_unwritable_results_folder_stops_before_anything_runs(deferbench, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = deferbench("bench", "--quick", "--results-dir", str(blocker / "results"))
    assert proc.returncode == 2
    assert "results folder" in proc.stderr


@pytest.mark.skipif(not callgrind.available(), reason="valgrind not installed")
def test_callgrind_counts_are_repeatable_and_open_coding_is_free(build_dir):
    binary = os.path.join(build_dir, "suites", "defer_cost", "defer_cost")
    first = callgrind.count(binary, iterations=20_000, extra_args=["--benchmark_filter=^(call|scope_guard|chain_heap)(/|$)"])
    second = callgrind.count(binary, iterations=20_000, extra_args=["--benchmark_filter=^(call|scope_guard|chain_heap)(/|$)"])
    assert first == second, "the same binary gives the same instruction counts"
    assert abs(first["scope_guard"]["instructions_per_op"] - first["call"]["instructions_per_op"]) <= 1
    assert first["chain_heap"]["instructions_per_op"] > first["call"]["instructions_per_op"] + 10


def test_every_strategy_has_a_paired_ratio_to_call_with_its_interval(quick_run):
    _, run_dir = quick_run
    figures = [e for e in _suite(run_dir)["benchmarks"] if e.get("aggregate_name") == "paired"]
    entries = [e for e in figures if e["run_name"] != "counters_on/call"]
    assert sorted(e["run_name"] for e in entries) == sorted(c for c in CASES if c != "call")
    for e in entries:
        assert e["reference"] == "call"
        assert e["pairs_kept"] + e["pairs_dropped"] == e["pairs"] == 60  # 10 processes x 6
        if paired.usable(e):
            assert e["ratio_ci_low"] <= e["ratio"] <= e["ratio_ci_high"]
            assert e["min_ns"] <= e["median_ns"]
        else:
            # A loaded machine can disturb every pair of most processes (a
            # context switch in a chunk drops its pair): then there is no
            # interval, and the entry says why rather than showing one.
            assert e["processes"] < paired.MIN_PAIRS
            assert paired.unmeasured_reason(e).startswith("not measured: ")
    (overhead,) = [e for e in figures if e["run_name"] == "counters_on/call"]
    assert overhead["reference"] == "counters_off/call"
    assert overhead["pairs"] == 20, "a fifth of 60, at least 12, over 10 processes: 10 x 2"


def test_the_paired_processes_take_the_cpus_in_turn_a_block_each(quick_run):
    _, run_dir = quick_run
    with open(os.path.join(run_dir, "defer_cost.pairs.json")) as f:
        raw = json.load(f)
    cpus = cpu_turns.usable()
    for p in raw["pairs"]:
        by_process = dict(zip(p["process"], p["cpu"]))
        # A QUICK series runs every round (no early stop), so the k-th process
        # of a pair ran in round k.
        ran = [by_process[k] for k in sorted(by_process)]
        assert ran == [str(cpu_turns.for_unit(k, cpus)) for k in range(10)], p["subject"]
    entries = [e for e in _suite(run_dir)["benchmarks"] if e.get("aggregate_name") == "paired"]
    assert {e["cpus"] for e in entries} == {min(len(cpus), 4)}, "10 rounds, 3 to a CPU"


def _set_paired(run_dir, figures):
    """Gives the run's defer_cost paired entries these {case: (ratio, low, high)}
    figures, each with an interval: a loaded machine can leave a quick run's
    entry with too few processes for one, and what these tests check must not
    depend on that."""
    path = os.path.join(run_dir, "defer_cost.json")
    with open(path) as f:
        suite = json.load(f)
    for e in suite["benchmarks"]:
        if e.get("aggregate_name") == "paired" and e["run_name"] in figures:
            e["ratio"], e["ratio_ci_low"], e["ratio_ci_high"] = figures[e["run_name"]]
            e["processes"] = max(e["processes"], paired.MIN_PAIRS)
    with open(path, "w") as f:
        json.dump(suite, f)


def test_the_machine_comparison_takes_the_paired_ratio_where_the_run_has_one(quick_run,
                                                                              tmp_path):
    import shutil
    from deferbench.analysis import machine_comparison
    from deferbench.run import folder
    _, run_dir = quick_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    _set_paired(copy, {"chain_stack": (3.25, 3.0, 3.5)})
    (label, cells), = machine_comparison.machine_table({"m": folder.load(str(copy))})
    _, _, ratio, interval = next(c for c in cells if c[0] == "C++ chain_stack")
    assert (ratio, interval) == (3.25, (3.0, 3.5))


def test_the_report_names_the_runs_whose_paired_ratio_moved_beyond_its_interval(quick_run,
                                                                                 tmp_path):
    import shutil
    from deferbench.analysis import paired_runs
    from deferbench.run import folder
    _, run_dir = quick_run
    machine = tmp_path / "test-machine"
    older, newer = machine / "20260101T000000Z", machine / "20260102T000000Z"
    for dst, started in ((older, "2026-01-01T00:00:00+00:00"), (newer, "2026-01-02T00:00:00+00:00")):
        shutil.copytree(run_dir, dst)
        manifest = json.loads((dst / "manifest.json").read_text())
        manifest.update(run_id=dst.name, started=started)
        manifest["options"]["quick"] = False
        (dst / "manifest.json").write_text(json.dumps(manifest))
    # chain_stack's older figure wholly above the newer's interval; scope_guard
    # the same in both.
    _set_paired(newer, {"chain_stack": (3.25, 3.0, 3.5), "scope_guard": (1.0, 0.99, 1.01)})
    _set_paired(older, {"chain_stack": (6.5, 6.0, 7.0), "scope_guard": (1.0, 0.99, 1.01)})
    found = paired_runs.rows(folder.load(str(newer)))
    rows = {name: differ for name, _, _, differ in found}
    assert rows["defer_cost/chain_stack"] == ["20260101T000000Z"]
    assert rows["defer_cost/scope_guard"] == [], "the same figures overlap"
    # Both copies name the same binary: the older run tests the newer's
    # intervals as a repeat would, and all but the moved ratio are held.
    held, ratios, runs = paired_runs.same_binary_coverage(found)
    assert (held, ratios, runs) == (len(found) - 1, len(found), 1)
    manifest = json.loads((older / "manifest.json").read_text())
    assert len(manifest["suites"]["defer_cost"]["binary_sha256"]) == 64
    manifest["suites"]["defer_cost"]["binary_sha256"] = "0" * 64
    (older / "manifest.json").write_text(json.dumps(manifest))
    found = paired_runs.rows(folder.load(str(newer)))
    assert paired_runs.same_binary_coverage(found) == (0, 0, 0), "another binary is no repeat"


def test_the_console_names_every_case_and_keeps_google_benchmarks_table_in_the_log(
        quick_run):
    proc, run_dir = quick_run
    lines = proc.stdout.splitlines()
    progress = [line for line in lines if line.split()[:1] == ["defer_cost"]]
    for case in CASES:
        assert any(f"  {case} " in line or f", {case} " in line for line in progress), case
    import re
    assert re.search(r"\b(\d+)/\1\b", proc.stdout)  # the last case: all done
    assert "Iterations" not in proc.stdout and "_stddev" not in proc.stdout
    log = open(os.path.join(run_dir, "defer_cost.log")).read()
    assert "Iterations" in log and "call_median" in log
    assert all(len(line) <= 160 and "nan" not in line.lower() for line in lines)


@pytest.mark.parametrize("setting, expected", [
    ({"FD_N": "-5"}, "FD_N=\"-5\": \"-5\" is negative"),
    ({"FD_N": "lots"}, "\"lots\" is not a number"),
    ({"STACK_SIZES": "0"}, "'0' has no unit"),
    ({"STACK_SIZES": "8MB"}, "'8MB' is not a size"),
    ({"FD_SYSTEM": "maybe"}, "FD_SYSTEM=\"maybe\": accepted values are 1/0, yes/no"),
    ({"STACK_TIMEOUT_S": "soon"}, "STACK_TIMEOUT_S: 'soon'"),
])
def test_a_bad_suite_setting_is_refused_before_a_run_folder_exists(deferbench, tmp_path,
                                                                   setting, expected):
    import subprocess, sys
    from conftest import ROOT
    results = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "deferbench", "bench", "--quick", "--suites", "stack,fd,go",
         "--results-dir", str(results), "--site", str(tmp_path / "site"), "--build-dir",
         os.environ.get("DEFERBENCH_BUILD_DIR", os.path.join(ROOT, "build"))],
        capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts"), **setting))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr, proc.stderr
    assert proc.stdout == ""
    assert not results.exists() or list(results.iterdir()) == []


def test_sizes_take_the_spellings_people_type(build_dir):
    import subprocess
    binary = os.path.join(build_dir, "suites", "stack", "stack")
    for sizes in ("8M,16m", "64MiB,1G", "512K"):
        proc = subprocess.run([binary, "--check-options"], capture_output=True, text=True,
                              env=dict(os.environ, STACK_SIZES=sizes))
        assert proc.returncode == 0, (sizes, proc.stderr)


def test_empty_lists_mean_the_defaults_and_none_counts_no_event(deferbench, tmp_path):
    from deferbench.run import registry
    # SUITES= left empty is every suite, in the registry's order (what make passes).
    assert [s.name for s in registry.select("")] == list(registry.SUITES)
    assert [s.name for s in registry.select(" fd, ,stack")] == ["fd", "stack"]
    run = deferbench("bench", "--quick", "--suites", "defer_cost", "--events", "none",
                     "--machine", "m", "--results-dir", str(tmp_path), check_exit=0)
    assert "counters: none counted" in run.stdout
    (run_dir,) = glob.glob(str(tmp_path / "m" / "*"))
    entries = _suite(run_dir)["benchmarks"]
    assert not any(k.startswith("perf::") for e in entries for k in e)


def test_make_export_prints_only_the_export(tmp_path):
    import subprocess
    from conftest import ROOT
    from runcopies import BASE
    proc = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "export", f"RUN={BASE}",
                           "FORMAT=csv"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("machine_id,"), proc.stdout[:200]


def _is_warning(line):
    """A line that warns of the machine's noise ('!' or 'WARNING'): how many a
    run prints depends on the machine's load, so they are counted apart."""
    return line.lstrip().startswith(("!", "WARNING"))


def test_a_quick_run_of_every_suite_fits_a_console(deferbench, tmp_path):
    """All suites, QUICK: at most 120 lines besides the noise warnings, none
    over 160 characters, no nan, a line per case, and each suite's full summary
    kept in summary.txt. The budget is for what the run always prints: the
    warnings a noisy machine adds are counted apart, so that a loaded machine
    neither passes nor fails this test by its load."""
    proc = deferbench("bench", "--quick", "--machine", "m", "--results-dir", str(tmp_path),
                      check_exit=0)
    lines = proc.stdout.splitlines()
    content = [x for x in lines if not _is_warning(x)]
    assert len(content) <= 120, "\n".join(content)
    assert [x for x in lines if len(x) > 160 or "nan" in x.lower()] == []
    (run_dir,) = glob.glob(str(tmp_path / "m" / "*"))
    summary = open(os.path.join(run_dir, "summary.txt")).read()
    for title in ("defer_cost: one defer per strategy", "cliff 2, n defers in one frame",
                  "stack: recursion through defer", "fd: N files"):
        assert title in summary
    assert "\x1b" not in proc.stdout  # no control characters: plain lines for a CI log
    # The Go benchmarks carry the perf events the launcher counted, per op, under the
    # C++ suites' names; those not counted are absent, with their reason in the context.
    # A counted one is a positive figure, or (where the two runs' noise exceeded the
    # ops' worth, as a loaded machine can make it) absent with what it read.
    go = json.load(open(os.path.join(run_dir, "go.json")))
    statuses = {e["name"]: e["status"] for e in go["context"]["go_perf_events"]}
    entry = next(e for e in go["benchmarks"] if e["name"] == "runtime/BenchmarkDefer")
    noise = entry.get("perf_not_measured", {})
    for name, status in statuses.items():
        assert (name in entry or name in noise) == (status == "counted"), name
    if "perf::TASK-CLOCK" in entry:
        assert entry["perf::TASK-CLOCK"] > 0


def test_the_binary_describes_every_case_and_the_report_shows_each_omission(quick_run):
    """One list of cases, the binary's: the JSON context holds it, the pairs
    follow it, and the report gives each case's one-line omission."""
    from deferbench.analysis import cases
    _, run_dir = quick_run
    suite = _suite(run_dir)
    described = cases.from_context(suite["context"])
    measured = {e["run_name"] for e in suite["benchmarks"] if e["run_type"] == "iteration"}
    assert {c.name for c in described} == measured
    assert all(c.omits and "\n" not in c.omits for c in described)
    models = [c for c in described if c.kind == "go_model"]
    assert {c.name for c in models} == {"go_open_coded", "go_stack_record", "go_heap_record"}
    assert all(c.go_counterpart.startswith("defer_cost/") for c in models)
    floors = {c.name: c for c in described if c.kind == "floor"}
    assert {"scope_guard", "floor_chain"} <= set(floors)
    assert floors["floor_chain"].go_counterpart == "defer_cost/chain_stack"
    paired_cases = {e["run_name"] for e in suite["benchmarks"]
                    if e.get("aggregate_name") == "paired"}
    assert {c.name for c in described if c.pair} <= paired_cases
    report = open(os.path.join(run_dir, "report.md")).read()
    section = report.split("## The C++ cases", 1)[1].split("\n## ", 1)[0]
    for c in described:
        if c.kind != "harness":
            assert f"| {c.name} |" in section and c.omits in section, c.name


def test_the_first_screen_sets_the_models_of_gos_mechanisms_and_their_floors_beside_go(quick_run):
    """Where the run has models of Go's mechanisms, the C++ column shows them,
    not the lighter analogs; each mechanism's floor is found by its kind."""
    from deferbench.analysis import report_data
    from deferbench.run import folder
    _, run_dir = quick_run
    run = folder.load(run_dir)
    assert report_data.stand_in(run, "defer_cost/call") == "call"
    assert report_data.stand_in(run, "defer_cost/open_coded") == "go_open_coded"
    assert report_data.stand_in(run, "defer_cost/chain_stack") == "go_stack_record"
    assert report_data.stand_in(run, "defer_cost/chain_heap") == "go_heap_record"
    assert report_data.floor_of(run, "defer_cost/open_coded") == "scope_guard"
    assert report_data.floor_of(run, "defer_cost/chain_stack") == "floor_chain"
    assert [c.cpp_case for c in report_data.headline(run)] == \
        ["call", "go_open_coded", "go_stack_record"]
    report = open(os.path.join(run_dir, "report.md")).read()
    three = report.split("## The three cases", 1)[1].split("\n## ", 1)[0]
    assert "go_open_coded / call" in three and "go_stack_record / call" in three
