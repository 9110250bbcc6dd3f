// Command identity benchmarks batch identity re-resolution: it generates N identifier
// links deterministically (customers with phones, unionids, openids and devices,
// some shared family devices and some conflicting phones), then runs a plain
// connected-components pass (the baseline: union-find with no rules) and
// graph.ResolveAll on the same links in the same process, and reports time, memory
// and the ratio.
//
//	go run ./bench/identity -links 10000000
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/identity/graph/graphtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench identity:", err)
		os.Exit(1)
	}
}

const mib = 1 << 20

func run() error {
	n := flag.Int("links", 10_000_000, "number of identifier links to generate")
	seed := flag.Uint64("seed", 1, "generator seed")
	procs := flag.Int("procs", 1, "GOMAXPROCS (the target is one core)")
	shared := flag.Int("shared-device-pct", 2, "percentage of customers who also use the previous customer's device")
	conflict := flag.Int("conflict-phone-pct", 1, "percentage of customers with a second, conflicting phone")
	runs := flag.Int("runs", 3, "how many baseline + ResolveAll pairs to run")
	flag.Parse()
	runtime.GOMAXPROCS(*procs)

	start := time.Now()
	links, _ := graphtest.Links(*n, graphtest.Options{Seed: *seed, SharedDevicePct: *shared, ConflictPhonePct: *conflict})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("generated %d links in %s; input heap %d MiB; GOMAXPROCS=%d\n",
		len(links), time.Since(start).Round(time.Millisecond), ms.HeapAlloc/mib, runtime.GOMAXPROCS(0))

	rules := graph.DefaultRules()
	var base, res figures
	var worst float64 // slowest ResolveAll run, judged against the target
	baseCPU, resCPU := math.Inf(1), math.Inf(1)
	for i := range *runs {
		b, err := measure(fmt.Sprintf("run %d baseline connected components", i+1), len(links), func() (*graph.Result, error) { return graph.ConnectedComponents(links) })
		if err != nil {
			return err
		}
		r, err := measure(fmt.Sprintf("run %d ResolveAll with rules", i+1), len(links), func() (*graph.Result, error) { return graph.ResolveAll(links, rules) })
		if err != nil {
			return err
		}
		baseCPU = min(baseCPU, b.CPU)
		resCPU = min(resCPU, r.CPU)
		if i == 0 || b.Seconds < base.Seconds {
			base = b
		}
		worst = max(worst, r.Seconds)
		if i == 0 || r.Seconds < res.Seconds {
			res = r
		}
	}
	fmt.Printf("best of %d: baseline %.2f s, ResolveAll %.2f s, ratio ResolveAll/baseline %.2f (>1 means the rules cost time)\n", *runs, base.Seconds, res.Seconds, res.Seconds/base.Seconds)
	fmt.Printf("best of %d by CPU time: baseline %.2f s, ResolveAll %.2f s, ratio %.2f\n", *runs, baseCPU, resCPU, resCPU/baseCPU)
	fmt.Printf("slowest ResolveAll run %.2f s; process peak RSS (input included) %d MiB\n", worst, maxRSS()/mib)
	target := "MET"
	if worst >= 60 || maxRSS() >= 4<<30 {
		target = "NOT MET"
	}
	fmt.Printf("target (<60 s, <4 GiB, one core): %s\n", target)
	return nil
}

type figures struct{ Seconds, CPU float64 }

func measure(name string, links int, f func() (*graph.Result, error)) (figures, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start, cpu0 := time.Now(), cpuTime()
	r, err := f()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if err != nil {
		return figures{}, fmt.Errorf("%s: %w", name, err)
	}
	runtime.ReadMemStats(&after)
	by := r.RefusedBy()
	fmt.Printf("%s: wall %s, CPU %s (%.0f ns/link wall); %d identifiers, %d clusters, %d skipped, refused weak=%d uniqueness=%d cluster_size=%d\n",
		name, elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(elapsed.Nanoseconds())/float64(max(1, links)),
		r.Identifiers, r.Clusters, r.Skipped, by[graph.ReasonWeakLink], by[graph.ReasonUniqueness], by[graph.ReasonClusterSize])
	fmt.Printf("  allocated %d MiB (TotalAlloc delta), heap in use after %d MiB, HeapSys %d MiB, GC cycles %d, peak RSS so far %d MiB\n",
		(after.TotalAlloc-before.TotalAlloc)/mib, after.HeapAlloc/mib, after.HeapSys/mib, after.NumGC-before.NumGC, maxRSS()/mib)
	runtime.KeepAlive(r)
	return figures{Seconds: elapsed.Seconds(), CPU: cpu.Seconds()}, nil
}

// cpuTime returns the process's user plus system CPU time; on a shared machine it is
// steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS returns the process's peak resident set size in bytes (Linux reports KiB).
func maxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return uint64(ru.Maxrss) * 1024
}
