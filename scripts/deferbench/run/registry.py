"""The suites deferbench knows, in the order a run takes them.

Adding a suite: its sources in suites/<name>/ (with one add_subdirectory line
in suites/CMakeLists.txt), its module in deferbench/suites/ defining SUITE, and
one line here. The runner, the report, the gate, the plots and the event probe
all take their suite lists from SUITES.
"""

from ..errors import UserError
from ..suites import cliffs, defer_cost, fd, stack
from ..suites.go import suite as go

SUITES = {s.name: s for s in (
    defer_cost.SUITE,
    cliffs.SUITE,
    stack.SUITE,
    fd.SUITE,
    go.SUITE,
)}


def select(text):
    """The suites named in a comma-separated list, all of them when empty."""
    if not text:
        return list(SUITES.values())
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise UserError(
            f"unknown suite {', '.join(repr(n) for n in unknown)}; "
            f"known suites: {', '.join(SUITES)}")
    return [SUITES[n] for n in dict.fromkeys(names)]
