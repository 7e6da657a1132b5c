"""Write a run's report: report.md and a self-contained report.html (charts
embedded as base64 PNG) in the run folder, rebuilt from its JSON alone, and
claims.json, the claims table's verdicts as data.

    python -m deferbench report results/<machine>/<run-id>

A partial run (interrupted, still running, a suite missing) is reported as
partial; a missing folder or manifest, or malformed JSON, is one line naming
the file, exit 2. `make bench` calls build() at the end of every run.
"""

from ..run import folder


def add_arguments(p):
    p.add_argument("run", help="a run folder (results/<machine>/<run-id>) or a run id")
    p.add_argument("--results-dir", default="results", help="where run ids are looked up")
    p.add_argument("--dpi", type=int, default=110, help="PNG resolution of the charts")
    p.add_argument("--site", default=None, help="the site folder whose index.html the report links when it exists (default: "
                   "<build-dir>/site for results/, <results-dir>-site for another)")
    p.add_argument("--build-dir", default="build", help="the build folder (default: build)")


def run(args):
    import os
    from ..render import report  # matplotlib is loaded here, not for --help
    from ..render.site_location import default_site
    site = args.site or default_site(args.results_dir, args.build_dir)
    md, page = report.build(folder.locate(args.run, args.results_dir), args.dpi,
                            os.path.join(site, "index.html"))
    print(f"deferbench: report written: {md}, {page}")
    return 0
