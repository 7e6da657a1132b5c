"""Statistics over repetitions, from numpy and scipy.stats."""

import numpy as np


def median(values):
    return float(np.median(values)) if len(values) else float("nan")


def cv(values):
    """Coefficient of variation (sample standard deviation / mean)."""
    if len(values) < 2:
        return float("nan")
    from scipy import stats  # imported where used: see the package's docstring
    return float(stats.variation(values, ddof=1))
