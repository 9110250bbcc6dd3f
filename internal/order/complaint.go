package order

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// OpenComplaint opens an after-sales case (售后) on an order, due for an answer
// within the configured response time (24 h by default). Errors: invalid
// (body.kind, body.description), not_found, unauthorized, forbidden.
func (s *Service) OpenComplaint(ctx context.Context, orderID, kind, description string) (Complaint, error) {
	if !slices.Contains(ComplaintKinds(), kind) {
		return Complaint{}, errs.Field("body.kind", "one of %s", strings.Join(ComplaintKinds(), ", "))
	}
	if strings.TrimSpace(description) == "" || len(description) > 2000 {
		return Complaint{}, errs.Field("body.description", "say what happened, in at most 2000 bytes")
	}
	var out Complaint
	_, err := s.update(ctx, orderID, func(tx *sql.Tx, p *auth.Principal, o *Order) error {
		now := s.now()
		out = Complaint{ID: ids.New(), OrderID: o.ID, Kind: kind, Description: description, Status: ComplaintOpen,
			DueAt: now.Add(s.cfg.ComplaintResponse), CreatedAt: now, UpdatedAt: now}
		if err := insertComplaint(ctx, tx, o.TenantID, out); err != nil {
			return err
		}
		if err := s.addTimeline(ctx, tx, o, TimelineEntry{Kind: "complaint", From: o.Status, To: o.Status, Note: kind, Actor: p.ID}); err != nil {
			return err
		}
		return s.publish(ctx, tx, *o, EventComplaintOpened, kind)
	})
	if err != nil {
		return Complaint{}, fmt.Errorf("order: open complaint: %w", err)
	}
	return out, nil
}

// UpdateComplaint answers (responded) or closes (resolved, with a resolution) an
// after-sales case; a resolved case stays resolved. Errors: invalid (body.status,
// body.resolution), conflict (already resolved), not_found, unauthorized, forbidden.
func (s *Service) UpdateComplaint(ctx context.Context, id string, status ComplaintStatus, resolution string) (Complaint, error) {
	p, err := writer(ctx)
	if err != nil {
		return Complaint{}, err
	}
	if status != ComplaintResponded && status != ComplaintResolved {
		return Complaint{}, errs.Field("body.status", "must be responded or resolved")
	}
	if strings.TrimSpace(resolution) == "" || len(resolution) > 2000 {
		return Complaint{}, errs.Field("body.resolution", "say what was answered or done, in at most 2000 bytes")
	}
	c, err := getComplaint(ctx, s.db.Reader(), p.TenantID, id, "")
	if err != nil {
		return Complaint{}, fmt.Errorf("order: update complaint: %w", err)
	}
	_, err = s.update(ctx, c.OrderID, func(tx *sql.Tx, p *auth.Principal, o *Order) error {
		c, err = getComplaint(ctx, tx, p.TenantID, id, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		if c.Status == ComplaintResolved {
			return errs.E(errs.Conflict, "complaint %s is resolved", id)
		}
		c.Status, c.Resolution, c.UpdatedAt = status, resolution, s.now()
		if err := updateComplaint(ctx, tx, p.TenantID, c); err != nil {
			return err
		}
		if err := s.addTimeline(ctx, tx, o, TimelineEntry{Kind: "complaint_" + string(status), From: o.Status, To: o.Status, Note: resolution, Actor: p.ID}); err != nil {
			return err
		}
		if status == ComplaintResolved {
			return s.publish(ctx, tx, *o, EventComplaintClosed, resolution)
		}
		return nil
	})
	if err != nil {
		return Complaint{}, fmt.Errorf("order: update complaint: %w", err)
	}
	return c, nil
}
