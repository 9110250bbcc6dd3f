package custmodel

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/optimize"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// BGNBDCustomer is one customer's calibration-period summary, with time in any fixed
// unit (days or weeks) used consistently for the whole base and for predictions.
type BGNBDCustomer struct {
	// X is the number of repeat transactions (orders after the first; same-day orders
	// are usually merged into one).
	X int
	// TX is the time of the last transaction, measured from the first (0 when X is 0).
	TX float64
	// T is the time from the first transaction to the end of the calibration period.
	T float64
}

// validate checks the summary; the caller passes prefix ("customers[3]." or "customer.")
// lazily, as it is only needed on error.
func (c BGNBDCustomer) validate(prefix func() string) error {
	f := func(name string) string { return prefix() + name }
	switch {
	case c.X < 0:
		return errs.Field(f("x"), "must not be negative, got %d", c.X)
	case !(c.TX >= 0) || math.IsInf(c.TX, 0):
		return errs.Field(f("t_x"), "must be a finite number ≥ 0, got %v", c.TX)
	case !(c.T >= c.TX) || math.IsInf(c.T, 0):
		return errs.Field(f("t"), "must be a finite number ≥ t_x (%v), got %v", c.TX, c.T)
	case c.X > 0 && c.TX == 0:
		return errs.Field(f("t_x"), "must be positive when x > 0")
	}
	return nil
}

// BGNBDParams are the BG/NBD parameters: transactions while alive are Poisson with a
// rate that is gamma(R, Alpha) across customers; after each transaction the customer
// drops out with a probability that is beta(A, B) across customers.
type BGNBDParams struct {
	R, Alpha, A, B float64
}

// LogLikelihood returns the log of the BG/NBD likelihood of one customer's (x, t_x, T)
// (Fader, Hardie & Lee 2005, equation 6):
//
//	L = B(a, b+x)/B(a, b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x))
//	  + [x > 0] B(a+1, b+x−1)/B(a, b) · Γ(r+x)α^r / (Γ(r)(α+t_x)^(r+x))
func (p BGNBDParams) LogLikelihood(c BGNBDCustomer) float64 {
	r, alpha, a, b := p.R, p.Alpha, p.A, p.B
	x := float64(c.X)
	a1 := lgamma(r+x) - lgamma(r) + r*math.Log(alpha)
	a2 := lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x)
	a3 := -(r + x) * math.Log(alpha+c.T)
	if c.X == 0 {
		return a1 + a2 + a3
	}
	a4 := math.Log(a) - math.Log(b+x-1) - (r+x)*math.Log(alpha+c.TX)
	return a1 + a2 + logAddExp(a3, a4)
}

// PAlive returns the probability that a customer with summary c is still alive at the
// end of calibration:
//
//	P(alive) = 1 / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
//
// A customer with no repeat transaction has not yet had a chance to drop out (in BG/NBD
// dropout happens only right after a transaction), so P(alive) is 1 when x = 0.
func (p BGNBDParams) PAlive(c BGNBDCustomer) float64 {
	if c.X == 0 {
		return 1
	}
	x := float64(c.X)
	lodds := math.Log(p.A) - math.Log(p.B+x-1) + (p.R+x)*(math.Log(p.Alpha+c.T)-math.Log(p.Alpha+c.TX))
	return 1 / (1 + math.Exp(lodds))
}

// ExpectedRepeat returns the expected number of transactions in the next t time units
// of a customer with summary c (the conditional expectation, FHL 2005 equation 10):
//
//	E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ·
//	    ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive),   z = t/(α+T+t)
//
// It is evaluated after Euler's transformation ₂F₁(A, B; C; z) =
// (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z), which turns the bracket into
// 1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z): the hypergeometric parameters no
// longer grow with x, so heavy buyers do not overflow the series.
func (p BGNBDParams) ExpectedRepeat(c BGNBDCustomer, t float64) float64 {
	if t <= 0 {
		return 0
	}
	x := float64(c.X)
	return p.expect(x, t/(p.Alpha+c.T+t)) * p.PAlive(c)
}

// ExpectedNew returns E[X(t)], the expected number of transactions in a period of
// length t of a customer just acquired (FHL 2005 equation 7):
//
//	E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))]
//
// evaluated with the same transformation as ExpectedRepeat (it is the case x = 0,
// T = 0).
func (p BGNBDParams) ExpectedNew(t float64) float64 {
	if t <= 0 {
		return 0
	}
	return p.expect(0, t/(p.Alpha+t))
}

// expect returns (a+b+x−1)/(a−1) · [1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z)].
//
// The expression has removable singularities where the formula divides 0 by 0 or
// meets ₂F₁'s poles — a = 1, and a+b+x−1 = 0 (x = 0, a+b = 1) — and at integer
// x+r−a+1 (= C−A−B of that ₂F₁) gonum's Cephes port takes a digamma series that never
// terminates once the integer passes about 170 (Γ overflows and the loop compares
// NaN). The expression is continuous in the parameters there, so expect averages its
// values at a parameter ± a relative 1e-6 (the error is far below the model's).
func (p BGNBDParams) expect(x, z float64) float64 {
	c := p.A + p.B + x - 1
	switch {
	case math.Abs(p.A-1) < 1e-7:
		return p.nudged(x, z, &p.A)
	case math.Abs(c) < 1e-7:
		return p.nudged(x, z, &p.B)
	}
	if d := x + p.R - p.A + 1; math.Abs(d-math.Round(d)) < 1e-9 {
		return p.nudged(x, z, &p.R)
	}
	h := mathext.Hypergeo(p.A+p.B-1-p.R, p.A-1, c, z)
	return c / (p.A - 1) * (1 - math.Exp((p.A-1)*math.Log1p(-z))*h)
}

// nudged returns the mean of expect at *field ± 1e-6·max(1, |*field|), where field
// points into p (a copy); it restores *field.
func (p *BGNBDParams) nudged(x, z float64, field *float64) float64 {
	v := *field
	d := 1e-6 * math.Max(1, math.Abs(v))
	*field = v - d
	lo := p.expect(x, z)
	*field = v + d
	hi := p.expect(x, z)
	*field = v
	return (lo + hi) / 2
}

// BGNBDFit is the outcome of FitBGNBD.
type BGNBDFit struct {
	Params BGNBDParams
	// LogLikelihood is the total log-likelihood of the base at Params.
	LogLikelihood float64
	// Evaluations is the number of likelihood evaluations the optimiser used.
	Evaluations int
}

// FitBGNBD fits r, α, a and b by maximum likelihood: Nelder–Mead on the logarithms of
// the parameters (so they stay positive), started at 1, 1, 1, 1 and restarted from its
// own optimum until the log-likelihood stops improving. Identical summaries are
// evaluated once with a weight and in a canonical order, so the result does not depend
// on the order of customers.
//
// It returns an errs.Invalid error naming the element when a summary is invalid (see
// BGNBDCustomer), or when customers is empty, and an error when the optimiser fails.
func FitBGNBD(customers []BGNBDCustomer) (BGNBDFit, error) {
	if len(customers) == 0 {
		return BGNBDFit{}, fmt.Errorf("custmodel: fit bg/nbd: %w", errs.Field("customers", "must not be empty"))
	}
	for i, c := range customers {
		if err := c.validate(func() string { return fmt.Sprintf("customers[%d].", i) }); err != nil {
			return BGNBDFit{}, fmt.Errorf("custmodel: fit bg/nbd: %w", err)
		}
	}
	uniq, w := weighted(customers, func(a, b BGNBDCustomer) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.TX, b.TX), cmp.Compare(a.T, b.T))
	})
	ll := func(lp []float64) float64 {
		p := BGNBDParams{R: math.Exp(lp[0]), Alpha: math.Exp(lp[1]), A: math.Exp(lp[2]), B: math.Exp(lp[3])}
		var s float64
		for i, c := range uniq {
			s += w[i] * p.LogLikelihood(c)
		}
		return s
	}
	x, f, evals, err := maximise(ll, []float64{0, 0, 0, 0})
	if err != nil {
		return BGNBDFit{}, fmt.Errorf("custmodel: fit bg/nbd: %w", err)
	}
	return BGNBDFit{
		Params:        BGNBDParams{R: math.Exp(x[0]), Alpha: math.Exp(x[1]), A: math.Exp(x[2]), B: math.Exp(x[3])},
		LogLikelihood: f,
		Evaluations:   evals,
	}, nil
}

// weighted returns the distinct values of in, sorted by cmpFn, and how often each occurs.
func weighted[T any](in []T, cmpFn func(a, b T) int) ([]T, []float64) {
	s := slices.Clone(in)
	slices.SortFunc(s, cmpFn)
	var uniq []T
	var w []float64
	for i, v := range s {
		if i > 0 && cmpFn(s[i-1], v) == 0 {
			w[len(w)-1]++
			continue
		}
		uniq = append(uniq, v)
		w = append(w, 1)
	}
	return uniq, w
}

// errNoFit reports that the optimiser found no finite likelihood.
var errNoFit = errors.New("the likelihood is not finite at any point tried")

// maximise maximises ll from x0 with Nelder–Mead, restarting from the optimum until a
// restart improves the value by less than 1e-9 (relative) or 20 restarts have run. It
// returns the arg max, the maximum and the number of evaluations.
func maximise(ll func([]float64) float64, x0 []float64) ([]float64, float64, int, error) {
	evals := 0
	neg := func(x []float64) float64 {
		evals++
		v := ll(x)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.MaxFloat64 / 4 // outside the domain: worse than any real point
		}
		return -v
	}
	x := slices.Clone(x0)
	best := neg(x)
	for range 20 {
		res, err := optimize.Minimize(optimize.Problem{Func: neg}, x, &optimize.Settings{
			Converger:       &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 200},
			MajorIterations: 20000,
			Concurrent:      1,
		}, &optimize.NelderMead{})
		if err != nil && res == nil {
			return nil, 0, evals, fmt.Errorf("nelder-mead: %w", err)
		}
		improved := best - res.F
		if res.F < best {
			x, best = slices.Clone(res.X), res.F
		}
		if improved < 1e-9*math.Max(1, math.Abs(best)) {
			break
		}
	}
	if best >= math.MaxFloat64/4 {
		return nil, 0, evals, errNoFit
	}
	return x, -best, evals, nil
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// logAddExp returns log(exp(a) + exp(b)) without overflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}
