"""The Go reference suite: toolchain, builds, benchmarks, pairs, stack and fd runs."""
