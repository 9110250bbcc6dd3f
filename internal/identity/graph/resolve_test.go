package graph

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

func setup(t *testing.T, rules Rules) *Graph {
	t.Helper()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	g, err := New(rules, func() time.Time { at = at.Add(time.Second); return at })
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func id(t Type, v string) Identifier { return Identifier{Type: t, Value: v} }

func phone(v string) Identifier    { return id(TypePhone, v) }
func union(v string) Identifier    { return id(TypeWeChatUnionID, v) }
func openid(v string) Identifier   { return id(TypeWeChatOpenID, v) }
func device(v string) Identifier   { return id(TypeDeviceID, v) }
func cookie(v string) Identifier   { return id(TypeCookieID, v) }
func posRef(v string) Identifier   { return id(TypePOSCustomerRef, v) }
func masked(v string) Identifier   { return id(TypeMaskedPhone, v) }
func delivery(v string) Identifier { return id(TypeDeliveryUserID, v) }

// step is one event of a scenario: its identifiers and the expected decision.
type step struct {
	ids      []Identifier
	kind     Kind
	customer CustomerID   // expected Decision.Customer (or the created id) when non-zero
	absorbed []CustomerID // expected Decision.Absorbed
	reason   string       // a fragment expected in Decision.Reasons
}

func TestResolveScenarios(t *testing.T) {
	t.Parallel()
	small := DefaultRules()
	small.MaxClusterSize = 4
	tests := []struct {
		name  string
		rules Rules
		steps []step
		// after the steps: identifiers expected to be held by a customer
		held map[Identifier]CustomerID
	}{
		{
			name:  "same phone at POS and in the mini program is one customer",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{phone("138 0013 8000"), posRef("P-77")}, kind: Create, customer: 1},
				{ids: []Identifier{phone("+86-138-0013-8000"), openid("oMini"), union("uZhang")}, kind: Attach, customer: 1},
			},
			held: map[Identifier]CustomerID{phone("+8613800138000"): 1, posRef("P-77"): 1, openid("oMini"): 1, union("uZhang"): 1},
		},
		{
			name:  "openids of two apps link through the unionid",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{openid("oMini"), union("u1")}, kind: Create, customer: 1},
				{ids: []Identifier{openid("oOfficial"), union("u1")}, kind: Attach, customer: 1},
				{ids: []Identifier{openid("oOfficial"), phone("13900139000")}, kind: Attach, customer: 1},
			},
			held: map[Identifier]CustomerID{openid("oMini"): 1, openid("oOfficial"): 1, phone("+8613900139000"): 1},
		},
		{
			name:  "openid first then unionid merges two profiles",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{openid("oMini")}, kind: Create, customer: 1},
				{ids: []Identifier{union("u1"), phone("13900139000")}, kind: Create, customer: 2},
				{ids: []Identifier{openid("oMini"), union("u1")}, kind: Merge, customer: 1, absorbed: []CustomerID{2}},
			},
			held: map[Identifier]CustomerID{openid("oMini"): 1, union("u1"): 1, phone("+8613900139000"): 1},
		},
		{
			name:  "a shared family device does not merge two customers with different phones, and then links nobody",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{phone("13800138000"), device("ipad-family")}, kind: Create, customer: 1},
				{ids: []Identifier{phone("13900139000"), device("ipad-family")}, kind: Create, customer: 2, reason: "weak identifier"},
				{ids: []Identifier{device("ipad-family"), cookie("c1")}, kind: Create, customer: 3},
			},
			held: map[Identifier]CustomerID{phone("+8613800138000"): 1, phone("+8613900139000"): 2, device("ipad-family"): 1},
		},
		{
			name:  "a device attaches an anonymous profile to a customer",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{device("d1"), cookie("c1")}, kind: Create, customer: 1},
				{ids: []Identifier{phone("13800138000"), device("d1")}, kind: Attach, customer: 1},
			},
			held: map[Identifier]CustomerID{cookie("c1"): 1, phone("+8613800138000"): 1},
		},
		{
			name:  "a device seen with two keyed customers attaches to the oldest only",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{phone("13800138000"), device("d1")}, kind: Create, customer: 1},
				{ids: []Identifier{phone("13900139000"), device("d2")}, kind: Create, customer: 2},
				{ids: []Identifier{device("d1"), device("d2")}, kind: Attach, customer: 1, reason: "customer 2"},
			},
			held: map[Identifier]CustomerID{device("d1"): 1, device("d2"): 2},
		},
		{
			name:  "two phones never merge",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{phone("13800138000"), union("u1")}, kind: Create, customer: 1},
				{ids: []Identifier{phone("13900139000"), union("u2")}, kind: Create, customer: 2},
				{ids: []Identifier{phone("13800138000"), union("u2")}, kind: Review, reason: "2 phone identifiers"},
				{ids: []Identifier{union("u1"), phone("13700137000")}, kind: Review, reason: "2 phone identifiers"},
				{ids: []Identifier{phone("13700137000"), phone("13600136000")}, kind: Review, reason: "at most 1 allowed"},
			},
			held: map[Identifier]CustomerID{union("u1"): 1, union("u2"): 2},
		},
		{
			name:  "cluster size limit sends the merge to review",
			rules: small,
			steps: []step{
				{ids: []Identifier{phone("13800138000"), openid("o1"), openid("o2")}, kind: Create, customer: 1},
				{ids: []Identifier{union("u1"), openid("o3")}, kind: Create, customer: 2},
				{ids: []Identifier{openid("o1"), openid("o3")}, kind: Review, reason: "cluster size limit 4"},
			},
			held: map[Identifier]CustomerID{openid("o1"): 1, openid("o3"): 2},
		},
		{
			name:  "masked phone never links",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{delivery("mt-1"), masked("138****1234")}, kind: Create, customer: 1},
				{ids: []Identifier{delivery("mt-2"), masked("138xxxx1234")}, kind: Create, customer: 2},
			},
			held: map[Identifier]CustomerID{delivery("mt-1"): 1, delivery("mt-2"): 2},
		},
		{
			name:  "invalid identifiers are rejected, the rest resolves",
			rules: DefaultRules(),
			steps: []step{
				{ids: []Identifier{phone("010-62345678"), openid("o1")}, kind: Create, customer: 1},
				{ids: []Identifier{phone("010-62345678")}, kind: Review, reason: "no valid identifier"},
			},
			held: map[Identifier]CustomerID{openid("o1"): 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := setup(t, tt.rules)
			for i, s := range tt.steps {
				d := g.Resolve(s.ids)
				if d.Kind != s.kind {
					t.Fatalf("step %d: kind = %s, want %s (reasons %q)", i, d.Kind, s.kind, d.Reasons)
				}
				if s.reason != "" && !strings.Contains(strings.Join(d.Reasons, "; "), s.reason) {
					t.Fatalf("step %d: reasons %q lack %q", i, d.Reasons, s.reason)
				}
				if !slices.Equal(d.Absorbed, s.absorbed) {
					t.Fatalf("step %d: absorbed = %v, want %v", i, d.Absorbed, s.absorbed)
				}
				c, err := g.Apply(d)
				if s.kind == Review {
					if !errs.Is(err, errs.Conflict) {
						t.Fatalf("step %d: Apply(review) error = %v, want conflict", i, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: Apply: %v", i, err)
				}
				if s.customer != 0 && c != s.customer {
					t.Fatalf("step %d: customer = %d, want %d", i, c, s.customer)
				}
			}
			for ident, want := range tt.held {
				if got, ok := g.Lookup(ident); !ok || got != want {
					t.Errorf("Lookup(%s) = %d, %v, want %d", ident, got, ok, want)
				}
			}
		})
	}
}

func TestMergeUnmerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		undo func(g *Graph) (CustomerID, error)
		// wantID is the customer that gets the split-out identifiers back
		wantID CustomerID
	}{
		{name: "unmerge the identifiers a merge brought", wantID: 2, undo: func(g *Graph) (CustomerID, error) {
			return g.Unmerge(1, []Identifier{openid("o2"), union("u1")})
		}},
		{name: "undo merge", wantID: 2, undo: func(g *Graph) (CustomerID, error) {
			return 2, g.UndoMerge(2)
		}},
		{name: "unmerge other identifiers makes a new customer", wantID: 3, undo: func(g *Graph) (CustomerID, error) {
			return g.Unmerge(1, []Identifier{union("u1")})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := setup(t, DefaultRules())
			mustApply(t, g, []Identifier{openid("o1"), phone("13800138000")})
			mustApply(t, g, []Identifier{union("u1"), openid("o2")})
			d := g.Resolve([]Identifier{openid("o1"), openid("o2")})
			if d.Kind != Merge || d.Customer != 1 || !slices.Equal(d.Absorbed, []CustomerID{2}) {
				t.Fatalf("decision = %+v, want merge of 2 into 1", d)
			}
			if _, err := g.Apply(d); err != nil {
				t.Fatalf("Apply merge: %v", err)
			}
			if got := g.Canonical(2); got != 1 {
				t.Fatalf("Canonical(2) after merge = %d, want 1", got)
			}
			if c, _ := g.Lookup(union("u1")); c != 1 {
				t.Fatalf("Lookup(u1) after merge = %d, want 1", c)
			}
			if m := g.Merges(); len(m) != 1 || m[0].Survivor != 1 || m[0].Absorbed != 2 || m[0].At.IsZero() {
				t.Fatalf("merge record = %+v", m)
			}
			got, err := tt.undo(g)
			if err != nil {
				t.Fatalf("undo: %v", err)
			}
			if got != tt.wantID {
				t.Fatalf("split customer = %d, want %d", got, tt.wantID)
			}
			if tt.wantID == 2 {
				if g.Canonical(2) != 2 {
					t.Fatalf("Canonical(2) after unmerge = %d, want 2", g.Canonical(2))
				}
				want1 := []Identifier{phone("+8613800138000"), openid("o1")}
				want2 := []Identifier{union("u1"), openid("o2")}
				sortIdentifiers(want1)
				sortIdentifiers(want2)
				if ids := g.Identifiers(1); !slices.Equal(ids, want1) {
					t.Fatalf("customer 1 = %v, want %v", ids, want1)
				}
				if ids := g.Identifiers(2); !slices.Equal(ids, want2) {
					t.Fatalf("customer 2 = %v, want %v", ids, want2)
				}
				if c, _ := g.Lookup(openid("o2")); c != 2 {
					t.Fatalf("Lookup(o2) = %d, want 2", c)
				}
				if m := g.Merges(); m[0].UndoneAt.IsZero() {
					t.Fatalf("merge not marked undone: %+v", m)
				}
				if err := g.UndoMerge(2); !errs.Is(err, errs.NotFound) {
					t.Fatalf("second UndoMerge error = %v, want not_found", err)
				}
			} else if c, _ := g.Lookup(union("u1")); c != got {
				t.Fatalf("Lookup(u1) = %d, want %d", c, got)
			}
		})
	}
}

func TestUnmergeErrors(t *testing.T) {
	t.Parallel()
	g := setup(t, DefaultRules())
	mustApply(t, g, []Identifier{openid("o1"), phone("13800138000")})
	tests := []struct {
		name string
		c    CustomerID
		ids  []Identifier
		code errs.Code
	}{
		{name: "unknown customer", c: 9, ids: []Identifier{openid("o1")}, code: errs.NotFound},
		{name: "no identifiers", c: 1, code: errs.Invalid},
		{name: "identifier not held", c: 1, ids: []Identifier{openid("o9")}, code: errs.Invalid},
		{name: "all identifiers", c: 1, ids: []Identifier{openid("o1"), phone("+8613800138000")}, code: errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := g.Unmerge(tt.c, tt.ids); !errs.Is(err, tt.code) {
				t.Fatalf("Unmerge error = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestRedirectChain(t *testing.T) {
	t.Parallel()
	g := setup(t, DefaultRules())
	mustApply(t, g, []Identifier{openid("o1")})
	mustApply(t, g, []Identifier{openid("o2")})
	mustApply(t, g, []Identifier{openid("o3")})
	mustApply(t, g, []Identifier{openid("o2"), openid("o3")}) // 3 into 2
	mustApply(t, g, []Identifier{openid("o1"), openid("o2")}) // 2 into 1
	tests := []struct {
		name string
		in   CustomerID
		want CustomerID
	}{
		{name: "survivor", in: 1, want: 1},
		{name: "absorbed", in: 2, want: 1},
		{name: "absorbed twice", in: 3, want: 1},
		{name: "none", in: 0, want: 0},
		{name: "unknown", in: 42, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := g.Canonical(tt.in); got != tt.want {
				t.Fatalf("Canonical(%d) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
	if g.Len() != 1 || len(g.Identifiers(3)) != 3 {
		t.Fatalf("Len = %d, Identifiers(3) = %v", g.Len(), g.Identifiers(3))
	}
}

func TestApplyStale(t *testing.T) {
	t.Parallel()
	g := setup(t, DefaultRules())
	d1 := g.Resolve([]Identifier{phone("13800138000")})
	d2 := g.Resolve([]Identifier{phone("13800138000"), openid("o1")})
	mustApplyDecision(t, g, d1)
	if _, err := g.Apply(d2); !errs.Is(err, errs.Conflict) {
		t.Fatalf("Apply(stale) error = %v, want conflict", err)
	}
	if _, err := g.Apply(Decision{Kind: Create}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("Apply(empty create) error = %v, want invalid", err)
	}
}

func mustApply(t *testing.T, g *Graph, ids []Identifier) CustomerID {
	t.Helper()
	return mustApplyDecision(t, g, g.Resolve(ids))
}

func mustApplyDecision(t *testing.T, g *Graph, d Decision) CustomerID {
	t.Helper()
	c, err := g.Apply(d)
	if err != nil {
		t.Fatalf("Apply(%+v): %v", d, err)
	}
	return c
}

// TestResolveSharedDevice: a kiosk used by people with different phones becomes
// shared and stops linking, so an anonymous session on it joins nobody; a personal
// device whose owner's new login it does not link (an openid) conflicts with no
// phone and keeps linking.
func TestResolveSharedDevice(t *testing.T) {
	t.Parallel()
	g := setup(t, DefaultRules())
	apply := func(ids ...Identifier) Decision {
		t.Helper()
		d := g.Resolve(ids)
		if d.Kind != Review {
			if _, err := g.Apply(d); err != nil {
				t.Fatalf("Apply(%v): %v", ids, err)
			}
		}
		return d
	}
	kiosk := device("kiosk-1")
	if d := apply(phone("13800138001"), kiosk); d.Kind != Create || len(d.Shared) != 0 {
		t.Fatalf("first kiosk user: %+v", d)
	}
	if d := apply(kiosk); d.Kind != Attach {
		t.Fatalf("anonymous session before the kiosk is known shared: %+v, want attach", d)
	}
	d := apply(phone("13800138002"), kiosk)
	if d.Kind != Create || !slices.Equal(d.Shared, []Identifier{kiosk}) {
		t.Fatalf("second kiosk user: %+v, want create with the kiosk shared", d)
	}
	if !g.Shared(kiosk) {
		t.Fatal("kiosk not shared after Apply")
	}
	if d := g.Resolve([]Identifier{kiosk}); d.Kind != Review || d.Customer != 0 {
		t.Fatalf("anonymous session on a shared kiosk: %+v, want no customer", d)
	}
	if d := apply(phone("13800138003"), kiosk); d.Kind != Create || len(d.Add) != 1 {
		t.Fatalf("third kiosk user: %+v, want a new customer with the phone only", d)
	}

	tablet := device("tablet-9")
	apply(phone("13900139000"), tablet)
	if d := apply(openid("oNewApp"), tablet); len(d.Shared) != 0 {
		t.Fatalf("one person's new login on their tablet: %+v, want the tablet not shared", d)
	}
	if d := apply(tablet); d.Kind != Attach || d.Customer != 4 || g.Shared(tablet) {
		t.Fatalf("anonymous session on a personal tablet: %+v, want attach to 4", d)
	}
}
