package custmodel

import (
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ChurnBand is a churn-risk band.
type ChurnBand string

// The churn-risk bands.
const (
	ChurnLow    ChurnBand = "low"
	ChurnMedium ChurnBand = "medium"
	ChurnHigh   ChurnBand = "high"
)

// ChurnBands are the risk thresholds: risk ≥ High is high, risk ≥ Medium is medium,
// anything lower is low.
type ChurnBands struct {
	Medium float64 // default 0.3
	High   float64 // default 0.7
}

// DefaultChurnBands returns the default thresholds 0.3 and 0.7.
func DefaultChurnBands() ChurnBands { return ChurnBands{Medium: 0.3, High: 0.7} }

// Validate returns an errs.Invalid error naming the field unless
// 0 < Medium < High ≤ 1.
func (b ChurnBands) Validate() error {
	switch {
	case !(b.Medium > 0 && b.Medium < 1):
		return errs.Field("bands.medium", "must be in (0, 1), got %v", b.Medium)
	case !(b.High > b.Medium && b.High <= 1):
		return errs.Field("bands.high", "must be in (medium, 1], got %v", b.High)
	}
	return nil
}

// Band returns the band of a risk in [0, 1].
func (b ChurnBands) Band(risk float64) ChurnBand {
	switch {
	case risk >= b.High:
		return ChurnHigh
	case risk >= b.Medium:
		return ChurnMedium
	}
	return ChurnLow
}

// Churn is one customer's churn risk.
type Churn struct {
	PAlive float64
	// Risk is 1 − PAlive.
	Risk float64
	Band ChurnBand
}

// ChurnRisk returns the churn risk of a customer under a fitted BG/NBD: 1 − P(alive),
// banded by bands (a zero ChurnBands means DefaultChurnBands). A customer with no
// repeat purchase has risk 0 under BG/NBD (see BGNBDParams.PAlive): the service should
// read such customers' state from the lifecycle stage instead.
//
// It returns an errs.Invalid error naming the field when the summary or the bands are
// invalid.
func ChurnRisk(p BGNBDParams, c BGNBDCustomer, bands ChurnBands) (Churn, error) {
	if bands == (ChurnBands{}) {
		bands = DefaultChurnBands()
	}
	if err := bands.Validate(); err != nil {
		return Churn{}, fmt.Errorf("custmodel: churn risk: %w", err)
	}
	if err := c.validate(func() string { return "customer." }); err != nil {
		return Churn{}, fmt.Errorf("custmodel: churn risk: %w", err)
	}
	pa := p.PAlive(c)
	risk := 1 - pa
	return Churn{PAlive: pa, Risk: risk, Band: bands.Band(risk)}, nil
}
