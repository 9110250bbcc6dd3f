package loyalty

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

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
		if next.Evaluation.schedule() != cur.Evaluation.schedule() || (next.Evaluation.Kind == EvaluateAnnual && next.TimeZone != cur.TimeZone) {
			if err := s.restartPeriods(ctx, tx, next); err != nil {
				return err
			}
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
	t := Tier{ID: ids.New(), ProgramID: programID, Code: in.Code, Name: in.Name, Threshold: in.Threshold, MultiplierBP: in.MultiplierBP,
		Retention: in.Retention}
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
	t := Tier{ID: tierID, ProgramID: programID, Code: in.Code, Name: in.Name, Threshold: in.Threshold, MultiplierBP: in.MultiplierBP,
		Retention: in.Retention}
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
