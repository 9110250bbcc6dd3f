package engine

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// mulDiv returns a*b/c and its remainder for a, b >= 0 and c > 0, with a 128-bit
// intermediate product. It saturates when the quotient cannot fit (never within the
// cart limits).
func mulDiv(a, b, c int64) (q, r int64) {
	if a <= 0 || b <= 0 || c <= 0 {
		return 0, 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return math.MaxInt64, 0
	}
	uq, ur := bits.Div64(hi, lo, uint64(c))
	if uq > math.MaxInt64 {
		return math.MaxInt64, 0
	}
	return int64(uq), int64(ur)
}

// roundHalfUp returns round-half-up(a*b/c) for a, b >= 0 and c > 0.
func roundHalfUp(a, b, c int64) int64 {
	q, r := mulDiv(a, b, c)
	if r > 0 && r >= c-r {
		q++
	}
	return q
}

// cmpUnit compares the unit prices na/qa and nb/qb (qa, qb > 0) exactly.
func cmpUnit(na, qa, nb, qb int64) int {
	h1, l1 := bits.Mul64(uint64(na), uint64(qb))
	h2, l2 := bits.Mul64(uint64(nb), uint64(qa))
	switch {
	case h1 != h2:
		if h1 < h2 {
			return -1
		}
		return 1
	case l1 != l2:
		if l1 < l2 {
			return -1
		}
		return 1
	}
	return 0
}

// allocate splits total over weights proportionally by the largest-remainder method
// and writes the shares to out (len(weights)). Shares sum exactly to total when
// total <= sum(weights), and no share exceeds its weight. Equal remainders go to the
// earlier weight. Negative weights count as zero.
func allocate(total int64, weights []int64, out []int64) { allocateBuf(total, weights, out, nil) }

// allocBuf is reusable working memory for allocateBuf.
type allocBuf struct {
	rems  []int64
	order []int
}

// allocateBuf is allocate with its working memory taken from buf when not nil.
func allocateBuf(total int64, weights []int64, out []int64, buf *allocBuf) {
	var sum int64
	for _, w := range weights {
		if w > 0 {
			sum += w
		}
	}
	for i := range out {
		out[i] = 0
	}
	if total <= 0 || sum <= 0 {
		return
	}
	if total > sum {
		total = sum
	}
	var rems []int64
	if buf != nil {
		buf.rems = grow(buf.rems, len(weights))
		rems = buf.rems
	} else {
		rems = make([]int64, len(weights))
	}
	var given int64
	for i, w := range weights {
		if w <= 0 {
			rems[i] = -1
			continue
		}
		out[i], rems[i] = mulDiv(total, w, sum)
		given += out[i]
	}
	left := total - given
	if left == 0 {
		return
	}
	if left <= 8 { // a few fen left: pick the largest remainders directly
		for ; left > 0; left-- {
			best := -1
			for i, r := range rems {
				if r > 0 && (best < 0 || r > rems[best]) {
					best = i
				}
			}
			if best < 0 {
				return
			}
			out[best]++
			rems[best] = -1
		}
		return
	}
	var order []int
	if buf != nil {
		if cap(buf.order) < len(weights) {
			buf.order = make([]int, len(weights))
		}
		order = buf.order[:len(weights)]
	} else {
		order = make([]int, len(weights))
	}
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
	for _, i := range order {
		if left == 0 {
			break
		}
		if rems[i] > 0 {
			out[i]++
			left--
		}
	}
}

// Yuan formats fen as "¥12.30".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}
