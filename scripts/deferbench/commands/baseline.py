"""Record the regression gate's baseline for this toolchain (after an intended change).

Counts instructions per op of every Google Benchmark suite and of the gated Go
cases under callgrind, as `regress` does, writes regress/baselines/<key>.json
for each side (the C++ toolchain's key; go-<version>_<GOARCH>), and prints
what changed against the baseline it replaces. When nothing changed the file
is left as it is. Commit the file: the gate reads it from the repository.
TOOLCHAINS= (--toolchains) records one for each other toolchain it names too.
"""

import os

from .. import atomic
from ..analysis import gate
from . import regress
from ..errors import UserError
from ..run import interrupts


def add_arguments(p):
    regress.add_common_arguments(p)


def change_lines(old_counts, new_counts):
    """One line per case whose figure changed, was added or was removed."""
    lines = []
    for r in gate.compare(old_counts, new_counts, tolerance=0.0):
        if r.status == gate.NEW_CASE:
            lines.append(f"  added    {r.suite}/{r.case}: {r.new:.3f}")
        elif r.status == gate.MISSING:
            lines.append(f"  removed  {r.suite}/{r.case} (was {r.old:.3f})")
        elif r.delta:
            lines.append(f"  changed  {r.suite}/{r.case}: {r.old:.3f} -> {r.new:.3f} "
                         f"({r.delta:+.3f}, {r.relative * 100:+.2f}%)")
    return lines


def run(args):
    with interrupts.ending_the_process("baseline"):  # as regress's counting
        axis = regress.other_toolchains(args.toolchains, args.only)
        for m in regress.measurements(args.build_dir, args.only, axis, args.jobs):
            record(m, args.baselines_dir)
    return 0


def record(m, baselines_dir):
    """Writes one side's baseline when its counts changed, saying what changed."""
    if m.injected():
        raise UserError(f"the {m.side} side was built with an injected slowdown "
                        f"({m.injected()}); a baseline comes from a normal build")
    path = gate.baseline_path(baselines_dir, m.key)
    old = gate.load_baseline(path)
    print(f"baseline: {m.side}: toolchain {m.key}")
    if old is not None and old["suites"] == m.counts:
        print(f"baseline: unchanged; {path} left as it is")
        return
    changes = change_lines(old["suites"] if old else {}, m.counts)
    os.makedirs(baselines_dir, exist_ok=True)
    atomic.write_json(path, gate.baseline_data(m, regress.recorded_now()))
    print(f"baseline: {'updated' if old else 'created'} {path}")
    print("\n".join(changes))
    print("baseline: commit the file; `make regress` compares with it")
