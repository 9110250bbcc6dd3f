package engine

import (
	"fmt"
	"slices"
)

// buyAGetB applies a buy-A-get-B promotion: it finds how many times the cart allows
// it (each time Buy qualifying and Get reward units, no unit serving twice), then
// discounts that many reward units, the cheapest or the dearest first.
func (ev *evaluator) buyAGetB(c *cand, nets []int64, st *step) {
	b := c.p.BuyAGetB
	var qOnly, rOnly, both int64
	var rewards []int // positions j of counted lines in the reward scope
	inQ := make([]bool, len(c.lines))
	for j, li := range c.lines {
		l := &ev.lines[li]
		if l.Unit != UnitEach {
			continue
		}
		q, r := matches(&c.p.Scope, l), matches(&b.Reward, l)
		inQ[j] = q
		switch {
		case q && r:
			both += l.Qty
		case q:
			qOnly += l.Qty
		case r:
			rOnly += l.Qty
		}
		if r {
			rewards = append(rewards, j)
		}
	}
	k := min((qOnly+both)/b.Buy, (rOnly+both)/b.Get)
	if b.Times > 0 {
		k = min(k, b.Times)
	}
	for k > 0 && max(0, b.Buy*k-qOnly)+max(0, b.Get*k-rOnly) > both {
		k--
	}
	if st.record {
		st.msg = fmt.Sprintf("buy %d get %d %s (%s): %d time(s)", b.Buy, b.Get, offText(b.OffBP), pickOf(b), k)
	}
	if k == 0 {
		qMissing := max(b.Buy-qOnly-both, 0)
		rMissing := max(b.Get-rOnly-max(both-max(b.Buy-qOnly, 0), 0), 0)
		st.code, st.missing = CodeQuantityNotMet, qMissing+rMissing
		if st.record {
			st.msg = fmt.Sprintf("buy %d more qualifying unit(s) and add %d more reward unit(s) to get %d %s", qMissing, rMissing, b.Get, offText(b.OffBP))
		}
		return
	}
	// Units in both scopes may be rewards only as far as the qualifying units leave.
	bothForReward := both - max(0, b.Buy*k-qOnly)
	dearest := b.Pick == PickDearest
	slices.SortStableFunc(rewards, func(x, y int) int {
		lx, ly := c.lines[x], c.lines[y]
		if dearest {
			return cmpUnit(nets[ly], ev.lines[ly].Qty, nets[lx], ev.lines[lx].Qty)
		}
		return cmpUnit(nets[lx], ev.lines[lx].Qty, nets[ly], ev.lines[ly].Qty)
	})
	need := b.Get * k
	for _, j := range rewards {
		if need == 0 {
			break
		}
		li := c.lines[j]
		qty := ev.lines[li].Qty
		take := min(qty, need)
		if inQ[j] {
			take = min(take, bothForReward)
			bothForReward -= take
		}
		if take > 0 {
			st.alloc[j] = roundHalfUp(nets[li], take*b.OffBP, qty*10000)
			need -= take
		}
	}
}

func offText(bp int64) string {
	if bp == 10000 {
		return "free"
	}
	return percent(bp) + " off"
}

func pickOf(b *BuyAGetB) string {
	if b.Pick == PickDearest {
		return "dearest first"
	}
	return "cheapest first"
}
