package maps

// Clone returns a copy of m (yaegi's copy of package maps implements it
// with a runtime hook that the interpreter lacks). Nil stays nil.
func Clone[M ~map[K]V, K comparable, V any](m M) M {
	if m == nil {
		return nil
	}
	r := make(M, len(m))
	for k, v := range m {
		r[k] = v
	}
	return r
}
