// Package wrk runs the wrk load generator (Debian package wrk) for the benchmark
// commands and reads its report.
package wrk

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// Result is one wrk run: requests per second and the median and 99th-percentile
// latency in milliseconds.
type Result struct {
	RPS   float64 `json:"rps"`
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
}

var (
	rpsRe     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latencyRe = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRe  = regexp.MustCompile(`Non-2xx or 3xx responses`)
)

// Run drives url with two threads and the given connections for duration; extra
// arguments go to wrk before the URL (a header with -H, a Lua script with -s). A
// run that saw any non-2xx answer is an error.
func Run(url string, duration time.Duration, connections int, extra ...string) (Result, error) {
	args := append([]string{"-t", "2", "-c", strconv.Itoa(connections), "-d", duration.String(), "--latency"}, extra...)
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	if non2xxRe.Match(out) {
		return Result{}, fmt.Errorf("wrk saw error responses: %s", out)
	}
	m := rpsRe.FindSubmatch(out)
	if m == nil {
		return Result{}, fmt.Errorf("wrk printed no Requests/sec: %s", out)
	}
	var r Result
	r.RPS, _ = strconv.ParseFloat(string(m[1]), 64)
	for _, l := range latencyRe.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(l[2]), 64)
		switch string(l[3]) {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if string(l[1]) == "50" {
			r.P50ms = v
		} else {
			r.P99ms = v
		}
	}
	return r, nil
}
