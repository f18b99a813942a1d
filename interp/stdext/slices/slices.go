// Package slices adds to the interpreter's slices package (Equal, Index,
// Contains, Insert, Delete, Clone, Compact, Reverse, Concat ... come from
// yaegi) the functions yaegi v0.16.1 lacks: sorting, binary search, Min/Max
// and the Go 1.23 iterator helpers. It is interpreted from this source by
// godl (see package stdext); it also compiles as plain Go so vet checks it.
package slices

import (
	"cmp"
	"iter"
	"sort"
)

// Sort sorts a slice of any ordered type in ascending order (NaNs first).
func Sort[S ~[]E, E cmp.Ordered](x S) {
	// Compiled fast paths for the common element types.
	switch v := any(x).(type) {
	case []int:
		sort.Ints(v)
		return
	case []float64:
		sort.Float64s(v)
		return
	case []string:
		sort.Strings(v)
		return
	}
	s := []E(x)
	stack := []int{0, len(s)}
	for len(stack) > 0 {
		lo, hi := stack[len(stack)-2], stack[len(stack)-1]
		stack = stack[:len(stack)-2]
		for hi-lo > 12 {
			m := lo + (hi-lo)/2
			a, b, c := s[lo], s[m], s[hi-1]
			if b < a || (b != b && a == a) {
				a, b = b, a
			}
			if c < b || (c != c && b == b) {
				b = c
				if b < a || (b != b && a == a) {
					b = a
				}
			}
			p := b // median of three
			lt, i, gt := lo, lo, hi
			for i < gt {
				if s[i] < p || (s[i] != s[i] && p == p) {
					s[lt], s[i] = s[i], s[lt]
					lt++
					i++
				} else if p < s[i] || (p != p && s[i] == s[i]) {
					gt--
					s[i], s[gt] = s[gt], s[i]
				} else {
					i++
				}
			}
			// Push the longer side, go on with the shorter one.
			if lt-lo < hi-gt {
				stack = append(stack, gt, hi)
				hi = lt
			} else {
				stack = append(stack, lo, lt)
				lo = gt
			}
		}
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && (s[j] < s[j-1] || (s[j] != s[j] && s[j-1] == s[j-1])); j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
}

// SortFunc sorts x in ascending order as determined by cmp; it is not stable.
func SortFunc[S ~[]E, E any](x S, compare func(a, b E) int) {
	// The algorithm is written out in each function that needs it: yaegi
	// v0.16.1 mis-runs generic functions that call other generic functions
	// with function arguments of interpreted types, or themselves.
	s := []E(x)
	stack := []int{0, len(s)}
	for len(stack) > 0 {
		lo, hi := stack[len(stack)-2], stack[len(stack)-1]
		stack = stack[:len(stack)-2]
		for hi-lo > 12 {
			m := lo + (hi-lo)/2
			a, b, c := s[lo], s[m], s[hi-1]
			if compare(b, a) < 0 {
				a, b = b, a
			}
			if compare(c, b) < 0 {
				b = c
				if compare(b, a) < 0 {
					b = a
				}
			}
			p := b // median of three
			lt, i, gt := lo, lo, hi
			for i < gt {
				if compare(s[i], p) < 0 {
					s[lt], s[i] = s[i], s[lt]
					lt++
					i++
				} else if compare(p, s[i]) < 0 {
					gt--
					s[i], s[gt] = s[gt], s[i]
				} else {
					i++
				}
			}
			// Push the longer side, go on with the shorter one.
			if lt-lo < hi-gt {
				stack = append(stack, gt, hi)
				hi = lt
			} else {
				stack = append(stack, lo, lt)
				lo = gt
			}
		}
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && compare(s[j], s[j-1]) < 0; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
}

// SortStableFunc sorts x keeping the original order of equal elements.
func SortStableFunc[S ~[]E, E any](x S, compare func(a, b E) int) {
	// The algorithm is written out in each function that needs it: yaegi
	// v0.16.1 mis-runs generic functions that call other generic functions
	// with function arguments of interpreted types, or themselves.
	s := []E(x)
	const block = 16
	n := len(s)
	for lo := 0; lo < n; lo += block {
		hi := lo + block
		if hi > n {
			hi = n
		}
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && compare(s[j], s[j-1]) < 0; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
	if n <= block {
		return
	}
	buf := make([]E, n)
	for width := block; width < n; width *= 2 {
		for lo := 0; lo+width < n; lo += 2 * width {
			m, hi := lo+width, lo+2*width
			if hi > n {
				hi = n
			}
			if compare(s[m], s[m-1]) >= 0 {
				continue
			}
			copy(buf[lo:hi], s[lo:hi])
			i, j, k := lo, m, lo
			for i < m && j < hi {
				if compare(buf[j], buf[i]) < 0 {
					s[k] = buf[j]
					j++
				} else {
					s[k] = buf[i]
					i++
				}
				k++
			}
			for i < m {
				s[k] = buf[i]
				i++
				k++
			}
			for j < hi {
				s[k] = buf[j]
				j++
				k++
			}
		}
	}
}

// IsSorted reports whether x is sorted in ascending order.
func IsSorted[S ~[]E, E cmp.Ordered](x S) bool {
	for i := len(x) - 1; i > 0; i-- {
		if x[i] < x[i-1] || (x[i] != x[i] && x[i-1] == x[i-1]) {
			return false
		}
	}
	return true
}

// IsSortedFunc reports whether x is sorted in ascending order by cmp.
func IsSortedFunc[S ~[]E, E any](x S, compare func(a, b E) int) bool {
	for i := len(x) - 1; i > 0; i-- {
		if compare(x[i], x[i-1]) < 0 {
			return false
		}
	}
	return true
}

// Min returns the minimal value in x; it panics if x is empty. For
// floating-point numbers a NaN anywhere makes the result NaN.
func Min[S ~[]E, E cmp.Ordered](x S) E {
	if len(x) < 1 {
		panic("slices.Min: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if x[i] != x[i] {
			return x[i]
		}
		if x[i] < m {
			m = x[i]
		}
	}
	return m
}

// Max returns the maximal value in x; it panics if x is empty. For
// floating-point numbers a NaN anywhere makes the result NaN.
func Max[S ~[]E, E cmp.Ordered](x S) E {
	if len(x) < 1 {
		panic("slices.Max: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if x[i] != x[i] {
			return x[i]
		}
		if x[i] > m {
			m = x[i]
		}
	}
	return m
}

// MinFunc returns the first minimal value in x by cmp; it panics if x is empty.
func MinFunc[S ~[]E, E any](x S, compare func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MinFunc: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if compare(x[i], m) < 0 {
			m = x[i]
		}
	}
	return m
}

// MaxFunc returns the first maximal value in x by cmp; it panics if x is empty.
func MaxFunc[S ~[]E, E any](x S, compare func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MaxFunc: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if compare(x[i], m) > 0 {
			m = x[i]
		}
	}
	return m
}

// BinarySearch searches for target in the sorted slice x and returns the
// position where target is found, or would be inserted, and whether it was
// found.
func BinarySearch[S ~[]E, E cmp.Ordered](x S, target E) (int, bool) {
	n := len(x)
	i, j := 0, n
	for i < j {
		h := int(uint(i+j) >> 1)
		if x[h] < target || (x[h] != x[h] && target == target) {
			i = h + 1
		} else {
			j = h
		}
	}
	return i, i < n && (x[i] == target || (x[i] != x[i] && target != target))
}

// BinarySearchFunc is BinarySearch with a comparison function.
func BinarySearchFunc[S ~[]E, E, T any](x S, target T, compare func(E, T) int) (int, bool) {
	n := len(x)
	i, j := 0, n
	for i < j {
		h := int(uint(i+j) >> 1)
		if compare(x[h], target) < 0 {
			i = h + 1
		} else {
			j = h
		}
	}
	return i, i < n && compare(x[i], target) == 0
}

// All returns an iterator over index-value pairs of s.
func All[Slice ~[]E, E any](s Slice) iter.Seq2[int, E] {
	return func(yield func(int, E) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Values returns an iterator over the elements of s.
func Values[Slice ~[]E, E any](s Slice) iter.Seq[E] {
	return func(yield func(E) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

// Backward returns an iterator over index-value pairs of s, backwards.
func Backward[Slice ~[]E, E any](s Slice) iter.Seq2[int, E] {
	return func(yield func(int, E) bool) {
		for i := len(s) - 1; i >= 0; i-- {
			if !yield(i, s[i]) {
				return
			}
		}
	}
}

// AppendSeq appends the values from seq to s and returns the result.
func AppendSeq[Slice ~[]E, E any](s Slice, seq iter.Seq[E]) Slice {
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Collect collects the values from seq into a new slice.
func Collect[E any](seq iter.Seq[E]) []E {
	var s []E
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Sorted collects the values from seq into a new slice and sorts it.
func Sorted[E cmp.Ordered](seq iter.Seq[E]) []E {
	var s []E
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	stack := []int{0, len(s)}
	for len(stack) > 0 {
		lo, hi := stack[len(stack)-2], stack[len(stack)-1]
		stack = stack[:len(stack)-2]
		for hi-lo > 12 {
			m := lo + (hi-lo)/2
			a, b, c := s[lo], s[m], s[hi-1]
			if b < a || (b != b && a == a) {
				a, b = b, a
			}
			if c < b || (c != c && b == b) {
				b = c
				if b < a || (b != b && a == a) {
					b = a
				}
			}
			p := b // median of three
			lt, i, gt := lo, lo, hi
			for i < gt {
				if s[i] < p || (s[i] != s[i] && p == p) {
					s[lt], s[i] = s[i], s[lt]
					lt++
					i++
				} else if p < s[i] || (p != p && s[i] == s[i]) {
					gt--
					s[i], s[gt] = s[gt], s[i]
				} else {
					i++
				}
			}
			// Push the longer side, go on with the shorter one.
			if lt-lo < hi-gt {
				stack = append(stack, gt, hi)
				hi = lt
			} else {
				stack = append(stack, lo, lt)
				lo = gt
			}
		}
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && (s[j] < s[j-1] || (s[j] != s[j] && s[j-1] == s[j-1])); j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
	return s
}

// SortedFunc collects the values from seq and sorts them by cmp.
func SortedFunc[E any](seq iter.Seq[E], compare func(E, E) int) []E {
	var s []E
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	stack := []int{0, len(s)}
	for len(stack) > 0 {
		lo, hi := stack[len(stack)-2], stack[len(stack)-1]
		stack = stack[:len(stack)-2]
		for hi-lo > 12 {
			m := lo + (hi-lo)/2
			a, b, c := s[lo], s[m], s[hi-1]
			if compare(b, a) < 0 {
				a, b = b, a
			}
			if compare(c, b) < 0 {
				b = c
				if compare(b, a) < 0 {
					b = a
				}
			}
			p := b // median of three
			lt, i, gt := lo, lo, hi
			for i < gt {
				if compare(s[i], p) < 0 {
					s[lt], s[i] = s[i], s[lt]
					lt++
					i++
				} else if compare(p, s[i]) < 0 {
					gt--
					s[i], s[gt] = s[gt], s[i]
				} else {
					i++
				}
			}
			// Push the longer side, go on with the shorter one.
			if lt-lo < hi-gt {
				stack = append(stack, gt, hi)
				hi = lt
			} else {
				stack = append(stack, lo, lt)
				lo = gt
			}
		}
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && compare(s[j], s[j-1]) < 0; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
	return s
}

// SortedStableFunc collects the values from seq and sorts them stably by cmp.
func SortedStableFunc[E any](seq iter.Seq[E], compare func(E, E) int) []E {
	var s []E
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	const block = 16
	n := len(s)
	for lo := 0; lo < n; lo += block {
		hi := lo + block
		if hi > n {
			hi = n
		}
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && compare(s[j], s[j-1]) < 0; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
	if n <= block {
		return s
	}
	buf := make([]E, n)
	for width := block; width < n; width *= 2 {
		for lo := 0; lo+width < n; lo += 2 * width {
			m, hi := lo+width, lo+2*width
			if hi > n {
				hi = n
			}
			if compare(s[m], s[m-1]) >= 0 {
				continue
			}
			copy(buf[lo:hi], s[lo:hi])
			i, j, k := lo, m, lo
			for i < m && j < hi {
				if compare(buf[j], buf[i]) < 0 {
					s[k] = buf[j]
					j++
				} else {
					s[k] = buf[i]
					i++
				}
				k++
			}
			for i < m {
				s[k] = buf[i]
				i++
				k++
			}
			for j < hi {
				s[k] = buf[j]
				j++
				k++
			}
		}
	}
	return s
}

// Repeat returns a new slice that repeats x count times.
func Repeat[S ~[]E, E any](x S, count int) S {
	if count < 0 {
		panic("cannot be negative")
	}
	out := make(S, 0, len(x)*count)
	for i := 0; i < count; i++ {
		out = append(out, x...)
	}
	return out
}
