"""Which runs `make plots` compares: the newest complete run of each machine
under a results folder, or the run folders named. Pure selection; drawing is
in plots.py."""

import os

from ..run import folder
from ..errors import UserError


def full_runs(machine_dir):
    """The complete full runs in one machine's folder, newest first: a QUICK
    run never stands for a machine."""
    return [r for r in complete_runs(machine_dir)
            if not r.quick]


def complete_runs(machine_dir):
    """The complete runs in one machine's folder, QUICK and full, newest
    first; broken and partial runs are left out."""
    if not os.path.isdir(machine_dir):
        return []
    found = []
    for name in os.listdir(machine_dir):
        path = os.path.join(machine_dir, name)
        if not os.path.isfile(os.path.join(path, folder.MANIFEST)):
            continue
        try:
            run = folder.load(path)
        except UserError:
            continue  # a broken run is not a good one
        if run.partial:
            continue
        found.append(run)
    return sorted(found, key=lambda r: r.order, reverse=True)


def newest_per_machine(results_dir):
    """{machine_id: RunFolder} of the newest complete full run of each machine."""
    if not os.path.isdir(results_dir):
        raise UserError(f"{results_dir}: no such results folder")
    chosen = {}
    for machine in sorted(os.listdir(results_dir)):
        mdir = os.path.join(results_dir, machine)
        newest = full_runs(mdir)[:1] if os.path.isdir(mdir) else []
        if newest:
            chosen[newest[0].machine_id] = newest[0]
    if not chosen:
        raise UserError(f"{results_dir}: no complete run to plot (run `make bench` first)")
    return chosen


def named(paths):
    """{label: RunFolder} of the named run folders (partial ones too, labelled)."""
    out = {}
    for p in paths:
        run = folder.load(p)
        label = run.machine_id if run.machine_id not in out else f"{run.machine_id}/{run.run_id}"
        out[label + (" (partial)" if run.partial else "")] = run
    return out
