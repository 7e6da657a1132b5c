"""Figures from results: statistics, paired ratios, comparisons, the gate, history,
the articles' claims and deferbench's targets, for the commands and the report to show."""
