"""List the Go releases and C++ compilers found here; INSTALL=1 adds those Debian offers.

    python -m deferbench toolchains [--install VALUE]

Each Go release (go on PATH, and every /usr/lib/go-<release>) and each C++
compiler on PATH (c++, g++, clang++, with or without a version suffix) is
listed once, with the version it reports and where it is; "(default)" marks
the ones a plain `make bench` uses. --install (INSTALL=1) installs, as root,
the Go releases and Clang versions Debian offers beside its defaults (on
Debian 12: Go 1.21, 1.22 and 1.23 and Clang 19 from bookworm-backports, and
Clang 16), adding the backports source in a file of its own when the machine
has none and saying how to remove it; then it lists again.
"""

from .. import inputs


def add_arguments(p):
    inputs.add_switch(p, "--install", "INSTALL",
                      "install the toolchains Debian offers beside the defaults (root)")


def run(args):
    from ..run import toolchain_install, toolchains
    if args.install:
        toolchain_install.install(toolchain_install.codename())
    found = toolchains.found_here()
    print("toolchains: found here (version, path):")
    for line in toolchains.lines(found):
        print(line)
    if not any(t.language == "Go" for t in found):
        print("toolchains: no Go toolchain; `make setup` installs Debian's default")
    return 0
