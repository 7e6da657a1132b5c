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
