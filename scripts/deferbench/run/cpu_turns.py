"""The CPUs that a paired series' processes take in turn, a block of them each.

Every timed process is pinned to one CPU. On a shared VM each virtual CPU
sits on a physical core whose other tenants come and go, and for minutes at a
time one virtual CPU can be much slower than another: on a 2-core AMD EPYC VM,
measured alternately, CPU 0 ran defer_cost's `call` loop at 1.9 ns per op and
CPU 1 at 1.2, and the ratios moved with it (go_stack_record/call 5.9 against
5.0, chain_heap/call 9.7 against 7.1). A series pinned to one CPU sees one
placement, so its interval cannot hold a run made while the placements
differ. Taking the CPUs in turn, BLOCK consecutive processes each (the blocks
the interval rests on, analysis/paired.py), lets the interval span every
placement the run meets; one it never meets stays outside (docs/methods.md).

Only CPUs of the kind the suites pin themselves to (the last this process may
use) take part: a hybrid part's efficiency cores, or a smaller Arm core,
would time another machine. `taskset -c N make bench` confines every
process to the CPUs it names, these included.
"""

import glob
import os

from ..analysis.paired import BLOCK

SYSFS = "/sys/devices"


def _cpu_list(text):
    """The CPUs of a sysfs CPU list such as '0-7,16-23'."""
    cpus = set()
    for part in text.strip().split(","):
        if part:
            first, _, last = part.partition("-")
            cpus.update(range(int(first), int(last or first) + 1))
    return cpus


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _kind(cpu, core_types, sysfs):
    """What tells this CPU's kind apart: the hybrid core type whose PMU lists
    it (cpu_core, cpu_atom) and its capacity (Arm's big.LITTLE), where the
    kernel gives them."""
    core_type = next((name for name, cpus in core_types.items() if cpu in cpus), None)
    capacity = _read(os.path.join(sysfs, "system", "cpu", f"cpu{cpu}", "cpu_capacity"))
    return core_type, capacity.strip() if capacity else None


def suite_cpu():
    """The CPU a suite's own (unpaired) runs are pinned to: the last this
    process may use, as the C++ harness pins itself."""
    return max(os.sched_getaffinity(0))


def usable(allowed=None, sysfs=SYSFS):
    """The CPUs this process may use that are of the same kind as the last
    of them, in order."""
    allowed = sorted(os.sched_getaffinity(0) if allowed is None else allowed)
    core_types = {}
    for path in glob.glob(os.path.join(sysfs, "cpu_*", "cpus")):
        text = _read(path)
        if text:
            core_types[os.path.basename(os.path.dirname(path))] = _cpu_list(text)
    last = _kind(allowed[-1], core_types, sysfs)
    return [cpu for cpu in allowed if _kind(cpu, core_types, sysfs) == last]


def for_unit(index, cpus):
    """The CPU of the index-th process (or Go pair) of a series, from 0: the
    CPUs in turn, BLOCK units each, starting with the last (where the suites'
    own runs are pinned)."""
    return cpus[(len(cpus) - 1 - index // BLOCK) % len(cpus)]


def cycle(cpus):
    """One round of the turns, a CPU per unit (for_unit of 0, 1, ...), for a
    program that repeats it: [1, 1, 1, 0, 0, 0] for CPUs 0 and 1."""
    return [for_unit(index, cpus) for index in range(BLOCK * len(cpus))]


def on(cpu, command):
    """The command, run on `cpu` alone (the C++ suites then pin themselves to
    it, the last CPU they may use). taskset sets the affinity and execs the
    command: a preexec_fn would run Python in the forked child, where a
    Ctrl-C that reaches the whole process group runs the run's own handler."""
    return ["taskset", "--cpu-list", str(cpu), *command]
