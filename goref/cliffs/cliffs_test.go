package cliffs

import (
	"fmt"
	"reflect"
	"testing"
)

// items is the article's loop: 10 items.
var items = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

func run(fn func(*Tracker, []int)) (Tracker, []int) {
	var log []int
	t := Tracker{Log: &log}
	fn(&t, items)
	return t, log
}

func reversed(s []int) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// Cliff 1: all three variants release every item; the loop defer releases in
// LIFO order only at the return, so it holds all 10 at once; the helper and
// the plain loop hold one.
func TestLoopVariantsReleaseEveryItem(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(*Tracker, []int)
		peak int
		log  []int
	}{
		{"defer_in_loop", LoopDeferInLoop, len(items), reversed(items)},
		{"helper", LoopHelper, 1, items},
		{"plain", LoopPlain, 1, items},
	} {
		tr, log := run(c.fn)
		if tr.Open != 0 || tr.Sum != 0 {
			t.Errorf("%s: open %d, sum %d after return; want 0, 0", c.name, tr.Open, tr.Sum)
		}
		if tr.Peak != c.peak {
			t.Errorf("%s: peak %d open at once, want %d", c.name, tr.Peak, c.peak)
		}
		if !reflect.DeepEqual(log, c.log) {
			t.Errorf("%s: releases %v, want %v", c.name, log, c.log)
		}
	}
}

// Cliff 2: n defers run in LIFO order whatever the strategy the compiler
// chose for the function.
func TestNDefersRunLastInFirstOut(t *testing.T) {
	for n := 1; n < len(NDefers); n++ {
		var log []int
		tr := Tracker{Log: &log}
		NDefers[n](&tr)
		want := make([]int, n)
		for k := range want {
			want[k] = n - k
		}
		if tr.Open != 0 || tr.Peak != n || !reflect.DeepEqual(log, want) {
			t.Errorf("ndefers/%d: open %d, peak %d, releases %v; want 0, %d, %v",
				n, tr.Open, tr.Peak, log, n, want)
		}
	}
}

// Cliff 3: both variants release every resource in LIFO order, but the
// capturing closure reads the loop variable when it runs, after the loop
// ended, so every cleanup sees len(items); the plain call got its arguments
// when the defer statement ran (R5).
func TestClosureSeesTheLoopVariableAtReturn(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(*Tracker, []int)
		seen func(i int) int
	}{
		{"capturing", ClosureCapturing, func(int) int { return len(items) }},
		{"plain_call", ClosurePlainCall, func(i int) int { return i }},
	} {
		tr, log := run(c.fn)
		var want []int
		for i := len(items) - 1; i >= 0; i-- {
			want = append(want, items[i], -1-c.seen(i))
		}
		if tr.Open != 0 || tr.Sum != 0 || !reflect.DeepEqual(log, want) {
			t.Errorf("%s: open %d, sum %d, log %v; want 0, 0, %v", c.name, tr.Open, tr.Sum, log, want)
		}
	}
}

// The rewrites do not allocate; the closure does, once per item at least.
func TestAllocations(t *testing.T) {
	var tr Tracker
	allocs := func(fn func(*Tracker, []int)) float64 {
		return testing.AllocsPerRun(100, func() { fn(&tr, items) })
	}
	if a := allocs(LoopHelper); a != 0 {
		t.Errorf("loop/helper: %v allocs per call, want 0", a)
	}
	if a := allocs(ClosureCapturing); a < float64(len(items)) {
		t.Errorf("closure/capturing: %v allocs per call, want at least %d", a, len(items))
	}
	if a := testing.AllocsPerRun(100, func() { NDefers[8](&tr) }); a != 0 {
		t.Errorf("ndefers/8: %v allocs per call, want 0", a)
	}
}

func ExampleNDefers() {
	var log []int
	tr := Tracker{Log: &log}
	NDefers[3](&tr)
	fmt.Println(log, tr.Open)
	// Output: [3 2 1] 0
}

// R4: every exit of every exits case runs all its defers, last in first out.
func TestExitsRunEveryDeferAtEveryReturn(t *testing.T) {
	for name, fn := range Exits {
		var returns, defers int
		fmt.Sscanf(name, "%dx%d", &returns, &defers)
		for exit := 0; exit < returns; exit++ {
			var log []int
			tr := Tracker{Log: &log}
			fn(&tr, exit)
			want := make([]int, defers)
			for k := range want {
				want[k] = defers - k
			}
			if tr.Open != 0 || !reflect.DeepEqual(log, want) {
				t.Errorf("exits/%s by return %d: open %d, releases %v; want 0, %v",
					name, exit, tr.Open, log, want)
			}
		}
	}
}

// Cliff 3 per item and the fixes: every variant releases everything it
// acquired, the items in LIFO order after (or, with a helper, each as its
// iteration ends) and the nine function-scope resources last.
func TestPerItemAndFixesReleaseEverything(t *testing.T) {
	for name, fn := range map[string]func(*Tracker, []int){
		"per_item": ClosurePerItem, "per_item_plain_call": ClosurePerItemPlainCall,
	} {
		tr, log := run(fn)
		if tr.Open != 0 || tr.Sum != 0 || !reflect.DeepEqual(log, reversed(items)) {
			t.Errorf("closure/%s: open %d, sum %d, releases %v", name, tr.Open, tr.Sum, log)
		}
	}
	setup := make([]int, FixesSetup)
	for k := range setup {
		setup[k] = 101 + FixesSetup - 1 - k
	}
	for name, fn := range Fixes {
		tr, log := run(fn)
		helper := name == "1" || name == "all"
		want := append(reversed(items), setup...)
		if helper {
			want = append(append([]int{}, items...), setup...)
		}
		if tr.Open != 0 || tr.Sum != 0 || !reflect.DeepEqual(log, want) {
			t.Errorf("fixes/%s: open %d, sum %d, releases %v; want %v", name, tr.Open, tr.Sum, log, want)
		}
	}
}

// The allocations the suite's claims rest on, counted with Go's own
// counter: per item, the per-iteration capture costs a closure and the
// handle; the plain call only the compiler's wrapper of its arguments; the
// fixes with a helper none at all.
func TestPerItemAllocations(t *testing.T) {
	var tr Tracker
	perItem := func(fn func(*Tracker, []int)) float64 {
		return testing.AllocsPerRun(100, func() { fn(&tr, items) }) / float64(len(items))
	}
	for _, c := range []struct {
		name string
		fn   func(*Tracker, []int)
		want float64
	}{
		{"closure/per_item", ClosurePerItem, 2},
		{"closure/per_item_plain_call", ClosurePerItemPlainCall, 1},
		{"fixes/none", FixesNone, 2},
		{"fixes/1", Fixes1, 0},
		{"fixes/2", Fixes2, 2},
		{"fixes/3", Fixes3, 1},
		{"fixes/all", FixesAll, 0},
	} {
		if a := perItem(c.fn); a != c.want {
			t.Errorf("%s: %v allocs per item, want %v (Go 1.19)", c.name, a, c.want)
		}
	}
}
