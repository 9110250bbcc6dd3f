// Command segment benchmarks the audience segment engine (issue 14): it generates
// -members members with -tags tags (flags, enums and numbers with a skewed spread)
// plus attributes and behaviour aggregates, builds an engine.Index of them and
// counts the six-condition audience
//
//	tier in ("gold", "platinum") and city = "上海" and bought("infant_formula", 90d)
//	and not did("order", 30d) and did("wechat_open", 30d) >= 1 and not in_segment("low_churn")
//
// -runs times on one core (GOMAXPROCS=1), printing build time, memory (heap in use
// after the build, the bitmaps' serialized size, peak RSS) and count latency p50 and
// p99. With -db postgres://… it also loads -pg-members of the same members into a
// fresh schema there with COPY (the schema is in pg.go), asks PostgreSQL the same
// question with parallel query off, checks both give the same count and prints the
// ratio of the p50 latencies; when -pg-members differs from -members the engine is
// rebuilt at -pg-members so that both answer at the same size.
//
//	go run ./bench/segment [-members 10000000] [-tags 200] [-runs 200] [-db postgres://… -pg-members 1000000]
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"golang.org/x/sys/unix"

	"github.com/oneretail/oneretail/internal/audience/engine"
)

// question is the audience in the text form.
const question = `tier in ("gold", "platinum") and city = "上海" and bought("infant_formula", 90d) and not did("order", 30d) and did("wechat_open", 30d) >= 1 and not in_segment("low_churn")`

// rangeQuestion exercises the bit-sliced numbers: three range conditions and a tag.
const rangeQuestion = `age between 25 and 35 and spend(90d) between 100 and 500 and days_since(last_order_day) > 14 and tag("t003")`

func main() {
	members := flag.Int("members", 10_000_000, "members to generate")
	tags := flag.Int("tags", 200, "tags per tenant (60% flags, 25% enums, 15% numbers)")
	runs := flag.Int("runs", 200, "counts to time per question")
	seed := flag.Uint64("seed", 1, "random seed")
	dsn := flag.String("db", "", "PostgreSQL DSN for the baseline (a schema is made and dropped there)")
	pgMembers := flag.Int("pg-members", 1_000_000, "members loaded into PostgreSQL (and into the engine compared with it)")
	pgRuns := flag.Int("pg-runs", 50, "counts to time on PostgreSQL")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the engine's timed counts to this file")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	if err := run(context.Background(), *members, *tags, *runs, *seed, *dsn, *pgMembers, *pgRuns, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "segment:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, members, tags, runs int, seed uint64, dsn string, pgMembers, pgRuns int, cpuprofile string) error {
	q, err := engine.Parse(question)
	if err != nil {
		return err
	}
	rq, err := engine.Parse(rangeQuestion)
	if err != nil {
		return err
	}
	fmt.Printf("segment engine benchmark: %s members, %d tags, GOMAXPROCS=1, %d counts per question\n", thousands(int64(members)), tags, runs)
	g := gen{seed: seed, tags: tags}
	ix, build, err := g.build(members)
	if err != nil {
		return err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := ix.Stats()
	fmt.Printf("build: %s (generate and index), %d fields, %s bitmaps, %s MiB serialized, heap in use %s MiB, peak RSS %s MiB\n",
		build.Round(time.Millisecond), st.Fields, thousands(int64(st.Bitmaps)), mib(st.SizeBytes), mib(ms.HeapInuse), mib(peakRSS()))
	var main stats
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			return err
		}
	}
	for i, qq := range []struct {
		name string
		c    engine.Cond
	}{{"six conditions (issue)", q}, {"three ranges and a tag", rq}} {
		var n uint64
		s := measure(runs, func() {
			n, err = ix.Count(qq.c, g.today())
		})
		if err != nil {
			return err
		}
		if i == 0 {
			main = s
		}
		fmt.Printf("count %-24s %s members  wall p50 %8s  p99 %8s;  thread CPU p50 %8s  p99 %8s;  process CPU per count %8s\n", qq.name+":", thousands(int64(n)),
			s.p50.Round(time.Microsecond), s.p99.Round(time.Microsecond), s.cpu50.Round(time.Microsecond), s.cpu99.Round(time.Microsecond), s.cpu.Round(time.Microsecond))
	}
	pprof.StopCPUProfile()
	fmt.Printf("| %s | engine | %s | %d | %s | %s MiB | %s MiB | %s | %s | %s | %s |\n", time.Now().Format(time.DateOnly), thousands(int64(members)), tags,
		build.Round(time.Second), mib(ms.HeapInuse), mib(peakRSS()), ms2(main.p50), ms2(main.p99), ms2(main.cpu50), ms2(main.cpu99))
	if dsn == "" {
		return nil
	}
	if pgMembers != members {
		ix = nil
		runtime.GC()
		fmt.Printf("\nrebuilding the engine at %s members to compare with PostgreSQL at the same size\n", thousands(int64(pgMembers)))
		if ix, _, err = g.build(pgMembers); err != nil {
			return err
		}
	}
	var engineN uint64
	es := measure(runs, func() { engineN, err = ix.Count(q, g.today()) })
	if err != nil {
		return err
	}
	pgN, ps, load, err := postgres(ctx, dsn, g, pgMembers, pgRuns)
	if err != nil {
		return err
	}
	if pgN != engineN {
		return fmt.Errorf("PostgreSQL counts %d, the engine %d", pgN, engineN)
	}
	fmt.Printf("PostgreSQL: loaded %s members in %s; both count %s\n", thousands(int64(pgMembers)), load.Round(time.Second), thousands(int64(pgN)))
	fmt.Printf("%-28s p50 %9s  p99 %9s  (thread CPU p50 %s, p99 %s)\n", "engine:", es.p50.Round(time.Microsecond), es.p99.Round(time.Microsecond),
		es.cpu50.Round(time.Microsecond), es.cpu99.Round(time.Microsecond))
	fmt.Printf("%-28s p50 %9s  p99 %9s\n", "PostgreSQL (1 worker):", ps.p50.Round(time.Microsecond), ps.p99.Round(time.Microsecond))
	fmt.Printf("engine is %.0f× faster at p50, %.0f× at p99\n", float64(ps.p50)/float64(es.p50), float64(ps.p99)/float64(es.p99))
	fmt.Printf("| %s | vs PostgreSQL | %s | %s | %s | %s | %s | **%.0f×** |\n", time.Now().Format(time.DateOnly), thousands(int64(pgMembers)),
		ms2(es.p50), ms2(es.p99), ms2(ps.p50), ms2(ps.p99), float64(ps.p50)/float64(es.p50))
	return nil
}

// gen generates members deterministically: member m's attributes and behaviour
// are a hash of (seed, m), so the engine and PostgreSQL get the same members.
type gen struct {
	seed uint64
	tags int
}

var (
	tiers      = []string{"normal", "silver", "gold", "platinum"}
	tierWeight = []float64{0.55, 0.25, 0.14, 0.06}
	cities     = []string{"上海", "北京", "广州", "深圳", "杭州", "成都", "南京", "武汉", "苏州", "重庆", "天津", "西安", "长沙", "郑州", "青岛", "宁波", "厦门", "合肥", "济南", "福州"}
	categories = []string{"infant_formula", "diapers", "snacks", "fresh", "dairy", "beverages", "personal_care", "household", "frozen", "bakery", "wine", "pet", "toys", "apparel", "electronics"}
	genders    = []string{"female", "male", "unknown"}
)

func (g gen) today() engine.Day { return 20_429 } // 2025-12-07

// member is one generated member's queried attributes and behaviour.
type member struct {
	tier, city, gender string
	age                int64
	bought             []string
	orders30, wechat30 int64
	orders90, spend90  int64
	lastOrderDay       int64 // 0: never ordered
	lowChurn           bool
}

func (g gen) member(m uint32) member {
	h := func(k uint64) uint64 { return mix(g.seed ^ uint64(m)<<20 ^ k*0x9e3779b97f4a7c15) }
	u := func(k uint64) float64 { return float64(h(k)>>11) / (1 << 53) }
	var x member
	x.tier = tiers[pick(tierWeight, u(1))]
	x.city = cities[zipf(len(cities), u(2))]
	x.gender = genders[int(h(3)%10)*len(genders)/10]
	x.age = 18 + int64(h(4)%55)
	for i, c := range categories {
		if u(100+uint64(i)) < 0.3/float64(i+2) {
			x.bought = append(x.bought, c)
		}
	}
	if u(5) < 0.3 {
		x.orders30 = 1 + int64(h(6)%4)
	}
	if u(7) < 0.35 {
		x.wechat30 = 1 + int64(h(8)%20)
	}
	if x.orders30 > 0 || u(9) < 0.3 {
		x.orders90 = x.orders30 + 1 + int64(h(10)%6)
		x.spend90 = x.orders90 * (3_000 + int64(h(11)%20_000))
		x.lastOrderDay = int64(g.today()) - int64(h(12)%90)
		if x.orders30 > 0 {
			x.lastOrderDay = int64(g.today()) - int64(h(12)%30)
		}
	}
	x.lowChurn = u(13) < 0.2
	return x
}

func (g gen) build(n int) (*engine.Index, time.Duration, error) {
	start := time.Now()
	ix := engine.NewIndex()
	fields := map[string]engine.Kind{
		"tier": engine.Set, "city": engine.Set, "gender": engine.Set, "age": engine.Number,
		engine.BoughtField("90d"): engine.Set, engine.EventsField("order", "30d"): engine.Number,
		engine.EventsField("wechat_open", "30d"): engine.Number, engine.OrdersField("90d"): engine.Number,
		engine.SpendField("90d"): engine.Number, engine.LastOrderDay: engine.Number,
	}
	nFlags, nEnums := g.tags*60/100, g.tags*25/100
	for t := range g.tags {
		k := engine.Number
		if t < nFlags {
			k = engine.Flag
		} else if t < nFlags+nEnums {
			k = engine.Set
		}
		fields[tagName(t)] = k
	}
	for name, k := range fields {
		if err := ix.Define(name, k); err != nil {
			return nil, 0, err
		}
	}
	p := progress("build members", n)
	lowChurn := roaring.New()
	err := ix.Update(func(tx *engine.Tx) error {
		for m := range uint32(n) {
			x := g.member(m)
			err := tx.SetValues(m, "tier", x.tier)
			err = first(err, tx.SetValues(m, "city", x.city))
			err = first(err, tx.SetValues(m, "gender", x.gender))
			err = first(err, tx.SetNumber(m, "age", x.age))
			if len(x.bought) > 0 {
				err = first(err, tx.SetValues(m, engine.BoughtField("90d"), x.bought...))
			}
			if x.orders30 > 0 {
				err = first(err, tx.SetNumber(m, engine.EventsField("order", "30d"), x.orders30))
			}
			if x.wechat30 > 0 {
				err = first(err, tx.SetNumber(m, engine.EventsField("wechat_open", "30d"), x.wechat30))
			}
			if x.orders90 > 0 {
				err = first(err, tx.SetNumber(m, engine.OrdersField("90d"), x.orders90))
				err = first(err, tx.SetNumber(m, engine.SpendField("90d"), x.spend90))
				err = first(err, tx.SetNumber(m, engine.LastOrderDay, x.lastOrderDay))
			}
			if err != nil {
				return err
			}
			if x.lowChurn {
				lowChurn.Add(m)
			}
			if m%65536 == 0 {
				p(int(m))
			}
		}
		p(n)
		tx.SetSegment("low_churn", lowChurn)
		return g.tagsInto(tx, n, nFlags, nEnums)
	})
	if err != nil {
		return nil, 0, err
	}
	ix.Optimize()
	return ix, time.Since(start), nil
}

func first(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func tagName(t int) string { return engine.TagField(fmt.Sprintf("t%03d", t)) }

// tagsInto sets the tags field by field: tag t is held by a share of the members
// that falls with t (60% for the first, under 1% for the last of each kind); a
// flag's holders are found by geometric skips so the cost is the holders, not n.
func (g gen) tagsInto(tx *engine.Tx, n, nFlags, nEnums int) error {
	p := progress("build tags", g.tags)
	r := rng(g.seed)
	for t := range g.tags {
		name := tagName(t)
		share := 0.6 / math.Pow(float64(t%nFlags+1), 0.9)
		if t >= nFlags {
			share = 0.6 / math.Pow(float64((t-nFlags)%max(nEnums, 1)+1), 0.7)
		}
		step := math.Log1p(-share)
		values := 3 + t%10
		for m := int64(math.Floor(math.Log(r.float()) / step)); m < int64(n); m += 1 + int64(math.Floor(math.Log(r.float())/step)) {
			var err error
			switch {
			case t < nFlags:
				err = tx.SetFlag(uint32(m), name, true)
			case t < nFlags+nEnums:
				err = tx.SetValues(uint32(m), name, "v"+strconv.Itoa(zipf(values, r.float())))
			default:
				err = tx.SetNumber(uint32(m), name, int64(r.float()*1000))
			}
			if err != nil {
				return err
			}
		}
		p(t + 1)
	}
	return nil
}

// rng is a splitmix64 generator.
type rng uint64

func (r *rng) float() float64 {
	*r += 0x9e3779b97f4a7c15
	return (float64(mix(uint64(*r))>>11) + 0.5) / (1 << 53)
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func pick(weights []float64, u float64) int {
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// zipf returns 0..n-1 with weight 1/(i+1).
func zipf(n int, u float64) int {
	var total float64
	for i := range n {
		total += 1 / float64(i+1)
	}
	u *= total
	for i := range n {
		u -= 1 / float64(i+1)
		if u < 0 {
			return i
		}
	}
	return n - 1
}

type stats struct{ p50, p99, cpu, cpu50, cpu99 time.Duration }

// measure runs f n times after a short warm-up and returns latency percentiles
// and this process's CPU time (user and system, GC included) per run, which is
// what the latency would be on an idle core.
func measure(n int, f func()) stats {
	for range min(n/10, 20) {
		f()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, n)
	own := make([]time.Duration, n)
	cpu0 := cpuTime()
	for i := range n {
		t, c := time.Now(), threadTime()
		f()
		lat[i], own[i] = time.Since(t), threadTime()-c
	}
	cpu := (cpuTime() - cpu0) / time.Duration(n)
	slices.Sort(lat)
	slices.Sort(own)
	return stats{p50: lat[n/2], p99: lat[n*99/100], cpu: cpu, cpu50: own[n/2], cpu99: own[n*99/100]}
}

// threadTime returns the calling thread's CPU time: a run's own work, GC assists
// included, without the time the shared machine gave to other processes.
func threadTime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b uint64) string { return thousands(int64(b >> 20)) }

func ms2(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// progress returns a function that reports how many of total are done on stderr,
// at most every two seconds.
func progress(what string, total int) func(int) {
	last := time.Now()
	start := last
	return func(done int) {
		if time.Since(last) < 2*time.Second && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "  %s: %s/%s (%d%%), %s/s\n", what, thousands(int64(done)), thousands(int64(total)),
			done*100/max(total, 1), thousands(int64(float64(done)/max(time.Since(start).Seconds(), 1e-9))))
	}
}

func thousands(v int64) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
