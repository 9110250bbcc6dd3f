package custmodel

import (
	"fmt"
	"slices"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// RFMInput is one customer's recency, frequency and monetary summary over the analysis
// window.
type RFMInput struct {
	CustomerID string
	// RecencyDays is the number of days since the last order (0 = today).
	RecencyDays int
	// Frequency is the number of orders.
	Frequency int
	// MonetaryFen is the total spend in fen.
	MonetaryFen int64
}

// RFMLayer is the stable code of one of the eight classic RFM value layers.
type RFMLayer string

// The eight RFM value layers, named by which of R, F and M are above the base's mean
// score (H) or not (L), in the order R, F, M.
const (
	LayerImportantValue   RFMLayer = "important_value"   // HHH 重要价值客户
	LayerImportantDevelop RFMLayer = "important_develop" // HLH 重要发展客户
	LayerImportantRetain  RFMLayer = "important_retain"  // LHH 重要保持客户
	LayerImportantWinback RFMLayer = "important_winback" // LLH 重要挽留客户
	LayerGeneralValue     RFMLayer = "general_value"     // HHL 一般价值客户
	LayerGeneralDevelop   RFMLayer = "general_develop"   // HLL 一般发展客户
	LayerGeneralRetain    RFMLayer = "general_retain"    // LHL 一般保持客户
	LayerGeneralWinback   RFMLayer = "general_winback"   // LLL 一般挽留客户
)

type layerNames struct{ zh, en string }

func (l RFMLayer) names() layerNames {
	switch l {
	case LayerImportantValue:
		return layerNames{"重要价值客户", "Important value"}
	case LayerImportantDevelop:
		return layerNames{"重要发展客户", "Important to develop"}
	case LayerImportantRetain:
		return layerNames{"重要保持客户", "Important to retain"}
	case LayerImportantWinback:
		return layerNames{"重要挽留客户", "Important to win back"}
	case LayerGeneralValue:
		return layerNames{"一般价值客户", "General value"}
	case LayerGeneralDevelop:
		return layerNames{"一般发展客户", "General to develop"}
	case LayerGeneralRetain:
		return layerNames{"一般保持客户", "General to retain"}
	case LayerGeneralWinback:
		return layerNames{"一般挽留客户", "General to win back"}
	}
	return layerNames{}
}

// NameZH returns the layer's Chinese name, for example 重要价值客户; "" for an unknown code.
func (l RFMLayer) NameZH() string { return l.names().zh }

// NameEN returns the layer's English name, for example "Important value"; "" for an
// unknown code.
func (l RFMLayer) NameEN() string { return l.names().en }

// RFMLayers returns the eight layers, most valuable first.
func RFMLayers() []RFMLayer {
	return []RFMLayer{
		LayerImportantValue, LayerImportantDevelop, LayerImportantRetain, LayerImportantWinback,
		LayerGeneralValue, LayerGeneralDevelop, LayerGeneralRetain, LayerGeneralWinback,
	}
}

// layerOf maps the three high/low flags to a layer: M decides important/general, then
// R and F decide value (HH), develop (HL), retain (LH) or win back (LL).
func layerOf(rHigh, fHigh, mHigh bool) RFMLayer {
	var l [2][2][2]RFMLayer
	l[1][1][1], l[1][0][1], l[0][1][1], l[0][0][1] = LayerImportantValue, LayerImportantDevelop, LayerImportantRetain, LayerImportantWinback
	l[1][1][0], l[1][0][0], l[0][1][0], l[0][0][0] = LayerGeneralValue, LayerGeneralDevelop, LayerGeneralRetain, LayerGeneralWinback
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	return l[b(rHigh)][b(fHigh)][b(mHigh)]
}

// RFMScore is one customer's scores and layer.
type RFMScore struct {
	CustomerID string
	// R, F and M are quintile scores 1–5; 5 is best (most recent, most frequent,
	// highest spend).
	R, F, M int
	Layer   RFMLayer
}

// RFMResult is the outcome of ScoreRFM.
type RFMResult struct {
	// Scores are in input order.
	Scores []RFMScore
	// MeanR, MeanF and MeanM are the base's mean scores that split high from low.
	MeanR, MeanF, MeanM float64
}

// ScoreRFM scores every customer of the base in against the base itself.
//
// Quintiles are rank based. For frequency and monetary value a customer's rank is the
// number of customers in the base with a strictly smaller value; for recency it is the
// number with strictly more days since their last order (so fewer days is better). The
// score is 1 + ⌊5·rank/n⌋, so equal values always share a score — the quintile of the
// lowest rank among them — and a value shared by many customers can leave a quintile
// empty. With n = 10 distinct values, ranks 0–1 score 1, 2–3 score 2, …, 8–9 score 5.
//
// A dimension is "high" when its score is strictly above the base's mean score for that
// dimension; the layer follows from the three flags (see RFMLayer). An empty base gives
// an empty result.
//
// ScoreRFM returns an errs.Invalid error naming the element when a value is negative.
// It runs in O(n log n).
func ScoreRFM(in []RFMInput) (RFMResult, error) {
	n := len(in)
	rec := make([]int64, n)
	freq := make([]int64, n)
	mon := make([]int64, n)
	for i, c := range in {
		switch {
		case c.RecencyDays < 0:
			return RFMResult{}, fmt.Errorf("custmodel: score rfm: %w", errs.Field(fmt.Sprintf("customers[%d].recency_days", i), "must not be negative, got %d", c.RecencyDays))
		case c.Frequency < 0:
			return RFMResult{}, fmt.Errorf("custmodel: score rfm: %w", errs.Field(fmt.Sprintf("customers[%d].frequency", i), "must not be negative, got %d", c.Frequency))
		case c.MonetaryFen < 0:
			return RFMResult{}, fmt.Errorf("custmodel: score rfm: %w", errs.Field(fmt.Sprintf("customers[%d].monetary_fen", i), "must not be negative, got %d", c.MonetaryFen))
		}
		rec[i], freq[i], mon[i] = int64(c.RecencyDays), int64(c.Frequency), c.MonetaryFen
	}
	res := RFMResult{Scores: make([]RFMScore, n)}
	if n == 0 {
		return res, nil
	}
	rs := quintiles(rec, true)
	fs := quintiles(freq, false)
	ms := quintiles(mon, false)
	var sr, sf, sm int
	for i := range in {
		sr, sf, sm = sr+rs[i], sf+fs[i], sm+ms[i]
	}
	res.MeanR, res.MeanF, res.MeanM = float64(sr)/float64(n), float64(sf)/float64(n), float64(sm)/float64(n)
	for i, c := range in {
		res.Scores[i] = RFMScore{
			CustomerID: c.CustomerID, R: rs[i], F: fs[i], M: ms[i],
			Layer: layerOf(float64(rs[i]) > res.MeanR, float64(fs[i]) > res.MeanF, float64(ms[i]) > res.MeanM),
		}
	}
	return res, nil
}

// quintiles returns 1 + ⌊5·rank/n⌋ for every value. rank counts the values strictly
// smaller, or strictly larger when smallerIsBetter (recency).
func quintiles(v []int64, smallerIsBetter bool) []int {
	n := len(v)
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	out := make([]int, n)
	for i, x := range v {
		var rank int
		if smallerIsBetter {
			// values strictly larger than x: n − (index of the first value > x)
			j, _ := slices.BinarySearch(sorted, x+1)
			rank = n - j
		} else {
			rank, _ = slices.BinarySearch(sorted, x) // first index ≥ x = count of smaller values
		}
		out[i] = 1 + 5*rank/n
	}
	return out
}
