"""Article A's file-descriptor program in Go (claims A9, A10): N files, a
deferred Close each, one read, return. One child process per measurement,
so its time, peak RSS (wait4) and peak virtual size (its own VmPeak) are its
own.

N is bounded by the process's RLIMIT_NOFILE hard limit (Go raises the soft
limit to it at start-up) and /proc/sys/fs/nr_open; a requested N above that
is recorded as not measured, with the limit and what would lift it, and the
largest N the limits allow is measured instead. Nothing here changes a limit.

At every N, measurable or not, the program's two halves are measured too
(deferfd's -mode nofd and -mode kernel): the user-space half, N *os.File
values on descriptor numbers that cannot be open with their N deferred
closes (time, peak RSS, peak virtual size), and the kernel half, real files
opened and closed in batches below the limit (time per file). Their sum is an
estimate of the real run, labelled as one by whoever shows it.
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
# The halves, run at every N: they need no more descriptors than a batch.
HALVES = {"nofd": "fd/nofd/{n}", "kernel": "fd/kernel/{n}"}
# Peak RSS of -mode nofd per file, with room: Go 1.19 measured about 330 B
# (an os.File, its name, a heap defer record). The halves run at an N whose
# estimate fits in half of MemAvailable, so that a typo in FD_N cannot push
# the machine into swap.
HALF_BYTES_PER_FILE = 512
# Each half at 700k files runs for seconds, long enough that its run-to-run
# spread is a few percent against claims judged within 1.5x-2x: two
# repetitions each, so that the halves do not double the go suite's time.
# The kernel half above the files there are, one: every such N repeats the
# same full batches of the same files, so those N are already repeated
# measurements of one cost per file.
HALVES_REPETITIONS = 2


def _mem_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


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


def measure(binary, folder, n, mode, seed, timeout_s, batch=None):
    child = go_children.run([binary, f"-dir={folder}", f"-n={n}", f"-mode={mode}",
                             f"-seed={seed}", *([f"-batch={batch}"] if batch else [])],
                            timeout_s=timeout_s)
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
    for key in ("descriptor_base", "read_error", "batch"):
        if key in report:
            fields[key] = report[key]
    return fields, None


def _repeat(binary, folder, n, mode, name, repetitions, timeout_s, batch=None, origin=None):
    out = []
    for index in range(repetitions):
        fields, error = measure(binary, folder, n, mode, index + 1, timeout_s, batch)
        e = _entry(name, n, index, repetitions)
        e.update(fields, deferfd_mode=mode)
        if origin:
            e["n_origin"] = origin
        if error:
            e.update(error_occurred=True, error_message=error)
        out.append(e)
    return out


def _folder(scratch_root):
    """(the folder of files, whether this suite made it): FD_FILES's, which
    the C++ fd suite may have filled already (make bench shares one between
    the two), or a private one in FD_DIR."""
    shared = os.environ.get("FD_FILES")
    if shared:
        return shared, False
    root = scratch_root or os.environ.get("FD_DIR") or tempfile.gettempdir()
    return tempfile.mkdtemp(prefix="deferbench-gofd-", dir=root), True


def create_files(folder, count):
    """Files 0 .. count-1, file k named "k" and holding "k\n" as the C++ fd
    suite makes them; those the folder has already are left as they are."""
    for i in range(count):
        try:
            fd = os.open(os.path.join(folder, str(i)), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(b"%d\n" % i)


def entries(binary, sweep, repetitions, timeout_s, scratch_root=None):
    """Entries for every N of the sweep and both modes (and the largest N the
    limits allow where they stop one), the two halves at every N, plus the
    limits."""
    lim = limits()
    measurable = [n for n in sweep if lim["max_n"] is None or n <= lim["max_n"]]
    if len(measurable) < len(sweep) and lim["max_n"] and lim["max_n"] > max(measurable,
                                                                                default=0):
        sweep = sorted(set(sweep) | {lim["max_n"]})
        measurable.append(lim["max_n"])
        origin = {lim["max_n"]: "the largest N the limits allow"}
    else:
        origin = {}
    memory = _mem_available()
    out = []
    folder, own = _folder(scratch_root)
    root = os.path.dirname(os.path.abspath(folder))
    try:
        st = os.statvfs(folder)
        free = st.f_favail if st.f_files else None  # 0 files: no inode limit (btrfs)
        short = [n for n in measurable if free is not None and n + 1000 > free]
        measurable = [n for n in measurable if n not in short]
        largest = max(measurable, default=0)
        create_files(folder, largest)
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
                out += _repeat(binary, folder, n, mode, name, repetitions, timeout_s,
                               origin=origin.get(n))
            for mode, pattern in HALVES.items():
                # The kernel half's batch: the files there are, all open at once.
                batch = min(n, largest) if mode == "kernel" else None
                why = None
                if mode == "kernel" and not batch:
                    why = f"not measured: no files to open ({root} has {free} free inodes)"
                elif memory is not None and n * HALF_BYTES_PER_FILE > memory / 2:
                    why = (f"not measured: {n} files would take about "
                           f"{n * HALF_BYTES_PER_FILE / 2**20:,.0f} MiB, more than half of "
                           f"MemAvailable ({memory / 2**20:,.0f} MiB)")
                if why:
                    e = _entry(pattern.format(n=n), n, 0, 1)
                    e.update(error_occurred=True, error_message=why)
                    out.append(e)
                    continue
                repeats = 1 if mode == "kernel" and n > largest else HALVES_REPETITIONS
                out += _repeat(binary, folder, n, mode, pattern.format(n=n),
                               min(repetitions, repeats), timeout_s, batch, origin.get(n))
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
    return out, {f"fd_{k}": v for k, v in lim.items()} | {
        "fd_dir": root,
        "fd_halves_note": (
            "fd/nofd/<N>: the user-space half, deferfd -mode nofd: N os.NewFile values on "
            "descriptor numbers at or above the hard RLIMIT_NOFILE (never open), a deferred "
            "Close each (close(2) fails with EBADF, dropped as the article drops it), one Read "
            "(EBADF); its fcntl and close system calls fail at once. fd/kernel/<N>: the kernel "
            "half, deferfd -mode kernel: openat and close of real files in batches of at most "
            "`batch` open at once until N were opened and closed. Their sum is an estimate of "
            "fd/<N>, not a measurement of it")}
