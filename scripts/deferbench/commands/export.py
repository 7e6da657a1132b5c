"""Export a run: Go's benchmark text format (what benchstat reads) or CSV, one line
per repetition; or, for dashboards, one figure per benchmark in JSON.

    python -m deferbench export results/<machine>/<run-id>
        --format benchstat|csv|github-action-benchmark|bencher [--out FILE]

benchstat lines: "Benchmark<Suite>/<name>[-<procs>] <iterations> <ns/op> ns/op
[<B/op> B/op <allocs/op> allocs/op]", each suite under a "pkg: deferbench/<suite>"
header. The -<procs> suffix is Go's GOMAXPROCS and appears only on the Go
suite's entries, as `go test` omits it for one proc (the C++ suites are
single-threaded). ns/op is Google Benchmark's real_time in ns (whole-process
suites: the time of one iteration as they define it). Failed or unmeasured
entries are left out of benchstat (it has no notion of them) and kept in CSV
with their error message. The report writes both files beside itself
(bench.txt, results.csv).

github-action-benchmark: the JSON list its `customSmallerIsBetter` tool reads, one
entry per benchmark, named "<suite>/<case>": {"name", "unit": "ns/op", "value": the
median of the repetitions' real time, "range": "lowest to highest", "extra": how many
repetitions, the machine and the run}; where the run counted instructions under
callgrind, a second entry "<suite>/<case> (instructions)" in instructions/op.
bencher: Bencher Metric Format, {"<suite>/<case>": {"latency": {"value": median ns,
"lower_value": lowest, "upper_value": highest}, "instructions": {"value": per op}}},
for `bencher run --adapter json`. Both: one file per run, failed entries left out.
"""

import sys

from .. import atomic
from ..errors import UserError
from ..render import export
from ..run import folder


def add_arguments(p):
    p.add_argument("run", help="a run folder (results/<machine>/<run-id>) or a run id")
    p.add_argument("--results-dir", default="results", help="where run ids are looked up")
    p.add_argument("--format", default="benchstat", help="benchstat (default), csv, github-action-benchmark or bencher")
    p.add_argument("--out", default=None, help="a file to write (default: standard output)")


def run(args):
    if args.format not in export.FORMATS:
        raise UserError(f"unknown export format {args.format!r}; accepted: {', '.join(export.FORMATS)}")
    content = export.text(folder.load(folder.locate(args.run, args.results_dir)), args.format)
    if args.out:
        atomic.write_text(args.out, content)
    else:
        sys.stdout.write(content)
    return 0
