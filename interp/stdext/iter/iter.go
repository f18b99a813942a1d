// Package iter is the part of Go's iter package that the interpreter can
// run: the Seq and Seq2 function types (Pull needs coroutines and is absent).
// It is interpreted from this source by godl; see package stdext.
package iter

// Seq is an iterator over sequences of individual values.
type Seq[V any] func(yield func(V) bool)

// Seq2 is an iterator over sequences of pairs of values.
type Seq2[K, V any] func(yield func(K, V) bool)
