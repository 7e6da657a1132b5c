"""The suites deferbench knows, and how long each runs.

A suite is a Google Benchmark binary built from benchmarks/<name>.cc. The
full settings aim at medians and a spread that can be trusted; QUICK=1 only
checks that everything runs and writes sound results.
"""

from dataclasses import dataclass

from .errors import UserError


@dataclass(frozen=True)
class RunSettings:
    repetitions: int
    min_time_s: float
    interleave: bool  # random interleaving: drift hits every case alike


@dataclass(frozen=True)
class Suite:
    name: str
    claims: str  # the CLAIMS.md ids it measures
    binary: str  # relative to the build folder
    full: RunSettings
    quick: RunSettings

    def settings(self, quick):
        return self.quick if quick else self.full


_QUICK = RunSettings(repetitions=3, min_time_s=0.02, interleave=False)

SUITES = {
    s.name: s
    for s in [
        Suite("defer_cost", "A1-A4, B1", "benchmarks/defer_cost",
              full=RunSettings(repetitions=12, min_time_s=0.25, interleave=True),
              quick=_QUICK),
    ]
}


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
