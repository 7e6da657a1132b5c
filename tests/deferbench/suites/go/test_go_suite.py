"""The Go reference suite: skipping without Go, the compiler's diagnostics,
a short real run of the goref benchmarks, the recursion and fd children, and
the summary. Tests that need Go skip when it is not installed."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import FIXTURES
from deferbench.run import runner
from deferbench.suites.go import diagnostics as go_diagnostics
from deferbench.suites.go import fd as go_fd
from deferbench.suites.go import parse as go_parse
from deferbench.suites.go import semantics as go_semantics
from deferbench.suites.go import stack as go_stack
from deferbench.suites.go import suite as go_suite
from deferbench.suites.go import summary as go_summary
from deferbench.suites.go import toolchain as go_toolchain
from deferbench.analysis import results
from deferbench.run import registry
from deferbench.errors import UserError

needs_go = pytest.mark.skipif(shutil.which("go") is None, reason="Go not installed")


@pytest.fixture(scope="module")
def go():
    return go_toolchain.find()


def test_without_go_the_suite_writes_nothing_and_says_how_to_get_it(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no go on it
    suite = registry.SUITES["go"]
    outcome = runner.run_suite(None, suite, suite.settings(True), str(tmp_path), None, True)
    assert outcome["status"] == "skipped"
    assert "apt-get install golang-go golang-src" in outcome["reason"]
    assert os.listdir(tmp_path) == []
    assert "golang-go" in capsys.readouterr().err


def test_a_bad_fd_sweep_stops_before_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("FD_N", "1000,lots")
    with pytest.raises(UserError, match='"lots" is not a number'):
        go_suite.run(str(tmp_path / "go.json"), True, str(tmp_path))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("text", ["12k", "1m", "1M", "12K", "12_000"])
def test_the_go_suite_takes_every_spelling_the_fd_suite_takes(monkeypatch, text):
    """FD_N passes the Go suite's check exactly when it passes the C++ suite's."""
    monkeypatch.setenv("FD_N", text)
    go_suite.check_options()
    assert runner.suite_environment([registry.SUITES["fd"]])["FD_N"] == str(
        {"12k": 12_000, "1m": 1_000_000, "1M": 1_000_000, "12K": 12_000,
         "12_000": 12_000}[text])


@pytest.mark.parametrize("fixture, strategy", [
    ("go_objdump_open_coded.fixture.txt", "open-coded"),
    ("go_objdump_stack_defer.fixture.txt", "stack-allocated"),
])
def test_runtime_defer1_strategy_from_its_machine_code(fixture, strategy):
    with open(os.path.join(FIXTURES, fixture)) as f:
        assert go_diagnostics.strategy_from_disassembly(f.read()) == strategy


@needs_go
def test_the_compiler_reports_the_cliffs(go):
    index = go_diagnostics.FunctionIndex(go_toolchain.MODULE_DIR)
    text = go.check(["build", "-gcflags=-d=defer", "./cliffs", "./defercost"]).stderr
    found = go_diagnostics.defer_strategies(text, index)
    assert found[("cliffs", "nDefers8")] == ["open-coded"] * 8
    assert found[("cliffs", "nDefers9")] == ["stack-allocated"] * 9, "B5: all nine leave"
    assert found[("cliffs", "LoopDeferInLoop")] == ["heap-allocated"]
    assert found[("cliffs", "loopItem")] == ["open-coded"]
    assert found[("defercost", "DeferChainStack")] == ["stack-allocated"] * 9
    escape = go_diagnostics.escapes(
        go.check(["build", "-gcflags=-m=2", "./cliffs"]).stderr, index)
    capturing = escape[("cliffs", "ClosureCapturing")]
    assert "moved to heap: i" in capturing and "func literal escapes to heap" in capturing
    per_item = escape[("cliffs", "ClosurePerItem")]
    assert "moved to heap: f" in per_item and "func literal escapes to heap" in per_item


@needs_go
def test_returns_times_defers_above_15_leave_open_coding(go):
    """R4 as Go 1.19's compiler applies it: 3x5 and 5x3 are 15, open-coded;
    4x4 and 2x8 are 16, every defer on the stack-record path."""
    index = go_diagnostics.FunctionIndex(go_toolchain.MODULE_DIR)
    found = go_diagnostics.defer_strategies(
        go.check(["build", "-gcflags=-d=defer", "./cliffs"]).stderr, index)
    assert found[("cliffs", "exits3x5")] == ["open-coded"] * 5
    assert found[("cliffs", "exits5x3")] == ["open-coded"] * 3
    assert found[("cliffs", "exits4x4")] == ["stack-allocated"] * 4
    assert found[("cliffs", "exits2x8")] == ["stack-allocated"] * 8


@needs_go
def test_the_diagnostics_label_each_fix_over_all_its_functions(go, tmp_path):
    per_case = go_suite._diagnostics(go, str(tmp_path))
    assert per_case["cliffs/fixes/none"]["defer_strategy"] == \
        "mixed: heap-allocated, stack-allocated"
    assert per_case["cliffs/fixes/all"] == {"defer_strategy": "open-coded",
                                            "defer_statements": 9}
    assert per_case["cliffs/fixes/1"]["defer_statements"] == 10  # 9 and the helper's
    assert per_case["cliffs/exits/4x4"]["defer_strategy"] == "stack-allocated"


@needs_go
def test_the_semantics_program_observes_the_rules(go):
    binary = go.path("defersemantics")
    go.check(["build", "-o", binary, "./cmd/defersemantics"])
    found = {e["name"]: e for e in go_semantics.entries(binary, 60)}
    assert not any(e.get("error_occurred") for e in found.values())
    assert found["semantics/lifo"]["events"][-3:] == ["ran 3", "ran 2", "ran 1"]
    assert (found["semantics/eager_args"]["received"],
            found["semantics/eager_args"]["at_return"]) == (1, 2)
    assert found["semantics/panic"]["recovered"] == "boom"
    assert found["semantics/function_scope"]["events"][-1] == "deferred call ran"


def test_semantics_output_that_is_not_json_becomes_errors_not_a_crash():
    found = go_semantics.parse("panic: something\n")
    assert [e["name"] for e in found] == [f"semantics/{x}" for x in go_semantics.EXPERIMENTS]
    assert all(e["error_occurred"] and "no observation" in e["error_message"] for e in found)


@needs_go
def test_goref_go_tests_pass(go):
    proc = go.run(["test", "-count=1", "-run", ".", "./..."])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_go
def test_a_short_run_of_the_goref_benchmarks(go):
    binary = go.path("cliffs.test")
    go.check(["test", "-c", "-o", binary, "./cliffs"])
    pattern = "Cliffs/(loop|ndefers)/(defer_in_loop|helper|plain|8|9)$"
    out = subprocess.run([binary, "-test.run=NONE", f"-test.bench={pattern}", "-test.benchmem",
                          "-test.benchtime=2000x", "-test.count=2"],
                         capture_output=True, text=True, env=go.env, timeout=60, check=True)
    entries = go_parse.to_entries(go_parse.parse(out.stdout), go_suite._own_name)
    by_name = {}
    for e in entries:
        by_name.setdefault(e["name"], []).append(e)
    assert set(by_name) == {"cliffs/loop/defer_in_loop", "cliffs/loop/helper",
                            "cliffs/loop/plain", "cliffs/ndefers/8", "cliffs/ndefers/9"}
    assert all(len(v) == 2 for v in by_name.values())
    loop, helper = by_name["cliffs/loop/defer_in_loop"][0], by_name["cliffs/loop/helper"][0]
    assert loop["allocs_per_op"] == 10 and loop["peak_open"] == 10
    assert helper["allocs_per_op"] == 0 and helper["peak_open"] == 1
    assert all(e["real_time"] > 0 and e["iterations"] == 2000 for e in entries)


@needs_go
def test_the_recursion_depth_is_exact_and_repeatable(go, tmp_path):
    binary = go.path("deferstack")
    go.check(["build", "-o", binary, "./cmd/deferstack"])
    runs = [go_stack.measure(binary, "defer", 4_000_000, 60, str(tmp_path)) for _ in range(2)]
    (first, error), (second, _) = runs
    assert error is None
    assert first["depth"] == second["depth"] > 0
    assert first["limit_bytes"] == 4_000_000
    assert first["stack_bytes"] == 2 * 2**20, "the stack doubles: the last below 4 MB is 2 MiB"
    assert first["bytes_per_frame"] == first["stack_bytes"] / first["depth"]
    assert os.listdir(tmp_path) == [], "the counter file is removed"


def test_a_frame_is_its_prologues_reservation_and_the_return_address():
    with open(os.path.join(FIXTURES, "go_objdump_open_coded.fixture.txt")) as f:
        text = f.read()
    assert "SUBQ $0x28, SP" in text
    assert go_diagnostics.frame_bytes(text) == 0x28 + 8
    assert go_diagnostics.frame_bytes("") is None
    # Go 1.21 on pushes the frame pointer before the reservation: 8 more bytes.
    pushed = ("TEXT main.viaDefer(SB) main.go\n"
              "  main.go:44\t0x49df00\t493b6610\tCMPQ SP, 0x10(R14)\n"
              "  main.go:44\t0x49df06\t55\tPUSHQ BP\n"
              "  main.go:44\t0x49df07\t4889e5\tMOVQ SP, BP\n"
              "  main.go:44\t0x49df0a\t4883ec10\tSUBQ $0x10, SP\n"
              "  main.go:47\t0x49df35\te8c6ffffff\tCALL main.viaDefer(SB)\n")
    assert go_diagnostics.frame_bytes(pushed) == 0x10 + 8 + 8
    # arm64's prologue reads differently: no figure rather than a wrong one.
    arm64 = "TEXT main.f(SB) f.go\n  f.go:3\t0x1\tf81e0ffe\tMOVD.W R30, -32(RSP)\n"
    assert go_diagnostics.frame_bytes(arm64) is None


@needs_go
@pytest.mark.skipif(os.uname().machine != "x86_64", reason="frames are read from amd64 code")
def test_the_machine_codes_frames_account_for_every_byte_of_the_recursion(go, tmp_path):
    binaries = {"shipped": go.path("deferstack"), "noopendefer": go.path("deferstack-noopen")}
    go.check(["build", "-o", binaries["shipped"], "./cmd/deferstack"])
    go.check(["build", "-o", binaries["noopendefer"], "-gcflags=-d=noopendefer",
              "./cmd/deferstack"])
    layout = go_stack.frame_layout(lambda binary, symbol: go_suite._objdump(go, binary, symbol),
                                   binaries)
    assert set(layout) == set(go_stack.CASES)
    # A record on the chain runs its call from deferreturn, whose frame stays.
    assert "deferreturn_frame_bytes" in layout["stack/chain_stack"]
    assert "deferreturn_frame_bytes" not in layout["stack/open_coded"]
    for name, (variant, mode) in go_stack.CASES.items():
        fields, error = go_stack.measure(binaries[variant], mode, 4_000_000, 60, str(tmp_path))
        assert error is None
        # The stack's last frame is partly used: within a thousandth, not exact.
        assert fields["bytes_per_frame"] == pytest.approx(
            layout[name]["frame_bytes_per_level"], rel=1e-3), name


@needs_go
def test_fd_measures_what_the_limits_allow_and_names_the_limit(go, tmp_path):
    binary = go.path("deferfd")
    go.check(["build", "-o", binary, "./cmd/deferfd"])
    open_before = sorted(os.listdir("/proc/self/fd"))
    entries, context = go_fd.entries(binary, [200, 10**9], 1, 60, str(tmp_path))
    assert sorted(os.listdir("/proc/self/fd")) == open_before
    assert os.listdir(tmp_path) == [], "the files are removed"
    by_name = {e["name"]: e for e in entries}
    measured = by_name["fd/200"]
    assert not measured.get("error_occurred")
    assert measured["files"] == 200 and measured["vm_peak_bytes"] > measured["max_rss_bytes"] > 0
    assert "fd/plain/200" in by_name
    skipped = by_name[f"fd/{10**9}"]
    assert skipped["error_occurred"] and "RLIMIT_NOFILE" in skipped["error_message"]
    assert "real_time" not in skipped, "not measured is absent, never zero"
    assert context["fd_rlimit_nofile_hard"] > 0
    # The largest N the limits allow is measured in place of the one they stop.
    largest = by_name[f"fd/{context['fd_max_n']}"]
    assert not largest.get("error_occurred") and largest["n_origin"].startswith("the largest")
    # The halves, at every N the machine's memory allows: the user-space half on
    # descriptor numbers that cannot be open, the kernel half in batches.
    nofd, kernel = by_name["fd/nofd/200"], by_name["fd/kernel/200"]
    assert not nofd.get("error_occurred") and not kernel.get("error_occurred")
    assert nofd["descriptor_base"] >= context["fd_rlimit_nofile_hard"]
    assert nofd["read_error"] == "EBADF", "the chosen number was not open"
    assert nofd["vm_peak_bytes"] > nofd["max_rss_bytes"] > 0
    assert kernel["batch"] == 200 and kernel["ns_per_file"] > 0
    assert by_name[f"fd/kernel/{context['fd_max_n']}"]["batch"] == context["fd_max_n"]
    for half in ("nofd", "kernel"):
        beyond = by_name[f"fd/{half}/{10**9}"]
        assert beyond["error_occurred"] and "MemAvailable" in beyond["error_message"]


@needs_go
def test_fd_opens_the_files_the_cpp_suite_left_in_a_shared_folder(go, build_dir, tmp_path,
                                                                   monkeypatch):
    """make bench's FD_FILES: the C++ suite fills the folder, the go suite opens
    the same files by the same names and creates none."""
    binary = go.path("deferfd")
    go.check(["build", "-o", binary, "./cmd/deferfd"])
    shared = tmp_path / "shared"
    shared.mkdir()
    cpp = subprocess.run([os.path.join(build_dir, "suites", "fd", "fd"), "--quick",
                          f"--out={tmp_path / 'fd.json'}"],
                         env=dict(os.environ, FD_N="300", FD_FILES=str(shared)),
                         capture_output=True, text=True, timeout=120)
    assert cpp.returncode == 0, cpp.stderr
    made = {name: os.stat(shared / name).st_ino for name in os.listdir(shared)}
    assert len(made) == 300
    monkeypatch.setenv("FD_FILES", str(shared))
    entries, _ = go_fd.entries(binary, [300], 1, 60, str(tmp_path / "unused"))
    by_name = {e["name"]: e for e in entries}
    for name in ("fd/300", "fd/plain/300", "fd/kernel/300"):
        assert not by_name[name].get("error_occurred"), by_name[name].get("error_message")
    assert {name: os.stat(shared / name).st_ino for name in os.listdir(shared)} == made


def test_fd_adds_the_files_a_shared_folder_lacks_in_the_cpp_suites_form(tmp_path):
    (tmp_path / "1").write_text("not ours\n")
    go_fd.create_files(str(tmp_path), 3)
    assert [(tmp_path / str(k)).read_text() for k in range(3)] == ["0\n", "not ours\n", "2\n"]


def test_the_summary_puts_go_beside_the_articles():
    suite = results.load(os.path.join(FIXTURES, "go_suite_quick.fixture.json"))
    lines = go_summary.go_summary(suite)
    text = "\n".join(lines)
    assert "35.4 ns" in text and "5.6 ns" in text and "4.4 ns" in text
    assert "698.4 ns/op" in text and "234.1 ns/op" in text and "4,793,476" in text
    rows = {r.case: r for r in go_summary.go_rows(suite)}
    assert rows["cliffs/ndefers/9"].detail.endswith("stack-allocated")
    assert rows["stack/open_coded"].median == suite.benchmarks["stack/open_coded"].counter(
        "depth")[0]
    assert "not measured: fd/100000" in text


def test_the_manifest_records_the_go_toolchain_that_ran(tmp_path):
    from deferbench.run import folder
    manifest = folder.Manifest(str(tmp_path), {"toolchain": {}})
    runner._record_go_toolchain(manifest, os.path.join(FIXTURES, "go_suite_quick.fixture.json"))
    go = json.loads((tmp_path / "manifest.json").read_text())["toolchain"]["go_run"]
    assert go["go_version"].startswith("go version go")
    assert go["go_arch"] and go["go_maxprocs"] >= 1


def test_go_caches_are_absolute_whatever_build_folder_is_named(tmp_path, monkeypatch):
    """make passes BUILD_DIR as typed (often relative); Go refuses a relative
    GOCACHE, and its commands run in goref/, so the toolchain's paths are made
    absolute where the build folder is named."""
    from deferbench.suites.go import toolchain
    if shutil.which("go") is None:
        pytest.skip("needs Go")
    monkeypatch.chdir(tmp_path)
    go = toolchain.find("relative-build")
    for name in ("GOCACHE", "GOPATH", "GOMODCACHE"):
        assert os.path.isabs(go.env[name]), name
    assert go.work_dir == str(tmp_path / "relative-build" / "go")
    assert go.check(["env", "GOCACHE"]).stdout.strip() == go.env["GOCACHE"]


def test_the_frame_layout_reads_newer_prologues_and_a_function_inlined_into_itself():
    """Go 1.24's code, as objdump prints it: a 128-byte reservation written
    ADDQ $-0x80, SP, the frame pointer pushed first, and the plain recursion
    inlined one level into itself (two increments of *depth per call)."""
    def line(op):
        return f"  main.go:1\t0x1\t00\t{op}\n"
    prologue = line("CMPQ SP, 0x10(R14)") + line("PUSHQ BP") + line("MOVQ SP, BP")
    code = {
        "main.viaDefer": prologue + line("SUBQ $0x10, SP") + line("INCQ 0(AX)")
        + line("CALL main.viaDefer(SB)"),
        "main.viaLoopDefer": prologue + line("SUBQ $0x10, SP") + line("INCQ 0(AX)")
        + line("CALL runtime.deferproc(SB)"),
        "main.viaCall": prologue + line("INCQ 0(AX)") + line("INCQ 0(AX)")
        + line("CALL main.viaCall(SB)"),
        "runtime.deferreturn": prologue + line("ADDQ $-0x80, SP") + line("RET"),
    }

    def objdump(binary, symbol):
        name = symbol.strip("^$").replace("\\", "")
        return f"TEXT {name}(SB) f.go\n" + code[name]

    layout = go_stack.frame_layout(objdump, {"shipped": "a", "noopendefer": "b"})
    assert layout["stack/open_coded"]["frame_bytes_per_level"] == 0x10 + 16
    assert layout["stack/chain_stack"]["deferreturn_frame_bytes"] == 0x80 + 16
    assert layout["stack/plain"]["levels_per_call"] == 2
    assert layout["stack/plain"]["frame_bytes_per_level"] == 16 // 2


def _prebuild_with(monkeypatch, go, build=None):
    """prebuild() over a fake toolchain whose build succeeds (writing empty
    binaries), or runs `build` instead."""
    def built(g, _have_runtime_src, _jobs):
        for path in go_suite._binaries(g).values():
            open(path, "w").close()
        return True
    monkeypatch.setattr(go_toolchain, "find", lambda _build: go)
    monkeypatch.setattr(go, "goenv", lambda *_names: {"GOROOT": "/nonexistent"})
    monkeypatch.setattr(go_suite, "_build_quietly", build or built)


def test_a_run_takes_only_the_binaries_its_own_make_bench_prebuilt(tmp_path, monkeypatch):
    go = go_toolchain.Go("/usr/bin/go", str(tmp_path), {})
    _prebuild_with(monkeypatch, go)
    go_suite.prebuild(str(tmp_path), token="1765120000.5")
    monkeypatch.setenv(go_suite.PREBUILD_TOKEN, "1765120000.5")
    assert go_suite._prebuilt(go, have_runtime_src=False)
    for key in go_suite.RUNTIME_TESTS:  # not built without GOROOT's sources
        os.unlink(go.path(key))
    assert go_suite._prebuilt(go, have_runtime_src=False)
    # Another make bench, another toolchain, the runtime's tests expected, a
    # binary gone: each compiles again.
    assert not go_suite._prebuilt(go, have_runtime_src=True)
    assert not go_suite._prebuilt(go_toolchain.Go("/usr/lib/go-1.22/bin/go", str(tmp_path), {}),
                                  have_runtime_src=False)
    monkeypatch.setenv(go_suite.PREBUILD_TOKEN, "1765129999.0")
    assert not go_suite._prebuilt(go, have_runtime_src=False)
    monkeypatch.delenv(go_suite.PREBUILD_TOKEN)
    assert not go_suite._prebuilt(go, have_runtime_src=False)
    monkeypatch.setenv(go_suite.PREBUILD_TOKEN, "1765120000.5")
    os.unlink(go.path("deferfd"))
    assert not go_suite._prebuilt(go, have_runtime_src=False)


def test_a_prebuild_goes_one_at_a_time_until_one_has_completed_with_its_go(tmp_path,
                                                                          monkeypatch):
    """Cold, side-by-side go commands would each compile what they share;
    after a completed prebuild with the same go they only hash."""
    go = go_toolchain.Go("/usr/bin/go", str(tmp_path), {})
    jobs = []

    def built(g, _have_runtime_src, at_once):
        jobs.append(at_once)
        return True
    _prebuild_with(monkeypatch, go, built)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    go_suite.prebuild(str(tmp_path), token="1.0")
    go_suite.prebuild(str(tmp_path), token="2.0")
    assert jobs == [1, 3]
    other = go_toolchain.Go("/usr/lib/go-1.22/bin/go", str(tmp_path), {})
    _prebuild_with(monkeypatch, other, built)
    go_suite.prebuild(str(tmp_path), token="3.0")
    assert jobs == [1, 3, 1]


@pytest.mark.parametrize("have_runtime_src", [True, False])
def test_the_build_steps_write_each_binary_once(tmp_path, have_runtime_src):
    """A warm prebuild runs them side by side: each writes a binary of its own,
    and together they are every binary the run takes from a prebuild."""
    go = go_toolchain.Go("/usr/bin/go", str(tmp_path), {})
    outputs = [args[args.index("-o") + 1]
               for _, step in go_suite._build_steps(go, have_runtime_src) for args, _ in step]
    assert len(outputs) == len(set(outputs))
    assert set(outputs) == {path for key, path in go_suite._binaries(go).items()
                            if have_runtime_src or key not in go_suite.RUNTIME_TESTS}


def test_a_prebuild_that_fails_or_has_no_token_leaves_no_stamp(tmp_path, monkeypatch):
    go = go_toolchain.Go("/usr/bin/go", str(tmp_path), {})
    _prebuild_with(monkeypatch, go)
    go_suite.prebuild(str(tmp_path), token="1.0")
    assert os.path.exists(go.path(go_suite.PREBUILT))

    def broken(*_):  # a go command failed (no space left on device)
        return False
    _prebuild_with(monkeypatch, go, broken)
    go_suite.prebuild(str(tmp_path), token="2.0")  # quiet: the run's own build says it again
    assert not os.path.exists(go.path(go_suite.PREBUILT))
    monkeypatch.setenv(go_suite.PREBUILD_TOKEN, "1.0")
    assert not go_suite._prebuilt(go, have_runtime_src=False)
    _prebuild_with(monkeypatch, go)
    go_suite.prebuild(str(tmp_path))
    assert not os.path.exists(go.path(go_suite.PREBUILT))


def test_make_bench_gives_its_prebuild_and_its_run_one_token():
    import re
    from conftest import ROOT
    proc = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "-n", "bench",
                           "PYTHON=python3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    prebuilt = re.findall(r"deferbench prebuild .*--token (\S+)", proc.stdout)
    run = re.findall(rf"{go_suite.PREBUILD_TOKEN}=(\S+)", proc.stdout)
    started = re.findall(r"deferbench bench .*--started-at (\S+)", proc.stdout)
    assert len(prebuilt) == 1 and run == prebuilt == started, proc.stdout
