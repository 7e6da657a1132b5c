"""The Go releases and C++ compilers on this machine.

Debian installs each Go release it packages under /usr/lib/go-<release>
(golang-1.19-go in bookworm, golang-1.21-go to golang-1.23-go in
bookworm-backports), and /usr/bin/go is whichever golang-go points at; its C++
compilers are g++-<major> and clang++-<major> on PATH, with g++, clang++ and
c++ as links to one of them. Each toolchain is asked for its own version, and
one reached by several names is listed once, under its shortest name; the
default is the one a plain `make bench` uses (go on PATH, and CXX or c++).
"""

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

GO_ROOTS = ("/usr/lib/go-*/bin/go", "/usr/local/go/bin/go")
_CXX_NAME = re.compile(r"^(?:c\+\+|g\+\+|clang\+\+)(?:-\d+(?:\.\d+)*)?$")


@dataclass(frozen=True)
class Toolchain:
    language: str   # "Go" or "C++"
    compiler: str   # "go", "g++" or "clang++"
    version: str    # as the toolchain says it: "1.22.8", "12.2.0"
    path: str       # the name it was found by
    default: bool   # the one a plain `make bench` uses

    @property
    def key(self):
        """What its figures are filed under: go-1.22.12, gcc-12.2.0, clang-16.0.6."""
        family = {"go": "go", "g++": "gcc", "clang++": "clang"}[self.compiler]
        return f"{family}-{self.version}"


def _ask(argv, env=None):
    """A command's standard output, stripped; None when it cannot run or fails."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def go_version(exe):
    """A Go toolchain's release ("1.22.8"), without downloading another: Go
    1.21 and later would fetch the release a module asks for (GOTOOLCHAIN)."""
    env = dict(os.environ, GOTOOLCHAIN="local", GOENV="off", GOPROXY="off", GOFLAGS="")
    out = _ask([exe, "env", "GOVERSION"], env)
    return out.removeprefix("go") if out else None


def cxx_version(exe):
    """(compiler, version) of a C++ compiler: ("g++", "12.2.0"), ("clang++", "14.0.6")."""
    banner = _ask([exe, "--version"])
    if not banner:
        return None
    if "clang" in banner.splitlines()[0].lower():
        return "clang++", _ask([exe, "-dumpversion"])
    return "g++", _ask([exe, "-dumpfullversion"]) or _ask([exe, "-dumpversion"])


def _path_dirs(path):
    return [d for d in (path if path is not None else os.environ.get("PATH", "")).split(os.pathsep)
            if d]


def _once(found):
    """One entry per real file, under the name that says its version (g++-12,
    /usr/lib/go-1.19/bin/go) where it has one, else its shortest."""
    seen, out = set(), []
    def preference(f):
        says_version = re.search(r"-\d[\d.]*(?:/bin/go)?$", f[0]) is not None
        return (not says_version, len(os.path.basename(f[0])), f[0])
    for path, entry in sorted(found, key=preference):
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            out.append(entry)
    return out


def go_toolchains(path=None, roots=GO_ROOTS):
    """Every Go toolchain: the one on PATH (the default) and each release under `roots`."""
    default = shutil.which("go", path=path)
    candidates = ([default] if default else []) + sorted(
        exe for pattern in roots for exe in glob.glob(pattern) if os.access(exe, os.X_OK))
    default_real = os.path.realpath(default) if default else None
    found = []
    for exe in candidates:
        version = go_version(exe)
        if version:
            found.append((exe, Toolchain("Go", "go", version, exe,
                                         os.path.realpath(exe) == default_real)))
    # The default first, then by release; the same release twice is two paths to one install.
    listed = _once(found)
    return sorted(listed, key=lambda t: (not t.default, release_key(t.version)))


def cxx_toolchains(path=None, default_name=None):
    """Every C++ compiler on PATH named c++, g++, clang++ or one of those with
    a version suffix; the default is `default_name` (CXX), else c++."""
    names = {}
    for d in _path_dirs(path):
        try:
            entries = os.listdir(d)
        except OSError:
            continue
        for name in entries:
            exe = os.path.join(d, name)
            if _CXX_NAME.match(name) and name not in names and os.access(exe, os.X_OK):
                names[name] = exe
    wanted = default_name or os.environ.get("CXX") or "c++"
    default = shutil.which(wanted, path=path)
    default_real = os.path.realpath(default) if default else None
    found = []
    for exe in names.values():
        identity = cxx_version(exe)
        if identity and identity[1]:
            compiler, version = identity
            found.append((exe, Toolchain("C++", compiler, version, exe,
                                         os.path.realpath(exe) == default_real)))
    listed = _once(found)
    return sorted(listed, key=lambda t: (not t.default, t.compiler, release_key(t.version)))


def release_key(version):
    """A release's parts as numbers, for sorting: 1.9 before 1.19."""
    return [int(p) if p.isdigit() else 0 for p in re.split(r"[.\-]", version)]


def lines(toolchains):
    """The listing: one line per toolchain, the defaults marked."""
    width = max((len(f"{t.compiler} {t.version}") for t in toolchains), default=0)
    return [f"  {t.language:<4} {f'{t.compiler} {t.version}':<{width}}  {t.path}"
            f"{'  (default)' if t.default else ''}" for t in toolchains]


ALL = "all"


def _names(t):
    """What a user may type for `t`: its key, its compiler's command name
    (g++-12, clang++-16) and their release prefixes (go-1.22, gcc-12, clang-16)."""
    family, version = t.key.split("-", 1)
    command = {"gcc": "g++", "clang": "clang++", "go": "go"}[family]
    parts = version.split(".")
    prefixes = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return {f"{name}-{p}" for name in (family, command) for p in prefixes}


def select(text, found):
    """The toolchains named in TOOLCHAINS=: empty for none (the defaults
    alone), `all` for every one found, else a comma-separated list of keys or
    their prefixes (go-1.22, gcc-12, clang-16, clang++-16). A UserError names
    what is not here and what is."""
    from ..errors import UserError
    names = [n.strip().lower() for n in (text or "").split(",") if n.strip()]
    if not names:
        return []
    known = ", ".join(t.key for t in found) or "none"
    if ALL in names:
        if len(names) > 1:
            raise UserError(f"TOOLCHAINS={text}: give `all` alone, or a list of toolchains "
                            f"(found here: {known})")
        return list(found)
    chosen = []
    for name in names:
        matches = [t for t in found if name in _names(t)]
        if not matches:
            raise UserError(f"TOOLCHAINS={text}: no toolchain {name!r} here; give `all` or "
                            f"a comma-separated list of these (or their release, e.g. "
                            f"go-1.22, clang-16): {known}")
        if len({t.key for t in matches}) > 1:
            raise UserError(f"TOOLCHAINS={text}: {name!r} names "
                            f"{', '.join(t.key for t in matches)}; give one of them")
        chosen += [m for m in matches[:1] if m not in chosen]
    return chosen


def found_here():
    """Every Go release and C++ compiler on this machine, the defaults first
    in each language."""
    return go_toolchains() + cxx_toolchains()
