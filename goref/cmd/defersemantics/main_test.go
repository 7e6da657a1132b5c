package main

import (
	"reflect"
	"testing"
)

// What Go's defer does, as the suite's claims expect it; a change of Go's
// semantics fails here before it reaches a report.
func TestObservations(t *testing.T) {
	got := observe()
	want := map[string]Observation{
		"lifo": {Events: []string{"defer 1", "defer 2", "defer 3", "ran 3", "ran 2", "ran 1"}},
		"eager_args": {Events: []string{"x changed to 2", "return"}, AtDefer: 1, Received: 1,
			AtReturn: 2},
		"panic": {Events: []string{"panic", "ran 2", "ran 1", "recovered"}, Panicked: "boom",
			Recovered: "boom"},
		"function_scope": {Events: []string{"block ends", "code after the block", "return",
			"deferred call ran"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("observed %+v\nwant %+v", got, want)
	}
}
