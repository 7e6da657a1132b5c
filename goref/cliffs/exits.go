package cliffs

// Rule R4: Go's compiler (ssagen's buildssa, Go 1.14 to 1.22) gives up
// open-coding a function whose explicit return statements times its defer
// statements exceed 15, because every deferred call is inlined at every
// return. exits/<r>x<d> has r return statements and d defers: 3x5 and 5x3
// sit at 15, 4x4 and 2x8 at 16. Only `return` statements count: falling off
// the end of the function is not one, so each function ends with a return.
// The cases match deferbench's C++ exits/3x5 and exits/4x4.

// Exits lists them by name; each takes which return to leave by.
var Exits = map[string]func(t *Tracker, exit int){
	"3x5": exits3x5, "5x3": exits5x3, "4x4": exits4x4, "2x8": exits2x8,
}

//go:noinline
func exits3x5(t *Tracker, exit int) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	if exit == 0 {
		return
	}
	if exit == 1 {
		return
	}
	return
}

//go:noinline
func exits5x3(t *Tracker, exit int) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	if exit == 0 {
		return
	}
	if exit == 1 {
		return
	}
	if exit == 2 {
		return
	}
	if exit == 3 {
		return
	}
	return
}

//go:noinline
func exits4x4(t *Tracker, exit int) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	if exit == 0 {
		return
	}
	if exit == 1 {
		return
	}
	if exit == 2 {
		return
	}
	return
}

//go:noinline
func exits2x8(t *Tracker, exit int) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
	defer t.release(t.acquire(8))
	if exit == 0 {
		return
	}
	return
}
