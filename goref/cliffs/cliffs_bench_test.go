package cliffs

import (
	"strconv"
	"testing"

	"deferbench/goref/internal/grownstack"
)

// Each benchmark also reports peak_open: how many resources the variant held
// at once (the second half of cliff 1).
func bench(b *testing.B, fn func(*Tracker, []int)) {
	var t Tracker
	for i := 0; i < b.N; i++ {
		fn(&t, items)
	}
	b.ReportMetric(float64(t.Peak), "peak_open")
}

// benchItems is bench for a case that loops over its items, which it also
// reports (items): allocations per item are allocs/op over items, whatever
// else the case holds (the fixes' nine resources at function scope).
func benchItems(b *testing.B, fn func(*Tracker, []int), list []int) {
	var t Tracker
	for i := 0; i < b.N; i++ {
		fn(&t, list)
	}
	b.ReportMetric(float64(t.Peak), "peak_open")
	b.ReportMetric(float64(len(list)), "items")
}

func BenchmarkCliffs(b *testing.B) {
	grownstack.Run(b, "loop/defer_in_loop", func(b *testing.B) { bench(b, LoopDeferInLoop) })
	grownstack.Run(b, "loop/helper", func(b *testing.B) { bench(b, LoopHelper) })
	grownstack.Run(b, "loop/plain", func(b *testing.B) { bench(b, LoopPlain) })
	for n := 1; n < len(NDefers); n++ {
		fn := NDefers[n]
		grownstack.Run(b, "ndefers/"+strconv.Itoa(n), func(b *testing.B) {
			bench(b, func(t *Tracker, _ []int) { fn(t) })
		})
	}
	grownstack.Run(b, "closure/capturing", func(b *testing.B) { bench(b, ClosureCapturing) })
	grownstack.Run(b, "closure/plain_call", func(b *testing.B) { bench(b, ClosurePlainCall) })
	grownstack.Run(b, "closure/per_item", func(b *testing.B) { benchItems(b, ClosurePerItem, items) })
	grownstack.Run(b, "closure/per_item_plain_call", func(b *testing.B) {
		benchItems(b, ClosurePerItemPlainCall, items)
	})
	// Article B's count is for 10,000 items: the runtime's pool of defer
	// records is emptied at each GC, so a long loop can allocate records too.
	many := make([]int, ManyItems)
	for k := range many {
		many[k] = k + 1
	}
	grownstack.Run(b, "closure/per_item_10k", func(b *testing.B) {
		benchItems(b, ClosurePerItem, many)
	})
	for _, name := range []string{"none", "1", "2", "3", "all"} {
		fn := Fixes[name]
		grownstack.Run(b, "fixes/"+name, func(b *testing.B) { benchItems(b, fn, items) })
	}
	for _, name := range []string{"3x5", "5x3", "4x4", "2x8"} {
		fn := Exits[name]
		grownstack.Run(b, "exits/"+name, func(b *testing.B) {
			bench(b, func(t *Tracker, _ []int) { fn(t, 0) })
		})
	}
}
