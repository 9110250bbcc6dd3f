package main

import (
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

func setup(tb testing.TB) fixture {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 42))
	items := catalogue(r)
	f := fixture{simple: simpleWorkload(r, items, typical), mixed: mixedWorkload(r, items, typical)}
	f.simpleIx, f.mixedIx = engine.NewIndex(f.simple), engine.NewIndex(f.mixed)
	for range 200 {
		f.baskets = append(f.baskets, basket(r, items))
	}
	return f
}

func TestNaiveAgrees(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := benchContext()
	for i, b := range f.baskets {
		res, err := f.simpleIx.Price(b, ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := naivePrice(b, f.simple, ctx); res.Total != want {
			t.Fatalf("basket %d: engine %d, naive %d", i, res.Total, want)
		}
	}
}

// BenchmarkPrice prices the baskets on each workload under both item rules:
// stack (what the naive evaluator implements) and one-per-unit (the tenant default,
// which must choose among item-level promotions that share a line).
func BenchmarkPrice(b *testing.B) {
	f := setup(b)
	r := rand.New(rand.NewPCG(2, 42))
	items := catalogue(r)
	denseSimple, denseMixed := engine.NewIndex(simpleWorkload(r, items, dense)), engine.NewIndex(mixedWorkload(r, items, dense))
	workloads := []struct {
		name string
		ix   *engine.Index
	}{{"simple", f.simpleIx}, {"mixed", f.mixedIx}, {"dense-simple", denseSimple}, {"dense-mixed", denseMixed}}
	for _, rule := range []engine.ItemStacking{engine.StackItems, engine.OnePerUnit} {
		ctx := benchContext()
		ctx.ItemStacking = rule
		for _, w := range workloads {
			b.Run(w.name+"/"+string(rule), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := w.ix.Price(f.baskets[i%len(f.baskets)], ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkNaive(b *testing.B) {
	f := setup(b)
	ctx := benchContext()
	for i := 0; b.Loop(); i++ {
		naivePrice(f.baskets[i%len(f.baskets)], f.simple, ctx)
	}
}
