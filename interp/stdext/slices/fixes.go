package slices

// Replacements for functions of yaegi's copy of package slices that fail in
// yaegi v0.16.1: those that use the clear builtin it lacks ("index out of
// range"), and Grow and Concat (compiler crash). Compiled after yaegi's
// copy, these definitions win.

// Delete removes the elements s[i:j] from s, returning the modified slice,
// and zeroes the elements between the new and the original length.
func Delete[S ~[]E, E any](s S, i, j int) S {
	_ = s[i:j:len(s)] // bounds check
	if i == j {
		return s
	}
	oldlen := len(s)
	s = append(s[:i], s[j:]...)
	var zero E
	for k := len(s); k < oldlen; k++ {
		s[:oldlen][k] = zero
	}
	return s
}

// DeleteFunc removes the elements for which del returns true.
func DeleteFunc[S ~[]E, E any](s S, del func(E) bool) S {
	i := 0
	for k := 0; k < len(s); k++ {
		if !del(s[k]) {
			if i != k {
				s[i] = s[k]
			}
			i++
		}
	}
	var zero E
	for k := i; k < len(s); k++ {
		s[k] = zero
	}
	return s[:i]
}

// Replace replaces the elements s[i:j] by v and returns the modified slice.
func Replace[S ~[]E, E any](s S, i, j int, v ...E) S {
	_ = s[i:j] // bounds check
	tot := i + len(v) + len(s) - j
	if tot > cap(s) {
		r := make(S, 0, tot)
		r = append(r, s[:i]...)
		r = append(r, v...)
		return append(r, s[j:]...)
	}
	tail := make([]E, len(s)-j) // (S(nil) crashes yaegi)
	copy(tail, s[j:])
	r := s[:tot]
	copy(r[i:], v)
	copy(r[i+len(v):], tail)
	var zero E
	for k := tot; k < len(s); k++ {
		s[k] = zero
	}
	return r
}

// Compact replaces consecutive runs of equal elements with a single copy.
func Compact[S ~[]E, E comparable](s S) S {
	if len(s) < 2 {
		return s
	}
	i := 1
	for k := 1; k < len(s); k++ {
		if s[k] != s[k-1] {
			if i != k {
				s[i] = s[k]
			}
			i++
		}
	}
	var zero E
	for k := i; k < len(s); k++ {
		s[k] = zero
	}
	return s[:i]
}

// CompactFunc is like Compact but uses eq to compare elements.
func CompactFunc[S ~[]E, E any](s S, eq func(E, E) bool) S {
	if len(s) < 2 {
		return s
	}
	i := 1
	for k := 1; k < len(s); k++ {
		if !eq(s[k], s[k-1]) {
			if i != k {
				s[i] = s[k]
			}
			i++
		}
	}
	var zero E
	for k := i; k < len(s); k++ {
		s[k] = zero
	}
	return s[:i]
}

// Grow increases the slice's capacity, if necessary, to guarantee space
// for another n elements.
func Grow[S ~[]E, E any](s S, n int) S {
	if n < 0 {
		panic("cannot be negative")
	}
	if cap(s)-len(s) < n {
		r := make(S, len(s), len(s)+n)
		copy(r, s)
		return r
	}
	return s
}

// Concat returns a new slice concatenating the passed in slices.
func Concat[S ~[]E, E any](ss ...S) S {
	size := 0
	for _, s := range ss {
		size += len(s)
	}
	r := make(S, 0, size)
	for _, s := range ss {
		r = append(r, s...)
	}
	return r
}
