"""Finding the Go toolchain and running it with its caches inside deferbench's
build folder.

Go keeps a build cache (GOCACHE) and a module folder (GOPATH) in the user's
home by default; here both live under <build>/go, so a run touches nothing
outside the build folder and the source tree. The network is never used
(GOPROXY=off): the reference module has no dependencies.
"""

import os
import shutil
from dataclasses import dataclass

from ... import SOURCE_DIR
from ...run import interrupts

MODULE_DIR = os.path.join(SOURCE_DIR, "goref")
INSTALL_HINT = ("go: no Go toolchain on PATH, so the Go reference is skipped; install it with "
                "`apt-get install golang-go golang-src` (or `make setup`)")


def build_dir():
    """deferbench's build folder: DEFERBENCH_BUILD_DIR, else <source>/build."""
    return os.path.abspath(os.environ.get("DEFERBENCH_BUILD_DIR")
                           or os.path.join(SOURCE_DIR, "build"))


@dataclass
class Go:
    exe: str
    work_dir: str   # <build>/go: caches, test binaries, programs
    env: dict
    module_dir: str = MODULE_DIR   # goref: this tree's, or another commit's (the gate's base)

    def run(self, args, cwd=None, timeout=900):
        """Runs `go ARGS` (in goref's module unless `cwd`); returns the
        CompletedProcess (text, both streams)."""
        return interrupts.run([self.exe, *args], cwd=cwd or self.module_dir, env=self.env,
                              timeout=timeout)

    def check(self, args, cwd=None, timeout=900):
        """Runs `go ARGS`; a failure raises RuntimeError with Go's last lines."""
        proc = self.run(args, cwd, timeout)
        if proc.returncode != 0:
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise RuntimeError(f"go {' '.join(args)} failed: {tail}")
        return proc

    def path(self, *parts):
        return os.path.join(self.work_dir, *parts)

    def goenv(self, *names):
        out = self.check(["env", *names]).stdout.splitlines()
        return dict(zip(names, out))


def release_dir(build, version):
    """Where another Go release than the default builds its programs:
    <build>/toolchains/go-<version>/go, beside the C++ compilers' builds."""
    from ...run.toolchain_axis import SUBFOLDER
    return os.path.join(build, SUBFOLDER, f"go-{version}", "go")


def find(build=None, module_dir=MODULE_DIR, caches=None, exe=None):
    """The toolchain on PATH (or `exe`, another release's go) with deferbench's
    environment, or None. Its programs go to <build>/go (another release's to
    release_dir), its caches too unless `caches` names another build's go
    folder (the gate's base shares the working tree's; Go keys its cache by
    release, so every release shares the default's)."""
    build = os.path.abspath(build or build_dir())
    if exe is None:
        exe = shutil.which("go")
        if exe is None:
            return None
        work = os.path.join(build, "go")
    else:
        from ...run.toolchains import go_version
        version = go_version(exe)
        if version is None:
            raise RuntimeError(f"{exe} does not run as a Go toolchain (go env GOVERSION failed)")
        work = release_dir(build, version)
        caches = caches or os.path.join(build, "go")
    # Absolute: Go refuses a relative GOCACHE, and its commands run in goref/.
    work = os.path.abspath(work)
    caches = os.path.abspath(caches or work)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ,
               GOCACHE=os.path.join(caches, "cache"),
               GOPATH=os.path.join(caches, "gopath"),
               GOMODCACHE=os.path.join(caches, "gopath", "pkg", "mod"),
               GOPROXY="off", GOFLAGS="-mod=mod", GO111MODULE="on", GOWORK="off",
               GOENV="off", GOTRACEBACK="single",
               # Go 1.21 and later would fetch the release a module asks for.
               GOTOOLCHAIN="local")
    return Go(exe, work, env, module_dir)


def describe(go):
    """What the manifest records about the toolchain."""
    values = go.goenv("GOVERSION", "GOOS", "GOARCH", "GOROOT")
    version = go.check(["version"]).stdout.strip()
    return {"go_version": version, "go_goversion": values.get("GOVERSION"),
            "go_os": values.get("GOOS"), "go_arch": values.get("GOARCH"),
            "go_root": values.get("GOROOT"),
            "go_maxprocs_env": os.environ.get("GOMAXPROCS"),
            "go_cache": go.env["GOCACHE"]}
