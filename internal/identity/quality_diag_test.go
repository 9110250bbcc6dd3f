package identity

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/identity/evalset"
	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestRecallDiagnostic is a diagnostic, not a check: with ONERETAIL_RECALL_DIAG=people
// (and optionally ONERETAIL_RECALL_SEED) it ingests the independent evaluation set,
// runs the fuzzy pass and lists the event pairs of one person left in different
// customers, by why the pass did not join their customers (no profile on a side, no
// shared blocking key, scored below review, review band, not corroborated) and by
// the comparison levels the two customers had. Recall is pairwise over events, so
// each customer pair is weighed by the event pairs it holds apart.
func TestRecallDiagnostic(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ONERETAIL_RECALL_DIAG"))
	if n == 0 {
		t.Skip("set ONERETAIL_RECALL_DIAG=people to run")
	}
	seed, _ := strconv.ParseUint(cmp.Or(os.Getenv("ONERETAIL_RECALL_SEED"), "1"), 10, 64)
	e := setup(t, dbtest.Open(t, dbtest.Dialects()[0]))
	set := evalset.Generate(evalset.Options{Seed: seed, People: n})
	ingestEvalSet(t, e.svc, set)
	if _, err := e.svc.MatchFuzzy(admin(tenantA), FuzzyOptions{}); err != nil {
		t.Fatal(err)
	}
	measureEvalSet(t, e.db, set, "with fuzzy pass")
	assigned := evalAssignment(t, e.db)
	truth := set.Truth()
	// person → customer → events
	byPerson := map[int]map[string]int{}
	for id, c := range assigned {
		p := truth[id]
		if byPerson[p] == nil {
			byPerson[p] = map[string]int{}
		}
		byPerson[p][cmp.Or(c, "none:"+id)]++
	}
	rules, err := e.svc.rules.get(admin(tenantA), e.svc.db.Reader(), tenantA)
	if err != nil {
		t.Fatal(err)
	}
	cands, err := e.svc.fuzzyCandidates(admin(tenantA), tenantA, &rules)
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	recs := make([]graph.FuzzyRecord, len(cands))
	for i, c := range cands {
		idx[c.id] = i
		recs[i] = graph.FuzzyRecord{Features: graph.NewFeatures(c.profile), Strong: c.strong, Exclusive: c.exclusive}
	}
	res := graph.MatchFuzzy(recs, graph.FuzzyOptions{})
	model := res.Model
	th := res.Thresholds
	// Which customers hold which touchpoints' events, for the labels.
	custTP := map[string]map[string]bool{}
	for _, ev := range set.Events {
		c := assigned[ev.ID]
		if custTP[c] == nil {
			custTP[c] = map[string]bool{}
		}
		tp := ev.Touchpoint
		if i := strings.IndexAny(tp, "-_"); i > 0 {
			tp = tp[:i]
		}
		custTP[c][tp] = true
	}
	withPhone := map[string]bool{}
	rows, err := e.db.Reader().Query(`SELECT customer_id, type FROM customer_identifiers WHERE tenant_id = $1`, tenantA)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c, typ string
		if err := rows.Scan(&c, &typ); err != nil {
			t.Fatal(err)
		}
		if typ == "phone" {
			withPhone[c] = true
		}
	}
	rows.Close()
	label := func(c string) string {
		l := strings.Join(slices.Sorted(maps.Keys(custTP[c])), "+")
		if withPhone[c] {
			l += "(phone)"
		}
		return l
	}
	why := map[string]int{}
	pattern := map[string]int{}
	examples := map[string][]string{}
	total := 0
	for _, cs := range byPerson {
		ids := slices.Sorted(maps.Keys(cs))
		for x := 0; x < len(ids); x++ {
			for y := x + 1; y < len(ids); y++ {
				a, b := ids[x], ids[y]
				w := cs[a] * cs[b]
				total += w
				ia, oka := idx[a]
				ib, okb := idx[b]
				var reason, pat string
				switch {
				case !oka || !okb || recs[ia].Features.Empty() || recs[ib].Features.Empty():
					reason = "no profile on a side"
					pat = label(a) + " | " + label(b)
				default:
					fa, fb := &recs[ia].Features, &recs[ib].Features
					ex := model.Explain(fa, fb)
					shared := false
					for _, k := range fa.BlockingKeys() {
						if slices.Contains(fb.BlockingKeys(), k) {
							shared = true
						}
					}
					switch {
					case !shared:
						reason = "not blocked"
					case ex.Probability < th.Review:
						reason = "below review"
					case ex.Probability < th.High:
						reason = "review band"
					case !graph.Corroborated(ex):
						reason = "not corroborated"
					default:
						reason = "high (refused/conflict?)"
					}
					var lv []string
					for _, term := range ex.Terms[1:] {
						lv = append(lv, term.Comparison+":"+term.Level)
					}
					pat = reason + " :: " + strings.Join(lv, ", ")
					if len(examples[pat]) < 3 {
						examples[pat] = append(examples[pat], fmt.Sprintf("%q/%q %s %s %q %s | %q/%q %s %s %q %s  p=%.3f [%s | %s]",
							cands[ia].profile.Name, fa.Name, fa.Birthday, fa.City, fa.Address, fa.PhoneMask,
							cands[ib].profile.Name, fb.Name, fb.Birthday, fb.City, fb.Address, fb.PhoneMask, ex.Probability, label(a), label(b)))
					}
				}
				why[reason] += w
				pattern[pat] += w
			}
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "missed event pairs: %d; thresholds high %.3f review %.2f\n", total, th.High, th.Review)
	for _, k := range slices.SortedFunc(maps.Keys(why), func(a, b string) int { return cmp.Compare(why[b], why[a]) }) {
		fmt.Fprintf(&out, "  %6d %s\n", why[k], k)
	}
	// The pairs without a profile on a side cannot be compared: the 40 largest
	// patterns listed are of the others, and 10 of those.
	listed := map[bool]int{}
	for _, k := range slices.SortedFunc(maps.Keys(pattern), func(a, b string) int { return cmp.Compare(pattern[b], pattern[a]) }) {
		comparable := strings.Contains(k, " :: ")
		if limit := map[bool]int{true: 40, false: 10}[comparable]; listed[comparable] >= limit {
			continue
		}
		listed[comparable]++
		fmt.Fprintf(&out, "%6d %s\n", pattern[k], k)
		for _, ex := range examples[k] {
			fmt.Fprintf(&out, "         %s\n", ex)
		}
	}
	t.Log(out.String())
}
