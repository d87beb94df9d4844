// Package storetest is the conformance suite of core.Store: every store
// implementation runs Run from its own tests, against a fresh store per
// subtest, and passes it.
//
// The suite states the contract that core.Store's documentation leaves to
// the implementation: which lookups are case-insensitive, what comes back
// from a round trip (times in UTC to the microsecond, empty tags as an empty
// slice), which deletes are refused while something refers to the thing, and
// how Update behaves under concurrency (no lost writes, outbox Seqs
// consecutive, a failing Update undoing only its own writes).
package storetest
