package cliffs

// Cliff 2: functions with 1 to 12 defers (ndefers/N). Written out one by
// one: the compiler counts defer statements, so each count needs its own
// function. Each defer acquires a resource when the statement runs (its
// argument, R5) and releases it at the return.

// NDefers lists them by count: NDefers[n] has n defers.
var NDefers = [...]func(t *Tracker){
	nil, nDefers1, nDefers2, nDefers3, nDefers4, nDefers5, nDefers6,
	nDefers7, nDefers8, nDefers9, nDefers10, nDefers11, nDefers12,
}

//go:noinline
func nDefers1(t *Tracker) {
	defer t.release(t.acquire(1))
}

//go:noinline
func nDefers2(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
}

//go:noinline
func nDefers3(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
}

//go:noinline
func nDefers4(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
}

//go:noinline
func nDefers5(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
}

//go:noinline
func nDefers6(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
}

//go:noinline
func nDefers7(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
}

//go:noinline
func nDefers8(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
	defer t.release(t.acquire(8))
}

//go:noinline
func nDefers9(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
	defer t.release(t.acquire(8))
	defer t.release(t.acquire(9))
}

//go:noinline
func nDefers10(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
	defer t.release(t.acquire(8))
	defer t.release(t.acquire(9))
	defer t.release(t.acquire(10))
}

//go:noinline
func nDefers11(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
	defer t.release(t.acquire(8))
	defer t.release(t.acquire(9))
	defer t.release(t.acquire(10))
	defer t.release(t.acquire(11))
}

//go:noinline
func nDefers12(t *Tracker) {
	defer t.release(t.acquire(1))
	defer t.release(t.acquire(2))
	defer t.release(t.acquire(3))
	defer t.release(t.acquire(4))
	defer t.release(t.acquire(5))
	defer t.release(t.acquire(6))
	defer t.release(t.acquire(7))
	defer t.release(t.acquire(8))
	defer t.release(t.acquire(9))
	defer t.release(t.acquire(10))
	defer t.release(t.acquire(11))
	defer t.release(t.acquire(12))
}
