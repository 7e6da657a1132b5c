"""What the manifest measures of the machine as the suites start (machine.py's
/proc/stat reading), and the loaded-machine warning that report_data bases on
it; fixture texts of /proc/stat, so nothing here depends on this machine's load."""

import os

from conftest import FIXTURES
from deferbench.analysis import report_data
from deferbench.run import machine


def _stat(name):
    with open(os.path.join(FIXTURES, "proc_stat", f"{name}.fixture.txt")) as f:
        return f.read()


def test_busy_cpus_are_the_busy_share_of_the_ticks_times_the_cpus():
    # 200 ticks on 2 CPUs: user 110 (guest's 30 inside it, not counted twice),
    # system 20, idle 65, iowait 5.
    assert machine.busy_between(_stat("before"), _stat("busy")) == {
        "busy_cpus": 1.3, "steal_cpus": 0.0, "cpus": 2}


def test_time_the_hypervisor_stole_is_kept_apart_from_busy_time():
    assert machine.busy_between(_stat("before"), _stat("steal")) == {
        "busy_cpus": 0.1, "steal_cpus": 0.4, "cpus": 2}


def test_unreadable_or_unchanged_readings_measure_nothing():
    assert machine.busy_between(None, _stat("busy")) is None        # /proc/stat unreadable
    assert machine.busy_between(_stat("before"), "intr 1 2 3") is None  # no "cpu" line
    assert machine.busy_between(_stat("before"), _stat("before")) is None  # no tick passed


def _mach(busy_cpus=None, cpus=2, load=None):
    mach = {"cores": cpus, "load_average": [load, load, load] if load is not None else None}
    if busy_cpus is not None:
        mach["busy_before_run"] = {"busy_cpus": busy_cpus, "steal_cpus": 0.0, "cpus": cpus,
                                   "window_s": 1.0, "source": "/proc/stat"}
    return mach


def test_the_warning_says_what_was_measured():
    line = report_data.loaded_warning(_mach(busy_cpus=1.3))
    assert line.startswith("loaded machine: other processes kept 1.3 of 2 CPUs busy over "
                           "the 1 s before the suites started")


def test_a_build_that_just_ended_is_not_blamed():
    """The load average still counts `make bench`'s compile; the measurement,
    taken after it, decides."""
    assert report_data.loaded_warning(_mach(busy_cpus=0.1, load=1.51)) is None
    assert report_data.loaded_warning(
        _mach(busy_cpus=report_data.LOADED_FRACTION * 2)) is None  # at the bound: not loaded


def test_a_run_from_before_the_measurement_falls_back_to_its_load_average():
    line = report_data.loaded_warning(_mach(load=1.51))
    assert "1-minute load average 1.51 on 2 cores" in line
    assert report_data.loaded_warning(_mach(load=0.2)) is None


def test_the_machine_table_shows_the_measurement():
    assert report_data._busy_text(_mach(busy_cpus=1.3)["busy_before_run"]) == \
        "1.30 of 2 over the 1 s before the suites started"
    assert report_data._busy_text(None) == "not measured"


def test_a_package_installed_for_two_architectures_gives_the_native_version(
        tmp_path, monkeypatch):
    """make cross-check adds arm64: dpkg-query then lists libbenchmark-dev
    twice, and the gate's toolchain key once read '1.7.1-11.7.1'."""
    for name, text in (("dpkg", "amd64"),
                       ("dpkg-query", "arm64 1.7.2-1\\namd64 1.7.1-1\\ni386 \\n")):
        script = tmp_path / name
        script.write_text(f"#!/bin/sh\nprintf '{text}\\n'\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    from deferbench.analysis import gate
    assert machine.package_version("libbenchmark-dev") == "1.7.1-1"
    assert gate.google_benchmark_version() == "1.7.1"
