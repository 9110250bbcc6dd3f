package graph

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestResolveInvariants applies random sequences of resolutions, unmerges and undone
// merges and checks after every step that no customer breaks the per-type limits or
// the cluster size limit, that every linking identifier is owned by the live customer
// that holds it, and that Canonical is idempotent and lands on a live customer.
func TestResolveInvariants(t *testing.T) {
	t.Parallel()
	pool := []Identifier{
		phone("+8613800000001"), phone("+8613800000002"), phone("+8613800000003"),
		union("u1"), union("u2"), union("u3"),
		openid("o1"), openid("o2"), openid("o3"), openid("o4"),
		device("d1"), device("d2"), device("d3"),
		cookie("c1"), cookie("c2"),
		id(TypeMemberCard, "VIP1"), id(TypeMemberCard, "VIP2"),
		masked("138****0001"),
	}
	var kinds [Review + 1]int
	rapid.Check(t, func(rt *rapid.T) {
		rules := DefaultRules()
		rules.MaxClusterSize = rapid.IntRange(2, 8).Draw(rt, "maxCluster")
		rules.Types[TypeWeChatOpenID].MaxPerCustomer = rapid.IntRange(1, 3).Draw(rt, "maxOpenID")
		g, err := New(rules, func() time.Time { return time.Unix(0, 0) })
		if err != nil {
			rt.Fatalf("New: %v", err)
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 0: // unmerge some identifiers of a customer
				if len(g.customers) < 2 {
					continue
				}
				c := CustomerID(rapid.IntRange(1, len(g.customers)-1).Draw(rt, "unmergeCustomer"))
				ids := g.Identifiers(c)
				if len(ids) < 2 || g.Canonical(c) != c {
					continue
				}
				n := rapid.IntRange(1, len(ids)-1).Draw(rt, "unmergeN")
				if _, err := g.Unmerge(c, ids[:n]); err != nil {
					rt.Fatalf("Unmerge(%d, %v): %v", c, ids[:n], err)
				}
			case 1: // undo a merge
				if len(g.customers) < 2 {
					continue
				}
				c := CustomerID(rapid.IntRange(1, len(g.customers)-1).Draw(rt, "undoCustomer"))
				_ = g.UndoMerge(c) // not_found is fine
			default:
				ids := rapid.SliceOfNDistinct(rapid.SampledFrom(pool), 1, 4, func(i Identifier) Identifier { return i }).Draw(rt, "event")
				d := g.Resolve(ids)
				kinds[d.Kind]++
				if d.Kind == Review {
					continue
				}
				if _, err := g.Apply(d); err != nil {
					rt.Fatalf("Apply(%+v): %v", d, err)
				}
			}
			checkInvariants(rt, g)
		}
	})
	t.Logf("decisions: create %d, attach %d, merge %d, review %d", kinds[Create], kinds[Attach], kinds[Merge], kinds[Review])
	if kinds[Merge] == 0 || kinds[Review] == 0 {
		t.Fatalf("the generator never produced a merge or a review: %v", kinds)
	}
}

func checkInvariants(rt *rapid.T, g *Graph) {
	seen := map[Identifier]CustomerID{}
	for i := 1; i < len(g.customers); i++ {
		c := CustomerID(i)
		can := g.Canonical(c)
		if can == 0 || g.Canonical(can) != can || g.customers[can].redirect != 0 {
			rt.Fatalf("Canonical(%d) = %d is not idempotent or not live", c, can)
		}
		cu := g.customers[c]
		if cu.redirect != 0 {
			if len(cu.ids) != 0 {
				rt.Fatalf("merged customer %d still holds %v", c, cu.ids)
			}
			continue
		}
		var count [numTypes]int
		for _, id := range cu.ids {
			count[id.Type]++
			if !g.rules.Types[id.Type].Links {
				continue
			}
			if prev, ok := seen[id]; ok {
				rt.Fatalf("%s held by %d and %d", id, prev, c)
			}
			seen[id] = c
			if o := g.owner[id]; o != c {
				rt.Fatalf("owner(%s) = %d, held by %d", id, o, c)
			}
		}
		for t, n := range count {
			if limit := g.rules.Types[t].MaxPerCustomer; limit > 0 && n > limit {
				rt.Fatalf("customer %d holds %d %s (max %d): %v", c, n, Type(t), limit, cu.ids)
			}
		}
		if len(cu.ids) > g.rules.MaxClusterSize {
			rt.Fatalf("customer %d holds %d identifiers (max %d)", c, len(cu.ids), g.rules.MaxClusterSize)
		}
	}
	if len(seen) != len(g.owner) {
		rt.Fatalf("owner map has %d entries, customers hold %d linking identifiers", len(g.owner), len(seen))
	}
}
