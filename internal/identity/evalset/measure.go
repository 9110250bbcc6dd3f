package evalset

import (
	"fmt"
	"io"
	"slices"
)

// Score is pairwise precision and recall of a clustering of events against the
// ground truth, from contingency counts: a pair of events is predicted when both are
// attached to one customer, true when both belong to one person.
type Score struct {
	Precision, Recall        float64
	TruePairs, Predicted, TP int64
}

func pairs(n int64) int64 { return n * (n - 1) / 2 }

// Measure scores assigned (event id → customer id; "" or missing for an unattached
// event, which is a cluster of its own) against truth (event id → person).
func Measure(assigned map[string]string, truth map[string]int) Score {
	type cell struct {
		customer string
		person   int
	}
	cells := map[cell]int64{}
	byCustomer := map[string]int64{}
	byPerson := map[int]int64{}
	for id, person := range truth {
		c := assigned[id]
		if c == "" {
			c = "event:" + id
		}
		cells[cell{c, person}]++
		byCustomer[c]++
		byPerson[person]++
	}
	var s Score
	for _, n := range cells {
		s.TP += pairs(n)
	}
	for _, n := range byCustomer {
		s.Predicted += pairs(n)
	}
	for _, n := range byPerson {
		s.TruePairs += pairs(n)
	}
	s.Precision, s.Recall = 1, 1
	if s.Predicted > 0 {
		s.Precision = float64(s.TP) / float64(s.Predicted)
	}
	if s.TruePairs > 0 {
		s.Recall = float64(s.TP) / float64(s.TruePairs)
	}
	return s
}

// TrapResult says how the pairs of one trap kind came out: Held pairs are together
// when they belong together and apart when they do not.
type TrapResult struct {
	Kind        string
	Same        bool // the kind's pairs belong to one person
	Held, Total int
	Broken      []Pair // at most five
}

// Traps checks every trap pair against assigned, per kind in a fixed order.
func (s *Set) Traps(assigned map[string]string) []TrapResult {
	byKind := map[string]*TrapResult{}
	for _, p := range s.Pairs {
		r := byKind[p.Kind]
		if r == nil {
			r = &TrapResult{Kind: p.Kind, Same: p.Same}
			byKind[p.Kind] = r
		}
		a, b := assigned[p.A], assigned[p.B]
		together := a != "" && a == b
		r.Total++
		if together == p.Same {
			r.Held++
		} else if len(r.Broken) < 5 {
			r.Broken = append(r.Broken, p)
		}
	}
	var out []TrapResult
	for _, k := range []string{TrapKiosk, TrapSharedDevice, TrapSharedAddress, TrapCommonName, TrapMaskedDelivery,
		TrapTraditional, TrapHomophone, TrapFullWidth, TrapPhoneFormat, TrapEmailCase} {
		if r := byKind[k]; r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// Report writes the score and the trap results, one line each.
func Report(w io.Writer, label string, sc Score, traps []TrapResult) {
	fmt.Fprintf(w, "%s: precision %.4f recall %.4f (%d true pairs, %d predicted, %d correct)\n",
		label, sc.Precision, sc.Recall, sc.TruePairs, sc.Predicted, sc.TP)
	for _, t := range slices.Clone(traps) {
		want := "apart"
		if t.Same {
			want = "together"
		}
		fmt.Fprintf(w, "  trap %-16s (%s) held %d/%d\n", t.Kind, want, t.Held, t.Total)
	}
}
