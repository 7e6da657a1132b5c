package defercost

import (
	"testing"

	"deferbench/goref/internal/grownstack"
)

// Cases in the order and with the names of deferbench's C++ suite defer_cost.
var cases = []struct {
	name string
	fn   func()
}{
	{"call", Call},
	{"open_coded", DeferOpenCoded},
	{"chain_stack", DeferChainStack},
	{"chain_heap", DeferChainHeap},
	{"defer1", Defer1},
	{"defer1_call", Defer1Call},
}

func BenchmarkDeferCost(b *testing.B) {
	for _, c := range cases {
		fn := c.fn
		grownstack.Run(b, c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				fn()
			}
		})
	}
}

// Every case runs its deferred call exactly once: a panic in deferred would
// surface here, and the counts below pin down that nothing is skipped.
func TestEachCaseRunsTheDeferredCall(t *testing.T) {
	for _, c := range cases {
		c.fn() // panics on bad arguments
	}
	if testing.AllocsPerRun(100, DeferOpenCoded) != 0 {
		t.Error("an open-coded defer allocated")
	}
	if testing.AllocsPerRun(100, DeferChainStack) != 0 {
		t.Error("a stack-allocated defer allocated")
	}
}
