package engine

import "fmt"

// specialPrice gives each counted unit the price of the customer's rule, the dearest
// units first, up to the caps per line, per order and per customer; the other units
// pay the price they had.
func (ev *evaluator) specialPrice(c *cand, nets []int64, st *step) {
	sp := c.p.SpecialPrice
	r, _ := sp.rule(ev.ctx.Tier) // conditionFailure checked that a rule exists
	js := ev.unitsDescInto(ev.sc.js, c, nets, func(j int) bool {
		li := c.lines[j]
		if r.Off > 0 {
			return nets[li] > 0
		}
		return nets[li] > r.Price*ev.lines[li].Qty // the special price saves something
	})
	ev.sc.js = js
	customer := ev.flashAllowance(c)
	order := sp.MaxPerOrder
	var units, sold int64
	capped := ""
	for _, j := range js {
		li := c.lines[j]
		qty := ev.lines[li].Qty
		units += qty
		k := qty
		if sp.MaxPerLine > 0 && k > sp.MaxPerLine {
			k, capped = sp.MaxPerLine, fmt.Sprintf("at most %d per line", sp.MaxPerLine)
		}
		if sp.MaxPerOrder > 0 {
			if k > order {
				k, capped = order, fmt.Sprintf("at most %d per order", sp.MaxPerOrder)
			}
			order -= k
		}
		if customer >= 0 {
			if k > customer {
				k, capped = customer, fmt.Sprintf("the customer's remaining %d of %d per customer", max(ev.flashAllowance(c), 0), sp.MaxPerCustomer)
			}
			customer -= k
		}
		if k <= 0 {
			continue
		}
		value := roundHalfUp(nets[li], k, qty) // what the k units paid
		if r.Off > 0 {
			st.alloc[j] = min(k*r.Off, value)
		} else {
			st.alloc[j] = max(value-k*r.Price, 0)
		}
		sold += k
	}
	st.units = sold
	what := func() string {
		if r.Off > 0 {
			return Yuan(r.Off) + " off each unit"
		}
		return "special price " + Yuan(r.Price)
	}
	if r.Tier != "" && st.record {
		defer func() { st.msg = "tier " + r.Tier + ": " + st.msg }()
	}
	switch {
	case units == 0:
		st.code = CodeNoDiscount
		if st.record {
			st.msg = fmt.Sprintf("no eligible unit costs more than the %s", what())
		}
	case sold == 0:
		st.code = CodeLimitReached
		if st.record {
			st.msg = fmt.Sprintf("%s: no unit left (%s); %d unit(s) pay the regular price", what(), capped, units)
		}
	case st.record && sold < units:
		st.msg = fmt.Sprintf("%s for %d of %d unit(s) (%s); %d unit(s) beyond it pay the regular price", what(), sold, units, capped, units-sold)
	case st.record:
		st.msg = fmt.Sprintf("%s for %d unit(s)", what(), sold)
	}
}
