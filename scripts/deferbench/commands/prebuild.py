"""Compile the Go reference's binaries ahead of a run (make bench does, beside the C++ build).

The go suite's first phase compiles the runtime's tests and goref's into the
build folder; most of that time is spent in the compiler, and the C++ build
that comes before the run leaves a core idle at times. Compiled here first,
the suite's own phase finds everything in Go's cache, or, given the --token
that make bench also gives the run, takes the binaries as they are. Quiet and never
failing: whatever goes wrong is said again by the suite's own phase, in the run.
"""

from ..run import registry


def add_arguments(p):
    p.add_argument("--build-dir", default="build", help="the CMake build folder")
    p.add_argument("--suites", default="", help="as bench's: nothing is built unless go is "
                   "among them (default: all suites)")
    p.add_argument("--token", default=None,
                   help="recorded when the build completes; a run whose DEFERBENCH_PREBUILD is "
                        "the same takes these binaries without compiling them again")


def run(args):
    try:
        selected = registry.select(args.suites)
    except Exception:  # noqa: BLE001 (bench's own check says what is wrong)
        return 0
    if "go" in [s.name for s in selected]:
        from ..suites.go import suite as go_suite
        go_suite.prebuild(args.build_dir, args.token)
    return 0
