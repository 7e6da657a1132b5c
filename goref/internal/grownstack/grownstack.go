// Package grownstack runs a benchmark's loop on a goroutine stack that is
// already as large as any of goref's cases needs.
//
// A goroutine starts with 2 KiB of stack. Cases with many defer records in
// their frame (chain_stack's nine, cliff 2's ndefers) outgrow it, and the
// runtime copies the stack to a larger one in the loop's first op. Timing
// hardly notices; the instruction counts do. The go suite counts, under
// callgrind, the instructions inside the function that holds a benchmark's
// loop (suites/go/instructions.py), and callgrind follows returns by the
// stack pointer: when the stack moves under the loop, it misses the loop's
// return and goes on counting the testing package's work after it, a share
// that varies from run to run. Growing the stack before the loop's function
// is entered keeps the move out of what is counted.
package grownstack

import "testing"

// Run is b.Run(name, loop) with loop run after the goroutine's stack has
// been grown.
func Run(b *testing.B, name string, loop func(*testing.B)) bool {
	return b.Run(name, func(b *testing.B) {
		grow()
		loop(b)
	})
}

// grow needs a 16 KiB frame, so the stack is grown to hold it. It stays
// grown for the rest of the goroutine: only a garbage collection shrinks a
// stack, and the testing package collects before a run, not during it.
//
//go:noinline
func grow() {
	var frame [16 << 10]byte
	frame[index] = 1 // a variable index keeps the frame in memory
	sink = frame[index]
}

var index = 0
var sink byte
