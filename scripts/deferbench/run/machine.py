"""What the run's manifest says about the machine, the toolchain and the tree."""

import os
import platform
import re
import shutil
import subprocess
import sys
import time

from . import machine_identity


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _cpuinfo_field(name):
    text = _read("/proc/cpuinfo") or ""
    m = re.search(rf"^{name}\s*:\s*(.*)$", text, re.M)
    return m.group(1).strip() if m else None


def _command_line(cmd):
    """The first line a command prints, or None when it cannot run."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def pmu_devices():
    """Hardware PMUs the kernel registered (cpu, cpu_core, cpu_atom, ...)."""
    root = "/sys/bus/event_source/devices"
    try:
        return sorted(d for d in os.listdir(root) if d.startswith("cpu"))
    except OSError:
        return []


def describe():
    identity = machine_identity.current()
    meminfo = _read("/proc/meminfo") or ""
    mem = re.search(r"MemTotal:\s*(\d+) kB", meminfo)
    flags = (_cpuinfo_field("flags") or "").split()
    boost = _read("/sys/devices/system/cpu/cpufreq/boost")
    no_turbo = _read("/sys/devices/system/cpu/intel_pstate/no_turbo")
    return {
        "cpu_model": _cpuinfo_field("model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory_bytes": int(mem.group(1)) * 1024 if mem else None,
        "kernel": platform.release(),
        "arch": platform.machine(),
        "frequency_governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        "boost": (boost == "1") if boost is not None else
                 (no_turbo == "0") if no_turbo is not None else None,
        "hypervisor": "hypervisor" in flags,
        "pmu_devices": pmu_devices(),
        "pmu_present": bool(pmu_devices()),
        "perf_event_paranoid": _read("/proc/sys/kernel/perf_event_paranoid"),
        "load_average": list(os.getloadavg()),
        "identity": identity,
        # Outside the identity, so that ids stay what they were: AMD gives the
        # L2 per core here, Intel the L3; it names a machine whose sysfs shows
        # no caches.
        "cpuinfo_cache_size": _cpuinfo_field("cache size"),
        "label": machine_identity.label(identity, _cpuinfo_field("cache size")),
    }


# How long the run watches what else the machine does before the suites start:
# the kernel counts CPU time in ticks (1/USER_HZ s, 10 ms), so a second shows a
# busy process plainly and adds little to a run.
BUSY_WINDOW_S = 1.0

# /proc/stat's per-CPU fields, in order (proc(5)); guest and guest_nice are
# already inside user and nice, so they are left out of the sums.
STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
BUSY_FIELDS = ("user", "nice", "system", "irq", "softirq")


def cpu_ticks(stat_text):
    """({field: ticks} summed over every CPU, the number of CPUs) from the
    text of /proc/stat; None when it has no aggregate "cpu" line."""
    total, cpus = None, 0
    for line in stat_text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "cpu":
            total = dict(zip(STAT_FIELDS, (int(w) for w in words[1:])))
        elif re.fullmatch(r"cpu\d+", words[0]):
            cpus += 1
    return (total, cpus) if total is not None and cpus else None


def busy_between(before_text, after_text):
    """How many CPUs' worth of time went to running something (busy) and to
    the hypervisor's other guests (steal) between two readings of /proc/stat,
    as fractions of the CPUs times their number; None when either is unreadable
    or no tick passed. No clock is read: the CPUs' own ticks are the window."""
    before, after = cpu_ticks(before_text or ""), cpu_ticks(after_text or "")
    if before is None or after is None:
        return None
    (t0, _), (t1, cpus) = before, after
    delta = {f: t1.get(f, 0) - t0.get(f, 0) for f in STAT_FIELDS}
    total = sum(delta.values())
    if total <= 0:
        return None
    return {"busy_cpus": round(sum(delta[f] for f in BUSY_FIELDS) / total * cpus, 2),
            "steal_cpus": round(delta["steal"] / total * cpus, 2),
            "cpus": cpus}


def busy_before_run(window_s=BUSY_WINDOW_S):
    """What the rest of the machine did over `window_s` while this process
    slept: the load average decays over minutes and still counts the build
    `make bench` has just run; this is the machine as the suites find it."""
    before = _read("/proc/stat")
    started = time.monotonic()
    time.sleep(window_s)
    measured = busy_between(before, _read("/proc/stat"))
    if measured is None:
        return None
    return {**measured, "window_s": round(time.monotonic() - started, 2),
            "source": "/proc/stat"}


def machine_id(override=None, identity=None):
    """(id, source): MACHINE='s id, checked, or the one derived from this machine's
    identity (machine_identity.py; read now unless given)."""
    if override:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", override):
            from ..errors import UserError
            raise UserError(f"MACHINE={override!r} must use letters, digits, '.', '_' or '-'")
        return override, machine_identity.OVERRIDE
    return (machine_identity.machine_id(identity or machine_identity.current()),
            machine_identity.DERIVED)


def _cmake_cache(build_dir):
    values = {}
    text = _read(os.path.join(build_dir, "CMakeCache.txt")) or ""
    for m in re.finditer(r"^([A-Za-z_]+):[A-Z]+=(.*)$", text, re.M):
        values[m.group(1)] = m.group(2)
    return values


def package_version(package):
    """The installed version of a Debian package for this machine's own
    architecture, or None. With a foreign architecture added (make cross-check
    adds arm64), dpkg-query lists the package once per architecture, and its
    versions run together unless one is picked."""
    native = _command_line(["dpkg", "--print-architecture"])
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Architecture} ${Version}\n", package],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    versions = dict(line.split(" ", 1) for line in out.stdout.splitlines()
                    if " " in line and line.split(" ", 1)[1])
    return versions.get(native) or versions.get("all") or None


def toolchain(build_dir):
    cache = _cmake_cache(build_dir)
    cxx = cache.get("CMAKE_CXX_COMPILER")
    go = shutil.which("go")
    return {
        "cxx": _command_line([cxx, "--version"]) if cxx else None,
        "cmake": _command_line(["cmake", "--version"]),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "go": _command_line([go, "version"]) if go else None,
        "google_benchmark": package_version("libbenchmark-dev"),
        "libpfm4": package_version("libpfm4-dev"),
        "valgrind": _command_line(["valgrind", "--version"]),
    }


def build(build_dir):
    cache = _cmake_cache(build_dir)
    build_type = cache.get("CMAKE_BUILD_TYPE", "")
    return {
        "dir": os.path.abspath(build_dir),
        "type": build_type,
        "cxx_flags": " ".join(filter(None, [
            cache.get("CMAKE_CXX_FLAGS"),
            cache.get(f"CMAKE_CXX_FLAGS_{build_type.upper()}")])),
    }


def git_state(source_dir):
    def git(*args):
        try:
            out = subprocess.run(["git", "-C", source_dir, *args],
                                 capture_output=True, text=True, timeout=20)
        except OSError:
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}
