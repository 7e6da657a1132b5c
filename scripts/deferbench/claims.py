"""The articles' figures, by claim id (see CLAIMS.md in the project's shared
notes), and deferbench's own targets for the C++ strategies.

These are the articles' numbers, quoted; nothing here is a measurement.
"""

# Article figures in ns/op, and which claim states them.
ARTICLE_NS = {
    "call": (4.4, "A3"),
    "open_coded": (5.6, "A2"),
    "open_coded_bits": (5.6, "A2"),
    "chain_stack": (35.4, "A1"),
    # CLAIMS.md's note: the heap path Go took before 1.13, about 50 ns (Go 1.12).
    "chain_heap": (50.0, "A1 note"),
    "chain_heap_pooled": (50.0, "A1 note"),
}

# Article A's derived ratios to the plain call (claim A4).
ARTICLE_RATIO = {"open_coded": 5.6 / 4.4, "chain_stack": 35.4 / 4.4}

# deferbench's targets for defer_cost, as ratios to `call` in the same run.
TARGET_RATIO = {"open_coded": 1.05, "chain_stack": 2.5, "chain_heap_pooled": 4.0}

# Largest coefficient of variation of the repetitions for a trusted figure,
# for the benchmarks that do not allocate.
TARGET_CV = 0.02
