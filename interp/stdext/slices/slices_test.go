package slices

import (
	"cmp"
	"math/rand"
	"sort"
	"testing"
)

// The algorithms compiled natively; lower_test.go runs them through yaegi.
func TestSortAlgorithms(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 5, 13, 100, 1000, 5000} {
		for _, mod := range []int{3, 1 << 30} {
			s := make([]int32, n)
			for i := range s {
				s[i] = int32(r.Intn(mod))
			}
			q := append([]int32(nil), s...)
			Sort(q)
			if !sort.SliceIsSorted(q, func(i, j int) bool { return q[i] < q[j] }) {
				t.Fatalf("Sort n=%d mod=%d: not sorted", n, mod)
			}
			f := append([]int32(nil), s...)
			SortFunc(f, func(a, b int32) int { return cmp.Compare(b, a) })
			if !sort.SliceIsSorted(f, func(i, j int) bool { return f[i] > f[j] }) {
				t.Fatalf("SortFunc n=%d mod=%d: not sorted", n, mod)
			}
			type kv struct{ k, i int32 }
			kvs := make([]kv, n)
			for i := range kvs {
				kvs[i] = kv{s[i] % 7, int32(i)}
			}
			SortStableFunc(kvs, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
			for i := 1; i < n; i++ {
				if kvs[i].k < kvs[i-1].k || kvs[i].k == kvs[i-1].k && kvs[i].i < kvs[i-1].i {
					t.Fatalf("SortStableFunc n=%d: not stable at %d", n, i)
				}
			}
		}
	}
}
