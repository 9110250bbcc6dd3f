// Command promotion benchmarks the promotion engine (issues 5 and 15) on one core
// (GOMAXPROCS=1) over 30-line baskets, sweeping the number of active promotions
// (100, 1,000, 10,000 and 100,000 by default) with a catalogue that grows with them
// (see shapeFor).
//
// The speed baseline is an ordinary indexed evaluator written in the bench (indexed.go:
// promotions hashed by SKU, category and brand, ranked once at build, totals only).
// The brute-force evaluator (naive.go) is a correctness oracle only: before timing,
// the engine, the baseline and the oracle must agree on the totals of -check baskets
// (and the engine and the baseline on all of them), or the command fails. Both
// indexes are built before timing; their build times are reported separately. The
// engine and the baseline price the same baskets alternately, so both meet the same
// machine, and the ratio is engine ÷ baseline per basket at p50 and p99.
//
//	go run ./bench/promotion [-n 5000] [-sizes 100,1000,10000,100000] [-cpuprofile f]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/oneretail/oneretail/internal/promotion/engine"
)

func main() {
	n := flag.Int("n", 5000, "baskets timed per size and evaluator")
	check := flag.Int("check", 200, "baskets on which the brute-force oracle must agree before timing")
	sizesFlag := flag.String("sizes", "100,1000,10000,100000", "active promotion counts to sweep")
	mixed := flag.Bool("mixed", true, "also time the engine alone on the mixed workload (every kind, stacking search)")
	seed := flag.Uint64("seed", 1, "random seed")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed pricing (engine and baseline) at the largest size to this file")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread() // the thread CPU times below are this goroutine's
	var sizes []int
	for _, f := range strings.Split(*sizesFlag, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			fail(fmt.Errorf("-sizes: %q is not a promotion count", f))
		}
		sizes = append(sizes, v)
	}
	var prof *os.File
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		prof = f
	}

	fmt.Printf("promotion engine sweep: %d-line baskets, typical mix (3%% category-wide, 2%% brand-wide, rest 1-3 SKUs), GOMAXPROCS=1, %d baskets timed per size\n", basketLines, *n)
	fmt.Printf("load average at start: %s\n", loadavg())
	fmt.Println("indexes built outside the timing (build times in their own columns); ratio = engine ÷ baseline per basket")
	fmt.Println("wall: elapsed per basket; CPU: the pricing thread's own CPU time per basket (without what other processes took)")
	fmt.Println()
	fmt.Println("| promotions | SKUs / categories / brands | index build: engine / baseline | engine wall p50 / p99 | engine CPU p50 / p99 | baseline wall p50 / p99 | baseline CPU p50 / p99 | ratio wall p50 / p99 | ratio CPU p50 / p99 | reached / applied per basket | mixed, engine only: CPU p50 / p99 |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	var last result
	for _, size := range sizes {
		p := prof
		if size != slices.Max(sizes) {
			p = nil
		}
		res, err := sweep(size, *n, *check, *mixed, *seed, p)
		if err != nil {
			fail(err)
		}
		res.print()
		last = res
	}
	if prof != nil {
		prof.Close()
	}
	fmt.Printf("load average at end: %s\n", loadavg())
	fmt.Println()
	verdict := func(d time.Duration) string {
		if d < time.Millisecond {
			return "met"
		}
		return "NOT met"
	}
	fmt.Printf("target p99 < 1 ms at %d promotions (typical mix, one core): CPU p99 %s (%s), wall p99 %s (%s)\n", last.shape.promotions,
		fmtDur(last.engine.cpu99), verdict(last.engine.cpu99), fmtDur(last.engine.p99), verdict(last.engine.p99))
}

// result is one size's figures.
type result struct {
	shape              shape
	buildEng, buildBas time.Duration
	engine, baseline   stats
	mixed              stats
	reached, applied   float64 // promotions per basket: reached through the index, applied
}

func (r result) print() {
	mixed := "—"
	if r.mixed.n > 0 {
		mixed = pair(r.mixed.cpu50, r.mixed.cpu99)
	}
	fmt.Printf("| %d | %d / %d / %d | %s / %s | %s | %s | %s | %s | %.1f× / %.1f× | %.1f× / %.1f× | %.0f / %.0f | %s |\n", r.shape.promotions,
		r.shape.skus, r.shape.categories, r.shape.brands, fmtDur(r.buildEng), fmtDur(r.buildBas),
		pair(r.engine.p50, r.engine.p99), pair(r.engine.cpu50, r.engine.cpu99),
		pair(r.baseline.p50, r.baseline.p99), pair(r.baseline.cpu50, r.baseline.cpu99),
		ratio(r.engine.p50, r.baseline.p50), ratio(r.engine.p99, r.baseline.p99),
		ratio(r.engine.cpu50, r.baseline.cpu50), ratio(r.engine.cpu99, r.baseline.cpu99),
		r.reached, r.applied, mixed)
}

func sweep(size, n, check int, mixed bool, seed uint64, prof *os.File) (result, error) {
	s := shapeFor(size)
	r := rand.New(rand.NewPCG(seed, uint64(size)))
	items := catalogue(r, s)
	simple := simpleWorkload(r, s, items, typical)
	baskets := make([]engine.Cart, 1000)
	for i := range baskets {
		baskets[i] = basket(r, items)
	}
	ctx := benchContext()
	res := result{shape: s}

	start := time.Now()
	ix := engine.NewIndex(simple)
	res.buildEng = time.Since(start)
	start = time.Now()
	base := newIndexed(simple)
	res.buildBas = time.Since(start)
	if ix.Len() != len(simple) {
		return res, fmt.Errorf("%d promotions: the engine left out %d as invalid", size, len(simple)-ix.Len())
	}

	for i, b := range baskets {
		got, err := ix.Price(b, ctx)
		if err != nil {
			return res, err
		}
		want := base.price(b, ctx)
		if got.Total != want {
			return res, fmt.Errorf("%d promotions, basket %d: engine total %d, baseline %d", size, i, got.Total, want)
		}
		if i < check {
			if oracle := naivePrice(b, simple, ctx); oracle != want {
				return res, fmt.Errorf("%d promotions, basket %d: baseline total %d, oracle %d", size, i, want, oracle)
			}
		}
		res.reached += float64(len(got.Applied) + len(got.Rejected))
		res.applied += float64(len(got.Applied))
	}
	res.reached /= float64(len(baskets))
	res.applied /= float64(len(baskets))

	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}
	var err error
	res.engine, res.baseline = measurePair(n,
		func(i int) {
			if _, e := ix.Price(baskets[i%len(baskets)], ctx); e != nil {
				err = e
			}
		},
		func(i int) { base.price(baskets[i%len(baskets)], ctx) })
	if err != nil {
		return res, err
	}
	if mixed {
		mixIx := engine.NewIndex(mixedWorkload(r, s, items, typical))
		res.mixed = measure(n, func(i int) {
			if _, e := mixIx.Price(baskets[i%len(baskets)], ctx); e != nil {
				err = e
			}
		})
	}
	return res, err
}

// stats are percentiles of wall time and of the thread's CPU time per basket.
type stats struct {
	n                      int
	p50, p99, cpu50, cpu99 time.Duration
}

func pair(a, b time.Duration) string { return fmtDur(a) + " / " + fmtDur(b) }

// measurePair times a and b on the same inputs, alternating which goes first, after
// a warm-up, and returns each one's percentiles.
func measurePair(n int, a, b func(i int)) (stats, stats) {
	for i := range min(n/10, 500) {
		a(i)
		b(i)
	}
	la, lb := newTimings(n), newTimings(n)
	for i := range n {
		first, second, lf, ls := a, b, &la, &lb
		if i%2 == 1 {
			first, second, lf, ls = b, a, &lb, &la
		}
		lf.time(i, first)
		ls.time(i, second)
	}
	return la.stats(), lb.stats()
}

// timings are the wall and thread CPU times of n calls. The caller must hold its OS
// thread (main does, runtime.LockOSThread) so that the thread's CPU time is the
// call's own work, GC assists included, without what other processes took.
type timings struct{ wall, cpu []time.Duration }

func newTimings(n int) timings {
	return timings{wall: make([]time.Duration, n), cpu: make([]time.Duration, n)}
}

func (t *timings) time(i int, f func(int)) {
	w, c := time.Now(), threadTime()
	f(i)
	t.wall[i], t.cpu[i] = time.Since(w), threadTime()-c
}

func (t *timings) stats() stats {
	w, c := percentiles(t.wall), percentiles(t.cpu)
	return stats{n: len(t.wall), p50: w[0], p99: w[1], cpu50: c[0], cpu99: c[1]}
}

// threadTime returns the calling thread's CPU time.
func threadTime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// measure times f n times after a short warm-up.
func measure(n int, f func(i int)) stats {
	for i := range min(n/10, 500) {
		f(i)
	}
	t := newTimings(n)
	for i := range n {
		t.time(i, f)
	}
	return t.stats()
}

// percentiles returns the p50 and p99 of lat, sorting it.
func percentiles(lat []time.Duration) [2]time.Duration {
	slices.Sort(lat)
	return [2]time.Duration{lat[len(lat)/2], lat[len(lat)*99/100]}
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
}

// loadavg is the first three fields of /proc/loadavg, or "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "promotion bench:", err)
	os.Exit(1)
}
