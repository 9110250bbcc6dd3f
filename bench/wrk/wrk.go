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
// latency in milliseconds; Measure also fills the counts.
type Result struct {
	RPS          float64 `json:"rps"`
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	Requests     int64   `json:"requests,omitempty"`
	Non2xx       int64   `json:"non_2xx,omitempty"`       // answers with a status of 400 or more (wrk's "Non-2xx or 3xx")
	SocketErrors int64   `json:"socket_errors,omitempty"` // connect, read, write errors and timeouts
}

var (
	rpsRe      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latencyRe  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRe   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
	requestsRe = regexp.MustCompile(`([0-9]+) requests in `)
	socketRe   = regexp.MustCompile(`Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)`)
)

// Check reports, before a benchmark sets anything up, whether wrk can be run.
func Check() error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (apt-get install wrk): %w", err)
	}
	return nil
}

// Run drives url with two threads and the given connections for duration; extra
// arguments go to wrk before the URL (a header with -H, a Lua script with -s). A
// run that saw any non-2xx answer is an error.
func Run(url string, duration time.Duration, connections int, extra ...string) (Result, error) {
	r, out, err := Measure(url, duration, connections, extra...)
	if err == nil && r.Non2xx > 0 {
		err = fmt.Errorf("wrk saw error responses: %s", out)
	}
	return r, err
}

// Measure is Run that counts error answers and socket errors instead of failing on
// them; it also returns wrk's output (with whatever a Lua script printed).
func Measure(url string, duration time.Duration, connections int, extra ...string) (Result, string, error) {
	args := append([]string{"-t", "2", "-c", strconv.Itoa(connections), "-d", strconv.Itoa(int(duration.Seconds())) + "s", "--latency"}, extra...)
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return Result{}, string(out), fmt.Errorf("wrk: %w: %s", err, out)
	}
	m := rpsRe.FindSubmatch(out)
	if m == nil {
		return Result{}, string(out), fmt.Errorf("wrk printed no Requests/sec: %s", out)
	}
	var r Result
	r.RPS, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := requestsRe.FindSubmatch(out); m != nil {
		r.Requests, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	if m := non2xxRe.FindSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	if m := socketRe.FindSubmatch(out); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.ParseInt(string(g), 10, 64)
			r.SocketErrors += n
		}
	}
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
	return r, string(out), nil
}
