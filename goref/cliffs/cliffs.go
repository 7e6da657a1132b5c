// Package cliffs holds article B's three cliffs, the code shapes that push a
// function off open-coded defers (claims B3-B7, R2, R3, R5), with the same
// work as deferbench's C++ suite cliffs:
//
//	loop/defer_in_loop  a defer per item inside the loop: every release waits
//	                    for the function's return, records come from deferproc
//	loop/helper         the rewrite: a per-item helper with one open-coded defer
//	loop/plain          the same work with no defer
//	ndefers/N           a function with N defers; at 9 all of them leave
//	                    open-coding (maxOpenDefers is 8)
//	closure/capturing   defer a closure that captures the loop variable
//	closure/plain_call  defer a plain call with the values as arguments
//
// Each item "opens a resource" (Tracker.acquire) and its cleanup releases it
// (Tracker.release); both are calls the compiler may not inline, so the work
// is real and the same in every variant.
package cliffs

// Tracker counts what is open. Open and Peak show the second half of cliff 1
// (how many resources a variant holds at once); Sum comes back to its start
// only when every acquired id is released. Log, when non-nil, records the
// order of releases for the tests; benchmarks leave it nil so that only the
// defer machinery can allocate.
type Tracker struct {
	Open, Peak int
	Sum        int
	Log        *[]int
}

//go:noinline
func (t *Tracker) acquire(id int) int {
	t.Open++
	if t.Open > t.Peak {
		t.Peak = t.Open
	}
	t.Sum += id
	return id
}

//go:noinline
func (t *Tracker) release(id int) {
	t.Open--
	t.Sum -= id
	if t.Log != nil {
		*t.Log = append(*t.Log, id)
	}
}

// releaseSeen is release that also records which loop index the cleanup saw.
//
//go:noinline
func (t *Tracker) releaseSeen(id, seen int) {
	t.release(id)
	if t.Log != nil {
		*t.Log = append(*t.Log, -1-seen)
	}
}

// Cliff 1: defer inside a loop.

//go:noinline
func LoopDeferInLoop(t *Tracker, items []int) {
	for _, id := range items {
		r := t.acquire(id)
		defer t.release(r)
	}
}

//go:noinline
func loopItem(t *Tracker, id int) {
	r := t.acquire(id)
	defer t.release(r)
}

//go:noinline
func LoopHelper(t *Tracker, items []int) {
	for _, id := range items {
		loopItem(t, id)
	}
}

//go:noinline
func LoopPlain(t *Tracker, items []int) {
	for _, id := range items {
		r := t.acquire(id)
		t.release(r)
	}
}

// Cliff 3: a deferred closure that captures the loop variable. The loop
// variable i is one variable for the whole loop (Go before 1.22), assigned on
// every iteration, so the closure captures it by reference: it moves to the
// heap, the closure escapes with the deferred record, and every cleanup sees
// i's final value. The rewrite passes the values as arguments, evaluated when
// the defer statement runs (R5).

//go:noinline
func ClosureCapturing(t *Tracker, items []int) {
	for i := 0; i < len(items); i++ {
		r := t.acquire(items[i])
		defer func() { t.releaseSeen(r, i) }()
	}
}

//go:noinline
func ClosurePlainCall(t *Tracker, items []int) {
	for i := 0; i < len(items); i++ {
		r := t.acquire(items[i])
		defer t.releaseSeen(r, i)
	}
}
