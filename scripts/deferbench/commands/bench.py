"""Run the suites and write a new run folder (what `make bench` does).

Each suite writes Google Benchmark's JSON into the run folder, with a
manifest that records the machine, the toolchain, the build, the git state,
the perf events and how each suite ended; the run ends with a summary on the
console, the run's report and the site's index over every run.
"""

import os

from .. import inputs
from ..run import registry


def add_arguments(p):
    p.add_argument("--suites", default="", help="comma-separated suites (default: all): "
                   + ", ".join(registry.SUITES))
    inputs.add_switch(p, "--quick", "QUICK", "a short smoke run")
    p.add_argument("--results-dir", default="results", help="where run folders go")
    p.add_argument("--build-dir", default="build", help="the CMake build folder")
    p.add_argument("--site", default=None, help="where the end of the run rewrites the "
                   "site's index.html over --results-dir (default: <build-dir>/site for "
                   "results/, <results-dir>-site for another)")
    p.add_argument("--machine", default=None, help="machine id (default: derived)")
    p.add_argument("--events", default=None,
                   help="comma-separated libpfm4 event names, or none (default, and when "
                        "empty: the suites' set)")
    p.add_argument("--counters", choices=["perf", "callgrind"], default="perf",
                   help="callgrind: also count instructions/op under valgrind")
    p.add_argument("--toolchains", default="",
                   help="also measure with these toolchains: all, or a comma-separated "
                        "list (go-1.22, clang-16, gcc-12.2.0; `make toolchains` lists them); "
                        "the suites a toolchain decides (defer_cost and cliffs for C++, go "
                        "for Go) run again with each, under <run>/toolchains/<key>/, with "
                        "instructions counted under callgrind")
    p.add_argument("--jobs", type=inputs.count_type("JOBS"), default=os.cpu_count() or 2,
                   help="parallel jobs when building the suites with another compiler")
    p.add_argument("--check-inputs", action="store_true",
                   help="only check what was typed (suites, switches, counts) and exit: "
                        "`make bench` does so before it builds anything")
    p.add_argument("--started-at", type=float, default=None, metavar="EPOCH_S",
                   help="when `make bench` began (seconds since the epoch, before its "
                        "build): the last line's times then include the build")
    p.epilog = (f"Switches (--quick VALUE, QUICK=, FD_SYSTEM=): {inputs.SWITCH_GRAMMAR} "
                f"(any case). Counts (FD_N=, read alike by the fd and go "
                f"suites): {inputs.COUNT_GRAMMAR} "
                f"(FD_N=1k,12K,250_000, FD_N=1m); empty: the default. Anything else is refused in one line "
                f"before a run folder exists.")


def run(args):
    from ..run import runner
    if args.events is not None:  # empty: the default set; "none": no event at all
        args.events = None if not args.events.strip() else (
            "" if args.events.strip() == "none" else args.events)
    if args.check_inputs:
        runner.check_inputs(args)
        return 0
    return runner.run(args)
