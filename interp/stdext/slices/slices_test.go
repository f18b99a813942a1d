package slices

import (
	"cmp"
	"fmt"
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

func TestFixes(t *testing.T) {
	eq := func(a, b []int) bool { return len(a) == len(b) && (len(a) == 0 || fmt.Sprint(a) == fmt.Sprint(b)) }
	s := []int{1, 2, 3, 4}
	if got := Delete(s, 1, 3); !eq(got, []int{1, 4}) || s[2] != 0 || s[3] != 0 {
		t.Errorf("Delete: %v (backing %v)", got, s)
	}
	if got := DeleteFunc([]int{1, 2, 3, 4}, func(x int) bool { return x%2 == 0 }); !eq(got, []int{1, 3}) {
		t.Errorf("DeleteFunc: %v", got)
	}
	if got := Replace([]int{1, 2, 3, 4}, 1, 3, 9); !eq(got, []int{1, 9, 4}) {
		t.Errorf("Replace shrink: %v", got)
	}
	if got := Replace([]int{1, 2, 3}, 1, 2, 7, 8, 9); !eq(got, []int{1, 7, 8, 9, 3}) {
		t.Errorf("Replace grow: %v", got)
	}
	if got := Compact([]int{1, 1, 2, 2, 2, 3, 1}); !eq(got, []int{1, 2, 3, 1}) {
		t.Errorf("Compact: %v", got)
	}
	if got := CompactFunc([]int{1, 3, 2, 4}, func(a, b int) bool { return a%2 == b%2 }); !eq(got, []int{1, 2}) {
		t.Errorf("CompactFunc: %v", got)
	}
}
