"""Figures from results: statistics, paired ratios, comparisons, the gate, history,
the articles' claims and deferbench's targets. Returns data, never text for a screen."""
