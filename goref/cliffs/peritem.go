package cliffs

// Cliff 3 as article B describes it: a deferred closure that captures a
// variable of the iteration, here a handle opened in the loop body. The
// handle is a value whose Close has a pointer receiver, so the closure uses
// its address: it captures the handle by reference, and since the closure
// outlives the iteration (its defer runs at the function's return), the
// compiler reports, per iteration, "moved to heap: f" (the handle) and "func
// literal escapes to heap" (the closure), beside the defer's own record
// ("heap-allocated defer", taken from the runtime's per-P pool). That is one
// candidate allocation of each kind per item, which closure/per_item counts.
// ClosureCapturing (cliffs.go) captures the loop counter instead, one
// variable for the whole loop before Go 1.22: it moves to the heap once per
// call, not once per item.

// ManyItems is article B's loop length for its count of allocations.
const ManyItems = 10_000

// handle is a resource held by value, closed through its address.
type handle struct {
	t  *Tracker
	id int
}

//go:noinline
func (h *handle) Close() { h.t.release(h.id) }

func open(t *Tracker, id int) handle { return handle{t, t.acquire(id)} }

//go:noinline
func ClosurePerItem(t *Tracker, items []int) {
	for i := 0; i < len(items); i++ {
		f := open(t, items[i])
		defer func() { f.Close() }()
	}
}

// ClosurePerItemPlainCall is fix 3 for it: defer a plain call whose
// arguments are the values, evaluated at the defer statement (R5); nothing
// takes the handle's address after the iteration.
//
//go:noinline
func ClosurePerItemPlainCall(t *Tracker, items []int) {
	for i := 0; i < len(items); i++ {
		f := open(t, items[i])
		defer t.release(f.id)
	}
}
