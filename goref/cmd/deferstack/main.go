// Command deferstack is article A's recursion through defer (claims A6, A7):
// a function whose only work is to defer a call to itself, so the deferred
// call runs at its return and does the same, until the goroutine's stack
// reaches the runtime's limit and the process dies with "fatal error: stack
// overflow". It never exits normally.
//
// How the depth is known exactly: every frame adds one to a counter that
// lives in a file mapped MAP_SHARED (-counter=PATH, 8 bytes, made by the
// caller). A store to a shared mapping lands in the kernel's page cache as
// it happens, so it survives the process's death without any flush; the
// caller reads the file after the child has died. The runtime's overflow is
// fatal (a throw, not a panic: no recover, no deferred call, no exit hook
// runs), which is why the count cannot be printed by the program itself.
// The overflowing frame dies in its prologue, before its body, so the count
// is the number of frames that ran, which is the number of defers executed.
//
// -mode chooses the function:
//
//	defer  func f() { defer f() }: open-coded as built by default, a
//	       stack-allocated record (deferprocStack) when built with
//	       -gcflags=-d=noopendefer
//	loop   the same with the defer inside a one-trip loop: a heap record
//	       (deferproc, per-P pool)
//	plain  func f() { f() }: no defer, the floor
//
// -max-stack sets debug.SetMaxStack (default: the runtime's 1e9 bytes).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"unsafe"
)

// depth points into the shared mapping.
var depth *uint64

// once is 1 at run time; the compiler cannot know it.
var once = 1

func viaDefer() {
	*depth++
	defer viaDefer()
}

func viaLoopDefer() {
	*depth++
	for i := 0; i < once; i++ {
		defer viaLoopDefer()
	}
}

func viaCall() {
	*depth++
	viaCall()
}

func main() {
	mode := flag.String("mode", "defer", "defer, loop or plain")
	counter := flag.String("counter", "", "an 8-byte file the depth is written to (required)")
	maxStack := flag.Int("max-stack", 0, "debug.SetMaxStack in bytes (0: the runtime's default)")
	flag.Parse()
	fn := map[string]func(){"defer": viaDefer, "loop": viaLoopDefer, "plain": viaCall}[*mode]
	if fn == nil || *counter == "" {
		fmt.Fprintln(os.Stderr, "deferstack: -mode must be defer, loop or plain, and -counter is required")
		os.Exit(2)
	}
	f, err := os.OpenFile(*counter, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "deferstack:", err)
		os.Exit(2)
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, 8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		fmt.Fprintln(os.Stderr, "deferstack: mmap:", err)
		os.Exit(2)
	}
	depth = (*uint64)(unsafe.Pointer(&mem[0]))
	*depth = 0
	if *maxStack > 0 {
		debug.SetMaxStack(*maxStack)
	}
	fn()
}
