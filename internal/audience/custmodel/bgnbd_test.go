package custmodel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
)

var cdnowParams = custmodel.BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}

// TestBGNBDClosedForms checks the formulas on cases that reduce to something known.
func TestBGNBDClosedForms(t *testing.T) {
	t.Parallel()
	p := cdnowParams
	// A customer observed for no time has likelihood 1.
	if ll := p.LogLikelihood(custmodel.BGNBDCustomer{}); math.Abs(ll) > 1e-12 {
		t.Errorf("log-likelihood of x=0, T=0 = %v, want 0", ll)
	}
	// x = 0 over T: alive all along with no purchase, P = (α/(α+T))^r.
	ll := p.LogLikelihood(custmodel.BGNBDCustomer{T: 10})
	if want := p.R * math.Log(p.Alpha/(p.Alpha+10)); math.Abs(ll-want) > 1e-12 {
		t.Errorf("log-likelihood of x=0, T=10 = %v, want %v", ll, want)
	}
	// A customer just acquired: the conditional expectation is E[X(t)].
	for _, tt := range []float64{1, 13, 39, 104} {
		got, want := p.ExpectedRepeat(custmodel.BGNBDCustomer{}, tt), p.ExpectedNew(tt)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("t=%v: E[Y(t)|0,0,0] = %v, E[X(t)] = %v", tt, got, want)
		}
	}
	// The transformed evaluation agrees with equation 10 as printed, where the latter
	// is accurate (moderate x).
	for _, c := range []custmodel.BGNBDCustomer{{X: 0, T: 20}, {X: 1, TX: 5, T: 30}, {X: 4, TX: 20, T: 39}, {X: 12, TX: 70, T: 100}} {
		for _, h := range []float64{4, 39, 150} {
			x := float64(c.X)
			z := h / (p.Alpha + c.T + h)
			paper := (p.A + p.B + x - 1) / (p.A - 1) *
				(1 - math.Pow((p.Alpha+c.T)/(p.Alpha+c.T+h), p.R+x)*mathext.Hypergeo(p.R+x, p.B+x, p.A+p.B+x-1, z)) * p.PAlive(c)
			if got := p.ExpectedRepeat(c, h); math.Abs(got-paper) > 1e-9*paper {
				t.Errorf("%+v, t=%v: E = %v, equation 10 gives %v", c, h, got, paper)
			}
		}
	}
	// x+r−a+1 an integer above 170 sends gonum's ₂F₁ into an endless digamma series;
	// ExpectedRepeat must return, between its values at neighbouring r.
	{
		q := custmodel.BGNBDParams{R: 5, Alpha: 1, A: 5, B: 1.5}
		c := custmodel.BGNBDCustomer{X: 177, TX: 50, T: 60}
		lo, hi := q, q
		lo.R, hi.R = 4.999, 5.001
		e, el, eh := q.ExpectedRepeat(c, 600), lo.ExpectedRepeat(c, 600), hi.ExpectedRepeat(c, 600)
		if !(e > math.Min(el, eh) && e < math.Max(el, eh)) {
			t.Errorf("integer case: E = %v, neighbours %v and %v", e, el, eh)
		}
	}
	// Removable singularities: a = 1, and a+b = 1 for a new customer.
	for _, q := range []custmodel.BGNBDParams{{R: 0.5, Alpha: 3, A: 1, B: 2}, {R: 1, Alpha: 1, A: 0.875, B: 0.125}} {
		lo, hi := q, q
		lo.A, hi.A = q.A-0.001, q.A+0.001
		e, el, eh := q.ExpectedNew(10), lo.ExpectedNew(10), hi.ExpectedNew(10)
		if !(e > math.Min(el, eh) && e < math.Max(el, eh)) {
			t.Errorf("%+v: E[X(10)] = %v, neighbours %v and %v", q, e, el, eh)
		}
	}
	// For small t, E[X(t)] ≈ the mean rate r/α times t.
	if got, want := p.ExpectedNew(1e-4), p.R/p.Alpha*1e-4; math.Abs(got-want) > 1e-3*want {
		t.Errorf("E[X(1e-4)] = %v, want ≈ %v", got, want)
	}
	if p.ExpectedNew(0) != 0 || p.ExpectedRepeat(custmodel.BGNBDCustomer{X: 1, TX: 1, T: 2}, 0) != 0 {
		t.Error("expectation over no time is not 0")
	}
}

// TestBGNBDProperties states the model's invariants: P(alive) is 1 when x = 0 (BG/NBD
// customers drop out only right after a repeat purchase), lies in [0, 1], falls as T
// grows with x and t_x fixed and rises with t_x; expectations are non-negative and grow
// with the horizon (heavy buyers included: x up to 500, times up to 2,000 units);
// churn risk is 1 − P(alive) and its band follows the thresholds.
func TestBGNBDProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := custmodel.BGNBDParams{
			R:     rapid.Float64Range(0.05, 5).Draw(t, "r"),
			Alpha: rapid.Float64Range(0.5, 50).Draw(t, "alpha"),
			A:     rapid.Float64Range(0.1, 5).Draw(t, "a"),
			B:     rapid.Float64Range(0.1, 10).Draw(t, "b"),
		}
		x := rapid.IntRange(0, 500).Draw(t, "x")
		tx := 0.0
		if x > 0 {
			tx = rapid.Float64Range(0.1, 1000).Draw(t, "t_x")
		}
		T1 := tx + rapid.Float64Range(0, 1000).Draw(t, "T-t_x")
		T2 := T1 + rapid.Float64Range(0.01, 100).Draw(t, "dT")
		c1 := custmodel.BGNBDCustomer{X: x, TX: tx, T: T1}
		c2 := custmodel.BGNBDCustomer{X: x, TX: tx, T: T2}
		pa1, pa2 := p.PAlive(c1), p.PAlive(c2)
		if !(pa1 >= 0 && pa1 <= 1) { // 0 only by underflow, for customers silent for ages
			t.Fatalf("P(alive) = %v out of [0, 1]", pa1)
		}
		if x == 0 && (pa1 != 1 || pa2 != 1) {
			t.Fatalf("P(alive) with x = 0 is %v, %v, want 1", pa1, pa2)
		}
		if pa2 > pa1 {
			t.Fatalf("P(alive) rose from %v to %v as T grew from %v to %v", pa1, pa2, T1, T2)
		}
		if x > 0 {
			later := custmodel.BGNBDCustomer{X: x, TX: (tx + T1) / 2, T: T1}
			if p.PAlive(later) < pa1 {
				t.Fatalf("P(alive) fell as t_x moved later: %v < %v", p.PAlive(later), pa1)
			}
		}
		h1 := rapid.Float64Range(0.1, 500).Draw(t, "h1")
		h2 := h1 + rapid.Float64Range(0.1, 500).Draw(t, "dh")
		e1, e2 := p.ExpectedRepeat(c1, h1), p.ExpectedRepeat(c1, h2)
		if !(e1 >= 0) || e2 < e1*(1-1e-9) {
			t.Fatalf("E[Y(%v)] = %v, E[Y(%v)] = %v", h1, e1, h2, e2)
		}
		if n1, n2 := p.ExpectedNew(h1), p.ExpectedNew(h2); !(n1 >= 0) || n2 < n1*(1-1e-9) {
			t.Fatalf("E[X(%v)] = %v, E[X(%v)] = %v", h1, n1, h2, n2)
		}
		ch, err := custmodel.ChurnRisk(p, c1, custmodel.ChurnBands{})
		if err != nil {
			t.Fatal(err)
		}
		if ch.PAlive != pa1 || ch.Risk != 1-pa1 || ch.Band != custmodel.DefaultChurnBands().Band(ch.Risk) {
			t.Fatalf("churn %+v for P(alive) %v", ch, pa1)
		}
	})
}

func TestChurnRiskBands(t *testing.T) {
	t.Parallel()
	b := custmodel.ChurnBands{Medium: 0.4, High: 0.8}
	for _, tt := range []struct {
		risk float64
		want custmodel.ChurnBand
	}{{0, custmodel.ChurnLow}, {0.3999, custmodel.ChurnLow}, {0.4, custmodel.ChurnMedium}, {0.7999, custmodel.ChurnMedium}, {0.8, custmodel.ChurnHigh}, {1, custmodel.ChurnHigh}} {
		if got := b.Band(tt.risk); got != tt.want {
			t.Errorf("Band(%v) = %s, want %s", tt.risk, got, tt.want)
		}
	}
	// x=1, t_x=1, T=40 under the CDNOW fit: P(alive) = 1/(1 + a/b·((α+40)/(α+1))^(r+1)).
	c := custmodel.BGNBDCustomer{X: 1, TX: 1, T: 40}
	want := 1 / (1 + 0.793/2.426*math.Pow((4.414+40)/(4.414+1), 1.243))
	ch, err := custmodel.ChurnRisk(cdnowParams, c, b)
	if err != nil || math.Abs(ch.PAlive-want) > 1e-12 || ch.Band != b.Band(1-want) {
		t.Errorf("ChurnRisk = %+v, %v; want P(alive) %v", ch, err, want)
	}
	_, err = custmodel.ChurnRisk(cdnowParams, c, custmodel.ChurnBands{Medium: 0.5, High: 0.5})
	assertField(t, err, "bands.high")
	_, err = custmodel.ChurnRisk(cdnowParams, custmodel.BGNBDCustomer{X: 1, TX: 5, T: 4}, custmodel.ChurnBands{})
	assertField(t, err, "customer.t")
}

func TestFitBGNBDInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     custmodel.BGNBDCustomer
		field string
	}{
		{"negative x", custmodel.BGNBDCustomer{X: -1, T: 1}, "customers[1].x"},
		{"negative t_x", custmodel.BGNBDCustomer{X: 1, TX: -1, T: 1}, "customers[1].t_x"},
		{"t before t_x", custmodel.BGNBDCustomer{X: 1, TX: 2, T: 1}, "customers[1].t"},
		{"repeat at time 0", custmodel.BGNBDCustomer{X: 1, TX: 0, T: 1}, "customers[1].t_x"},
		{"NaN T", custmodel.BGNBDCustomer{T: math.NaN()}, "customers[1].t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := custmodel.FitBGNBD([]custmodel.BGNBDCustomer{{T: 1}, tt.c})
			assertField(t, err, tt.field)
		})
	}
	_, err := custmodel.FitBGNBD(nil)
	assertField(t, err, "customers")
}

// simulateBGNBD draws n customers from the BG/NBD process with parameters p, each
// observed for a T uniform in [20, 60).
func simulateBGNBD(p custmodel.BGNBDParams, n int, seed uint64) []custmodel.BGNBDCustomer {
	src := rand.NewPCG(seed, seed+1)
	rng := rand.New(src)
	lambda := distuv.Gamma{Alpha: p.R, Beta: p.Alpha, Src: src}
	drop := distuv.Beta{Alpha: p.A, Beta: p.B, Src: src}
	out := make([]custmodel.BGNBDCustomer, n)
	for i := range out {
		T := 20 + 40*rng.Float64()
		l, q := lambda.Rand(), drop.Rand()
		c := custmodel.BGNBDCustomer{T: T}
		for now := 0.0; ; {
			now += rng.ExpFloat64() / l
			if now > T {
				break
			}
			c.X++
			c.TX = now
			if rng.Float64() < q {
				break // dropped out right after this purchase
			}
		}
		out[i] = c
	}
	return out
}

// TestFitBGNBDRecoversSimulated fits data simulated from known parameters and checks
// they come back within sampling error, and that the fit ignores the order of
// customers.
func TestFitBGNBDRecoversSimulated(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("simulation fit skipped in -short mode")
	}
	truth := custmodel.BGNBDParams{R: 0.5, Alpha: 5, A: 0.7, B: 2.5}
	data := simulateBGNBD(truth, 8000, 42)
	fit, err := custmodel.FitBGNBD(data)
	if err != nil {
		t.Fatal(err)
	}
	p := fit.Params
	t.Logf("truth %+v, fitted %+v, log-likelihood %.2f", truth, p, fit.LogLikelihood)
	within(t, "r", p.R, truth.R, 0.10)
	within(t, "alpha", p.Alpha, truth.Alpha, 0.15)
	within(t, "a", p.A, truth.A, 0.35)
	within(t, "b", p.B, truth.B, 0.35)
	if truthLL := sumLL(truth, data); fit.LogLikelihood < truthLL {
		t.Errorf("fitted log-likelihood %.4f below the truth's %.4f: not a maximum", fit.LogLikelihood, truthLL)
	}
	rev := make([]custmodel.BGNBDCustomer, len(data))
	for i, c := range data {
		rev[len(data)-1-i] = c
	}
	fit2, err := custmodel.FitBGNBD(rev)
	if err != nil {
		t.Fatal(err)
	}
	if fit2 != fit {
		t.Errorf("reversed input fitted %+v, want %+v", fit2, fit)
	}
}

func sumLL(p custmodel.BGNBDParams, data []custmodel.BGNBDCustomer) float64 {
	var s float64
	for _, c := range data {
		s += p.LogLikelihood(c)
	}
	return s
}

// BenchmarkBGNBDFit fits BG/NBD on the 2,357 CDNOW customers.
func BenchmarkBGNBDFit(b *testing.B) {
	_, customers := loadCDNOW(b)
	in := make([]custmodel.BGNBDCustomer, len(customers))
	for i, c := range customers {
		in[i] = c.bg
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := custmodel.FitBGNBD(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBGNBDPredict scores the 2,357 CDNOW customers: P(alive) and the expected
// purchases in the next 39 weeks.
func BenchmarkBGNBDPredict(b *testing.B) {
	_, customers := loadCDNOW(b)
	b.ResetTimer()
	for b.Loop() {
		for _, c := range customers {
			_ = cdnowParams.PAlive(c.bg)
			_ = cdnowParams.ExpectedRepeat(c.bg, 39)
		}
	}
}
