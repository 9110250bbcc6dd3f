package custmodel_test

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
)

// cdnowCustomer is one row of cdnow_customers_summary_with_transactions.csv.
type cdnowCustomer struct {
	id   int
	bg   custmodel.BGNBDCustomer
	zbar float64
}

func loadCDNOW(tb testing.TB) (dir string, customers []cdnowCustomer) {
	tb.Helper()
	dir = dataDir(tb, "cdnow")
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	for _, r := range readCSV(tb, filepath.Join(dir, "cdnow_customers_summary_with_transactions.csv")) {
		customers = append(customers, cdnowCustomer{
			id:   int(num(r[0])),
			bg:   custmodel.BGNBDCustomer{X: int(num(r[1])), TX: num(r[2]), T: num(r[3])},
			zbar: num(r[4]),
		})
	}
	// The plain summary must agree with the one with transactions.
	plain := readCSV(tb, filepath.Join(dir, "cdnow_customers_summary.csv"))
	if len(plain) != len(customers) {
		tb.Fatalf("summaries disagree: %d vs %d rows", len(plain), len(customers))
	}
	for i, r := range plain {
		c := customers[i]
		if int(num(r[0])) != c.id || int(num(r[1])) != c.bg.X || num(r[2]) != c.bg.TX || num(r[3]) != c.bg.T {
			tb.Fatalf("summaries disagree on row %d: %v vs %+v", i, r, c)
		}
	}
	return dir, customers
}

// cdnowSampleDays returns, per sample customer id, the distinct purchase days of
// CDNOW_sample.txt (same-day rows merged into one transaction).
func cdnowSampleDays(tb testing.TB, dir string) map[int][]time.Time {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "CDNOW_sample.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	days := map[int][]time.Time{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 {
			continue
		}
		id, err := strconv.Atoi(fs[1])
		if err != nil {
			tb.Fatalf("sample id %q: %v", fs[1], err)
		}
		d, err := time.Parse("20060102", fs[2])
		if err != nil {
			tb.Fatalf("sample date %q: %v", fs[2], err)
		}
		ds := days[id]
		if len(ds) == 0 || !ds[len(ds)-1].Equal(d) {
			days[id] = append(ds, d) // the file is sorted by customer then date
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return days
}

func within(tb testing.TB, name string, got, want, rel float64) {
	tb.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		tb.Errorf("%s = %.4f, want %.4f ± %.1f%%", name, got, want, rel*100)
	}
}

// TestBGNBDOnCDNOW fits BG/NBD on the 2,357-customer CDNOW sample (39-week
// calibration, time in weeks) and checks the parameters against Fader, Hardie & Lee
// (2005) as reproduced by lifetimes; then it compares the conditional expectations for
// the 39-week holdout (1997-10-01 .. 1998-06-30) with the actual repeat purchases.
func TestBGNBDOnCDNOW(t *testing.T) {
	t.Parallel()
	dir, customers := loadCDNOW(t)
	in := make([]custmodel.BGNBDCustomer, len(customers))
	for i, c := range customers {
		in[i] = c.bg
	}
	fit, err := custmodel.FitBGNBD(in)
	if err != nil {
		t.Fatal(err)
	}
	p := fit.Params
	t.Logf("BG/NBD fit on %d customers: r=%.4f alpha=%.4f a=%.4f b=%.4f log-likelihood=%.4f (%d evaluations)",
		len(in), p.R, p.Alpha, p.A, p.B, fit.LogLikelihood, fit.Evaluations)
	within(t, "r", p.R, 0.243, 0.01)
	within(t, "alpha", p.Alpha, 4.414, 0.01)
	within(t, "a", p.A, 0.793, 0.01)
	within(t, "b", p.B, 2.426, 0.01)
	// Hardie's spreadsheet: x=2, t_x=30.43, T=38.86 over the next 39 weeks.
	e := p.ExpectedRepeat(custmodel.BGNBDCustomer{X: 2, TX: 30.43, T: 38.86}, 39)
	t.Logf("E[Y(39) | x=2, t_x=30.43, T=38.86] = %.4f (Hardie: 1.226)", e)
	within(t, "conditional expectation", e, 1.226, 0.01)
	t.Logf("E[X(39)] for a new customer = %.4f, E[X(78)] = %.4f", p.ExpectedNew(39), p.ExpectedNew(78))

	// Holdout: weeks 40–78. The calibration summary must match the raw sample, which
	// also checks that the summary's ID is the sample's customer id.
	calEnd := time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	days := cdnowSampleDays(t, dir)
	if len(days) != len(customers) {
		t.Fatalf("CDNOW_sample.txt has %d customers, summary %d", len(days), len(customers))
	}
	const buckets = 8 // x = 0..6 and 7+
	var predB, actB [buckets]float64
	var nB [buckets]int
	var predTotal float64
	var actTotal int
	for _, c := range customers {
		var cal, hold int
		for _, d := range days[c.id] {
			if d.After(calEnd) {
				hold++
			} else {
				cal++
			}
		}
		if cal-1 != c.bg.X {
			t.Fatalf("customer %d: %d repeat purchases in calibration in the sample, %d in the summary", c.id, cal-1, c.bg.X)
		}
		pred := p.ExpectedRepeat(c.bg, 39)
		b := min(c.bg.X, buckets-1)
		predB[b] += pred
		actB[b] += float64(hold)
		nB[b]++
		predTotal += pred
		actTotal += hold
	}
	t.Logf("holdout weeks 40-78: predicted %.1f repeat transactions, actual %d (%+.1f%%)",
		predTotal, actTotal, 100*(predTotal-float64(actTotal))/float64(actTotal))
	t.Logf("conditional expectations by calibration frequency:")
	t.Logf("  %-4s %6s %10s %10s", "x", "n", "predicted", "actual")
	for b := range buckets {
		label := strconv.Itoa(b)
		if b == buckets-1 {
			label += "+"
		}
		t.Logf("  %-4s %6d %10.3f %10.3f", label, nB[b], predB[b]/float64(nB[b]), actB[b]/float64(nB[b]))
	}
	// Our fit under-forecasts this holdout (1,653 vs 1,882 repeat transactions, −12%,
	// most of it among customers with x = 1 or 2); guard against anything worse, and
	// check that the conditional expectation rises with calibration frequency as the
	// data does.
	if math.Abs(predTotal-float64(actTotal)) > 0.15*float64(actTotal) {
		t.Errorf("holdout total predicted %.1f vs actual %d: off by more than 15%%", predTotal, actTotal)
	}
	for b := 1; b < buckets; b++ {
		if predB[b]/float64(nB[b]) <= predB[b-1]/float64(nB[b-1]) {
			t.Errorf("predicted holdout mean for bucket %d not above bucket %d", b, b-1)
		}
	}
}

// TestGammaGammaOnCDNOW fits the Gamma-Gamma spend model on the 946 CDNOW sample
// customers with a repeat purchase and checks p, q, γ against lifetimes (p 6.25,
// q 3.74, γ 15.44).
func TestGammaGammaOnCDNOW(t *testing.T) {
	t.Parallel()
	_, customers := loadCDNOW(t)
	var in []custmodel.SpendCustomer
	for _, c := range customers {
		if c.bg.X > 0 {
			in = append(in, custmodel.SpendCustomer{X: c.bg.X, MeanSpend: c.zbar})
		}
	}
	if len(in) != 946 {
		t.Fatalf("%d repeat customers, want 946", len(in))
	}
	fit, err := custmodel.FitGammaGamma(in)
	if err != nil {
		t.Fatal(err)
	}
	g := fit.Params
	t.Logf("Gamma-Gamma fit on %d customers: p=%.4f q=%.4f gamma=%.4f log-likelihood=%.4f (%d evaluations)",
		len(in), g.P, g.Q, g.Gamma, fit.LogLikelihood, fit.Evaluations)
	within(t, "p", g.P, 6.25, 0.01)
	within(t, "q", g.Q, 3.74, 0.01)
	within(t, "gamma", g.Gamma, 15.44, 0.01)

	var sumObs, sumExp float64
	for _, c := range in {
		sumObs += c.MeanSpend
		sumExp += g.ExpectedSpend(c)
	}
	t.Logf("mean of observed average spend $%.2f, of conditional expected average spend $%.2f, population mean $%.2f",
		sumObs/float64(len(in)), sumExp/float64(len(in)), g.P*g.Gamma/(g.Q-1))
	if math.Abs(sumExp-sumObs) > 0.05*sumObs {
		t.Errorf("expected spend %.2f vs observed %.2f: off by more than 5%%", sumExp, sumObs)
	}

	bgIn := make([]custmodel.BGNBDCustomer, len(customers))
	for i, c := range customers {
		bgIn[i] = c.bg
	}
	bg, err := custmodel.FitBGNBD(bgIn)
	if err != nil {
		t.Fatal(err)
	}
	var clv, clvDisc float64
	for _, c := range customers {
		v, err := custmodel.CLV(bg.Params, g, c.bg, c.zbar, custmodel.CLVOptions{Horizon: 52})
		if err != nil {
			t.Fatal(err)
		}
		d, err := custmodel.CLV(bg.Params, g, c.bg, c.zbar, custmodel.CLVOptions{Horizon: 52, PeriodsPerMonth: 52.0 / 12, MonthlyDiscountRate: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		if !(d < v) && v > 0 {
			t.Fatalf("customer %d: discounted CLV %.4f not below undiscounted %.4f", c.id, d, v)
		}
		clv += v
		clvDisc += d
	}
	t.Logf("52-week CLV of the %d customers: $%.2f undiscounted, $%.2f at 1%%/month", len(customers), clv, clvDisc)
}
