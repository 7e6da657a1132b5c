"""TOOLCHAINS=: the suites again with each other Go release and C++ compiler.

A plain `make bench` measures with the default toolchains: go on PATH and the
build folder's compiler. TOOLCHAINS=all, or a list (run/toolchains.select),
adds the others found here. Each suite whose figures a toolchain's language
decides (Suite.per_toolchain) runs once more with it, into
<run>/toolchains/<key>/, in the files a run folder holds; the defaults' stay
in the run folder itself. A compiler's suites are built first, in
<build>/toolchains/<key>/; a release's Go programs in <build>/toolchains/
go-<version>/go. The run's manifest lists every toolchain of the run under
"toolchains", with the folder its files are in; each other toolchain's folder
has a manifest of its own (part_manifest), so that it reads back as a run
folder (run/folder.load) and every file under results/ has one beside it.
"""

import os
from dataclasses import dataclass, field

from .. import SOURCE_DIR
from . import base_build, toolchains

SUBFOLDER = "toolchains"


@dataclass
class Axis:
    defaults: list                 # the default toolchains of the languages the run measures
    others: list                   # the other toolchains named, those the run measures
    unused: list                   # named, but no selected suite depends on their language
    builds: dict = field(default_factory=dict)   # C++ key -> its build folder
    failed: dict = field(default_factory=dict)   # key -> why its build failed

    @property
    def every(self):
        return self.defaults + self.others


def plan(text, selected, found=None):
    """The run's toolchains from TOOLCHAINS= and the selected suites; None for
    a run with the defaults alone. A UserError for a name not found here."""
    found = toolchains.found_here() if found is None else found
    chosen = toolchains.select(text, found)
    if not chosen:
        return None
    languages = {s.per_toolchain for s in selected if s.per_toolchain}
    return Axis(defaults=[t for t in found if t.default and t.language in languages],
                others=[t for t in chosen if not t.default and t.language in languages],
                unused=[t for t in chosen if t.language not in languages])


def cxx_build_dir(build_dir, toolchain):
    return os.path.join(os.path.abspath(build_dir), SUBFOLDER, toolchain.key)


def folder(toolchain):
    """Where a toolchain's files are, relative to the run folder ("" for a default)."""
    return "" if toolchain.default else os.path.join(SUBFOLDER, toolchain.key)


def build(axis, build_dir, selected, jobs, who="deferbench"):
    """Builds the C++ suites with each other compiler (Release, the project's
    flags); a compiler that cannot build them is recorded in axis.failed and
    its suites are reported as failed, while the run goes on."""
    targets = [os.path.basename(s.binary) for s in selected if s.per_toolchain == "C++"]
    for t in axis.others:
        if t.language != "C++":
            continue
        where = cxx_build_dir(build_dir, t)
        print(f"{who}: building {', '.join(targets)} with {t.key} ({t.path}) in {where}",
              flush=True)
        try:
            axis.builds[t.key] = base_build.build(
                SOURCE_DIR, where, {"CMAKE_BUILD_TYPE": "Release", "CMAKE_CXX_COMPILER": t.path},
                targets, jobs, what=f"the suites with {t.key}")
        except RuntimeError as e:
            axis.failed[t.key] = str(e)


def _entry(t):
    return {"language": t.language, "compiler": t.compiler, "version": t.version,
            "path": t.path, "default": t.default, "folder": folder(t)}


def manifest_entries(axis):
    """{key: what the run's manifest records of it}, defaults first."""
    return {t.key: _entry(t) for t in axis.every}


# What a toolchain's folder shares with the run it is part of.
SHARED = ("run_id", "machine_id", "machine_id_source", "started", "machine", "git",
          "perf_events")


def part_manifest(run, toolchain, suites):
    """The manifest of one other toolchain's folder, from the run's: the run's
    machine, git state and options, its own toolchain and suites."""
    return {**{k: run[k] for k in SHARED if k in run}, "status": "running",
            "options": {**run.get("options", {}), "suites": [s.name for s in suites]},
            "toolchain": {"key": toolchain.key, **_entry(toolchain)},
            "part_of": {"run": os.path.join("..", ".."), "toolchain": toolchain.key}}
