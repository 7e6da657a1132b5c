"""The grammar of every input (inputs.py): switches and counts, what each
accepts and how it refuses, and the same answer from make, the command line
and both suites that read FD_N."""

import argparse
import json
import glob
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from deferbench import inputs
from deferbench.errors import UserError
from deferbench.run import registry, runner
from deferbench.suites import fd as fd_suite


@pytest.mark.parametrize("text", ["1", "yes", "YES", "true", "True", "on", " On "])
def test_a_switch_is_on_for_each_word_of_yes(text):
    assert inputs.switch("QUICK", text) is True


@pytest.mark.parametrize("text", ["0", "no", "No", "false", "FALSE", "off", "", None])
def test_a_switch_is_off_for_each_word_of_no_and_for_empty(text):
    assert inputs.switch("QUICK", text) is False


@pytest.mark.parametrize("text", ["maybe", "2", "y", "enable", "1 0"])
def test_a_switch_refuses_anything_else_in_one_line_naming_it(text):
    with pytest.raises(UserError) as e:
        inputs.switch("QUICK", text)
    assert str(e.value) == (f'QUICK="{text}": accepted values are 1/0, yes/no, '
                            "true/false, on/off, or empty")


def test_a_switch_option_alone_is_on_and_takes_the_makefiles_value():
    p = argparse.ArgumentParser()
    inputs.add_switch(p, "--quick", "QUICK", "a short run")
    assert p.parse_args([]).quick is False
    assert p.parse_args(["--quick"]).quick is True
    assert p.parse_args(["--quick", ""]).quick is False  # `make bench` without QUICK=
    assert p.parse_args(["--quick", "0"]).quick is False
    assert p.parse_args(["--quick", "on"]).quick is True
    with pytest.raises(UserError, match='QUICK="maybe"'):
        p.parse_args(["--quick", "maybe"])


@pytest.mark.parametrize("text, expected", [
    ("12k", [12_000]), ("12K", [12_000]), ("1m", [1_000_000]), ("1M", [1_000_000]),
    ("250_000", [250_000]), ("1_000k", [1_000_000]), (" 10k , 1k,10000 ", [1_000, 10_000]),
    ("7", [7]),
])
def test_counts_take_suffixes_underscores_and_come_back_sorted_and_distinct(text, expected):
    assert inputs.counts("FD_N", text) == expected


@pytest.mark.parametrize("text", ["", "  ", None])
def test_empty_counts_are_the_default(text):
    assert inputs.counts("FD_N", text) is None
    assert fd_suite.sweep(text) == fd_suite.DEFAULT_SWEEP


@pytest.mark.parametrize("text, why", [
    ("0", "is zero"), ("-5", "is negative"), ("lots", "is not a number"),
    ("1.5k", "is not a number"), ("1k,,2k", "is an empty item"), ("1_", "is not a number"),
    ("_1", "is not a number"), ("1__0", "is not a number"), ("1g", "is not a number"),
    ("k", "is not a number"),
])
def test_counts_refuse_what_is_not_a_positive_count_in_one_line(text, why):
    with pytest.raises(UserError) as e:
        inputs.counts("FD_N", text)
    line = str(e.value)
    assert line.startswith(f'FD_N="{text}": ') and why in line and "\n" not in line
    assert "k (x1000) or m (x1000000)" in line  # what is accepted


@pytest.mark.parametrize("text, expected", [("2", 2), (" 16 ", 16), ("1k", 1_000)])
def test_a_single_count_takes_the_same_spellings(text, expected):
    assert inputs.count_type("JOBS")(text) == expected


@pytest.mark.parametrize("text, why", [
    ("0", "is zero"), ("-1", "is negative"), ("x", "is not a number"),
    ("2,3", "is not a number"), ("", "is an empty item"),
])
def test_a_single_count_refuses_anything_else_in_one_line(text, why):
    with pytest.raises(UserError) as e:
        inputs.count_type("JOBS")(text)
    line = str(e.value)
    assert line.startswith(f'JOBS="{text}": ') and why in line and "\n" not in line
    assert "give one positive whole number" in line


@pytest.mark.parametrize("command", ["bench", "regress", "baseline"])
def test_jobs_is_refused_by_every_command_that_builds_before_anything_is_written(
        command, tmp_path):
    """--jobs (make's JOBS) is read by one parser wherever a command builds."""
    done = subprocess.run([sys.executable, "-m", "deferbench", command, "--jobs", "0",
                           *(["--results-dir", str(tmp_path / "r"), "--check-inputs"]
                             if command == "bench" else ["--build-dir", str(tmp_path / "b")])],
                          cwd=os.path.join(ROOT, "scripts"), capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].endswith(
        'JOBS="0": "0" is zero; give one positive whole number (a k or m suffix and '
        "underscores allowed; e.g. JOBS=2)")
    assert list(tmp_path.iterdir()) == []


def test_the_fd_sweep_refuses_a_count_no_linux_could_open():
    with pytest.raises(UserError, match="larger than any Linux"):
        fd_suite.sweep(str(fd_suite.MAX_REQUEST + 1))
    assert fd_suite.sweep(str(fd_suite.MAX_REQUEST)) == [fd_suite.MAX_REQUEST]


def test_the_fd_binary_gets_plain_integers_and_1_or_0():
    fd = [registry.SUITES["fd"]]
    env = runner.suite_environment(fd, {"FD_N": "12k,1M,250_000", "FD_SYSTEM": "Yes"})
    assert env["FD_N"] == "12000,250000,1000000" and env["FD_SYSTEM"] == "1"
    env = runner.suite_environment(fd, {"FD_N": " ", "FD_SYSTEM": "off", "OTHER": "kept"})
    assert "FD_N" not in env and env["FD_SYSTEM"] == "0" and env["OTHER"] == "kept"
    with pytest.raises(UserError, match='FD_SYSTEM="maybe": accepted values'):
        runner.suite_environment(fd, {"FD_SYSTEM": "maybe"})
    # Only the suites that read a variable are handed it in their form.
    assert runner.suite_environment([registry.SUITES["stack"]], {"FD_N": "1k"}) == \
        {"FD_N": "1k"}


@pytest.mark.parametrize("text", ["12k", "1m", "1_000", "12K"])
def test_the_fd_binary_accepts_what_the_run_hands_it(build_dir, tmp_path, text):
    """The C++ suite's own --check-options takes the plain form of any spelling."""
    env = runner.suite_environment([registry.SUITES["fd"]],
                                   dict(os.environ, FD_N=text, FD_DIR=str(tmp_path)))
    proc = subprocess.run([os.path.join(build_dir, "suites", "fd", "fd"), "--check-options"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr


def _bench(tmp_path, build_dir, *args, env=None):
    results = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "deferbench", "bench", "--results-dir", str(results),
         "--build-dir", build_dir, "--site", str(tmp_path / "site"), "--machine", "m", *args],
        capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts"), **(env or {})))
    return proc, results


@pytest.mark.parametrize("suites, setting", [
    ("fd", {"FD_N": "12q"}), ("go", {"FD_N": "12q"}), ("fd", {"FD_SYSTEM": "maybe"})])
def test_a_bad_fd_setting_is_refused_by_either_suite_before_a_run_folder(
        tmp_path, build_dir, suites, setting):
    proc, results = _bench(tmp_path, build_dir, "--quick", "--suites", suites, env=setting)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (name, value), = setting.items()
    assert proc.stderr.startswith(f'deferbench: {name}="{value}": ')
    assert proc.stderr.count("\n") == 1 and proc.stdout == ""
    assert not results.exists()


def test_make_bench_refuses_quick_maybe_and_writes_no_run_folder(tmp_path, build_dir):
    results = tmp_path / "results"
    proc = subprocess.run(
        ["make", "-C", ROOT, "--no-print-directory", "bench", "QUICK=maybe", "SUITES=fd",
         f"BUILD_DIR={build_dir}", f"RESULTS_DIR={results}", f"SITE_DIR={tmp_path / 'site'}",
         f"PYTHON={sys.executable}"], capture_output=True, text=True)
    assert proc.returncode != 0
    ours = [x for x in proc.stderr.splitlines() if x.startswith("deferbench:")]
    assert ours == ['deferbench: QUICK="maybe": accepted values are 1/0, yes/no, '
                    "true/false, on/off, or empty"], proc.stderr
    assert not results.exists() and not (tmp_path / "site").exists()


@pytest.mark.parametrize("quick, expected", [("0", False), ("", False), ("no", False),
                                             ("1", True), ("yes", True)])
def test_make_passes_quick_as_typed_and_the_run_reads_it(quick, expected):
    """`make bench QUICK=0` hands deferbench "0", which selects the full settings."""
    proc = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "-n", "bench",
                           f"QUICK={quick}", "PYTHON=python3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f'--quick "{quick}"' in proc.stdout
    from deferbench.__main__ import COMMANDS
    p = argparse.ArgumentParser()
    COMMANDS["bench"].add_arguments(p)
    args = p.parse_args(["--quick", quick])
    assert args.quick is expected
    for suite in registry.SUITES.values():
        assert suite.settings(args.quick) is (suite.quick if expected else suite.full)


def test_quick_0_is_recorded_as_a_full_run(tmp_path, build_dir):
    """A real run of the smallest suite with QUICK's "0": its manifest says full."""
    proc, results = _bench(tmp_path, build_dir, "--quick", "0", "--suites", "fd",
                           env={"FD_N": "100"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (run_dir,) = glob.glob(str(results / "m" / "*"))
    with open(os.path.join(run_dir, "manifest.json")) as f:
        manifest = json.load(f)
    assert manifest["options"]["quick"] is False
    assert ", quick" not in proc.stdout.splitlines()[0]
    with open(os.path.join(run_dir, "fd.json")) as f:
        assert json.load(f)["context"]["quick"] is False  # the suite ran its full settings


@pytest.mark.parametrize("command, option, name", [
    ("compare", "--allow-different", "ALLOW_DIFFERENT"),
    ("regress", "--require-baseline", "REQUIRE_BASELINE"),
    ("bench", "--quick", "QUICK")])
def test_every_switch_refuses_a_bad_word_in_one_line_before_it_runs(deferbench, command,
                                                                    option, name):
    proc = deferbench(command, option, "maybe", check_exit=2)
    assert proc.stderr.startswith(f'deferbench: {name}="maybe": accepted values are 1/0, '
                                  "yes/no, true/false, on/off, or empty")
    assert proc.stderr.count("\n") == 1
    assert proc.stdout == ""


@pytest.mark.parametrize("target, variable, option", [
    ("compare", "ALLOW_DIFFERENT", "--allow-different"),
    ("regress", "REQUIRE_BASELINE", "--require-baseline")])
def test_make_passes_every_switch_as_typed(target, variable, option):
    proc = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "-n", target,
                           f"{variable}=off", "PYTHON=python3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f'{option} "off"' in proc.stdout


def test_a_switch_before_compares_runs_says_it_took_the_first_run_as_its_value(deferbench):
    proc = deferbench("compare", "--allow-different", "20261201T104724Z", "other", check_exit=2)
    assert proc.stderr.startswith('deferbench: ALLOW_DIFFERENT="20261201T104724Z": accepted ')
    assert "--allow-different takes the next word as its value" in proc.stderr
    assert proc.stderr.count("\n") == 1
