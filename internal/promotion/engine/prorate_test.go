package engine

import (
	"cmp"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestAllocateMatchesReference checks allocate, which picks a few largest remainders
// directly, against the plain largest-remainder method (stable sort by remainder).
func TestAllocateMatchesReference(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		weights := rapid.SliceOfN(rapid.Int64Range(-5, 50), 1, 40).Draw(rt, "weights")
		total := rapid.Int64Range(0, 2000).Draw(rt, "total")
		got := make([]int64, len(weights))
		allocate(total, weights, got)

		want := make([]int64, len(weights))
		var sum int64
		for _, w := range weights {
			sum += max(w, 0)
		}
		if sum > 0 && total > 0 {
			total := min(total, sum)
			rems := make([]int64, len(weights))
			var given int64
			for i, w := range weights {
				if w <= 0 {
					rems[i] = -1
					continue
				}
				want[i], rems[i] = total*w/sum, total*w%sum
				given += want[i]
			}
			order := make([]int, len(weights))
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
			for _, i := range order {
				if given < total && rems[i] > 0 {
					want[i]++
					given++
				}
			}
		}
		if !slices.Equal(got, want) {
			rt.Fatalf("allocate(%d, %v) = %v, want %v", total, weights, got, want)
		}
	})
}
