package engine

import (
	"fmt"
	"sort"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ReturnLine is the refund for one returned line.
type ReturnLine struct {
	LineID string `json:"line_id"`
	Qty    int64  `json:"qty"`
	// Refund is the prorated net amount of the returned quantity, minus this line's
	// share of any claw-back.
	Refund   int64 `json:"refund"`
	ClawBack int64 `json:"claw_back,omitempty"`
}

// ReturnAdjustment explains what a return does to one threshold promotion.
type ReturnAdjustment struct {
	PromotionID string       `json:"promotion_id"`
	Policy      ReturnPolicy `json:"policy"`
	SpendBefore int64        `json:"spend_before"`
	SpendAfter  int64        `json:"spend_after"`
	// Kept is the discount left on the lines the shopper keeps; Earned is what the
	// remaining spend earns; ClawBack is deducted from the refund (claw_back only).
	Kept     int64  `json:"kept"`
	Earned   int64  `json:"earned"`
	ClawBack int64  `json:"claw_back"`
	Message  string `json:"message"`
}

// Quote is a return quote.
type Quote struct {
	Lines       []ReturnLine       `json:"lines"`
	Adjustments []ReturnAdjustment `json:"adjustments"`
	Refund      int64              `json:"refund"`
}

// ReturnQuote computes the refund for returning the quantities in returned (line id →
// units or grams) from a priced cart. Each line refunds round-half-up(net × returned
// / bought). For every applied threshold promotion whose spend no longer earns its
// discount, the policy (policy[promotion id], else the promotion's ReturnPolicy, else
// keep) decides: keep, or claw back the discount no longer earned from the refund. It
// returns an errs.Invalid error naming the line for an unknown line or an out-of-range
// quantity.
func ReturnQuote(priced Result, returned map[string]int64, policy map[string]ReturnPolicy) (Quote, error) {
	byID := map[string]LineResult{}
	for _, l := range priced.Lines {
		byID[l.ID] = l
	}
	ids := make([]string, 0, len(returned))
	for id := range returned {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var q Quote
	for _, id := range ids {
		l, ok := byID[id]
		if !ok {
			return Quote{}, fmt.Errorf("engine: return quote: %w", errs.Field("returned."+id, "no such line in the priced cart"))
		}
		r := returned[id]
		if r < 1 || r > l.Qty {
			return Quote{}, fmt.Errorf("engine: return quote: %w", errs.Field("returned."+id, "quantity must be 1..%d", l.Qty))
		}
		rl := ReturnLine{LineID: id, Qty: r, Refund: roundHalfUp(l.Net, r, l.Qty)}
		q.Lines = append(q.Lines, rl)
	}
	part := func(lineID string, amount int64) int64 { // the returned part of an amount on a line
		r, ok := returned[lineID]
		if !ok {
			return 0
		}
		return roundHalfUp(amount, r, byID[lineID].Qty)
	}
	var claws []int64
	for _, a := range priced.Applied {
		if a.Kind != KindThreshold || a.Promotion == nil || a.Promotion.Threshold == nil {
			continue
		}
		touched := false
		adj := ReturnAdjustment{PromotionID: a.PromotionID}
		for _, b := range a.Basis {
			adj.SpendBefore += b.Amount
			if _, ok := returned[b.LineID]; ok {
				touched = true
			}
			adj.SpendAfter += b.Amount - part(b.LineID, b.Amount)
		}
		if !touched {
			continue
		}
		adj.Kept = a.Discount
		for _, l := range a.Lines {
			adj.Kept -= part(l.LineID, l.Amount)
		}
		off, _, _, _ := thresholdOff(a.Promotion.Threshold, adj.SpendAfter)
		adj.Earned = min(off, adj.SpendAfter)
		adj.Policy = policy[a.PromotionID]
		if adj.Policy == "" {
			adj.Policy = a.Promotion.ReturnPolicy
		}
		if adj.Policy == "" {
			adj.Policy = ReturnKeep
		}
		switch {
		case adj.Kept <= adj.Earned:
			adj.Message = fmt.Sprintf("spend after the return %s still earns %s; nothing to adjust", Yuan(adj.SpendAfter), Yuan(adj.Earned))
		case adj.Policy == ReturnClawBack:
			adj.ClawBack = adj.Kept - adj.Earned
			adj.Message = fmt.Sprintf("spend after the return %s earns %s instead of the %s kept: %s is deducted from the refund",
				Yuan(adj.SpendAfter), Yuan(adj.Earned), Yuan(adj.Kept), Yuan(adj.ClawBack))
		default:
			adj.Message = fmt.Sprintf("spend after the return %s earns only %s, but the policy keeps the %s discount",
				Yuan(adj.SpendAfter), Yuan(adj.Earned), Yuan(adj.Kept))
		}
		claws = append(claws, adj.ClawBack)
		q.Adjustments = append(q.Adjustments, adj)
	}
	var claw, refund int64
	for _, c := range claws {
		claw += c
	}
	weights := make([]int64, len(q.Lines))
	for i, l := range q.Lines {
		weights[i] = l.Refund
		refund += l.Refund
	}
	if claw > refund {
		claw = refund
	}
	shares := make([]int64, len(q.Lines))
	allocate(claw, weights, shares)
	for i := range q.Lines {
		q.Lines[i].ClawBack = shares[i]
		q.Lines[i].Refund -= shares[i]
		q.Refund += q.Lines[i].Refund
	}
	return q, nil
}
