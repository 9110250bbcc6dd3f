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
	"github.com/oneretail/oneretail/internal/platform/ids"
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

// CreateProgram adds a program with no tiers. Errors: invalid, conflict (code taken,
// or a brand — or the shared slot — already has an active program), unauthorized,
// forbidden (loyalty:write over the whole tenant).
func (s *Service) CreateProgram(ctx context.Context, in ProgramInput) (Program, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring loyalty programs")
	if err != nil {
		return Program{}, err
	}
	if err := in.Validate(); err != nil {
		return Program{}, err
	}
	now := s.now()
	prog := programOf(ids.New(), p.TenantID, in, now, now)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkOverlap(ctx, tx, prog); err != nil {
			return err
		}
		if err := insertProgram(ctx, tx, prog); err != nil {
			return err
		}
		return s.record(ctx, tx, "loyalty.program.create", "loyalty_program", prog.ID, in, EventProgramCreated, programEvent(prog))
	})
	if err != nil {
		return Program{}, fmt.Errorf("loyalty: create program: %w", err)
	}
	return prog, nil
}

// UpdateProgram replaces a program's set-up (its tiers stay). Points already earned
// keep their availability and expiry. Errors: not_found, invalid, conflict,
// unauthorized, forbidden.
func (s *Service) UpdateProgram(ctx context.Context, id string, in ProgramInput) (Program, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring loyalty programs")
	if err != nil {
		return Program{}, err
	}
	if err := in.Validate(); err != nil {
		return Program{}, err
	}
	var out Program
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getProgram(ctx, tx, p.TenantID, id, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		next := programOf(cur.ID, p.TenantID, in, cur.CreatedAt, s.now())
		next.Tiers = cur.Tiers
		if err := s.checkOverlap(ctx, tx, next); err != nil {
			return err
		}
		if err := updateProgramRow(ctx, tx, next); err != nil {
			return err
		}
		out = next
		return s.record(ctx, tx, "loyalty.program.update", "loyalty_program", id, in, EventProgramUpdated, programEvent(next))
	})
	if err != nil {
		return Program{}, fmt.Errorf("loyalty: update program: %w", err)
	}
	return out, nil
}

// checkOverlap refuses a second active program for a brand, or a second active
// shared program: an order must earn in exactly one program. The tenant's programs
// are serialised by a lock so two concurrent creations cannot both pass.
func (s *Service) checkOverlap(ctx context.Context, tx *sql.Tx, prog Program) error {
	if prog.Status != ProgramActive {
		return nil
	}
	if err := db.XactLock(ctx, tx, s.db.Dialect, "loyalty.programs:"+prog.TenantID, db.Exclusive); err != nil {
		return err
	}
	all, err := findPrograms(ctx, tx, prog.TenantID)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID == prog.ID || o.Status != ProgramActive {
			continue
		}
		if len(o.BrandIDs) == 0 && len(prog.BrandIDs) == 0 {
			return errs.E(errs.Conflict, "program %s is already the active shared program", o.Code)
		}
		for _, b := range prog.BrandIDs {
			for _, ob := range o.BrandIDs {
				if b == ob {
					return &errs.Error{Code: errs.Conflict, Field: "body.brand_ids", Message: fmt.Sprintf("brand %s already has the active program %s", b, o.Code)}
				}
			}
		}
	}
	return nil
}

// FindPrograms lists the tenant's programs with their tiers, by code. Errors:
// unauthorized, forbidden.
func (s *Service) FindPrograms(ctx context.Context) ([]Program, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return nil, err
	}
	out, err := findPrograms(ctx, s.db.Reader(), p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("loyalty: find programs: %w", err)
	}
	return out, nil
}

// FindProgramByID returns a program with its tiers. Errors: not_found, unauthorized,
// forbidden.
func (s *Service) FindProgramByID(ctx context.Context, id string) (Program, error) {
	p, err := requireAny(ctx, auth.LoyaltyRead, auth.LoyaltyWrite)
	if err != nil {
		return Program{}, err
	}
	out, err := getProgram(ctx, s.db.Reader(), p.TenantID, id, "")
	if err != nil {
		return Program{}, fmt.Errorf("loyalty: find program: %w", err)
	}
	return out, nil
}

// CreateTier adds a tier to a program. Members already above its threshold move up
// at their next earn. Errors: not_found, invalid, conflict (code or threshold taken),
// unauthorized, forbidden.
func (s *Service) CreateTier(ctx context.Context, programID string, in TierInput) (Tier, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring loyalty tiers")
	if err != nil {
		return Tier{}, err
	}
	if err := in.Validate(); err != nil {
		return Tier{}, err
	}
	t := Tier{ID: ids.New(), ProgramID: programID, Code: in.Code, Name: in.Name, Threshold: in.Threshold, MultiplierBP: in.MultiplierBP}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := getProgram(ctx, tx, p.TenantID, programID, s.db.Dialect.ForUpdate()); err != nil {
			return err
		}
		if err := insertTier(ctx, tx, p.TenantID, t, s.now()); err != nil {
			return err
		}
		return s.record(ctx, tx, "loyalty.tier.create", "loyalty_tier", t.ID, in, EventTierChanged, tierEvent(programID, t))
	})
	if err != nil {
		return Tier{}, fmt.Errorf("loyalty: create tier: %w", err)
	}
	return t, nil
}

// UpdateTier replaces a tier's code, name, threshold and multiplier. Errors:
// not_found, invalid, conflict, unauthorized, forbidden.
func (s *Service) UpdateTier(ctx context.Context, programID, tierID string, in TierInput) (Tier, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring loyalty tiers")
	if err != nil {
		return Tier{}, err
	}
	if err := in.Validate(); err != nil {
		return Tier{}, err
	}
	t := Tier{ID: tierID, ProgramID: programID, Code: in.Code, Name: in.Name, Threshold: in.Threshold, MultiplierBP: in.MultiplierBP}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := updateTierRow(ctx, tx, p.TenantID, t, s.now()); err != nil {
			return err
		}
		return s.record(ctx, tx, "loyalty.tier.update", "loyalty_tier", t.ID, in, EventTierChanged, tierEvent(programID, t))
	})
	if err != nil {
		return Tier{}, fmt.Errorf("loyalty: update tier: %w", err)
	}
	return t, nil
}

// DeleteTier removes a tier no member holds. Errors: not_found, conflict (members
// hold it), unauthorized, forbidden.
func (s *Service) DeleteTier(ctx context.Context, programID, tierID string) error {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring loyalty tiers")
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := deleteTierRow(ctx, tx, p.TenantID, programID, tierID); err != nil {
			return err
		}
		return s.record(ctx, tx, "loyalty.tier.delete", "loyalty_tier", tierID, nil, EventTierChanged, TierEvent{ProgramID: programID, ID: tierID, Deleted: true})
	})
	if err != nil {
		return fmt.Errorf("loyalty: delete tier: %w", err)
	}
	return nil
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
		prog, err := getProgram(ctx, tx, p.TenantID, programID, "")
		if err != nil {
			return err
		}
		if prog.Status != ProgramActive {
			return errs.E(errs.Conflict, "program %s is inactive", prog.Code)
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
	m := Member{ProgramID: prog.ID, CustomerID: customerID, Source: source, EnrolledAt: now, UpdatedAt: now}
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

// RedeemRequest spends points.
type RedeemRequest struct {
	Points    int64
	StoreID   string // where; required for a caller scoped narrower than the tenant
	OrderID   string // the order the points pay towards, if any
	Reference string // the caller's id: redeeming again with it returns the first entry
}

// Redeem spends any number of available points, oldest lots first, all or nothing.
// Concurrent redemptions of one member are serialised on its row, so the balance
// never goes negative. Errors: invalid (body.points, body.store_id), insufficient
// (ErrInsufficientPoints), not_found (program, customer, membership, store),
// conflict (program inactive, or the reference already redeemed another amount),
// unauthorized, forbidden.
func (s *Service) Redeem(ctx context.Context, programID, customerID string, r RedeemRequest) (Entry, error) {
	p, err := requireAny(ctx, auth.LoyaltyRedeem, auth.LoyaltyWrite)
	if err != nil {
		return Entry{}, err
	}
	switch {
	case r.Points < 1 || r.Points > 1_000_000_000:
		return Entry{}, errs.Field("body.points", "1 to 1000000000")
	case len(r.Reference) > 64:
		return Entry{}, errs.Field("body.reference", "at most 64 bytes")
	case p.DataScope != auth.TenantScope && r.StoreID == "":
		return Entry{}, errs.Field("body.store_id", "required: the store the points are redeemed at")
	}
	if r.StoreID != "" {
		if err := s.deps.Stores.StoreExists(ctx, r.StoreID); err != nil {
			return Entry{}, fmt.Errorf("loyalty: redeem: %w", err)
		}
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return Entry{}, fmt.Errorf("loyalty: redeem: %w", err)
	}
	var e Entry
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		e = Entry{ID: ids.New(), ProgramID: programID, CustomerID: live, Kind: EntryRedeem, Points: -r.Points, OrderID: r.OrderID,
			StoreID: r.StoreID, Actor: p.ID, CreatedAt: s.now()}
		// A reference makes the redemption replayable; without one each call is new.
		key := "redeem:" + e.ID
		if r.Reference != "" {
			key = "redeem:" + programID + ":" + live + ":" + r.Reference
		}
		prog, err := getProgram(ctx, tx, p.TenantID, programID, "")
		if err != nil {
			return err
		}
		if prog.Status != ProgramActive {
			return errs.E(errs.Conflict, "program %s is inactive", prog.Code)
		}
		if _, err := getMember(ctx, tx, p.TenantID, programID, live, s.db.Dialect.ForUpdate()); err != nil {
			return err
		}
		if r.Reference != "" {
			if prev, err := entryBySource(ctx, tx, p.TenantID, key); err == nil {
				if prev.Points != -r.Points {
					return &errs.Error{Code: errs.Conflict, Field: "body.reference", Message: fmt.Sprintf("reference %s already redeemed %d points", r.Reference, -prev.Points)}
				}
				e = prev
				return nil
			} else if !errs.Is(err, errs.NotFound) {
				return err
			}
		}
		e.SourceKey = key
		if err := s.take(ctx, tx, p.TenantID, &e, r.Points, "", true); err != nil {
			return err
		}
		return s.publishEntry(ctx, tx, p.TenantID, EventPointsRedeemed, e)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("loyalty: redeem: %w", err)
	}
	return e, nil
}

// AdjustRequest corrects a member's points by hand.
type AdjustRequest struct {
	Points int64 // positive adds a lot (expiring by the program's policy); negative takes, oldest first
	Reason string
}

// Adjust posts a manual correction with its reason, audited. A negative adjustment
// never takes more than is available. Errors: invalid (body.points, body.reason),
// insufficient, not_found, unauthorized, forbidden (loyalty:write).
func (s *Service) Adjust(ctx context.Context, programID, customerID string, r AdjustRequest) (Entry, error) {
	p, err := auth.Require(ctx, auth.LoyaltyWrite)
	if err != nil {
		return Entry{}, err
	}
	switch {
	case r.Points == 0 || r.Points > 1_000_000_000 || r.Points < -1_000_000_000:
		return Entry{}, errs.Field("body.points", "a non-zero number of points, at most 1000000000 either way")
	case r.Reason == "" || len(r.Reason) > 500:
		return Entry{}, errs.Field("body.reason", "1 to 500 bytes: why the points change")
	}
	live, err := s.liveCustomer(ctx, customerID, "path.customer_id")
	if err != nil {
		return Entry{}, fmt.Errorf("loyalty: adjust: %w", err)
	}
	now := s.now()
	e := Entry{ID: ids.New(), ProgramID: programID, CustomerID: live, Kind: EntryAdjust, Points: r.Points, Reason: r.Reason, Actor: p.ID, CreatedAt: now}
	e.SourceKey = "adjust:" + e.ID
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		prog, err := getProgram(ctx, tx, p.TenantID, programID, "")
		if err != nil {
			return err
		}
		if _, err := getMember(ctx, tx, p.TenantID, programID, live, s.db.Dialect.ForUpdate()); err != nil {
			return err
		}
		if r.Points > 0 {
			err = s.addLot(ctx, tx, p.TenantID, e, now, prog.expiry(now, s.zone(prog.TimeZone)))
		} else {
			err = s.take(ctx, tx, p.TenantID, &e, -r.Points, "", true)
		}
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "loyalty.points.adjust", ResourceType: "loyalty_member",
			ResourceID: programID + "/" + live, Changes: map[string]any{"points": r.Points, "reason": r.Reason, "entry_id": e.ID}}); err != nil {
			return err
		}
		return s.publishEntry(ctx, tx, p.TenantID, EventPointsAdjusted, e)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("loyalty: adjust: %w", err)
	}
	return e, nil
}

// addLot posts e (positive) as a new lot available from availableAt.
func (s *Service) addLot(ctx context.Context, tx *sql.Tx, tenantID string, e Entry, availableAt, expiresAt time.Time) error {
	if err := insertEntry(ctx, tx, tenantID, e); err != nil {
		return err
	}
	lot := Lot{ID: ids.New(), ProgramID: e.ProgramID, CustomerID: e.CustomerID, EntryID: e.ID, Points: e.Points, Remaining: e.Points,
		AvailableAt: availableAt, ExpiresAt: expiresAt, OrderID: e.OrderID, CreatedAt: e.CreatedAt}
	if err := insertLot(ctx, tx, tenantID, lot); err != nil {
		return err
	}
	return insertAllocation(ctx, tx, tenantID, e.ID, lot.ID, e.Points)
}

// take posts e, taking points from the member's lots: from firstLot first (a
// reversal takes from the order's own lot, pending or not), then from the available
// unexpired lots, oldest first. All or nothing when strict (ErrInsufficientPoints);
// otherwise it takes what there is and e records the shortfall. The member row must
// be locked in tx.
func (s *Service) take(ctx context.Context, tx *sql.Tx, tenantID string, e *Entry, points int64, firstLot string, strict bool) error {
	lots, err := takeableLots(ctx, tx, e.ProgramID, e.CustomerID, firstLot, s.now())
	if err != nil {
		return err
	}
	var avail int64
	for _, l := range lots {
		avail += l.Remaining
	}
	if avail < points {
		if strict {
			return ErrInsufficientPoints
		}
		e.Shortfall = points - avail
		points = avail
		e.Points = -points
	}
	if err := insertEntry(ctx, tx, tenantID, *e); err != nil {
		return err
	}
	left := points
	for _, l := range lots {
		if left == 0 {
			break
		}
		n := min(left, l.Remaining)
		if err := consumeLot(ctx, tx, l.ID, n); err != nil {
			return err
		}
		if err := insertAllocation(ctx, tx, tenantID, e.ID, l.ID, -n); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// SweepExpired posts the expiry of up to limit lots whose expiry has passed, in
// every tenant, each in its own transaction keyed on the lot (source key
// expire:<lot>), so a sweep stopped half-way and run again, or two sweeps at once,
// expire each lot exactly once. It returns the lots expired.
func (s *Service) SweepExpired(ctx context.Context, limit int) (int, error) {
	now := s.now()
	due, err := dueLots(ctx, s.db.Reader(), now, limit)
	if err != nil {
		return 0, fmt.Errorf("loyalty: sweep expired: %w", err)
	}
	n := 0
	for _, d := range due {
		done, err := s.expireLot(ctx, d, now)
		if err != nil {
			return n, fmt.Errorf("loyalty: sweep expired lot %s: %w", d.ID, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}

// expireLot expires what is left of one lot, unless another sweep did.
func (s *Service) expireLot(ctx context.Context, d dueLot, now time.Time) (bool, error) {
	done := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		done = false
		if _, err := getMember(ctx, tx, d.TenantID, d.ProgramID, d.CustomerID, s.db.Dialect.ForUpdate()); err != nil {
			return err
		}
		key := "expire:" + d.ID
		if _, err := entryBySource(ctx, tx, d.TenantID, key); err == nil {
			return nil
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		remaining, err := lotRemaining(ctx, tx, d.ID)
		if err != nil || remaining == 0 {
			return err
		}
		e := Entry{ID: ids.New(), ProgramID: d.ProgramID, CustomerID: d.CustomerID, Kind: EntryExpire, Points: -remaining,
			SourceKey: key, Actor: "system", CreatedAt: now}
		if err := insertEntry(ctx, tx, d.TenantID, e); err != nil {
			return err
		}
		if err := consumeLot(ctx, tx, d.ID, remaining); err != nil {
			return err
		}
		if err := insertAllocation(ctx, tx, d.TenantID, e.ID, d.ID, -remaining); err != nil {
			return err
		}
		done = true
		return s.publishEntry(ctx, tx, d.TenantID, EventPointsExpired, e)
	})
	return done, err
}

// Reconcile checks the ledger of a member: the entries sum to the lots' remaining,
// each lot's remaining is its allocations' sum and none is negative. It returns the
// balance. Errors: internal (with the difference) when the ledger does not add up.
func (s *Service) Reconcile(ctx context.Context, tenantID, programID, customerID string) (int64, error) {
	q := s.db.Reader()
	var entries, lots, allocs int64
	var broken int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(SUM(points), 0) FROM loyalty_entries WHERE tenant_id = $1 AND program_id = $2 AND customer_id = $3),
		(SELECT COALESCE(SUM(remaining), 0) FROM loyalty_lots WHERE program_id = $2 AND customer_id = $3),
		(SELECT COALESCE(SUM(a.points), 0) FROM loyalty_entry_lots a JOIN loyalty_lots l ON l.id = a.lot_id WHERE l.program_id = $2 AND l.customer_id = $3),
		(SELECT COUNT(*) FROM loyalty_lots l WHERE l.program_id = $2 AND l.customer_id = $3 AND
			l.remaining <> (SELECT COALESCE(SUM(a.points), 0) FROM loyalty_entry_lots a WHERE a.lot_id = l.id))`,
		tenantID, programID, customerID).Scan(&entries, &lots, &allocs, &broken)
	if err != nil {
		return 0, fmt.Errorf("loyalty: reconcile: %w", err)
	}
	if entries != lots || lots != allocs || broken != 0 || entries < 0 {
		return entries, errs.E(errs.Internal, "ledger of %s does not reconcile: entries %d, lots %d, allocations %d, lots off %d",
			customerID, entries, lots, allocs, broken)
	}
	return entries, nil
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
