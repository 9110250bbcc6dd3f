package custmodel

import (
	"cmp"
	"fmt"
	"math"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// SpendCustomer is one repeat customer's spend summary for the Gamma-Gamma model.
type SpendCustomer struct {
	// X is the number of repeat transactions the mean is taken over (must be > 0).
	X int
	// MeanSpend is the mean value of those transactions, in the caller's money unit
	// (fen in OneRetail; dollars for CDNOW). It must be positive.
	MeanSpend float64
}

func (c SpendCustomer) validate(i int) error {
	switch {
	case c.X <= 0:
		return errs.Field(fmt.Sprintf("customers[%d].x", i), "must be positive, got %d", c.X)
	case !(c.MeanSpend > 0) || math.IsInf(c.MeanSpend, 0):
		return errs.Field(fmt.Sprintf("customers[%d].mean_spend", i), "must be a finite number > 0, got %v", c.MeanSpend)
	}
	return nil
}

// GammaGammaParams are the Gamma-Gamma spend parameters (Fader, Hardie & Lee 2005,
// "RFM and CLV"): a customer's transaction values are gamma(P, ν) around their own mean,
// and ν is gamma(Q, Gamma) across customers. The population mean spend is
// P·Gamma/(Q−1) when Q > 1.
type GammaGammaParams struct {
	P, Q, Gamma float64
}

// LogLikelihood returns the log-likelihood of one customer's mean spend z̄ over x
// transactions:
//
//	L = Γ(px+q)/(Γ(px)Γ(q)) · γ^q · x^(px) · z̄^(px−1) / (γ + x·z̄)^(px+q)
func (g GammaGammaParams) LogLikelihood(c SpendCustomer) float64 {
	x, z := float64(c.X), c.MeanSpend
	px := g.P * x
	return lgamma(px+g.Q) - lgamma(px) - lgamma(g.Q) + g.Q*math.Log(g.Gamma) +
		px*math.Log(x) + (px-1)*math.Log(z) - (px+g.Q)*math.Log(g.Gamma+x*z)
}

// ExpectedSpend returns the conditional expected average transaction value of a
// customer with x transactions of mean z̄, a weighted mean of the population mean and the
// customer's own:
//
//	E[Z | x, z̄] = p(γ + x·z̄) / (px + q − 1)
//
// For a customer with no transaction (X = 0) it is the population mean pγ/(q−1). The
// value is only meaningful when Q > 1.
func (g GammaGammaParams) ExpectedSpend(c SpendCustomer) float64 {
	x := float64(c.X)
	return g.P * (g.Gamma + x*c.MeanSpend) / (g.P*x + g.Q - 1)
}

// GammaGammaFit is the outcome of FitGammaGamma.
type GammaGammaFit struct {
	Params GammaGammaParams
	// LogLikelihood is the total log-likelihood at Params.
	LogLikelihood float64
	// Evaluations is the number of likelihood evaluations the optimiser used.
	Evaluations int
}

// FitGammaGamma fits p, q and γ by maximum likelihood on repeat customers (x > 0),
// the same way FitBGNBD does (Nelder–Mead on the logarithms, started at 1, 1, 1).
// The result does not depend on the order of customers.
//
// It returns an errs.Invalid error naming the element when a customer has x ≤ 0 or a
// mean spend that is not positive, or when customers is empty, and an error when the
// optimiser fails.
func FitGammaGamma(customers []SpendCustomer) (GammaGammaFit, error) {
	if len(customers) == 0 {
		return GammaGammaFit{}, fmt.Errorf("custmodel: fit gamma-gamma: %w", errs.Field("customers", "must not be empty"))
	}
	for i, c := range customers {
		if err := c.validate(i); err != nil {
			return GammaGammaFit{}, fmt.Errorf("custmodel: fit gamma-gamma: %w", err)
		}
	}
	uniq, w := weighted(customers, func(a, b SpendCustomer) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.MeanSpend, b.MeanSpend))
	})
	ll := func(lp []float64) float64 {
		g := GammaGammaParams{P: math.Exp(lp[0]), Q: math.Exp(lp[1]), Gamma: math.Exp(lp[2])}
		var s float64
		for i, c := range uniq {
			s += w[i] * g.LogLikelihood(c)
		}
		return s
	}
	x, f, evals, err := maximise(ll, []float64{0, 0, 0})
	if err != nil {
		return GammaGammaFit{}, fmt.Errorf("custmodel: fit gamma-gamma: %w", err)
	}
	return GammaGammaFit{
		Params:        GammaGammaParams{P: math.Exp(x[0]), Q: math.Exp(x[1]), Gamma: math.Exp(x[2])},
		LogLikelihood: f,
		Evaluations:   evals,
	}, nil
}

// CLVOptions set the horizon and discounting of CLV.
type CLVOptions struct {
	// Horizon is the length of the forecast, in the BG/NBD time unit.
	Horizon float64
	// PeriodsPerMonth is how many time units make a month (30 for days, 52/12 for
	// weeks); required when MonthlyDiscountRate is set.
	PeriodsPerMonth float64
	// MonthlyDiscountRate discounts the transactions expected in month m (1-based) by
	// (1+rate)^m; 0 means no discounting.
	MonthlyDiscountRate float64
}

// CLV returns a customer's expected value over opt.Horizon: the BG/NBD expected
// transactions times the Gamma-Gamma expected spend. With a discount rate the horizon
// is cut into months and month m's expected transactions, E[Y(m)] − E[Y(m−1)], are
// divided by (1+rate)^m (a partial last month is discounted as a whole month).
// spend is the customer's mean transaction value (ignored when c.X is 0).
//
// It returns an errs.Invalid error naming the option when Horizon or the rate is
// negative, or when a rate is given without a positive PeriodsPerMonth.
func CLV(bg BGNBDParams, gg GammaGammaParams, c BGNBDCustomer, spend float64, opt CLVOptions) (float64, error) {
	switch {
	case !(opt.Horizon >= 0):
		return 0, fmt.Errorf("custmodel: clv: %w", errs.Field("horizon", "must be ≥ 0, got %v", opt.Horizon))
	case !(opt.MonthlyDiscountRate >= 0):
		return 0, fmt.Errorf("custmodel: clv: %w", errs.Field("monthly_discount_rate", "must be ≥ 0, got %v", opt.MonthlyDiscountRate))
	case opt.MonthlyDiscountRate > 0 && !(opt.PeriodsPerMonth > 0):
		return 0, fmt.Errorf("custmodel: clv: %w", errs.Field("periods_per_month", "must be positive when a discount rate is set"))
	}
	value := gg.ExpectedSpend(SpendCustomer{X: c.X, MeanSpend: spend})
	if opt.MonthlyDiscountRate == 0 {
		return bg.ExpectedRepeat(c, opt.Horizon) * value, nil
	}
	var total, prev float64
	for m := 1; prev < opt.Horizon; m++ {
		end := math.Min(float64(m)*opt.PeriodsPerMonth, opt.Horizon)
		total += (bg.ExpectedRepeat(c, end) - bg.ExpectedRepeat(c, prev)) / math.Pow(1+opt.MonthlyDiscountRate, float64(m))
		prev = end
	}
	return total * value, nil
}
