"""deferbench's Python side: it runs the suites, keeps their results, and reads
them back into reports, comparisons and charts.

The layers, in the order the data flows:
  commands/  one module per `python -m deferbench <command>`: its arguments
             and what it prints; nothing else imports them
  run/       the runner, the suite registry, run folders (create, manifest,
             read back), the machine's description, callgrind
  suites/    one module per suite: its registry entry (SUITE), its rows and
             its end-of-run summary; go/ for the Go reference suite
  analysis/  results files, statistics, paired ratios, comparisons, the
             regression gate, history, the articles' claims and the targets
  render/    the report (data, markdown, HTML, charts), exports, plots
errors.py and atomic.py serve every layer.

scipy and matplotlib are imported inside the functions that use them: reading
the registry or printing --help stays fast, and a broken plotting stack costs
the report, never a run.
"""

import os

# The source tree: scripts/deferbench/ is two levels below it.
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
