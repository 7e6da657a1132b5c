"""Figures as text, the one way every summary, table and report writes them."""

import math


def number(value, spec=".1f", missing="-"):
    """value formatted with spec; `missing` for None or NaN (never a 0 that was
    not measured)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return format(value, spec)
