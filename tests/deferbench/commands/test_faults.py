"""A run under the faults a user's machine has: a full disk at each write, a
signal at any moment, two runs at once. Nothing half-written, no traceback,
one line saying what happened, and the manifest's last word is true."""

import glob
import json
import os
import signal
import subprocess
import sys
import time
import xml.dom.minidom

import pytest

from conftest import ROOT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _bench(results, build_dir, *extra, env=None, suites="defer_cost"):
    return [sys.executable, "-m", "deferbench", "bench", "--quick", "--suites", suites,
            "--build-dir", build_dir, "--results-dir", str(results),
            "--site", os.path.join(os.path.dirname(str(results)), "site"), *extra]


def _env(**extra):
    return dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts"), **extra)


def _whole(path):
    """True when a file deferbench wrote reads as what it claims to be."""
    if path.endswith(".json"):
        json.load(open(path))
    elif path.endswith(".svg"):
        xml.dom.minidom.parse(path)
    elif path.endswith(".png"):
        assert open(path, "rb").read(8) == PNG_MAGIC
    return True


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of a given size, mounted for the test (root only)."""
    mounted = []

    def mount(size):
        point = tmp_path / f"disk-{size}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({proc.stderr.strip()})")
        mounted.append(point)
        return point
    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)])


@pytest.mark.parametrize("size", ["8k", "12k", "16k", "30k", "60k", "100k", "200k"])
def test_a_disk_that_fills_at_any_write_leaves_only_whole_files(build_dir, small_disk, size):
    disk = small_disk(size)
    proc = subprocess.run(_bench(disk / "results", build_dir), capture_output=True, text=True,
                          cwd=ROOT, env=_env())
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode in (0, 1), proc.stderr
    files = [f for f in glob.glob(str(disk / "results" / "**"), recursive=True)
             if os.path.isfile(f)]
    assert [f for f in files if ".tmp" in f or f.endswith(".partial")] == []
    assert all(_whole(f) for f in files)
    (manifest,) = [f for f in files if f.endswith("manifest.json")]
    status = json.load(open(manifest))["status"]
    if status == "running":  # no room left even for its last word: the console has it
        assert proc.returncode == 1
        assert "its manifest could not say so" in proc.stderr or \
            f"cannot write {manifest}" in proc.stderr
    else:
        assert status == ("complete" if proc.returncode == 0 else "failed")
    # The disk filled somewhere (each of these sizes is below a run's), and one
    # line says where and why.
    full = [line for line in proc.stderr.splitlines() if "is full" in line]
    assert full and f"the filesystem at {disk} is full" in full[0]
    assert "cannot write " + str(disk) in full[0]


def test_a_disk_full_before_the_manifest_leaves_no_run_folder(build_dir, small_disk):
    disk = small_disk("64k")
    results = disk / "results"
    results.mkdir()
    with open(disk / "filler", "wb") as f:  # leave about 2 KiB
        f.write(b"\0" * (62 * 1024))
    proc = subprocess.run(_bench(results, build_dir), capture_output=True, text=True,
                          cwd=ROOT, env=_env())
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "manifest.json" in proc.stderr
    assert "is full" in proc.stderr
    assert glob.glob(str(results / "*" / "*")) == []


def _alive(build_dir, grace_s=3.0):
    """Suite processes of this build still running, as ps shows them (pid, parent,
    state, command). A process the kernel is still tearing down (a killed child
    closing 10,000 descriptors) is given `grace_s` to go."""
    deadline = time.monotonic() + grace_s
    while True:
        pids = subprocess.run(["pgrep", "-f", os.path.join(build_dir, "suites")],
                              capture_output=True, text=True).stdout.split()
        if not pids or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if not pids:
        return []
    return subprocess.run(["ps", "-o", "pid,ppid,stat,args", "-p", ",".join(pids)],
                          capture_output=True, text=True).stdout.splitlines()[1:] or pids


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("delay", [0.1, 0.4, 1.2, 2.5, 4.0])
def test_a_signal_at_any_moment_ends_the_run_cleanly(build_dir, tmp_path, sig, delay):
    """The moments count from the run's first line: before it, the interpreter
    is still starting (its own default handlers, which no program can replace
    sooner), and how long that takes depends on the machine's load."""
    results, fd_dir = tmp_path / "results", tmp_path / "fd"
    fd_dir.mkdir()
    proc = subprocess.Popen(_bench(results, build_dir, suites="defer_cost,fd"), cwd=ROOT,
                            env=_env(FD_N="1k,10k", FD_DIR=str(fd_dir)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    first = proc.stdout.readline()
    time.sleep(delay)
    os.killpg(proc.pid, sig)  # as a terminal's Ctrl-C or a CI's kill does: the group
    out, err = proc.communicate(timeout=120)
    out = first + out
    assert "Traceback" not in out + err
    assert _alive(build_dir) == [] and os.listdir(fd_dir) == []
    runs = glob.glob(str(results / "*" / "*"))
    if proc.returncode == 0:  # it ended before the signal came
        return
    assert proc.returncode == 128 + sig, err
    assert f"interrupted by {signal.Signals(sig).name}" in err
    for run in runs:
        status = json.load(open(os.path.join(run, "manifest.json")))["status"]
        assert status in ("interrupted", "complete")
        assert f"make report RUN={run}" in err
        assert [f for f in os.listdir(run) if ".tmp" in f or f.endswith(".partial")] == []


def test_make_returns_after_the_run_and_its_suites_have_ended(build_dir, tmp_path):
    fd_dir = tmp_path / "fd"
    fd_dir.mkdir()
    proc = subprocess.Popen(["make", "--no-print-directory", "bench", "QUICK=1", "SUITES=fd",
                             f"BUILD_DIR={build_dir}", f"RESULTS_DIR={tmp_path / 'results'}",
                             f"SITE_DIR={tmp_path / 'site'}"],
                            cwd=ROOT, env=dict(os.environ, FD_N="1k,10k", FD_DIR=str(fd_dir)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not os.listdir(fd_dir) and time.monotonic() < deadline:  # the fd child is at work
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.communicate(timeout=120)
    assert _alive(build_dir) == [] and os.listdir(fd_dir) == []
    (run,) = glob.glob(str(tmp_path / "results" / "*" / "*"))
    assert json.load(open(os.path.join(run, "manifest.json")))["status"] == "interrupted"


def test_two_runs_at_once_on_an_unbuilt_tree_both_complete(tmp_path):
    build = tmp_path / "build"
    runs = [subprocess.Popen(["make", "--no-print-directory", "bench", "QUICK=1",
                              "SUITES=defer_cost", f"BUILD_DIR={build}",
                              f"RESULTS_DIR={tmp_path / f'results-{k}'}",
                              f"SITE_DIR={tmp_path / f'site-{k}'}"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for k in range(2)]
    outs = [r.communicate(timeout=900)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], "\n".join(o[-2000:] for o in outs)
    assert any("another build of" in o and "waiting for it" in o for o in outs)
    for k in range(2):
        (run,) = glob.glob(str(tmp_path / f"results-{k}" / "*" / "*"))
        assert json.load(open(os.path.join(run, "manifest.json")))["status"] == "complete"
