"""Charts across machines and over time, from run folders alone.

    python -m deferbench plots [--results-dir results] [--runs A,B] [--out plots]
                               [--history call,scope_guard,chain_stack] [--suite defer_cost]

Writes, under --out, with stable names (docs/results.md shows them):
  machines_ns_per_op.{png,svg}      each machine's median ns/op per case
  machines_ratio_to_call.{png,svg}  the same as ratios to each machine's own `call`, with
                                    a 95% interval
  machines_instructions.{png,svg}   callgrind's instructions per op per case, where the
                                    runs counted them: one architecture and toolchain
                                    should agree, and the chart marks where they do not
  history_<benchmark>.{png,svg}     a benchmark's median over each machine's complete
                                    runs, change points (history.py) marked
The machines are the newest complete full run of each under --results-dir (a QUICK run
never stands for a machine), or the run folders --runs names. Each is labelled with
what a reader recognises: the CPU, cores, last-level cache and VM.
"""

DEFAULT_HISTORY = "call,scope_guard,chain_stack"


def add_arguments(p):
    p.add_argument("--results-dir", default="results", help="where run folders are")
    p.add_argument("--runs", default="", help="comma-separated run folders (default: the "
                   "newest complete run of each machine)")
    p.add_argument("--out", default="plots", help="folder for the charts (default: plots)")
    p.add_argument("--history", default=DEFAULT_HISTORY,
                   help=f"benchmarks to draw over time (default: {DEFAULT_HISTORY})")
    p.add_argument("--suite", default="defer_cost", help="their suite (default: defer_cost)")
    p.add_argument("--dpi", type=int, default=110)


def run(args):
    paths = [p for p in args.runs.split(",") if p.strip()]
    benches = [b for b in args.history.split(",") if b.strip()]
    from ..render import plots  # matplotlib is loaded here, not for --help
    written = plots.draw(args.results_dir, paths, args.out, benches, args.suite, args.dpi)
    for p in written:
        print(f"deferbench: plot {p} (.svg beside it)")
    return 0
