package graph_test

import (
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/identity/graph/graphtest"
)

func ident(t graph.Type, v string) graph.Identifier { return graph.Identifier{Type: t, Value: v} }

func TestResolveAllRules(t *testing.T) {
	t.Parallel()
	var (
		phoneA = ident(graph.TypePhone, "+8613800138000")
		phoneB = ident(graph.TypePhone, "+8613900139000")
		u1     = ident(graph.TypeWeChatUnionID, "u1")
		u2     = ident(graph.TypeWeChatUnionID, "u2")
		o1     = ident(graph.TypeWeChatOpenID, "o1")
		o2     = ident(graph.TypeWeChatOpenID, "o2")
		o3     = ident(graph.TypeWeChatOpenID, "o3")
		dev    = ident(graph.TypeDeviceID, "ipad")
		cookie = ident(graph.TypeCookieID, "c1")
		masked = ident(graph.TypeMaskedPhone, "138****8000")
	)
	small := graph.DefaultRules()
	small.MaxClusterSize = 3
	tests := []struct {
		name     string
		rules    graph.Rules
		links    []graph.Link
		same     [][2]graph.Identifier // pairs expected in one cluster
		apart    [][2]graph.Identifier // pairs expected in different clusters
		refused  map[graph.Reason]int
		clusters int
		skipped  int
	}{
		{
			name:     "shared family device does not merge two phones",
			rules:    graph.DefaultRules(),
			links:    []graph.Link{{A: dev, B: phoneA}, {A: dev, B: phoneB}, {A: cookie, B: dev}},
			same:     [][2]graph.Identifier{{dev, phoneA}, {cookie, phoneA}},
			apart:    [][2]graph.Identifier{{phoneA, phoneB}},
			refused:  map[graph.Reason]int{graph.ReasonWeakLink: 1},
			clusters: 2,
		},
		{
			name:     "strong links are followed before weak ones",
			rules:    graph.DefaultRules(),
			links:    []graph.Link{{A: dev, B: o1}, {A: dev, B: o2}, {A: o1, B: u1}, {A: o2, B: u1}},
			same:     [][2]graph.Identifier{{o1, o2}, {dev, u1}},
			clusters: 1,
		},
		{
			name:     "two phones never merge",
			rules:    graph.DefaultRules(),
			links:    []graph.Link{{A: u1, B: phoneA}, {A: u2, B: phoneB}, {A: o1, B: u1}, {A: o1, B: u2}},
			apart:    [][2]graph.Identifier{{u1, u2}, {phoneA, phoneB}},
			refused:  map[graph.Reason]int{graph.ReasonUniqueness: 1},
			clusters: 2,
		},
		{
			name:     "cluster size limit",
			rules:    small,
			links:    []graph.Link{{A: o1, B: u1}, {A: o2, B: u1}, {A: o3, B: u1}},
			refused:  map[graph.Reason]int{graph.ReasonClusterSize: 1},
			apart:    [][2]graph.Identifier{{o3, u1}},
			clusters: 2,
		},
		{
			name:     "masked phone is skipped",
			rules:    graph.DefaultRules(),
			links:    []graph.Link{{A: masked, B: phoneA}, {A: phoneA, B: u1}},
			clusters: 1,
			skipped:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := graph.ResolveAll(tt.links, tt.rules)
			if err != nil {
				t.Fatalf("ResolveAll: %v", err)
			}
			if res.Clusters != tt.clusters || res.Skipped != tt.skipped {
				t.Fatalf("clusters, skipped = %d, %d, want %d, %d", res.Clusters, res.Skipped, tt.clusters, tt.skipped)
			}
			by := res.RefusedBy()
			for r, n := range tt.refused {
				if by[r] != n {
					t.Fatalf("refused %s = %d, want %d (%+v)", r, by[r], n, res.Refused)
				}
			}
			if len(res.Refused) != sum(tt.refused) {
				t.Fatalf("refused = %+v, want %v", res.Refused, tt.refused)
			}
			cl := func(id graph.Identifier) uint32 {
				c, ok := res.Cluster(id)
				if !ok {
					t.Fatalf("Cluster(%s) not found", id)
				}
				return c
			}
			for _, p := range tt.same {
				if cl(p[0]) != cl(p[1]) {
					t.Errorf("%s and %s in different clusters", p[0], p[1])
				}
			}
			for _, p := range tt.apart {
				if cl(p[0]) == cl(p[1]) {
					t.Errorf("%s and %s in one cluster", p[0], p[1])
				}
			}
			base, err := graph.ConnectedComponents(tt.links)
			if err != nil {
				t.Fatalf("ConnectedComponents: %v", err)
			}
			if base.Clusters > res.Clusters || len(base.Refused) != 0 {
				t.Fatalf("baseline has %d clusters and %d refusals; rules have %d clusters", base.Clusters, len(base.Refused), res.Clusters)
			}
		})
	}
}

func sum(m map[graph.Reason]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestResolveAllAgreesWithResolve replays generated links one by one through
// Graph.Resolve and checks that ResolveAll builds the same partition, on data where
// no rule is hit.
func TestResolveAllAgreesWithResolve(t *testing.T) {
	t.Parallel()
	links, _ := graphtest.Links(20_000, graphtest.Options{Seed: 7, StrongFirst: true})
	res, err := graph.ResolveAll(links, graph.DefaultRules())
	if err != nil {
		t.Fatalf("ResolveAll: %v", err)
	}
	if len(res.Refused) != 0 {
		t.Fatalf("ResolveAll refused %d links on clean data", len(res.Refused))
	}
	g, err := graph.New(graph.DefaultRules(), func() time.Time { return time.Unix(0, 0) })
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for i, l := range links {
		d := g.Resolve([]graph.Identifier{l.A, l.B})
		if d.Kind == graph.Review || len(d.Reasons) > 0 || len(d.Rejected) > 0 {
			t.Fatalf("link %d: decision %+v hits a rule on clean data", i, d)
		}
		if _, err := g.Apply(d); err != nil {
			t.Fatalf("link %d: Apply: %v", i, err)
		}
	}
	if g.Len() != res.Clusters {
		t.Fatalf("Graph has %d customers, ResolveAll %d clusters", g.Len(), res.Clusters)
	}
	toCustomer := map[uint32]graph.CustomerID{}
	toCluster := map[graph.CustomerID]uint32{}
	for _, l := range links {
		for _, id := range []graph.Identifier{l.A, l.B} {
			c, _ := g.Lookup(id)
			k, ok := res.Cluster(id)
			if !ok || c == 0 {
				t.Fatalf("%s missing: cluster %v, customer %d", id, ok, c)
			}
			if prev, ok := toCustomer[k]; ok && prev != c {
				t.Fatalf("cluster %d spans customers %d and %d", k, prev, c)
			}
			if prev, ok := toCluster[c]; ok && prev != k {
				t.Fatalf("customer %d spans clusters %d and %d", c, prev, k)
			}
			toCustomer[k], toCluster[c] = c, k
		}
	}
}

// TestResolveAllGroundTruth checks on data with shared devices and conflicting phones
// that no cluster holds two true customers, and counts the true customers split.
func TestResolveAllGroundTruth(t *testing.T) {
	t.Parallel()
	links, owner := graphtest.Links(50_000, graphtest.Options{Seed: 3, SharedDevicePct: 5, ConflictPhonePct: 2})
	res, err := graph.ResolveAll(links, graph.DefaultRules())
	if err != nil {
		t.Fatalf("ResolveAll: %v", err)
	}
	by := res.RefusedBy()
	if by[graph.ReasonWeakLink] == 0 || by[graph.ReasonUniqueness] == 0 {
		t.Fatalf("expected weak-link and uniqueness refusals, got %v", by)
	}
	clusterOwner := map[uint32]int{}
	customerCluster := map[int]uint32{}
	split := 0
	for i, c := range owner {
		if c < 0 {
			continue
		}
		k, ok := res.LinkCluster(i)
		if !ok {
			t.Fatalf("link %d skipped", i)
		}
		if prev, ok := clusterOwner[k]; ok && prev != c {
			t.Fatalf("cluster %d merges customers %d and %d", k, prev, c)
		}
		clusterOwner[k] = c
		if prev, ok := customerCluster[c]; ok && prev != k {
			split++
		}
		customerCluster[c] = k
	}
	if split != 0 {
		t.Fatalf("%d customers split across clusters", split)
	}
	t.Logf("%d links, %d identifiers, %d clusters, refused %v", len(links), res.Identifiers, res.Clusters, by)
}

func benchLinks(b *testing.B) []graph.Link {
	b.Helper()
	links, _ := graphtest.Links(200_000, graphtest.Options{Seed: 1, SharedDevicePct: 2, ConflictPhonePct: 1})
	return links
}

func BenchmarkResolveAll(b *testing.B) {
	links := benchLinks(b)
	rules := graph.DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graph.ResolveAll(links, rules); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(links)), "ns/link")
}

func BenchmarkConnectedComponents(b *testing.B) {
	links := benchLinks(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graph.ConnectedComponents(links); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(links)), "ns/link")
}

// TestResolveAllShared: a kiosk device linked to two different phones is found
// shared; a tablet linked to one phone and an openid is not.
func TestResolveAllShared(t *testing.T) {
	t.Parallel()
	kiosk, tablet := ident(graph.TypeDeviceID, "kiosk-1"), ident(graph.TypeDeviceID, "tablet-9")
	p1, p2, p3 := ident(graph.TypePhone, "+8613800138001"), ident(graph.TypePhone, "+8613800138002"), ident(graph.TypePhone, "+8613900139000")
	links := []graph.Link{{A: p1, B: kiosk}, {A: kiosk, B: kiosk}, {A: p2, B: kiosk},
		{A: p3, B: tablet}, {A: ident(graph.TypeWeChatOpenID, "oNew"), B: tablet}}
	res, err := graph.ResolveAll(links, graph.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Shared(kiosk) || res.Shared(tablet) || res.Shared(p1) {
		t.Fatalf("shared kiosk %v tablet %v phone %v, want true false false", res.Shared(kiosk), res.Shared(tablet), res.Shared(p1))
	}
}
