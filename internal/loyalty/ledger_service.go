package loyalty

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

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
		if _, err := activeProgram(ctx, tx, p.TenantID, programID); err != nil {
			return err
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
