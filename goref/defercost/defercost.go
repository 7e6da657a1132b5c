// Package defercost measures one defer per strategy of Go's compiler, with
// the work of the runtime's BenchmarkDefer (runtime/runtime_test.go): a
// function that defers one call taking (1, 2, 3), which checks them.
//
// The strategy each function gets is the compiler's choice, and
// `go build -gcflags=-d=defer` prints it; the shapes below force it:
//
//	call        no defer: the same call made directly (claim A3)
//	open_coded  one defer, inlined at the exit behind a deferBits bit (A2)
//	chain_stack a 9th defer statement (maxOpenDefers is 8): every defer of
//	            the function becomes a record in its frame, deferprocStack (A1)
//	chain_heap  a defer inside a loop: a record from the per-P pool, deferproc
//	defer1      the runtime's own benchmark body (runtime_test.go's defer1): a
//	            deferred closure that calls recover and checks its arguments
//	defer1_call defer1's twin: the same closure, arguments and recover, called
//	            without the defer; a ratio of defer1 over it stays in one program
//
// In chain_stack the 8 extra defers sit in a branch that never runs, so each
// call executes exactly one defer, as in the other cases.
package defercost

// never is false at run time; the compiler cannot know it, so the defers it
// guards still count against maxOpenDefers.
var never = false

// once is 1 at run time: the loop in DeferChainHeap runs its defer once.
var once = 1

//go:noinline
func deferred(x, y, z int) {
	if x != 1 || y != 2 || z != 3 {
		panic("deferred: bad arguments")
	}
}

//go:noinline
func nop() {}

//go:noinline
func Call() { deferred(1, 2, 3) }

//go:noinline
func DeferOpenCoded() {
	injected()
	defer deferred(1, 2, 3)
}

//go:noinline
func DeferChainStack() {
	if never {
		defer nop()
		defer nop()
		defer nop()
		defer nop()
		defer nop()
		defer nop()
		defer nop()
		defer nop()
	}
	defer deferred(1, 2, 3)
}

//go:noinline
func DeferChainHeap() {
	for i := 0; i < once; i++ {
		defer deferred(1, 2, 3)
	}
}

// Defer1 is runtime_test.go's defer1, as BenchmarkDefer runs it. A function
// with a defer is never inlined, so neither is this one.
func Defer1() {
	defer func(x, y, z int) {
		if recover() != nil || x != 1 || y != 2 || z != 3 {
			panic("bad recover")
		}
	}(1, 2, 3)
}

// Defer1Call is Defer1 without the defer. noinline keeps the call that
// Defer1 cannot avoid; the closure calls recover, so it is not inlined in
// either (and recover returns nil outside a deferred call).
//
//go:noinline
func Defer1Call() {
	func(x, y, z int) {
		if recover() != nil || x != 1 || y != 2 || z != 3 {
			panic("bad recover")
		}
	}(1, 2, 3)
}
