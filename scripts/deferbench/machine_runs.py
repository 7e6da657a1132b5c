"""Which runs `make plots` compares: the newest complete run of each machine
under a results folder, or the run folders named. Pure selection; drawing is
in plots.py."""

import os

from . import run_folder, runs
from .errors import UserError


def newest_per_machine(results_dir):
    """{machine_id: RunFolder} of the newest complete full run of each machine."""
    if not os.path.isdir(results_dir):
        raise UserError(f"{results_dir}: no such results folder")
    chosen = {}
    for machine in sorted(os.listdir(results_dir)):
        mdir = os.path.join(results_dir, machine)
        if not os.path.isdir(mdir):
            continue
        best = None
        for name in os.listdir(mdir):
            path = os.path.join(mdir, name)
            if not os.path.isfile(os.path.join(path, runs.MANIFEST)):
                continue
            try:
                run = run_folder.load(path)
            except UserError:
                continue  # a broken run is not the newest good one
            if run.partial or (run.manifest.get("options") or {}).get("quick"):
                continue  # a QUICK run never stands for a machine
            key = (run.manifest.get("started", ""), run.run_id)
            if best is None or key > best[0]:
                best = (key, run)
        if best:
            chosen[best[1].machine_id] = best[1]
    if not chosen:
        raise UserError(f"{results_dir}: no complete run to plot (run `make bench` first)")
    return chosen


def named(paths):
    """{label: RunFolder} of the named run folders (partial ones too, labelled)."""
    out = {}
    for p in paths:
        run = run_folder.load(p)
        label = run.machine_id if run.machine_id not in out else f"{run.machine_id}/{run.run_id}"
        out[label + (" (partial)" if run.partial else "")] = run
    return out
