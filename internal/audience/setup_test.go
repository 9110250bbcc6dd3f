package audience

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

const tenantA = "tenant-a"

// testNow is a Monday noon in Shanghai.
var testNow = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

// people is the other domains as the audience service reads them: members by id,
// with merges (absorbed id → survivor). The app test (internal/app,
// TestAudienceFollowsOrders) runs the real wiring.
type people struct {
	mu      sync.Mutex
	members map[string]Member
	merged  map[string]string
}

func newPeople(ms ...Member) *people {
	p := &people{members: map[string]Member{}, merged: map[string]string{}}
	for _, m := range ms {
		p.members[m.CustomerID] = m
	}
	return p
}

func (p *people) put(m Member) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.members[m.CustomerID] = m
}

func (p *people) merge(absorbed, survivor string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.members, absorbed)
	p.merged[absorbed] = survivor
}

func (p *people) FindCustomerCluster(_ context.Context, id string) (string, []string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if to, ok := p.merged[id]; ok {
		id = to
	}
	if _, ok := p.members[id]; !ok {
		return "", nil, errs.E(errs.NotFound, "customer not found")
	}
	return id, nil, nil
}

func (p *people) Members(_ context.Context, _ string, ids []string, _ time.Time, fn func(Member) error) error {
	p.mu.Lock()
	var out []Member
	for id, m := range p.members {
		if len(ids) == 0 || slices.Contains(ids, id) {
			out = append(out, m)
		}
	}
	p.mu.Unlock()
	for _, m := range out {
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

type fixture struct {
	s      *Service
	d      *db.DB
	people *people
	clock  *clock.Fixed
}

func setup(t *testing.T, d *db.DB, ms ...Member) fixture {
	t.Helper()
	if _, err := d.Writer().Exec(`INSERT INTO tenants (id, code, name, created_at) VALUES ($1, 'a', 'A', 0)`, tenantA); err != nil {
		t.Fatalf("tenant: %v", err)
	}
	c := clock.NewFixed(testNow)
	p := newPeople(ms...)
	s := NewService(d, events.NewOutbox(c), audit.New(d, c), c, Deps{Customers: p, Facts: p})
	return fixture{s: s, d: d, people: p, clock: c}
}

func as(role auth.Role) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.UserPrincipal, ID: string(role), Name: string(role),
		TenantID: tenantA, Role: role, Scopes: auth.RoleScopes(role), DataScope: auth.TenantScope})
}

// shopper is a member in city who ordered daysAgo days before testNow for spend
// fen in the given categories (no order when daysAgo < 0).
func shopper(id, city string, daysAgo int, spend int64, cats ...string) Member {
	m := Member{CustomerID: id, City: city, Gender: "female", BirthYear: 1990}
	if daysAgo >= 0 {
		at := testNow.Add(-time.Duration(daysAgo) * 24 * time.Hour)
		m.Orders = []OrderFact{{At: at, Channel: "pos", StoreID: "S1", NetFen: spend, Categories: cats}}
		m.FirstOrderAt, m.LastOrderAt, m.LifetimeOrders, m.LifetimeSpendFen = at, at, 1, spend
	}
	return m
}
