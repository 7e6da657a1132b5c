package cliffs

// The three fixes of article B (claim B7), each alone and all together, on
// one program that has all three cliffs: nine defers at function scope
// (cliff 2) and, per item, a defer inside the loop (cliff 1) of a closure
// capturing the item's handle (cliff 3). Every variant acquires and releases
// the same resources; only where and how the defers are written changes.
//
//	fixes/none  all three cliffs
//	fixes/1     fix 1 alone: the loop body's defer moves into a per-item helper
//	fixes/2     fix 2 alone: the last two function-scope cleanups share one
//	            defer, 8 in all (a loop defer still counts, so the function
//	            stays off open-coding: R3 beats fix 2 alone)
//	fixes/3     fix 3 alone: the loop defers a plain call with the values
//	fixes/all   all three

// Fixes lists the variants by name.
var Fixes = map[string]func(t *Tracker, items []int){
	"none": FixesNone, "1": Fixes1, "2": Fixes2, "3": Fixes3, "all": FixesAll,
}

// FixesSetup is how many resources each variant holds at function scope.
const FixesSetup = 9

// release2 releases two resources in the order two defers would (b first).
//
//go:noinline
func (t *Tracker) release2(a, b int) {
	t.release(b)
	t.release(a)
}

//go:noinline
func FixesNone(t *Tracker, items []int) {
	defer t.release(t.acquire(101))
	defer t.release(t.acquire(102))
	defer t.release(t.acquire(103))
	defer t.release(t.acquire(104))
	defer t.release(t.acquire(105))
	defer t.release(t.acquire(106))
	defer t.release(t.acquire(107))
	defer t.release(t.acquire(108))
	defer t.release(t.acquire(109))
	for i := 0; i < len(items); i++ {
		f := open(t, items[i])
		defer func() { f.Close() }()
	}
}

//go:noinline
func fix1Item(t *Tracker, id int) {
	f := open(t, id)
	defer func() { f.Close() }()
}

//go:noinline
func Fixes1(t *Tracker, items []int) {
	defer t.release(t.acquire(101))
	defer t.release(t.acquire(102))
	defer t.release(t.acquire(103))
	defer t.release(t.acquire(104))
	defer t.release(t.acquire(105))
	defer t.release(t.acquire(106))
	defer t.release(t.acquire(107))
	defer t.release(t.acquire(108))
	defer t.release(t.acquire(109))
	for i := 0; i < len(items); i++ {
		fix1Item(t, items[i])
	}
}

//go:noinline
func Fixes2(t *Tracker, items []int) {
	defer t.release(t.acquire(101))
	defer t.release(t.acquire(102))
	defer t.release(t.acquire(103))
	defer t.release(t.acquire(104))
	defer t.release(t.acquire(105))
	defer t.release(t.acquire(106))
	defer t.release(t.acquire(107))
	defer t.release2(t.acquire(108), t.acquire(109))
	for i := 0; i < len(items); i++ {
		f := open(t, items[i])
		defer func() { f.Close() }()
	}
}

//go:noinline
func Fixes3(t *Tracker, items []int) {
	defer t.release(t.acquire(101))
	defer t.release(t.acquire(102))
	defer t.release(t.acquire(103))
	defer t.release(t.acquire(104))
	defer t.release(t.acquire(105))
	defer t.release(t.acquire(106))
	defer t.release(t.acquire(107))
	defer t.release(t.acquire(108))
	defer t.release(t.acquire(109))
	for i := 0; i < len(items); i++ {
		f := open(t, items[i])
		defer t.release(f.id)
	}
}

//go:noinline
func fixAllItem(t *Tracker, id int) {
	f := open(t, id)
	defer t.release(f.id)
}

//go:noinline
func FixesAll(t *Tracker, items []int) {
	defer t.release(t.acquire(101))
	defer t.release(t.acquire(102))
	defer t.release(t.acquire(103))
	defer t.release(t.acquire(104))
	defer t.release(t.acquire(105))
	defer t.release(t.acquire(106))
	defer t.release(t.acquire(107))
	defer t.release2(t.acquire(108), t.acquire(109))
	for i := 0; i < len(items); i++ {
		fixAllItem(t, items[i])
	}
}
