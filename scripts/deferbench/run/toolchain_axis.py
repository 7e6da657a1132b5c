"""TOOLCHAINS=: the suites again with each other Go release and C++ compiler.

A plain `make bench` measures with the default toolchains: go on PATH and the
build folder's compiler. TOOLCHAINS=all, or a list (run/toolchains.select),
adds the others found here. Each suite whose figures a toolchain's language
decides (Suite.per_toolchain) runs once more with it, into
<run>/toolchains/<key>/, in the files a run folder holds; the defaults' stay
in the run folder itself. A compiler's suites are built first, in
<build>/toolchains/<key>/; a release's Go programs in <build>/toolchains/
go-<version>/go. The manifest's "toolchains" lists every toolchain of the run
with where its files are.
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


def build(axis, build_dir, selected, jobs, say=print):
    """Builds the C++ suites with each other compiler (Release, the project's
    flags); a compiler that cannot build them is recorded in axis.failed and
    its suites are reported as failed, while the run goes on."""
    targets = [os.path.basename(s.binary) for s in selected if s.per_toolchain == "C++"]
    for t in axis.others:
        if t.language != "C++":
            continue
        where = cxx_build_dir(build_dir, t)
        say(f"deferbench: building {', '.join(targets)} with {t.key} ({t.path}) in {where}")
        try:
            axis.builds[t.key] = base_build.build(
                SOURCE_DIR, where, {"CMAKE_BUILD_TYPE": "Release", "CMAKE_CXX_COMPILER": t.path},
                targets, jobs, what=f"the suites with {t.key}")
        except RuntimeError as e:
            axis.failed[t.key] = str(e)


def manifest_entries(axis):
    """{key: what the manifest records of it}, defaults first."""
    return {t.key: {"language": t.language, "compiler": t.compiler, "version": t.version,
                    "path": t.path, "default": t.default, "folder": folder(t), "suites": {}}
            for t in axis.every}
