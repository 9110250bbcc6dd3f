// Command promotion benchmarks the promotion engine (issue 5): 2,000 active
// promotions over a 5,000-SKU catalogue and 30-line baskets, on one core, against a
// naive evaluator that tries every promotion on every line.
//
//	go run ./bench/promotion [-n 20000] [-seed 1]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func main() {
	n := flag.Int("n", 20000, "baskets to price per run")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	runtime.GOMAXPROCS(1)

	r := rand.New(rand.NewPCG(*seed, 42))
	items := catalogue(r)
	baskets := make([]engine.Cart, 1000)
	for i := range baskets {
		baskets[i] = basket(r, items)
	}
	ctx := benchContext()
	fmt.Printf("promotion engine benchmark: %d promotions, %d SKUs, %d-line baskets, GOMAXPROCS=1, %d baskets per run\n",
		promotionsN, catalogueSize, basketLines, *n)

	for _, w := range []struct {
		name string
		d    density
	}{{"typical (3% category-wide, 2% brand-wide promotions)", typical}, {"dense (12% category-wide, 8% brand-wide promotions)", dense}} {
		simple := simpleWorkload(r, items, w.d)
		mixed := mixedWorkload(r, items, w.d)
		simpleIx, mixedIx := engine.NewIndex(simple), engine.NewIndex(mixed)
		for i, b := range baskets {
			res, err := simpleIx.Price(b, ctx)
			if err != nil {
				fail(err)
			}
			if want := naivePrice(b, simple, ctx); res.Total != want {
				fail(fmt.Errorf("basket %d: engine total %d, naive %d", i, res.Total, want))
			}
		}
		fmt.Printf("\n== %s\nengine and naive agree on all %d baskets of the non-stacking workload\n", w.name, len(baskets))

		var truncated, decomposed, combos, applied, appliedSimple int
		engineSimple := measure(*n, func(i int) {
			res, err := simpleIx.Price(baskets[i%len(baskets)], ctx)
			if err != nil {
				fail(err)
			}
			appliedSimple += len(res.Applied)
		})
		naive := measure(max(*n/10, 200), func(i int) { naivePrice(baskets[i%len(baskets)], simple, ctx) })
		engineMixed := measure(*n, func(i int) {
			res, err := mixedIx.Price(baskets[i%len(baskets)], ctx)
			if err != nil {
				fail(err)
			}
			if res.Truncated {
				truncated++
			}
			if res.Decomposed {
				decomposed++
			}
			combos += res.Combinations
			applied += len(res.Applied)
		})
		fmt.Printf("%-46s %10s %10s %12s\n", "", "p50", "p99", "baskets/s")
		engineSimple.print("engine, non-stacking (indexed)")
		naive.print("naive, non-stacking (every promotion × line)")
		engineMixed.print("engine, mixed kinds with stacking search")
		fmt.Printf("speed-up engine/naive: %.1f× baskets/s, %.1f× at p99; %.1f promotions applied per basket\n",
			engineSimple.rate/naive.rate, float64(naive.p99)/float64(engineSimple.p99), float64(appliedSimple)/float64(engineSimple.n))
		fmt.Printf("mixed: %.1f applied and %.1f combinations evaluated per basket; decomposed search on %.1f%%, truncated on %.2f%% of baskets\n",
			float64(applied)/float64(engineMixed.n), float64(combos)/float64(engineMixed.n),
			100*float64(decomposed)/float64(engineMixed.n), 100*float64(truncated)/float64(engineMixed.n))
	}
}

type stats struct {
	n        int
	p50, p99 time.Duration
	rate     float64
}

func (s stats) print(name string) {
	fmt.Printf("%-46s %10s %10s %12.0f\n", name, s.p50.Round(time.Microsecond/10), s.p99.Round(time.Microsecond/10), s.rate)
}

// measure runs f n times after a short warm-up and returns latency percentiles and
// throughput.
func measure(n int, f func(i int)) stats {
	for i := range min(n/10, 500) {
		f(i)
	}
	warm := min(n/10, 500)
	lat := make([]time.Duration, n)
	start := time.Now()
	for i := range n {
		t := time.Now()
		f(i)
		lat[i] = time.Since(t)
	}
	total := time.Since(start)
	slices.Sort(lat)
	return stats{n: n + warm, p50: lat[n/2], p99: lat[n*99/100], rate: float64(n) / total.Seconds()}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "promotion bench:", err)
	os.Exit(1)
}
