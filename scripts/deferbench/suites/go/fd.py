"""Article A's file-descriptor program in Go (claims A9, A10): N files, a
deferred Close each, one read, return. One child process per measurement,
so its time, peak RSS (wait4) and peak virtual size (its own VmPeak) are its
own.

N is bounded by the process's RLIMIT_NOFILE hard limit (Go raises the soft
limit to it at start-up) and /proc/sys/fs/nr_open; a requested N above that
is recorded as not measured, with the limit and what would lift it. Nothing
here changes a limit.
"""

import json
import os
import resource
import shutil
import tempfile

from . import children as go_children

# Descriptors the Go child needs besides the N files: stdio, the runtime's
# poller (epoll and its wake-up pipe), with room to spare.
HEADROOM = 32
MODES = {"defer": "fd/{n}", "plain": "fd/plain/{n}"}


def _read_int(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def limits():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    nr_open = _read_int("/proc/sys/fs/nr_open")
    caps = [hard if hard != resource.RLIM_INFINITY else None, nr_open]
    ceiling = min(c for c in caps if c is not None) if any(caps) else None
    return {"rlimit_nofile_soft": soft, "rlimit_nofile_hard": hard, "nr_open": nr_open,
            "file_max": _read_int("/proc/sys/fs/file-max"),
            "max_n": ceiling - HEADROOM if ceiling else None}


def _beyond(n, lim):
    return (f"not measured: N={n} is above the {lim['max_n']} files this process may open "
            f"(RLIMIT_NOFILE hard {lim['rlimit_nofile_hard']}, /proc/sys/fs/nr_open "
            f"{lim['nr_open']}, less {HEADROOM} for the program's own); raising the hard limit "
            f"needs CAP_SYS_RESOURCE (as such a root: `prlimit --pid $$ --nofile={n + HEADROOM}`)")


def _entry(name, n, index, repetitions):
    return {"name": name, "run_name": name, "run_type": "iteration",
            "repetitions": repetitions, "repetition_index": index, "threads": 1,
            "iterations": 1, "files": n, "time_unit": "ms"}


def measure(binary, folder, n, mode, seed, timeout_s):
    child = go_children.run([binary, f"-dir={folder}", f"-n={n}", f"-mode={mode}",
                             f"-seed={seed}"], timeout_s=timeout_s)
    fields = {"real_time": child.wall_s * 1e3, "cpu_time": child.cpu_s * 1e3,
              "user_s": child.user_s, "sys_s": child.sys_s}
    try:
        report = json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        report = {}
    if child.exit_code != 0 or report.get("opened") != n:
        why = report.get("error") or (child.stderr.strip().splitlines() or [""])[-1]
        return fields, (f"{go_children.describe_end(child)} after opening "
                        f"{report.get('opened', '?')} of {n}: {why}")
    fields.update(in_process_s=report["seconds"], ns_per_file=report["seconds"] / n * 1e9)
    # The child's own peaks, read by itself after the function returned
    # (wait4's ru_maxrss would include the Python image it replaced).
    if report.get("vm_peak_bytes", -1) >= 0:
        fields["vm_peak_bytes"] = report["vm_peak_bytes"]
    if report.get("vm_hwm_bytes", -1) >= 0:
        fields["max_rss_bytes"] = report["vm_hwm_bytes"]
    return fields, None


def entries(binary, sweep, repetitions, timeout_s, scratch_root=None):
    """Entries for every N of the sweep and both modes, plus the limits."""
    lim = limits()
    measurable = [n for n in sweep if lim["max_n"] is None or n <= lim["max_n"]]
    out = []
    root = scratch_root or os.environ.get("FD_DIR") or tempfile.gettempdir()
    folder = tempfile.mkdtemp(prefix="deferbench-gofd-", dir=root)
    try:
        st = os.statvfs(folder)
        free = st.f_favail if st.f_files else None  # 0 files: no inode limit (btrfs)
        short = [n for n in measurable if free is not None and n + 1000 > free]
        measurable = [n for n in measurable if n not in short]
        largest = max(measurable, default=0)
        for i in range(largest):
            with open(os.path.join(folder, f"{i:06d}"), "wb") as f:
                f.write(b"deferbench\n")
        for n in sweep:
            for mode, pattern in MODES.items():
                name = pattern.format(n=n)
                if n not in measurable:
                    why = (f"not measured: {root} has {free} free inodes, {n} files needed "
                           "(choose another FD_DIR)") if n in short else _beyond(n, lim)
                    e = _entry(name, n, 0, 1)
                    e.update(error_occurred=True, error_message=why)
                    out.append(e)
                    continue
                for index in range(repetitions):
                    fields, error = measure(binary, folder, n, mode, index + 1, timeout_s)
                    e = _entry(name, n, index, repetitions)
                    e.update(fields)
                    if error:
                        e.update(error_occurred=True, error_message=error)
                    out.append(e)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out, {f"fd_{k}": v for k, v in lim.items()} | {"fd_dir": root}
