// Command defersemantics observes the rules of defer that are behaviour
// rather than cost, and prints what it saw as one JSON object, so that every
// run of deferbench records them from Go itself (claims R1, R5, R6):
//
//	lifo            R1: three defers, the order their calls ran in
//	eager_args      R5: a deferred call's argument, the variable changed
//	                after the defer statement: the value the call received
//	                and the value the variable had at the return
//	panic           R6: two defers, then a panic; the calls that ran while
//	                the panic unwound and what recover returned
//	function_scope  R6: a defer inside an if block, then code after the
//	                block: the order of the events shows whether the
//	                deferred call ran at the block's end or the function's
//
// Each observation lists events in the order they happened; the program
// decides nothing, the suite compares them with the rules.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// Observation is what one experiment saw.
type Observation struct {
	Events    []string `json:"events"`              // in the order they happened
	AtDefer   int      `json:"at_defer,omitempty"`  // eager_args: the variable at the defer
	Received  int      `json:"received,omitempty"`  // eager_args: the call's argument
	AtReturn  int      `json:"at_return,omitempty"` // eager_args: the variable at the return
	Panicked  string   `json:"panicked,omitempty"`  // panic: the value panic() was given
	Recovered string   `json:"recovered,omitempty"` // panic: recover()'s value
}

// lifo defers three calls, each recording its number.
func lifo() (o Observation) {
	func() {
		o.Events = append(o.Events, "defer 1")
		defer func() { o.Events = append(o.Events, "ran 1") }()
		o.Events = append(o.Events, "defer 2")
		defer func() { o.Events = append(o.Events, "ran 2") }()
		o.Events = append(o.Events, "defer 3")
		defer func() { o.Events = append(o.Events, "ran 3") }()
	}()
	return o
}

//go:noinline
func record(o *Observation, v int) { o.Received = v }

// eagerArgs defers record(x) with x = 1, then sets x to 2 before returning.
func eagerArgs() (o Observation) {
	func() {
		x := 1
		o.AtDefer = x
		defer record(&o, x)
		x = 2
		o.AtReturn = x
		o.Events = append(o.Events, "x changed to 2", "return")
	}()
	return o
}

// panics defers two calls and a recover, then panics.
func panics() (o Observation) {
	func() {
		defer func() {
			o.Recovered = fmt.Sprint(recover())
			o.Events = append(o.Events, "recovered")
		}()
		defer func() { o.Events = append(o.Events, "ran 1") }()
		defer func() { o.Events = append(o.Events, "ran 2") }()
		o.Panicked = "boom"
		o.Events = append(o.Events, "panic")
		panic(o.Panicked)
	}()
	return o
}

// functionScope defers inside an if block, then works after the block.
func functionScope() (o Observation) {
	func() {
		if len(os.Args) >= 0 { // always true, opaque enough to keep the block
			defer func() { o.Events = append(o.Events, "deferred call ran") }()
			o.Events = append(o.Events, "block ends")
		}
		o.Events = append(o.Events, "code after the block", "return")
	}()
	return o
}

func observe() map[string]Observation {
	return map[string]Observation{
		"lifo": lifo(), "eager_args": eagerArgs(), "panic": panics(),
		"function_scope": functionScope(),
	}
}

func main() {
	out := observe()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "defersemantics:", err)
		os.Exit(1)
	}
}
