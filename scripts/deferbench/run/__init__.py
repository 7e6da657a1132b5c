"""Running suites: the runner, the registry, run folders, the machine, callgrind."""
