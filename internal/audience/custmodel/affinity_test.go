package custmodel_test

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
)

// TestAffinityHandTable checks Affinity on four customers, by hand.
//
// Spend (fen / orders):
//
//	A: milk 100/2, bread 100/1
//	B: milk 100/1, beer 300/3
//	C: bread 200/2, beer 100/1, diapers 100/1
//	D: diapers 400/4
//
// Base spend: milk 200, bread 300, beer 400, diapers 500 of 1400, so base shares are
// milk 1/7, bread 3/14, beer 2/7, diapers 5/14. Lifts:
//
//	A: milk ½÷1/7 = 3.5, bread ½÷3/14 = 7/3
//	B: beer ¾÷2/7 = 2.625, milk ¼÷1/7 = 1.75
//	C: bread ½÷3/14 = 7/3, beer ¼÷2/7 = 0.875, diapers ¼÷5/14 = 0.7
//	D: diapers 1÷5/14 = 2.8
//
// Preferred (lift > 1 and ≥ 2 orders): A milk (bread has 1 order), B beer, C bread,
// D diapers.
//
// Every category has 2 buyers; co-bought pairs: milk–bread (A), milk–beer (B),
// bread–beer, bread–diapers, beer–diapers (C); so cos = 1/√(2·2) = ½ for those pairs and
// 0 for milk–diapers. Next best:
//
//	A (milk, bread): beer ½+½ = 1, diapers 0+½ = ½
//	B (milk, beer): bread ½+½ = 1, diapers 0+½ = ½
//	C (bread, beer, diapers): milk ½+½+0 = 1
//	D (diapers): bread ½, beer ½ (tie: same popularity, so by name: beer first), milk 0
func TestAffinityHandTable(t *testing.T) {
	t.Parallel()
	rows := []custmodel.CategoryPurchase{
		{CustomerID: "D", Category: "diapers", SpendFen: 300, Orders: 3},
		{CustomerID: "A", Category: "milk", SpendFen: 100, Orders: 2},
		{CustomerID: "A", Category: "bread", SpendFen: 100, Orders: 1},
		{CustomerID: "B", Category: "milk", SpendFen: 100, Orders: 1},
		{CustomerID: "B", Category: "beer", SpendFen: 300, Orders: 3},
		{CustomerID: "C", Category: "bread", SpendFen: 200, Orders: 2},
		{CustomerID: "C", Category: "beer", SpendFen: 100, Orders: 1},
		{CustomerID: "C", Category: "diapers", SpendFen: 100, Orders: 1},
		{CustomerID: "D", Category: "diapers", SpendFen: 100, Orders: 1}, // added to the first D row
	}
	got, err := custmodel.Affinity(rows, custmodel.AffinityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ca := func(cat string, orders int, spend int64, share, base float64) custmodel.CategoryAffinity {
		return custmodel.CategoryAffinity{Category: cat, Orders: orders, SpendFen: spend, Share: share, BaseShare: base, Lift: share / base}
	}
	type cs = custmodel.CategoryScore
	want := []custmodel.CustomerAffinity{
		{CustomerID: "A", Categories: []custmodel.CategoryAffinity{ca("milk", 2, 100, 0.5, 1.0/7), ca("bread", 1, 100, 0.5, 3.0/14)},
			Preferred: []string{"milk"}, NextBest: []cs{{"beer", 1}, {"diapers", 0.5}}},
		{CustomerID: "B", Categories: []custmodel.CategoryAffinity{ca("beer", 3, 300, 0.75, 2.0/7), ca("milk", 1, 100, 0.25, 1.0/7)},
			Preferred: []string{"beer"}, NextBest: []cs{{"bread", 1}, {"diapers", 0.5}}},
		{CustomerID: "C", Categories: []custmodel.CategoryAffinity{ca("bread", 2, 200, 0.5, 3.0/14), ca("beer", 1, 100, 0.25, 2.0/7), ca("diapers", 1, 100, 0.25, 5.0/14)},
			Preferred: []string{"bread"}, NextBest: []cs{{"milk", 1}}},
		{CustomerID: "D", Categories: []custmodel.CategoryAffinity{ca("diapers", 4, 400, 1, 5.0/14)},
			Preferred: []string{"diapers"}, NextBest: []cs{{"beer", 0.5}, {"bread", 0.5}, {"milk", 0}}},
	}
	if d := gocmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); d != "" {
		t.Errorf("Affinity mismatch (-want +got):\n%s", d)
	}
	// Lifts by hand.
	for _, l := range []struct {
		cust, cat string
		lift      float64
	}{{"A", "milk", 3.5}, {"A", "bread", 7.0 / 3}, {"B", "beer", 2.625}, {"B", "milk", 1.75}, {"C", "beer", 0.875}, {"C", "diapers", 0.7}, {"D", "diapers", 2.8}} {
		i := slices.IndexFunc(got, func(c custmodel.CustomerAffinity) bool { return c.CustomerID == l.cust })
		j := slices.IndexFunc(got[i].Categories, func(c custmodel.CategoryAffinity) bool { return c.Category == l.cat })
		if math.Abs(got[i].Categories[j].Lift-l.lift) > 1e-12 {
			t.Errorf("%s %s lift = %v, want %v", l.cust, l.cat, got[i].Categories[j].Lift, l.lift)
		}
	}

	// By orders instead of spend, C's shares are ½, ¼, ¼ of 4 orders.
	byOrders, err := custmodel.Affinity(rows, custmodel.AffinityOptions{Measure: custmodel.MeasureOrders, TopN: 1, NextN: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c := byOrders[2]; c.Categories[0].Share != 0.5 || len(c.NextBest) != 1 || c.NextBest[0].Category != "milk" {
		t.Errorf("by orders: %+v", c)
	}
}

func TestAffinityInvalid(t *testing.T) {
	t.Parallel()
	ok := custmodel.CategoryPurchase{CustomerID: "a", Category: "x", SpendFen: 1, Orders: 1}
	tests := []struct {
		name  string
		row   custmodel.CategoryPurchase
		opt   custmodel.AffinityOptions
		field string
	}{
		{"customer", custmodel.CategoryPurchase{Category: "x"}, custmodel.AffinityOptions{}, "rows[1].customer_id"},
		{"category", custmodel.CategoryPurchase{CustomerID: "a"}, custmodel.AffinityOptions{}, "rows[1].category"},
		{"spend", custmodel.CategoryPurchase{CustomerID: "a", Category: "x", SpendFen: -1}, custmodel.AffinityOptions{}, "rows[1].spend_fen"},
		{"orders", custmodel.CategoryPurchase{CustomerID: "a", Category: "x", Orders: -1}, custmodel.AffinityOptions{}, "rows[1].orders"},
		{"top n", ok, custmodel.AffinityOptions{TopN: -1}, "options.top_n"},
		{"measure", ok, custmodel.AffinityOptions{Measure: 7}, "options.measure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := custmodel.Affinity([]custmodel.CategoryPurchase{ok, tt.row}, tt.opt)
			assertField(t, err, tt.field)
		})
	}
	_, err := custmodel.Affinity([]custmodel.CategoryPurchase{{CustomerID: "a", Category: "x", Orders: 1}}, custmodel.AffinityOptions{})
	assertField(t, err, "options.measure")
}

// TestAffinityOnInstacart evaluates next best aisles on the Instacart sample with a
// temporal holdout, in five rounds: in round j every user's j-th from last order with a
// basket is held out and it and every later order are hidden; Affinity runs on the
// per-user aisle order counts of what remains (all users at once). For users whose
// held-out order has an aisle they never bought before, it counts how many of their
// top k next best aisles (item-based cosine) are among those new aisles, and the same
// for the k most popular aisles (by buyers) they have not bought. The model must do at
// least as well as popularity.
func TestAffinityOnInstacart(t *testing.T) {
	t.Parallel()
	dir := dataDir(t, "instacart")
	aisleName := map[string]string{}
	for _, r := range readCSV(t, filepath.Join(dir, "aisles.csv")) {
		aisleName[r[0]] = r[1]
	}
	aisleOf := map[string]string{} // product → aisle name
	for _, r := range readCSV(t, filepath.Join(dir, "products.csv")) {
		aisleOf[r[0]] = aisleName[r[2]]
	}
	basket := map[string]map[string]bool{} // order → aisles
	for _, f := range []string{"order_products__prior_users_1-64.csv", "order_products__train_users_1-64.csv"} {
		for _, r := range readCSV(t, filepath.Join(dir, f)) {
			if basket[r[0]] == nil {
				basket[r[0]] = map[string]bool{}
			}
			basket[r[0]][aisleOf[r[1]]] = true
		}
	}
	type order struct {
		num    int
		aisles map[string]bool
	}
	seq := map[string][]order{} // user → orders with a basket, by order_number
	for _, r := range readCSV(t, filepath.Join(dir, "orders_users_1-64.csv")) {
		num, err := strconv.Atoi(r[3])
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := basket[r[0]]; ok {
			seq[r[1]] = append(seq[r[1]], order{num, b})
		}
	}
	for _, os := range seq {
		slices.SortFunc(os, func(a, b order) int { return cmp.Compare(a.num, b.num) })
	}

	const k, rounds = 5, 5
	var users, modelHits, popHits int
	for j := range rounds {
		counts := map[[2]string]int{}
		history := map[string]map[string]bool{}
		heldOut := map[string]map[string]bool{}
		for u, os := range seq {
			h := len(os) - 1 - j
			if h < 1 {
				continue
			}
			heldOut[u] = os[h].aisles
			history[u] = map[string]bool{}
			for _, o := range os[:h] {
				for a := range o.aisles {
					counts[[2]string{u, a}]++
					history[u][a] = true
				}
			}
		}
		var rows []custmodel.CategoryPurchase
		buyers := map[string]int{}
		for key, n := range counts {
			rows = append(rows, custmodel.CategoryPurchase{CustomerID: key[0], Category: key[1], Orders: n})
			buyers[key[1]]++
		}
		res, err := custmodel.Affinity(rows, custmodel.AffinityOptions{Measure: custmodel.MeasureOrders, NextN: k})
		if err != nil {
			t.Fatal(err)
		}
		popular := make([]string, 0, len(buyers))
		for a := range buyers {
			popular = append(popular, a)
		}
		slices.SortFunc(popular, func(a, b string) int { return cmp.Or(cmp.Compare(buyers[b], buyers[a]), cmp.Compare(a, b)) })

		var ru, rm, rp int
		for _, c := range res {
			hist := history[c.CustomerID]
			isNew := func(a string) bool { return heldOut[c.CustomerID][a] && !hist[a] }
			if !slices.ContainsFunc(slices.Collect(maps.Keys(heldOut[c.CustomerID])), isNew) {
				continue
			}
			ru++
			for _, s := range c.NextBest {
				if isNew(s.Category) {
					rm++
				}
			}
			n := 0
			for _, a := range popular {
				if n == k {
					break
				}
				if !hist[a] {
					n++
					if isNew(a) {
						rp++
					}
				}
			}
		}
		t.Logf("round %d: %d users with a new aisle; hits in top %d: next best %d, popularity %d", j, ru, k, rm, rp)
		users, modelHits, popHits = users+ru, modelHits+rm, popHits+rp
	}
	if users < 150 {
		t.Fatalf("only %d evaluations", users)
	}
	t.Logf("Instacart aisles, %d user-orders, top %d unbought aisles: next best (item cosine) %d hits (hit rate %.3f per recommendation), global popularity %d hits (%.3f)",
		users, k, modelHits, float64(modelHits)/float64(k*users), popHits, float64(popHits)/float64(k*users))
	if modelHits < popHits {
		t.Errorf("next best hit %d held-out aisles, popularity %d", modelHits, popHits)
	}
}

// BenchmarkAffinity runs Affinity on 100,000 customers over 50 categories.
func BenchmarkAffinity(b *testing.B) {
	var rows []custmodel.CategoryPurchase
	for i := range 100_000 {
		for j := range 1 + i%7 {
			c := (i*7 + j*j*13) % 50
			rows = append(rows, custmodel.CategoryPurchase{CustomerID: strconv.Itoa(i), Category: fmt.Sprintf("cat%02d", c), SpendFen: int64(100 + (i*j)%900), Orders: 1 + j%3})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := custmodel.Affinity(rows, custmodel.AffinityOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAffinityProperties: a customer's shares sum to 1, next best categories are never
// ones they bought and come in score order, preferred ones have lift > 1 and enough
// orders, and the result does not depend on the order of rows.
func TestAffinityProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 60).Draw(t, "rows")
		rows := make([]custmodel.CategoryPurchase, n)
		for i := range rows {
			rows[i] = custmodel.CategoryPurchase{
				CustomerID: rapid.SampledFrom([]string{"a", "b", "c", "d", "e"}).Draw(t, "customer"),
				Category:   rapid.SampledFrom([]string{"k1", "k2", "k3", "k4", "k5", "k6"}).Draw(t, "category"),
				SpendFen:   rapid.Int64Range(1, 1000).Draw(t, "spend"),
				Orders:     rapid.IntRange(1, 5).Draw(t, "orders"),
			}
		}
		opt := custmodel.AffinityOptions{NextN: 6, MinOrders: 3}
		res, err := custmodel.Affinity(rows, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res {
			var sum float64
			bought := map[string]custmodel.CategoryAffinity{}
			for _, a := range c.Categories {
				sum += a.Share
				bought[a.Category] = a
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("%s: shares sum to %v", c.CustomerID, sum)
			}
			for _, p := range c.Preferred {
				if a := bought[p]; a.Lift <= 1 || a.Orders < 3 {
					t.Fatalf("%s: preferred %+v", c.CustomerID, a)
				}
			}
			if len(c.NextBest)+len(bought) > 6 {
				t.Fatalf("%s: %d next best with %d bought of 6", c.CustomerID, len(c.NextBest), len(bought))
			}
			for i, s := range c.NextBest {
				if _, ok := bought[s.Category]; ok {
					t.Fatalf("%s: next best %s already bought", c.CustomerID, s.Category)
				}
				if i > 0 && s.Score > c.NextBest[i-1].Score {
					t.Fatalf("%s: next best out of order: %+v", c.CustomerID, c.NextBest)
				}
			}
		}
		rev := slices.Clone(rows)
		slices.Reverse(rev)
		res2, err := custmodel.Affinity(rev, opt)
		if err != nil {
			t.Fatal(err)
		}
		if d := gocmp.Diff(res, res2); d != "" {
			t.Fatalf("row order changed the result:\n%s", d)
		}
	})
}
