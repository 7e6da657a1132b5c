//go:build !deferbench_inject

package defercost

// injected is the regression gate's test hook: nothing in a normal build (it
// inlines away); built with -tags deferbench_inject, one increment more per
// open-coded op (inject_test_hook.go), which the gate must catch.
func injected() {}
