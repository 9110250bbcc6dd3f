package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

type fixture struct {
	simple, mixed []engine.Promotion
	simpleIx      *engine.Index
	mixedIx       *engine.Index
	baskets       []engine.Cart
}

func setup(tb testing.TB, size int, d density) fixture {
	tb.Helper()
	s := shapeFor(size)
	r := rand.New(rand.NewPCG(1, uint64(size)))
	items := catalogue(r, s)
	f := fixture{simple: simpleWorkload(r, s, items, d), mixed: mixedWorkload(r, s, items, d)}
	f.simpleIx, f.mixedIx = engine.NewIndex(f.simple), engine.NewIndex(f.mixed)
	for range 200 {
		f.baskets = append(f.baskets, basket(r, items))
	}
	return f
}

// TestEvaluatorsAgree checks that the engine, the indexed baseline and the
// brute-force oracle give the same totals, so that the sweep times like with like.
func TestEvaluatorsAgree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int
		d    density
	}{{"typical 2000", 2000, typical}, {"dense 2000", 2000, dense}, {"typical 20000", 20000, typical}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.size, tt.d)
			ctx := benchContext()
			base := newIndexed(f.simple)
			applied := 0
			for i, b := range f.baskets[:100] {
				res, err := f.simpleIx.Price(b, ctx)
				if err != nil {
					t.Fatal(err)
				}
				applied += len(res.Applied)
				oracle := naivePrice(b, f.simple, ctx)
				if got := base.price(b, ctx); res.Total != oracle || got != oracle {
					t.Fatalf("basket %d: engine %d, baseline %d, oracle %d", i, res.Total, got, oracle)
				}
			}
			if applied == 0 {
				t.Fatal("no promotion applied to any basket: the workload tests nothing")
			}
		})
	}
}

// BenchmarkPrice prices the baskets at two sizes on each workload under both item
// rules: stack (what the baseline implements) and one-per-unit (the tenant default,
// which must choose among item-level promotions that share a line).
func BenchmarkPrice(b *testing.B) {
	for _, size := range []int{2000, 100000} {
		typ, den := setup(b, size, typical), setup(b, size, dense)
		workloads := []struct {
			name string
			ix   *engine.Index
		}{{"simple", typ.simpleIx}, {"mixed", typ.mixedIx}, {"dense-simple", den.simpleIx}, {"dense-mixed", den.mixedIx}}
		for _, rule := range []engine.ItemStacking{engine.StackItems, engine.OnePerUnit} {
			ctx := benchContext()
			ctx.ItemStacking = rule
			for _, w := range workloads {
				b.Run(fmt.Sprintf("%d/%s/%s", size, w.name, rule), func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						if _, err := w.ix.Price(typ.baskets[i%len(typ.baskets)], ctx); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkBaseline prices the same baskets with the indexed baseline.
func BenchmarkBaseline(b *testing.B) {
	f := setup(b, 2000, typical)
	base := newIndexed(f.simple)
	ctx := benchContext()
	for i := 0; b.Loop(); i++ {
		base.price(f.baskets[i%len(f.baskets)], ctx)
	}
}
