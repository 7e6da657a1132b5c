"""One page over every machine and run: index.html in a folder git does not
track, self-contained (charts inline), loadable from disk.

    python -m deferbench site [--results-dir results] [--out build/site]
                              [--build-dir build]

It lists each machine and its runs (full, QUICK and partial told apart),
links every run's report and the comparisons in its folder, draws each
machine's headline ratios over its runs (intervals, commits, change points)
and compares the newest full run of every machine. `make bench` rewrites it
at the end of every run.
"""


def add_arguments(p):
    p.add_argument("--results-dir", default="results", help="where run folders are")
    p.add_argument("--out", default=None, help="folder for index.html (default: "
                   "<build-dir>/site for results/, which git does not track; "
                   "<results-dir>-site for another results folder)")
    p.add_argument("--build-dir", default="build", help="the build folder (default: build)")


def run(args):
    from ..render import site  # matplotlib is loaded here, not for --help
    from ..render.site_location import default_site
    out = args.out or default_site(args.results_dir, args.build_dir)
    print(f"deferbench: site: {site.build(args.results_dir, out)}")
    return 0
