package loyalty

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// Orders is what loyalty needs of the order center: the facts of a completed order
// its event does not carry (the store's brand, each line's category and whether it is
// a gift), read for the tenant of ctx's principal. Errors: not_found.
type Orders interface {
	OrderSale(ctx context.Context, orderID string) (Sale, error)
}

// Customers is what loyalty needs of One ID: the live customer an id is or was
// merged into. Errors: not_found.
type Customers interface {
	FindCustomerCluster(ctx context.Context, id string) (string, []string, error)
}

// Stores is what loyalty needs of the organisation: whether a store is inside the
// caller's data scope (a store-scoped associate redeems at its own store). Errors:
// not_found.
type Stores interface {
	StoreExists(ctx context.Context, storeID string) error
}

// Deps are the domains loyalty calls.
type Deps struct {
	Orders    Orders
	Customers Customers
	Stores    Stores
}

// Service is the loyalty use cases. Every exported method acts for the principal in
// ctx (auth.FromContext) and within its tenant.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	audit  *audit.Log
	clock  clock.Clock
	deps   Deps
	zones  sync.Map // IANA name → *time.Location
}

// NewService returns the loyalty service.
func NewService(d *db.DB, outbox *events.Outbox, a *audit.Log, c clock.Clock, deps Deps) *Service {
	return &Service{db: d, outbox: outbox, audit: a, clock: c, deps: deps}
}

// now is the clock at millisecond precision, as stored.
func (s *Service) now() time.Time { return clock.FromMillis(clock.Millis(s.clock.Now())) }

func (s *Service) zone(name string) *time.Location {
	if l, ok := s.zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC // validated on write; a zone missing from this host's tzdata falls back
	}
	s.zones.Store(name, l)
	return l
}

// requireAny returns the caller when it holds one of scopes.
func requireAny(ctx context.Context, scopes ...auth.Scope) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	for _, sc := range scopes {
		if p.Has(sc) {
			return p, nil
		}
	}
	return nil, errs.E(errs.Forbidden, "this needs %s", scopes[0])
}

// liveCustomer returns the live id of customer id, naming field when there is none.
func (s *Service) liveCustomer(ctx context.Context, id, field string) (string, error) {
	if id == "" {
		return "", errs.Field(field, "required")
	}
	live, _, err := s.deps.Customers.FindCustomerCluster(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return "", errs.E(errs.NotFound, "customer %s not found", id)
	}
	return live, err
}

// Enrol makes a customer (its live id, when it was merged) a member of a program; a
// customer already a member is returned unchanged. Errors: not_found (program or
// customer), conflict (program inactive), unauthorized, forbidden.
func (s *Service) Enrol(ctx context.Context, programID, customerID string) (Member, error) {
	p, err := requireAny(ctx, auth.LoyaltyWrite, auth.LoyaltyRedeem)
	if err != nil {
		return Member{}, err
	}
	live, err := s.liveCustomer(ctx, customerID, "body.customer_id")
	if err != nil {
		return Member{}, fmt.Errorf("loyalty: enrol: %w", err)
	}
	var out Member
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		prog, err := activeProgram(ctx, tx, p.TenantID, programID)
		if err != nil {
			return err
		}
		m, _, err := s.join(ctx, tx, prog, live, JoinExplicit)
		out = m
		return err
	})
	if err != nil {
		return Member{}, fmt.Errorf("loyalty: enrol: %w", err)
	}
	return out, nil
}

// join enrols customerID in prog unless it is a member, and returns the member row
// locked for the rest of tx and whether it was created.
func (s *Service) join(ctx context.Context, tx *sql.Tx, prog Program, customerID string, source MemberSource) (Member, bool, error) {
	now := s.now()
	m := Member{ProgramID: prog.ID, CustomerID: customerID, Source: source, EnrolledAt: now, UpdatedAt: now,
		ValidUntil: prog.Evaluation.periodEnd(now, s.zone(prog.TimeZone))}
	if t := tierFor(prog.Tiers, 0); t != nil {
		m.TierID = t.ID
	}
	created, err := insertMember(ctx, tx, prog.TenantID, m)
	if err != nil {
		return Member{}, false, err
	}
	m, err = lockMember(ctx, tx, s.db.Dialect, prog.TenantID, prog.ID, customerID)
	if err != nil {
		return Member{}, false, err
	}
	if created {
		if _, err := s.outbox.Publish(ctx, tx, prog.TenantID, EventMemberEnrolled, prog.ID+"/"+customerID,
			MemberEvent{ProgramID: prog.ID, CustomerID: customerID, Source: source, TierID: m.TierID}); err != nil {
			return Member{}, false, err
		}
	}
	return m, created, nil
}

// FindBalances returns the customer's balance in every program it is a member of.
// Errors: not_found (customer), unauthorized, forbidden.
func (s *Service) FindBalances(ctx context.Context, customerID string) ([]Balance, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return nil, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return nil, fmt.Errorf("loyalty: find balances: %w", err)
	}
	q := s.db.Reader()
	members, err := findMembersOf(ctx, q, p.TenantID, live)
	if err != nil {
		return nil, fmt.Errorf("loyalty: find balances: %w", err)
	}
	out := make([]Balance, 0, len(members))
	for _, m := range members {
		b, err := s.balance(ctx, q, p.TenantID, m)
		if err != nil {
			return nil, fmt.Errorf("loyalty: find balances: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

// FindBalance returns a member's balance in one program. Errors: not_found (program,
// customer or membership), unauthorized, forbidden.
func (s *Service) FindBalance(ctx context.Context, programID, customerID string) (Balance, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return Balance{}, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return Balance{}, fmt.Errorf("loyalty: find balance: %w", err)
	}
	q := s.db.Reader()
	m, err := getMember(ctx, q, p.TenantID, programID, live, "")
	if err != nil {
		return Balance{}, fmt.Errorf("loyalty: find balance: %w", err)
	}
	b, err := s.balance(ctx, q, p.TenantID, m)
	if err != nil {
		return Balance{}, fmt.Errorf("loyalty: find balance: %w", err)
	}
	return b, nil
}

// balance derives m's balance from its lots, with its tier and the next one.
func (s *Service) balance(ctx context.Context, q db.Querier, tenantID string, m Member) (Balance, error) {
	b, err := sumLots(ctx, q, m.ProgramID, m.CustomerID, s.now())
	if err != nil {
		return Balance{}, err
	}
	prog, err := getProgram(ctx, q, tenantID, m.ProgramID, "")
	if err != nil {
		return Balance{}, err
	}
	b.ProgramID, b.CustomerID, b.Member = m.ProgramID, m.CustomerID, m
	b.Tier = tierByID(prog.Tiers, m.TierID)
	if b.Tier != nil && !m.ValidUntil.IsZero() {
		b.RetentionNeeded = max(0, b.Tier.retention()-m.PeriodGrowth)
	}
	for i := range prog.Tiers {
		if prog.Tiers[i].Threshold > m.Growth {
			t := prog.Tiers[i]
			b.NextTier = &t
			break
		}
	}
	return b, nil
}

// FindLots lists a member's lots, newest first (at most 500). Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindLots(ctx context.Context, programID, customerID string) ([]Lot, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return nil, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return nil, fmt.Errorf("loyalty: find lots: %w", err)
	}
	if _, err := getMember(ctx, s.db.Reader(), p.TenantID, programID, live, ""); err != nil {
		return nil, fmt.Errorf("loyalty: find lots: %w", err)
	}
	out, err := findLots(ctx, s.db.Reader(), programID, live, 500)
	if err != nil {
		return nil, fmt.Errorf("loyalty: find lots: %w", err)
	}
	return out, nil
}

// FindEntries pages through a member's ledger, newest first. Errors: invalid
// (query.cursor), not_found, unauthorized, forbidden.
func (s *Service) FindEntries(ctx context.Context, programID, customerID string, pp httpapi.PageParams) (httpapi.Page[Entry], error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return httpapi.Page[Entry]{}, err
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return httpapi.Page[Entry]{}, fmt.Errorf("loyalty: find entries: %w", err)
	}
	if _, err := getMember(ctx, s.db.Reader(), p.TenantID, programID, live, ""); err != nil {
		return httpapi.Page[Entry]{}, fmt.Errorf("loyalty: find entries: %w", err)
	}
	page, err := httpapi.FindPage(pp.Cursor, pp.Limit, 50, func(after string, n int) ([]Entry, error) {
		return findEntries(ctx, s.db.Reader(), programID, live, after, n)
	}, func(e Entry) string { return e.ID })
	if err != nil {
		return httpapi.Page[Entry]{}, fmt.Errorf("loyalty: find entries: %w", err)
	}
	return page, nil
}

// record writes an audit entry and an event in tx.
func (s *Service) record(ctx context.Context, tx *sql.Tx, action, resourceType, id string, changes any, event string, payload any) error {
	if err := s.audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: resourceType, ResourceID: id, Changes: changes}); err != nil {
		return err
	}
	p := auth.FromContext(ctx)
	if _, err := s.outbox.Publish(ctx, tx, p.TenantID, event, id, payload); err != nil {
		return err
	}
	return nil
}
