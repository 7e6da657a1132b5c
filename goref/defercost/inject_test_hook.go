//go:build deferbench_inject

package defercost

// injectedCount is what the gate's test build adds: one increment per
// DeferOpenCoded call (scripts/deferbench/analysis/gate.py, measure_go).
var injectedCount int

func injected() { injectedCount++ }
