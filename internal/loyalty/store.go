package loyalty

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return clock.Millis(t)
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return clock.FromMillis(ms)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("loyalty: encode %T: %v", v, err)) // only slices of plain values are encoded
	}
	return string(b)
}

// programOf builds a program from its input.
func programOf(id, tenantID string, in ProgramInput, created, updated time.Time) Program {
	brands := in.BrandIDs
	if brands == nil {
		brands = []string{}
	}
	cats := in.ExcludedCategories
	if cats == nil {
		cats = []string{}
	}
	days := in.MemberDays
	if days == nil {
		days = []MemberDay{}
	}
	actions := in.ActionRules
	if actions == nil {
		actions = []ActionRule{}
	}
	return Program{ID: id, TenantID: tenantID, Code: in.Code, Name: in.Name, Status: in.Status, BrandIDs: brands,
		PointsPerYuan: in.PointsPerYuan, GrowthPerYuan: in.GrowthPerYuan, GrowthPerOrder: in.GrowthPerOrder, MaxPointsPerOrder: in.MaxPointsPerOrder,
		ExcludedCategories: cats, MemberDays: days, PendingDays: in.PendingDays, ExpiryKind: in.ExpiryKind,
		ExpiryDays: in.ExpiryDays, TimeZone: in.TimeZone, AutoEnrol: in.AutoEnrol, Evaluation: in.Evaluation, ActionRules: actions, Tiers: []Tier{}, CreatedAt: created,
		UpdatedAt: updated}
}

func conflictIfUnique(err error, format string, args ...any) error {
	if db.IsUniqueViolation(err) {
		return errors.Join(errs.E(errs.Conflict, format, args...), err)
	}
	return err
}

func insertProgram(ctx context.Context, tx *sql.Tx, p Program) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_programs (id, tenant_id, code, name, status, brand_ids, points_per_yuan, growth_per_yuan,
		max_points_per_order, excluded_categories, member_days, pending_days, expiry_kind, expiry_days, time_zone, auto_enrol, created_at, updated_at,
		evaluation_kind, evaluation_month, evaluation_day, evaluation_months, max_drop, growth_at_period_end, growth_per_order, action_rules)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
		p.ID, p.TenantID, p.Code, p.Name, p.Status, jsonText(p.BrandIDs), p.PointsPerYuan, p.GrowthPerYuan, p.MaxPointsPerOrder,
		jsonText(p.ExcludedCategories), jsonText(p.MemberDays), p.PendingDays, p.ExpiryKind, p.ExpiryDays, p.TimeZone, p.AutoEnrol,
		millis(p.CreatedAt), millis(p.UpdatedAt), p.Evaluation.Kind, p.Evaluation.Month, p.Evaluation.Day, p.Evaluation.Months,
		p.Evaluation.MaxDrop, p.Evaluation.GrowthAtEnd, p.GrowthPerOrder, jsonText(p.ActionRules))
	if err != nil {
		return fmt.Errorf("insert program: %w", conflictIfUnique(err, "a program with code %s exists", p.Code))
	}
	return nil
}

func updateProgramRow(ctx context.Context, tx *sql.Tx, p Program) error {
	_, err := tx.ExecContext(ctx, `UPDATE loyalty_programs SET code = $1, name = $2, status = $3, brand_ids = $4, points_per_yuan = $5,
		growth_per_yuan = $6, max_points_per_order = $7, excluded_categories = $8, member_days = $9, pending_days = $10, expiry_kind = $11,
		expiry_days = $12, time_zone = $13, auto_enrol = $14, updated_at = $15, evaluation_kind = $18, evaluation_month = $19,
		evaluation_day = $20, evaluation_months = $21, max_drop = $22, growth_at_period_end = $23, growth_per_order = $24, action_rules = $25 WHERE tenant_id = $16 AND id = $17`,
		p.Code, p.Name, p.Status, jsonText(p.BrandIDs), p.PointsPerYuan, p.GrowthPerYuan, p.MaxPointsPerOrder, jsonText(p.ExcludedCategories),
		jsonText(p.MemberDays), p.PendingDays, p.ExpiryKind, p.ExpiryDays, p.TimeZone, p.AutoEnrol, millis(p.UpdatedAt), p.TenantID, p.ID,
		p.Evaluation.Kind, p.Evaluation.Month, p.Evaluation.Day, p.Evaluation.Months, p.Evaluation.MaxDrop, p.Evaluation.GrowthAtEnd,
		p.GrowthPerOrder, jsonText(p.ActionRules))
	if err != nil {
		return fmt.Errorf("update program: %w", conflictIfUnique(err, "a program with code %s exists", p.Code))
	}
	return nil
}

const programColumns = `id, tenant_id, code, name, status, brand_ids, points_per_yuan, growth_per_yuan, max_points_per_order,
	excluded_categories, member_days, pending_days, expiry_kind, expiry_days, time_zone, auto_enrol, created_at, updated_at,
	evaluation_kind, evaluation_month, evaluation_day, evaluation_months, max_drop, growth_at_period_end, growth_per_order, action_rules`

func scanProgram(sc interface{ Scan(...any) error }) (Program, error) {
	var p Program
	var brands, cats, days, actions string
	var created, updated int64
	err := sc.Scan(&p.ID, &p.TenantID, &p.Code, &p.Name, &p.Status, &brands, &p.PointsPerYuan, &p.GrowthPerYuan, &p.MaxPointsPerOrder,
		&cats, &days, &p.PendingDays, &p.ExpiryKind, &p.ExpiryDays, &p.TimeZone, &p.AutoEnrol, &created, &updated, &p.Evaluation.Kind,
		&p.Evaluation.Month, &p.Evaluation.Day, &p.Evaluation.Months, &p.Evaluation.MaxDrop, &p.Evaluation.GrowthAtEnd, &p.GrowthPerOrder, &actions)
	if err != nil {
		return Program{}, err
	}
	if err := errors.Join(json.Unmarshal([]byte(brands), &p.BrandIDs), json.Unmarshal([]byte(cats), &p.ExcludedCategories),
		json.Unmarshal([]byte(days), &p.MemberDays), json.Unmarshal([]byte(actions), &p.ActionRules)); err != nil {
		return Program{}, fmt.Errorf("decode program %s: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt, p.Tiers = fromMillis(created), fromMillis(updated), []Tier{}
	return p, nil
}

// activeProgram reads a program that earns and redeems; an inactive one is a
// conflict (members are enrolled, credited and redeem only in active programs).
func activeProgram(ctx context.Context, tx *sql.Tx, tenantID, id string) (Program, error) {
	prog, err := getProgram(ctx, tx, tenantID, id, "")
	if err != nil {
		return Program{}, err
	}
	if prog.Status != ProgramActive {
		return Program{}, errs.E(errs.Conflict, "program %s is inactive", prog.Code)
	}
	return prog, nil
}

// getProgram reads a program with its tiers (sorted by threshold); lock is "" or
// the dialect's FOR UPDATE.
func getProgram(ctx context.Context, q db.Querier, tenantID, id, lock string) (Program, error) {
	p, err := scanProgram(q.QueryRowContext(ctx, `SELECT `+programColumns+` FROM loyalty_programs WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Program{}, errs.E(errs.NotFound, "program %s not found", id)
	} else if err != nil {
		return Program{}, fmt.Errorf("read program: %w", err)
	}
	tiers, err := findTiers(ctx, q, tenantID, []string{id})
	if err != nil {
		return Program{}, err
	}
	p.Tiers = append(p.Tiers, tiers[id]...)
	return p, nil
}

// findPrograms reads every program of the tenant with its tiers, by code.
func findPrograms(ctx context.Context, q db.Querier, tenantID string) ([]Program, error) {
	var out []Program
	err := db.EachRow(ctx, q, `SELECT `+programColumns+` FROM loyalty_programs WHERE tenant_id = $1 ORDER BY code`, []any{tenantID},
		func(rows *sql.Rows) error {
			p, err := scanProgram(rows)
			out = append(out, p)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read programs: %w", err)
	}
	idsOf := make([]string, len(out))
	for i, p := range out {
		idsOf[i] = p.ID
	}
	tiers, err := findTiers(ctx, q, tenantID, idsOf)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Tiers = append(out[i].Tiers, tiers[out[i].ID]...)
	}
	return out, nil
}

// programFor picks brandID's active program among all, else the active shared one.
// Errors: not_found.
func programFor(all []Program, brandID string) (Program, error) {
	var shared *Program
	for i, p := range all {
		if p.Status != ProgramActive {
			continue
		}
		if brandID != "" && slices.Contains(p.BrandIDs, brandID) {
			return p, nil
		}
		if len(p.BrandIDs) == 0 {
			shared = &all[i]
		}
	}
	if shared == nil {
		return Program{}, errs.E(errs.NotFound, "no program covers brand %s", brandID)
	}
	return *shared, nil
}

func findTiers(ctx context.Context, q db.Querier, tenantID string, programIDs []string) (map[string][]Tier, error) {
	out := map[string][]Tier{}
	if len(programIDs) == 0 {
		return out, nil
	}
	// A plain IN ($2, $3, …) list, which both engines take: a tenant has a handful of
	// programs, not worth the dialect's array form.
	args := []any{tenantID}
	in := " IN (" + db.Placeholders(&args, programIDs) + ")"
	err := db.EachRow(ctx, q, `SELECT id, program_id, code, name, threshold, multiplier_bp, retention_threshold FROM loyalty_tiers
		WHERE tenant_id = $1 AND program_id`+in+` ORDER BY threshold, id`, args, func(rows *sql.Rows) error {
		var t Tier
		var retention sql.NullInt64
		if err := rows.Scan(&t.ID, &t.ProgramID, &t.Code, &t.Name, &t.Threshold, &t.MultiplierBP, &retention); err != nil {
			return err
		}
		if retention.Valid {
			t.Retention = &retention.Int64
		}
		out[t.ProgramID] = append(out[t.ProgramID], t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read tiers: %w", err)
	}
	return out, nil
}

func insertTier(ctx context.Context, tx *sql.Tx, tenantID string, t Tier, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_tiers (id, tenant_id, program_id, code, name, threshold, multiplier_bp, created_at, updated_at,
		retention_threshold) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`, t.ID, tenantID, t.ProgramID, t.Code, t.Name, t.Threshold,
		t.MultiplierBP, millis(now), nullable(t.Retention))
	if err != nil {
		return fmt.Errorf("insert tier: %w", conflictIfUnique(err, "the program has a tier with code %s or threshold %d", t.Code, t.Threshold))
	}
	return nil
}

func updateTierRow(ctx context.Context, tx *sql.Tx, tenantID string, t Tier, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE loyalty_tiers SET code = $1, name = $2, threshold = $3, multiplier_bp = $4, updated_at = $5,
		retention_threshold = $9 WHERE tenant_id = $6 AND program_id = $7 AND id = $8`, t.Code, t.Name, t.Threshold, t.MultiplierBP, millis(now),
		tenantID, t.ProgramID, t.ID, nullable(t.Retention))
	if err != nil {
		return fmt.Errorf("update tier: %w", conflictIfUnique(err, "the program has a tier with code %s or threshold %d", t.Code, t.Threshold))
	}
	return mustAffect(res, "tier %s not found", t.ID)
}

func deleteTierRow(ctx context.Context, tx *sql.Tx, tenantID, programID, tierID string) error {
	var held int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loyalty_members WHERE program_id = $1 AND tier_id = $2`, programID, tierID).Scan(&held); err != nil {
		return fmt.Errorf("count tier members: %w", err)
	}
	if held > 0 {
		return errs.E(errs.Conflict, "%d members hold tier %s", held, tierID)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM loyalty_tiers WHERE tenant_id = $1 AND program_id = $2 AND id = $3`, tenantID, programID, tierID)
	if err != nil {
		return fmt.Errorf("delete tier: %w", err)
	}
	return mustAffect(res, "tier %s not found", tierID)
}

// nullable is v for a nullable column: NULL when nil.
func nullable(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

func mustAffect(res sql.Result, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, format, args...)
	}
	return nil
}

// insertMember adds m unless the customer is a member; it reports whether it did.
func insertMember(ctx context.Context, tx *sql.Tx, tenantID string, m Member) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO loyalty_members (tenant_id, program_id, customer_id, tier_id, growth, source, enrolled_at, updated_at,
		period_start, tier_since, valid_until) VALUES ($1, $2, $3, $4, 0, $5, $6, $6, $6, $6, $7) ON CONFLICT (program_id, customer_id) DO NOTHING`,
		tenantID, m.ProgramID, m.CustomerID, m.TierID, m.Source, millis(m.EnrolledAt), millis(m.ValidUntil))
	if err != nil {
		return false, fmt.Errorf("insert member: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const memberColumns = `program_id, customer_id, tier_id, growth, source, enrolled_at, updated_at, period_growth, period_start, tier_since, valid_until`

func scanMember(sc interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var enrolled, updated, start, since, until int64
	err := sc.Scan(&m.ProgramID, &m.CustomerID, &m.TierID, &m.Growth, &m.Source, &enrolled, &updated, &m.PeriodGrowth, &start, &since, &until)
	m.EnrolledAt, m.UpdatedAt = fromMillis(enrolled), fromMillis(updated)
	m.PeriodStart, m.TierSince, m.ValidUntil = fromMillis(start), fromMillis(since), fromMillis(until)
	return m, err
}

// getMember reads a membership; lock is "" or FOR UPDATE: the member row is the lock
// every posting of its points takes. Errors: not_found.
func getMember(ctx context.Context, q db.Querier, tenantID, programID, customerID, lock string) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM loyalty_members
		WHERE tenant_id = $1 AND program_id = $2 AND customer_id = $3`+lock, tenantID, programID, customerID))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, errs.E(errs.NotFound, "customer %s is not a member of program %s", customerID, programID)
	} else if err != nil {
		return Member{}, fmt.Errorf("read member: %w", err)
	}
	return m, nil
}

func lockMember(ctx context.Context, tx *sql.Tx, d db.Dialect, tenantID, programID, customerID string) (Member, error) {
	return getMember(ctx, tx, tenantID, programID, customerID, d.ForUpdate())
}

func findMembersOf(ctx context.Context, q db.Querier, tenantID, customerID string) ([]Member, error) {
	var out []Member
	err := db.EachRow(ctx, q, `SELECT `+memberColumns+` FROM loyalty_members WHERE tenant_id = $1 AND customer_id = $2 ORDER BY enrolled_at, program_id`,
		[]any{tenantID, customerID}, func(rows *sql.Rows) error {
			m, err := scanMember(rows)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read memberships: %w", err)
	}
	return out, nil
}

func updateMember(ctx context.Context, tx *sql.Tx, m Member, now time.Time) error {
	return updateMemberPeriod(ctx, tx, m, now)
}

// updateMemberPeriod writes a member's tier, growth and evaluation period.
func updateMemberPeriod(ctx context.Context, tx *sql.Tx, m Member, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE loyalty_members SET tier_id = $1, growth = $2, updated_at = $3, period_growth = $6,
		period_start = $7, tier_since = $8, valid_until = $9 WHERE program_id = $4 AND customer_id = $5`,
		m.TierID, m.Growth, millis(now), m.ProgramID, m.CustomerID, m.PeriodGrowth, millis(m.PeriodStart), millis(m.TierSince), millis(m.ValidUntil))
	if err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	return nil
}

// dueMembers returns up to limit members, of every tenant, whose period ended by now.
func dueMembers(ctx context.Context, q db.Querier, now time.Time, limit int) ([]dueMember, error) {
	var out []dueMember
	err := db.EachRow(ctx, q, `SELECT tenant_id, program_id, customer_id, valid_until FROM loyalty_members
		WHERE valid_until > 0 AND valid_until <= $1 ORDER BY valid_until, program_id, customer_id LIMIT $2`, []any{millis(now), limit},
		func(rows *sql.Rows) error {
			var d dueMember
			var until int64
			err := rows.Scan(&d.TenantID, &d.ProgramID, &d.CustomerID, &until)
			d.ValidUntil = fromMillis(until)
			out = append(out, d)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read due members: %w", err)
	}
	return out, nil
}

// sumLots derives a member's balance from its lots at now.
func sumLots(ctx context.Context, q db.Querier, programID, customerID string, now time.Time) (Balance, error) {
	var b Balance
	at := millis(now)
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(remaining), 0),
		COALESCE(SUM(CASE WHEN available_at <= $3 AND (expires_at = 0 OR expires_at > $3) THEN remaining ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN available_at > $3 AND (expires_at = 0 OR expires_at > $3) THEN remaining ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN expires_at > 0 AND expires_at <= $3 THEN remaining ELSE 0 END), 0)
		FROM loyalty_lots WHERE program_id = $1 AND customer_id = $2 AND remaining > 0`, programID, customerID, at).
		Scan(&b.Total, &b.Available, &b.Pending, &b.Expiring)
	if err != nil {
		return Balance{}, fmt.Errorf("sum lots: %w", err)
	}
	return b, nil
}

const lotColumns = `id, program_id, customer_id, entry_id, points, remaining, available_at, expires_at, order_id, created_at`

func scanLot(sc interface{ Scan(...any) error }) (Lot, error) {
	var l Lot
	var avail, exp, created int64
	err := sc.Scan(&l.ID, &l.ProgramID, &l.CustomerID, &l.EntryID, &l.Points, &l.Remaining, &avail, &exp, &l.OrderID, &created)
	l.AvailableAt, l.ExpiresAt, l.CreatedAt = fromMillis(avail), fromMillis(exp), fromMillis(created)
	return l, err
}

func findLots(ctx context.Context, q db.Querier, programID, customerID string, limit int) ([]Lot, error) {
	out := []Lot{}
	err := db.EachRow(ctx, q, `SELECT `+lotColumns+` FROM loyalty_lots WHERE program_id = $1 AND customer_id = $2
		ORDER BY available_at DESC, id DESC LIMIT $3`, []any{programID, customerID, limit}, func(rows *sql.Rows) error {
		l, err := scanLot(rows)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read lots: %w", err)
	}
	return out, nil
}

// takeableLots returns the lots a posting may take from: firstLot (when it has points
// left and has not expired, available or still pending), then the available,
// unexpired lots with points left, oldest first.
func takeableLots(ctx context.Context, tx *sql.Tx, programID, customerID, firstLot string, now time.Time) ([]Lot, error) {
	var out []Lot
	at := millis(now)
	err := db.EachRow(ctx, tx, `SELECT `+lotColumns+` FROM loyalty_lots WHERE program_id = $1 AND customer_id = $2 AND remaining > 0
		AND (expires_at = 0 OR expires_at > $3) AND (available_at <= $3 OR id = $4)
		ORDER BY CASE WHEN id = $4 THEN 0 ELSE 1 END, available_at, id`, []any{programID, customerID, at, firstLot}, func(rows *sql.Rows) error {
		l, err := scanLot(rows)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read lots to take from: %w", err)
	}
	return out, nil
}

// lotsWithPoints returns every lot of a member with points left, oldest first.
func lotsWithPoints(ctx context.Context, tx *sql.Tx, programID, customerID string) ([]Lot, error) {
	var out []Lot
	err := db.EachRow(ctx, tx, `SELECT `+lotColumns+` FROM loyalty_lots WHERE program_id = $1 AND customer_id = $2 AND remaining > 0
		ORDER BY available_at, id`, []any{programID, customerID}, func(rows *sql.Rows) error {
		l, err := scanLot(rows)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read lots with points: %w", err)
	}
	return out, nil
}

func consumeLot(ctx context.Context, tx *sql.Tx, lotID string, n int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE loyalty_lots SET remaining = remaining - $1 WHERE id = $2 AND remaining >= $1`, n, lotID)
	if err != nil {
		return fmt.Errorf("take from lot %s: %w", lotID, err)
	}
	if err := mustAffect(res, "lot %s", lotID); err != nil {
		// The member lock makes this impossible; a broken invariant must not pass as not_found.
		return errs.E(errs.Internal, "lot %s has fewer points than the ledger took", lotID)
	}
	return nil
}

const entryColumns = `id, program_id, customer_id, kind, points, shortfall, source_key, order_id, store_id, reason, actor, created_at`

func scanEntry(sc interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var created int64
	err := sc.Scan(&e.ID, &e.ProgramID, &e.CustomerID, &e.Kind, &e.Points, &e.Shortfall, &e.SourceKey, &e.OrderID, &e.StoreID,
		&e.Reason, &e.Actor, &created)
	e.CreatedAt = fromMillis(created)
	return e, err
}

func insertEntry(ctx context.Context, tx *sql.Tx, tenantID string, e Entry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_entries (id, tenant_id, program_id, customer_id, kind, points, shortfall, source_key,
		order_id, store_id, reason, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.ID, tenantID, e.ProgramID, e.CustomerID, e.Kind, e.Points, e.Shortfall, e.SourceKey, e.OrderID, e.StoreID, e.Reason, e.Actor,
		millis(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert entry: %w", conflictIfUnique(err, "the posting %s was already made", e.SourceKey))
	}
	return nil
}

// entryBySource returns the posting with source key, or errs.NotFound.
func entryBySource(ctx context.Context, q db.Querier, tenantID, key string) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM loyalty_entries WHERE tenant_id = $1 AND source_key = $2`, tenantID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, errs.E(errs.NotFound, "no posting %s", key)
	} else if err != nil {
		return Entry{}, fmt.Errorf("read entry: %w", err)
	}
	return e, nil
}

// findEntries reads up to n postings of a member older than after, newest first.
func findEntries(ctx context.Context, q db.Querier, programID, customerID, after string, n int) ([]Entry, error) {
	args := []any{programID, customerID, n}
	cond := ""
	if after != "" {
		cond = ` AND id < $4`
		args = append(args, after)
	}
	out := []Entry{}
	err := db.EachRow(ctx, q, `SELECT `+entryColumns+` FROM loyalty_entries WHERE program_id = $1 AND customer_id = $2`+cond+`
		ORDER BY id DESC LIMIT $3`, args, func(rows *sql.Rows) error {
		e, err := scanEntry(rows)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	return out, nil
}

func insertLot(ctx context.Context, tx *sql.Tx, tenantID string, l Lot) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_lots (id, tenant_id, program_id, customer_id, entry_id, points, remaining, available_at,
		expires_at, order_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		l.ID, tenantID, l.ProgramID, l.CustomerID, l.EntryID, l.Points, l.Remaining, millis(l.AvailableAt), millis(l.ExpiresAt), l.OrderID, millis(l.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert lot: %w", err)
	}
	return nil
}

func insertAllocation(ctx context.Context, tx *sql.Tx, tenantID, entryID, lotID string, points int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loyalty_entry_lots (tenant_id, entry_id, lot_id, points) VALUES ($1, $2, $3, $4)`,
		tenantID, entryID, lotID, points)
	if err != nil {
		return fmt.Errorf("insert allocation: %w", err)
	}
	return nil
}

// dueLot is a lot whose expiry has passed with points left.
type dueLot struct {
	ID, TenantID, ProgramID, CustomerID string
}

func dueLots(ctx context.Context, q db.Querier, now time.Time, limit int) ([]dueLot, error) {
	var out []dueLot
	err := db.EachRow(ctx, q, `SELECT id, tenant_id, program_id, customer_id FROM loyalty_lots
		WHERE expires_at > 0 AND expires_at <= $1 AND remaining > 0 ORDER BY expires_at, id LIMIT $2`, []any{millis(now), limit},
		func(rows *sql.Rows) error {
			var d dueLot
			err := rows.Scan(&d.ID, &d.TenantID, &d.ProgramID, &d.CustomerID)
			out = append(out, d)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read due lots: %w", err)
	}
	return out, nil
}

func lotRemaining(ctx context.Context, tx *sql.Tx, lotID string) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT remaining FROM loyalty_lots WHERE id = $1`, lotID).Scan(&n); err != nil {
		return 0, fmt.Errorf("read lot %s: %w", lotID, err)
	}
	return n, nil
}

// orderLot returns the member's lot an order's earn created (or a merge moved), or
// "" when none has points left.
func orderLot(ctx context.Context, tx *sql.Tx, programID, customerID, orderID string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM loyalty_lots WHERE program_id = $1 AND customer_id = $2 AND order_id = $3 AND remaining > 0
		ORDER BY created_at DESC, id DESC LIMIT 1`, programID, customerID, orderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read lot of order: %w", err)
	}
	return id, nil
}

// orderEarn is what an order earned in one program, and what was reversed of it.
type orderEarn struct {
	ProgramID, CustomerID, EntryID string
	BaseFen, Points, Growth        int64
	Lines                          []eligibleLine
	RefundedFen                    int64
	ReversedPoints, ReversedGrowth int64
}

func orderEarns(ctx context.Context, tx *sql.Tx, tenantID, orderID string) ([]orderEarn, error) {
	var out []orderEarn
	err := db.EachRow(ctx, tx, `SELECT program_id, customer_id, entry_id, base_fen, points, growth, eligible_lines, refunded_fen,
		reversed_points, reversed_growth FROM loyalty_order_earns WHERE tenant_id = $1 AND order_id = $2 ORDER BY program_id`,
		[]any{tenantID, orderID}, func(rows *sql.Rows) error {
			var oe orderEarn
			var lines string
			if err := rows.Scan(&oe.ProgramID, &oe.CustomerID, &oe.EntryID, &oe.BaseFen, &oe.Points, &oe.Growth, &lines, &oe.RefundedFen,
				&oe.ReversedPoints, &oe.ReversedGrowth); err != nil {
				return err
			}
			out = append(out, oe)
			return json.Unmarshal([]byte(lines), &out[len(out)-1].Lines)
		})
	if err != nil {
		return nil, fmt.Errorf("read order earns: %w", err)
	}
	return out, nil
}
