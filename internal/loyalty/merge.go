package loyalty

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// mergeSubscriber is the durable name of the subscription to One ID merges.
const mergeSubscriber = "loyalty.customer-merge"

// onMerged moves the points, growth and order earns of the customers One ID merged
// into the survivor, program by program: once merged, every read, earn and
// redemption resolves to the survivor, so points left on the absorbed id would be
// lost to the shopper. The move is posted, not rewritten: a transfer entry takes
// every lot of the absorbed member to zero and a transfer entry on the survivor adds
// lots with the same points, availability and expiry. The survivor joins a program
// it was not in; its growth is the sum and its tier moves up if that reaches one.
// Idempotent by event id and by source key. An unmerge leaves the points with the
// survivor (docs/loyalty.md).
func (s *Service) onMerged(ctx context.Context, e events.Event) error {
	var ev identity.CustomerMergedEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("loyalty: customer merged %s: %w", e.ID, err)
	}
	ctx = auth.WithPrincipal(ctx, auth.System(e.TenantID))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		first, err := events.MarkProcessed(ctx, tx, s.now(), mergeSubscriber, e.ID)
		if err != nil || !first {
			return err
		}
		for _, absorbed := range ev.Absorbed {
			if absorbed == ev.SurvivorID {
				continue
			}
			members, err := findMembersOf(ctx, tx, e.TenantID, absorbed)
			if err != nil {
				return err
			}
			for _, m := range members {
				if err := s.transfer(ctx, tx, e, m, ev.SurvivorID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("loyalty: customer merged %s: %w", ev.SurvivorID, err)
	}
	return nil
}

// transfer moves member from's points, growth and order earns to survivor in from's
// program. The survivor's row is locked before the absorbed one's (a redemption
// locks one member only, so the order cannot deadlock with it).
func (s *Service) transfer(ctx context.Context, tx *sql.Tx, e events.Event, from Member, survivor string) error {
	prog, err := getProgram(ctx, tx, e.TenantID, from.ProgramID, "")
	if err != nil {
		return err
	}
	to, _, err := s.join(ctx, tx, prog, survivor, from.Source)
	if err != nil {
		return err
	}
	from, err = lockMember(ctx, tx, s.db.Dialect, e.TenantID, from.ProgramID, from.CustomerID)
	if err != nil {
		return err
	}
	key := "transfer:" + e.ID + ":" + from.ProgramID + ":" + from.CustomerID
	if _, err := entryBySource(ctx, tx, e.TenantID, key+":out"); err == nil {
		return nil
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	lots, err := lotsWithPoints(ctx, tx, from.ProgramID, from.CustomerID)
	if err != nil {
		return err
	}
	var total int64
	for _, l := range lots {
		total += l.Remaining
	}
	now := s.now()
	out := Entry{ID: ids.New(), ProgramID: from.ProgramID, CustomerID: from.CustomerID, Kind: EntryTransfer, Points: -total,
		SourceKey: key + ":out", Reason: "merged into " + survivor, Actor: "system", CreatedAt: now}
	in := Entry{ID: ids.New(), ProgramID: from.ProgramID, CustomerID: survivor, Kind: EntryTransfer, Points: total,
		SourceKey: key + ":in", Reason: "merged from " + from.CustomerID, Actor: "system", CreatedAt: now}
	if err := insertEntry(ctx, tx, e.TenantID, out); err != nil {
		return err
	}
	if err := insertEntry(ctx, tx, e.TenantID, in); err != nil {
		return err
	}
	for _, l := range lots {
		if err := consumeLot(ctx, tx, l.ID, l.Remaining); err != nil {
			return err
		}
		if err := insertAllocation(ctx, tx, e.TenantID, out.ID, l.ID, -l.Remaining); err != nil {
			return err
		}
		moved := Lot{ID: ids.New(), ProgramID: l.ProgramID, CustomerID: survivor, EntryID: in.ID, Points: l.Remaining, Remaining: l.Remaining,
			AvailableAt: l.AvailableAt, ExpiresAt: l.ExpiresAt, OrderID: l.OrderID, CreatedAt: now}
		if err := insertLot(ctx, tx, e.TenantID, moved); err != nil {
			return err
		}
		if err := insertAllocation(ctx, tx, e.TenantID, in.ID, moved.ID, l.Remaining); err != nil {
			return err
		}
	}
	// A later return of the absorbed customer's orders reverses from the survivor.
	if _, err := tx.ExecContext(ctx, `UPDATE loyalty_order_earns SET customer_id = $1 WHERE tenant_id = $2 AND program_id = $3 AND customer_id = $4`,
		survivor, e.TenantID, from.ProgramID, from.CustomerID); err != nil {
		return fmt.Errorf("move order earns: %w", err)
	}
	// The survivor inherits the absorbed customer's action credits, so a lifetime
	// cap (a profile completed once) holds for the person, not for each id. A credit
	// whose reference the survivor has too (both signed in on one day) stays behind.
	if _, err := tx.ExecContext(ctx, `UPDATE loyalty_action_credits SET customer_id = $1
		WHERE tenant_id = $2 AND program_id = $3 AND customer_id = $4 AND NOT EXISTS (SELECT 1 FROM loyalty_action_credits kept
			WHERE kept.program_id = $3 AND kept.customer_id = $1 AND kept.action = loyalty_action_credits.action
			AND kept.reference = loyalty_action_credits.reference)`,
		survivor, e.TenantID, from.ProgramID, from.CustomerID); err != nil {
		return fmt.Errorf("move action credits: %w", err)
	}
	growth := from.Growth
	from.Growth = 0
	if err := updateMember(ctx, tx, from, now); err != nil {
		return err
	}
	if err := s.grow(ctx, tx, e.TenantID, prog, to, growth); err != nil {
		return err
	}
	if err := s.publishEntry(ctx, tx, e.TenantID, EventPointsTransferred, out); err != nil {
		return err
	}
	return s.publishEntry(ctx, tx, e.TenantID, EventPointsTransferred, in)
}
