"""Copies of the stored fixture runs, with a known change injected.

The fixtures under tests/fixtures/runs/vm-fixture/ are two real full runs of
defer_cost (12 repetitions each) from the 2-core VM, saved as they were.
They were made when the scope guard was named open_coded; they are read, as
every older run is, under today's names (results.RENAMED). A test that needs
a slower run copies one and multiplies one benchmark's times by a factor:
the shift is the only difference, so a comparison has to find exactly it.
"""

import json
import os
import shutil

from conftest import FIXTURES
from deferbench.analysis import results

RUNS = os.path.join(FIXTURES, "runs", "vm-fixture")
BASE = os.path.join(RUNS, "compare_base.fixture")
RERUN = os.path.join(RUNS, "compare_rerun.fixture")


def copy_run(src, dst, run_id=None, started=None, shift=None, manifest_changes=None):
    """Copies run folder src to dst; shift = (benchmark, factor) scales its times."""
    shutil.copytree(src, dst)
    manifest_path = os.path.join(dst, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    manifest["run_id"] = run_id or os.path.basename(dst)
    if started:
        manifest["started"] = started
    for keys, value in (manifest_changes or {}).items():
        node = manifest
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    with open(manifest_path, "w") as f:
        json.dump(manifest, f)
    if shift:
        name, factor = shift
        suite_path = os.path.join(dst, "defer_cost.json")
        with open(suite_path) as f:
            suite = json.load(f)
        for e in suite["benchmarks"]:
            # The fixtures are older runs: match the case under today's name.
            if (results.current_name("defer_cost", e.get("run_name", "")) == name
                    and e.get("run_type") == "iteration"):
                e["real_time"] *= factor
                e["cpu_time"] *= factor
        with open(suite_path, "w") as f:
            json.dump(suite, f)
    return str(dst)
