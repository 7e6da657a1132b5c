"""Gathering the run folders of many machines into one results tree and its site
(the fleet command): what CI's final job does with the artifacts its runners
uploaded, and what `make fleet-local` does with run folders already on disk.

The artifacts of a workflow run, downloaded, are folders that hold run folders
at any depth (each runner uploads results/<machine-id>/<run-id>/). Every run
folder found is copied to <out>/results/<machine-id>/<run-id>/, the id its own
manifest gives (run/refile.py), so two runners that report one id are one machine
and two hosts of one image stay two. The site is then written as <out>/index.html,
its links relative, so the folder can be published as it is (GitHub Pages).

The tree is assembled beside <out> under a temporary name and renamed into place
at the end: a failure leaves the previous <out>, or none, never half of one.
"""

import os
import shutil

from ..errors import UserError
from . import refile

RESULTS = "results"


def find_runs(sources):
    """Every run folder under the source folders, in order; a source that is missing
    or holds no run folder is a UserError."""
    found = []
    for src in sources:
        if not os.path.isdir(src):
            raise UserError(f"{src}: no such folder")
        runs = refile.run_folders(src)
        if not runs:
            raise UserError(f"{src}: no run folder (a folder with manifest.json) under it")
        found += runs
    return found


def gather(sources, out, build_site):
    """Copies every run under `sources` into out/results and writes the site with
    build_site(results_dir, out_dir); returns ({machine_id: [run ids]}, site path)."""
    runs = find_runs(sources)
    out = os.path.normpath(out)
    for src in sources:
        # The output replaces itself whole: gathering from inside it would read a
        # tree while it is being replaced.
        if os.path.commonpath([os.path.abspath(src), os.path.abspath(out)]) == \
                os.path.abspath(out):
            raise UserError(f"{src}: is inside the output folder {out}; gather from elsewhere")
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".gathering-{os.path.basename(out)}")
    old = os.path.join(parent, f".replaced-{os.path.basename(out)}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    try:
        results = os.path.join(tmp, RESULTS)
        os.makedirs(results)
        machines = {}
        for path in runs:
            _, dest = refile.file_one(results, path, copy=True)
            machine, run_id = os.path.split(os.path.relpath(dest, results))
            machines.setdefault(machine, [])
            if run_id not in machines[machine]:
                machines[machine].append(run_id)
        build_site(results, tmp)
        if os.path.exists(out):
            os.rename(out, old)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.exists(old) and not os.path.exists(out):
            os.rename(old, out)  # put the previous tree back
        raise
    shutil.rmtree(old, ignore_errors=True)
    return machines, os.path.join(out, "index.html")
