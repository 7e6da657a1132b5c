// Package goref is deferbench's Go reference: the articles' experiments
// written in Go, so every claim has a figure from Go itself on the same
// machine beside the C++ analog. It has no dependencies outside the
// standard library; scripts/deferbench/suites/go/suite.py builds and runs it.
//
//	defercost/         one defer per strategy (suite defer_cost's case names)
//	cliffs/            article B's three cliffs (suite cliffs' case names)
//	cmd/deferstack/    func f() { defer f() } until the stack overflows (A6, A7)
//	cmd/deferfd/       N files, one deferred Close each (A9, A10)
package goref
