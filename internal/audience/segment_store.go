package audience

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/oneretail/oneretail/internal/audience/engine"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Segment is a saved audience: a condition whose members the index keeps current.
type Segment struct {
	ID          string
	TenantID    string
	Code        string
	Name        string
	Description string
	Definition  engine.Cond
	Status      Status
	Count       int64
	CountedAt   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const segmentCols = `id, tenant_id, code, name, description, definition, status, member_count, counted_at, created_at, updated_at`

func scanSegment(row interface{ Scan(...any) error }) (Segment, error) {
	var g Segment
	var def string
	var counted, created, updated int64
	if err := row.Scan(&g.ID, &g.TenantID, &g.Code, &g.Name, &g.Description, &def, &g.Status, &g.Count, &counted, &created, &updated); err != nil {
		return Segment{}, err
	}
	c, err := engine.ParseJSON([]byte(def))
	if err != nil {
		return Segment{}, fmt.Errorf("definition of segment %s: %w", g.ID, err)
	}
	g.Definition = c
	g.CountedAt, g.CreatedAt, g.UpdatedAt = fromMillis(counted), fromMillis(created), fromMillis(updated)
	return g, nil
}

func insertSegment(ctx context.Context, tx *sql.Tx, g Segment) error {
	def, err := g.Definition.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audience_segments (`+segmentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		g.ID, g.TenantID, g.Code, g.Name, g.Description, string(def), g.Status, g.Count, millis(g.CountedAt), millis(g.CreatedAt), millis(g.UpdatedAt))
	if db.IsUniqueViolation(err) {
		return errs.Field("body.code", "a segment with code %s exists", g.Code)
	}
	return err
}

func updateSegment(ctx context.Context, tx *sql.Tx, g Segment) error {
	def, err := g.Definition.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE audience_segments SET name = $3, description = $4, definition = $5, status = $6, updated_at = $7
		WHERE tenant_id = $1 AND id = $2`, g.TenantID, g.ID, g.Name, g.Description, string(def), g.Status, millis(g.UpdatedAt))
	return err
}

func findSegment(ctx context.Context, q db.Querier, tenantID, id string) (Segment, error) {
	g, err := scanSegment(q.QueryRowContext(ctx, `SELECT `+segmentCols+` FROM audience_segments WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Segment{}, errs.E(errs.NotFound, "segment not found")
	}
	return g, err
}

func findSegments(ctx context.Context, q db.Querier, tenantID, status, cursor string, limit int) ([]Segment, error) {
	args := []any{tenantID, cursor}
	where := `tenant_id = $1 AND code > $2`
	if status != "" {
		args = append(args, status)
		where += fmt.Sprintf(" AND status = $%d", len(args))
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+segmentCols+` FROM audience_segments WHERE `+where+fmt.Sprintf(` ORDER BY code LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Segment{}
	for rows.Next() {
		g, err := scanSegment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// storedMembers returns a segment's members as last recorded.
func storedMembers(ctx context.Context, q db.Querier, segmentID string) (*roaring.Bitmap, error) {
	bm := roaring.New()
	err := db.EachRow(ctx, q, `SELECT member_no FROM audience_segment_members WHERE segment_id = $1`, []any{segmentID}, func(rs *sql.Rows) error {
		var n int64
		if err := rs.Scan(&n); err != nil {
			return err
		}
		bm.Add(uint32(n))
		return nil
	})
	return bm, err
}

// recordMembers writes who entered and left a segment and its new count.
func recordMembers(ctx context.Context, tx *sql.Tx, d db.Dialect, g Segment, entered, exited []uint32, count int64, now time.Time, day string) error {
	if len(entered) > 0 {
		err := db.WriteRows(ctx, tx, d, db.Rows{Head: `INSERT INTO audience_segment_members (segment_id, member_no)`, Lead: "$1",
			Fixed: []any{g.ID}, Tail: ` ON CONFLICT (segment_id, member_no) DO NOTHING`}, entered, func(n uint32) []any { return []any{int64(n)} }, nil)
		if err != nil {
			return err
		}
	}
	for _, n := range exited {
		if _, err := tx.ExecContext(ctx, `DELETE FROM audience_segment_members WHERE segment_id = $1 AND member_no = $2`, g.ID, int64(n)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audience_segments SET member_count = $2, counted_at = $3 WHERE id = $1`, g.ID, count, millis(now)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audience_segment_counts (segment_id, day, member_count) VALUES ($1, $2, $3)
		ON CONFLICT (segment_id, day) DO UPDATE SET member_count = excluded.member_count`, g.ID, day, count)
	return err
}

// SegmentCount is a segment's size on a day.
type SegmentCount struct {
	Day   string
	Count int64
}

func segmentCounts(ctx context.Context, q db.Querier, segmentID string, limit int) ([]SegmentCount, error) {
	out := []SegmentCount{}
	err := db.EachRow(ctx, q, `SELECT day, member_count FROM audience_segment_counts WHERE segment_id = $1 ORDER BY day DESC LIMIT $2`,
		[]any{segmentID, limit}, func(rs *sql.Rows) error {
			var c SegmentCount
			if err := rs.Scan(&c.Day, &c.Count); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	return out, err
}
