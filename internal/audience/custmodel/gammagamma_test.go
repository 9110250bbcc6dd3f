package custmodel_test

import (
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
)

var cdnowSpend = custmodel.GammaGammaParams{P: 6.25, Q: 3.74, Gamma: 15.44}

// TestGammaGammaExpectedSpend checks the conditional expectation by hand:
// x=2, z̄=22.35: 6.25·(15.44 + 44.70)/(12.5 + 2.74) = 375.875/15.24 = 24.6637.
func TestGammaGammaExpectedSpend(t *testing.T) {
	t.Parallel()
	got := cdnowSpend.ExpectedSpend(custmodel.SpendCustomer{X: 2, MeanSpend: 22.35})
	if math.Abs(got-375.875/15.24) > 1e-9 {
		t.Errorf("ExpectedSpend = %v, want %v", got, 375.875/15.24)
	}
	// No transactions: the population mean pγ/(q−1).
	if got, want := cdnowSpend.ExpectedSpend(custmodel.SpendCustomer{}), 6.25*15.44/2.74; math.Abs(got-want) > 1e-9 {
		t.Errorf("population mean = %v, want %v", got, want)
	}
}

// TestGammaGammaProperties: the expected spend lies between the population mean and
// the customer's own mean, and moves towards the customer's own as x grows.
func TestGammaGammaProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		g := custmodel.GammaGammaParams{
			P:     rapid.Float64Range(0.5, 20).Draw(t, "p"),
			Q:     rapid.Float64Range(1.1, 20).Draw(t, "q"),
			Gamma: rapid.Float64Range(0.5, 100).Draw(t, "gamma"),
		}
		z := rapid.Float64Range(0.01, 1000).Draw(t, "zbar")
		x := rapid.IntRange(1, 50).Draw(t, "x")
		pop := g.ExpectedSpend(custmodel.SpendCustomer{})
		e := g.ExpectedSpend(custmodel.SpendCustomer{X: x, MeanSpend: z})
		lo, hi := math.Min(pop, z), math.Max(pop, z)
		if e < lo*(1-1e-12) || e > hi*(1+1e-12) {
			t.Fatalf("E = %v outside [%v, %v]", e, lo, hi)
		}
		e2 := g.ExpectedSpend(custmodel.SpendCustomer{X: x + 1, MeanSpend: z})
		if math.Abs(e2-z) > math.Abs(e-z)*(1+1e-12) {
			t.Fatalf("one more transaction moved E away from z̄: %v → %v (z̄ %v)", e, e2, z)
		}
	})
}

func TestFitGammaGammaInvalid(t *testing.T) {
	t.Parallel()
	ok := custmodel.SpendCustomer{X: 1, MeanSpend: 10}
	_, err := custmodel.FitGammaGamma([]custmodel.SpendCustomer{ok, {X: 0, MeanSpend: 10}})
	assertField(t, err, "customers[1].x")
	_, err = custmodel.FitGammaGamma([]custmodel.SpendCustomer{ok, {X: 2, MeanSpend: 0}})
	assertField(t, err, "customers[1].mean_spend")
	_, err = custmodel.FitGammaGamma(nil)
	assertField(t, err, "customers")
}

// TestCLV: without discounting CLV is E[Y(h)]·E[Z]; discounting lowers it, and a zero
// rate in the monthly loop gives the undiscounted value back.
func TestCLV(t *testing.T) {
	t.Parallel()
	c := custmodel.BGNBDCustomer{X: 2, TX: 30.43, T: 38.86}
	plain, err := custmodel.CLV(cdnowParams, cdnowSpend, c, 22.35, custmodel.CLVOptions{Horizon: 39})
	if err != nil {
		t.Fatal(err)
	}
	want := cdnowParams.ExpectedRepeat(c, 39) * cdnowSpend.ExpectedSpend(custmodel.SpendCustomer{X: 2, MeanSpend: 22.35})
	if math.Abs(plain-want) > 1e-9 {
		t.Errorf("CLV = %v, want %v", plain, want)
	}
	disc, err := custmodel.CLV(cdnowParams, cdnowSpend, c, 22.35, custmodel.CLVOptions{Horizon: 39, PeriodsPerMonth: 52.0 / 12, MonthlyDiscountRate: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	// Every month is discounted by at least 1.01 and at most 1.01^9 (39 weeks = 9 months).
	if !(disc < plain/1.01 && disc > plain/math.Pow(1.01, 9)) {
		t.Errorf("discounted CLV %v not within (%v, %v)", disc, plain/math.Pow(1.01, 9), plain/1.01)
	}
	for _, tt := range []struct {
		name  string
		opt   custmodel.CLVOptions
		field string
	}{
		{"horizon", custmodel.CLVOptions{Horizon: -1}, "horizon"},
		{"rate", custmodel.CLVOptions{Horizon: 1, MonthlyDiscountRate: -0.1}, "monthly_discount_rate"},
		{"periods", custmodel.CLVOptions{Horizon: 1, MonthlyDiscountRate: 0.1}, "periods_per_month"},
	} {
		_, err := custmodel.CLV(cdnowParams, cdnowSpend, c, 22.35, tt.opt)
		assertField(t, err, tt.field)
	}
}
