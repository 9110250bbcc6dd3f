package audience

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/oneretail/oneretail/internal/audience/engine"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// SegmentInput creates a segment. Exactly one of Definition (the JSON form) and
// Text (the text form) is given.
type SegmentInput struct {
	Code        string
	Name        string
	Description string
	Definition  []byte
	Text        string
}

// SegmentUpdate changes a segment; nil fields are left alone.
type SegmentUpdate struct {
	Name        *string
	Description *string
	Definition  []byte
	Text        *string
	Status      *Status
}

// parseDefinition reads a condition from its JSON or text form, naming the field
// that is wrong.
func parseDefinition(def []byte, text string) (engine.Cond, error) {
	switch {
	case len(def) > 0 && text != "":
		return engine.Cond{}, errs.Field("body.text", "give the definition or the text form, not both")
	case len(def) > 0:
		c, err := engine.ParseJSON(def)
		if err != nil {
			var pe *engine.PathError
			if errors.As(err, &pe) && pe.Path != "" {
				return engine.Cond{}, errs.Field("body.definition."+pe.Path, "%s", pe.Msg)
			}
			return engine.Cond{}, errs.Field("body.definition", "%s", err.Error())
		}
		return c, nil
	case strings.TrimSpace(text) != "":
		c, err := engine.Parse(text)
		if err != nil {
			return engine.Cond{}, errs.Field("body.text", "%s", err.Error())
		}
		return c, nil
	}
	return engine.Cond{}, errs.Field("body.definition", "a segment needs a definition (JSON) or its text form")
}

// checkCond checks c against the tenant's index: every field and segment it names
// must exist, and segment references must not cycle (self is the segment being
// saved, or "" for a preview).
func (s *Service) checkCond(ctx context.Context, tenantID, self, field string, c engine.Cond) (*tenantIndex, error) {
	ti, err := s.index(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for _, ref := range engine.Refs(c) {
		if ref == self {
			return nil, errs.Field(field, "a segment cannot contain itself")
		}
		if _, ok := ti.conds[ref]; !ok {
			return nil, errs.Field(field, "no active segment has the code %q", ref)
		}
	}
	if self != "" {
		conds := make(map[string]engine.Cond, len(ti.conds)+1)
		for k, v := range ti.conds {
			conds[k] = v
		}
		conds[self] = c
		if _, err := engine.Order(conds); err != nil {
			return nil, errs.Field(field, "%s", strings.TrimPrefix(err.Error(), "segment: "))
		}
	}
	if err := ti.ix.Check(c); err != nil {
		return nil, errs.Field(field, "%s", strings.TrimPrefix(err.Error(), "segment: "))
	}
	return ti, nil
}

// checkRule checks a rule tag's expression: it parses, and names only known fields
// and non-rule tags (rule tags are evaluated in one pass and do not read each other).
func (s *Service) checkRule(ctx context.Context, tenantID, expr string) error {
	c, err := engine.Parse(expr)
	if err != nil {
		return errs.Field("body.expression", "%s", err.Error())
	}
	if len(engine.Refs(c)) > 0 {
		return errs.Field("body.expression", "a rule tag cannot test segment membership")
	}
	ti, err := s.index(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, f := range engine.Fields(c) {
		if ruleField(ti.tags, f) {
			return errs.Field("body.expression", "%s is a rule tag: rule tags read attributes, behaviour and other kinds of tags", f)
		}
	}
	if err := ti.ix.Check(c); err != nil {
		return errs.Field("body.expression", "%s", strings.TrimPrefix(err.Error(), "segment: "))
	}
	return nil
}

// activeSegments returns the tenant's active segments in dependency order with their
// conditions by code.
func (s *Service) activeSegments(ctx context.Context, tenantID string) ([]Segment, map[string]engine.Cond, error) {
	all, err := findSegments(ctx, s.db.Reader(), tenantID, string(StatusActive), "", 1<<30)
	if err != nil {
		return nil, nil, fmt.Errorf("audience: segments: %w", err)
	}
	conds := make(map[string]engine.Cond, len(all))
	byCode := make(map[string]Segment, len(all))
	for _, g := range all {
		conds[g.Code], byCode[g.Code] = g.Definition, g
	}
	order, err := engine.Order(conds)
	if err != nil {
		return nil, nil, fmt.Errorf("audience: segments: %w", err)
	}
	out := make([]Segment, len(order))
	for i, c := range order {
		out[i] = byCode[c]
	}
	return out, conds, nil
}

// CreateSegment saves a segment; its members are computed at once and kept current.
// Errors: invalid (body.*: the code, name or definition — an unknown field or
// segment, a cycle), unauthorized, forbidden.
func (s *Service) CreateSegment(ctx context.Context, in SegmentInput) (Segment, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return Segment{}, err
	}
	if err := validCode("body.code", in.Code); err != nil {
		return Segment{}, err
	}
	if err := validName("body.name", in.Name); err != nil {
		return Segment{}, err
	}
	c, err := parseDefinition(in.Definition, in.Text)
	if err != nil {
		return Segment{}, err
	}
	field := "body.definition"
	if in.Text != "" {
		field = "body.text"
	}
	if _, err := s.checkCond(ctx, p.TenantID, in.Code, field, c); err != nil {
		return Segment{}, err
	}
	now := s.now()
	g := Segment{ID: ids.New(), TenantID: p.TenantID, Code: in.Code, Name: strings.TrimSpace(in.Name), Description: in.Description,
		Definition: c, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertSegment(ctx, tx, g); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "audience_segment.create", ResourceType: "audience_segment", ResourceID: g.ID,
			Changes: map[string]any{"code": g.Code, "name": g.Name, "definition": engine.Format(c)}})
	})
	if err != nil {
		return Segment{}, fmt.Errorf("audience: create segment: %w", err)
	}
	return s.segmentAfterChange(ctx, p.TenantID, g.ID)
}

// UpdateSegment changes a segment's name, description, definition or status; the
// members follow at once. Errors: invalid, not_found, conflict (archiving a segment
// another active segment refers to), unauthorized, forbidden.
func (s *Service) UpdateSegment(ctx context.Context, id string, u SegmentUpdate) (Segment, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return Segment{}, err
	}
	g, err := findSegment(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return Segment{}, fmt.Errorf("audience: update segment %s: %w", id, err)
	}
	before := engine.Format(g.Definition)
	if u.Name != nil {
		if err := validName("body.name", *u.Name); err != nil {
			return Segment{}, err
		}
		g.Name = strings.TrimSpace(*u.Name)
	}
	if u.Description != nil {
		g.Description = *u.Description
	}
	if len(u.Definition) > 0 || u.Text != nil {
		text := ""
		if u.Text != nil {
			text = *u.Text
		}
		c, err := parseDefinition(u.Definition, text)
		if err != nil {
			return Segment{}, err
		}
		if _, err := s.checkCond(ctx, p.TenantID, g.Code, "body.definition", c); err != nil {
			return Segment{}, err
		}
		g.Definition = c
	}
	if u.Status != nil {
		if *u.Status != StatusActive && *u.Status != StatusArchived {
			return Segment{}, errs.Field("body.status", "status is active or archived")
		}
		if *u.Status == StatusArchived {
			if err := s.refusedArchive(ctx, p.TenantID, g.Code); err != nil {
				return Segment{}, err
			}
		}
		g.Status = *u.Status
	}
	g.UpdatedAt = s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := updateSegment(ctx, tx, g); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "audience_segment.update", ResourceType: "audience_segment", ResourceID: g.ID,
			Changes: map[string]any{"before": before, "after": engine.Format(g.Definition), "status": g.Status, "name": g.Name}})
	})
	if err != nil {
		return Segment{}, fmt.Errorf("audience: update segment %s: %w", id, err)
	}
	return s.segmentAfterChange(ctx, p.TenantID, g.ID)
}

// segmentAfterChange rebuilds the index with the changed definitions (recording the
// new members) and returns the segment with its count; a caller that may only write
// still gets the segment it saved.
func (s *Service) segmentAfterChange(ctx context.Context, tenantID, id string) (Segment, error) {
	s.invalidate(tenantID)
	if _, err := s.index(ctx, tenantID); err != nil {
		return Segment{}, err
	}
	g, err := findSegment(ctx, s.db.Reader(), tenantID, id)
	if err != nil {
		return Segment{}, fmt.Errorf("audience: segment %s: %w", id, err)
	}
	return g, nil
}

func (s *Service) refusedArchive(ctx context.Context, tenantID, code string) error {
	segments, _, err := s.activeSegments(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, other := range segments {
		if other.Code != code && slices.Contains(engine.Refs(other.Definition), code) {
			return errs.E(errs.Conflict, "segment %s refers to this segment: change it first", other.Code)
		}
	}
	return nil
}

// FindSegmentByID returns a segment with its current count. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindSegmentByID(ctx context.Context, id string) (Segment, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return Segment{}, err
	}
	if _, err := s.index(ctx, p.TenantID); err != nil { // brings the recorded count up to date
		return Segment{}, err
	}
	g, err := findSegment(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return Segment{}, fmt.Errorf("audience: find segment %s: %w", id, err)
	}
	return g, nil
}

// FindSegments pages the segments by code. Errors: unauthorized, forbidden.
func (s *Service) FindSegments(ctx context.Context, status Status, limit int, cursor string) (httpapi.Page[Segment], error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return httpapi.Page[Segment]{}, err
	}
	if _, err := s.index(ctx, p.TenantID); err != nil {
		return httpapi.Page[Segment]{}, err
	}
	page, err := httpapi.FindPage(cursor, limit, 100, func(after string, n int) ([]Segment, error) {
		return findSegments(ctx, s.db.Reader(), p.TenantID, string(status), after, n)
	}, func(g Segment) string { return g.Code })
	if err != nil {
		return page, fmt.Errorf("audience: find segments: %w", err)
	}
	return page, nil
}

// Preview is a condition's count now, with the time it took.
type Preview struct {
	Count   int64
	Base    int64
	Text    string
	Elapsed time.Duration
}

// PreviewSegment counts the members matching an unsaved condition (the builder's
// live count). Errors: invalid (body.*), unauthorized, forbidden.
func (s *Service) PreviewSegment(ctx context.Context, def []byte, text string) (Preview, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return Preview{}, err
	}
	c, err := parseDefinition(def, text)
	if err != nil {
		return Preview{}, err
	}
	field := "body.definition"
	if text != "" {
		field = "body.text"
	}
	ti, err := s.checkCond(ctx, p.TenantID, "", field, c)
	if err != nil {
		return Preview{}, err
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	start := time.Now()
	n, err := ti.ix.Count(c, ti.day)
	if err != nil {
		return Preview{}, fmt.Errorf("audience: preview: %w", err)
	}
	return Preview{Count: int64(n), Base: int64(ti.ix.Members()), Text: engine.Format(c), Elapsed: time.Since(start)}, nil
}

// SegmentMember is one member of a segment as lists show it: no personal data
// (the 360 page shows the customer, masked per role).
type SegmentMember struct {
	CustomerID string
	City       string
	Gender     string
	Tiers      []string
	LastOrder  *time.Time
	SpendFen   int64 // lifetime
	no         uint32
}

// FindSegmentMembers pages a segment's current members by member number. Errors:
// not_found, invalid (cursor), unauthorized, forbidden.
func (s *Service) FindSegmentMembers(ctx context.Context, id string, limit int, cursor string) (httpapi.Page[SegmentMember], error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return httpapi.Page[SegmentMember]{}, err
	}
	g, err := findSegment(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return httpapi.Page[SegmentMember]{}, fmt.Errorf("audience: segment members %s: %w", id, err)
	}
	ti, err := s.index(ctx, p.TenantID)
	if err != nil {
		return httpapi.Page[SegmentMember]{}, err
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	bm := ti.members[g.Code]
	if bm == nil {
		bm = roaring.New()
	}
	return ti.memberPage(bm, limit, cursor)
}

// memberPage pages the members of bm after the cursor (a member number).
func (ti *tenantIndex) memberPage(bm *roaring.Bitmap, limit int, cursor string) (httpapi.Page[SegmentMember], error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var after uint32
	if cursor != "" {
		raw, err := httpapi.DecodeCursor(cursor)
		var n uint64
		if err == nil {
			_, err = fmt.Sscan(raw, &n)
		}
		if err != nil || n > 1<<32-1 {
			return httpapi.Page[SegmentMember]{}, errs.Field("cursor", "the cursor is not one this list gave")
		}
		after = uint32(n)
	}
	page := httpapi.Page[SegmentMember]{Items: []SegmentMember{}}
	it := bm.Iterator()
	if cursor != "" {
		it.AdvanceIfNeeded(after + 1)
	}
	var last uint32
	for it.HasNext() && len(page.Items) < limit {
		last = it.Next()
		page.Items = append(page.Items, ti.segmentMember(last))
	}
	if it.HasNext() {
		page.NextCursor = httpapi.EncodeCursor(fmt.Sprint(last))
	}
	return page, nil
}

func (ti *tenantIndex) segmentMember(n uint32) SegmentMember {
	row := ti.rows[n]
	m := SegmentMember{CustomerID: ti.customers[n], no: n}
	m.City, _ = row[fieldCity].(string)
	m.Gender, _ = row[fieldGender].(string)
	m.Tiers, _ = row[fieldTier].([]string)
	if d, ok := row[engine.LastOrderDay].(engine.Day); ok {
		t := dayTime(d)
		m.LastOrder = &t
	}
	m.SpendFen, _ = row[engine.SpendField("all")].(int64)
	return m
}

// Snapshot is a segment's member list frozen with its definition and time.
type Snapshot struct {
	ID         string
	SegmentID  string
	Name       string
	Definition engine.Cond
	Count      int64
	TakenAt    time.Time
	members    *roaring.Bitmap
}

// TakeSnapshot freezes a segment's current members (for a campaign). Errors:
// not_found, unauthorized, forbidden.
func (s *Service) TakeSnapshot(ctx context.Context, segmentID, name string) (Snapshot, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return Snapshot{}, err
	}
	g, err := findSegment(ctx, s.db.Reader(), p.TenantID, segmentID)
	if err != nil {
		return Snapshot{}, fmt.Errorf("audience: snapshot %s: %w", segmentID, err)
	}
	ti, err := s.index(ctx, p.TenantID)
	if err != nil {
		return Snapshot{}, err
	}
	ti.mu.Lock()
	bm := roaring.New()
	if cur := ti.members[g.Code]; cur != nil {
		bm = cur.Clone()
	}
	ti.mu.Unlock()
	bm.RunOptimize()
	raw, err := bm.ToBytes()
	if err != nil {
		return Snapshot{}, fmt.Errorf("audience: snapshot %s: %w", segmentID, err)
	}
	def, err := g.Definition.MarshalJSON()
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{ID: ids.New(), SegmentID: g.ID, Name: strings.TrimSpace(name), Definition: g.Definition, Count: int64(bm.GetCardinality()),
		TakenAt: s.now(), members: bm}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audience_snapshots (id, tenant_id, segment_id, name, definition, members, member_count, taken_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, snap.ID, p.TenantID, g.ID, snap.Name, string(def), base64.StdEncoding.EncodeToString(raw),
			snap.Count, millis(snap.TakenAt)); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "audience_snapshot.create", ResourceType: "audience_segment", ResourceID: g.ID,
			Changes: map[string]any{"snapshot": snap.ID, "members": snap.Count}})
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("audience: snapshot %s: %w", segmentID, err)
	}
	return snap, nil
}

func (s *Service) findSnapshot(ctx context.Context, tenantID, id string) (Snapshot, error) {
	var snap Snapshot
	var def, members string
	var at int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, segment_id, name, definition, members, member_count, taken_at FROM audience_snapshots
		WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&snap.ID, &snap.SegmentID, &snap.Name, &def, &members, &snap.Count, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, errs.E(errs.NotFound, "snapshot not found")
	}
	if err != nil {
		return Snapshot{}, err
	}
	if snap.Definition, err = engine.ParseJSON([]byte(def)); err != nil {
		return Snapshot{}, fmt.Errorf("definition of snapshot %s: %w", id, err)
	}
	raw, err := base64.StdEncoding.DecodeString(members)
	if err != nil {
		return Snapshot{}, fmt.Errorf("members of snapshot %s: %w", id, err)
	}
	snap.members = roaring.New()
	if _, err := snap.members.FromBuffer(raw); err != nil {
		return Snapshot{}, fmt.Errorf("members of snapshot %s: %w", id, err)
	}
	snap.TakenAt = fromMillis(at)
	return snap, nil
}

// FindSnapshots lists a segment's snapshots, newest first. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindSnapshots(ctx context.Context, segmentID string) ([]Snapshot, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return nil, err
	}
	if _, err := findSegment(ctx, s.db.Reader(), p.TenantID, segmentID); err != nil {
		return nil, fmt.Errorf("audience: snapshots of %s: %w", segmentID, err)
	}
	var ids []string
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id FROM audience_snapshots WHERE tenant_id = $1 AND segment_id = $2
		ORDER BY taken_at DESC LIMIT 100`, p.TenantID, segmentID)
	if err != nil {
		return nil, fmt.Errorf("audience: snapshots of %s: %w", segmentID, err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Snapshot{}
	for _, id := range ids {
		snap, err := s.findSnapshot(ctx, p.TenantID, id)
		if err != nil {
			return nil, fmt.Errorf("audience: snapshots of %s: %w", segmentID, err)
		}
		out = append(out, snap)
	}
	return out, nil
}

// FindSnapshotMembers pages a snapshot's frozen members (customers merged or erased
// since are still listed by the id they had). Errors: not_found, invalid (cursor),
// unauthorized, forbidden.
func (s *Service) FindSnapshotMembers(ctx context.Context, id string, limit int, cursor string) (httpapi.Page[SegmentMember], error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return httpapi.Page[SegmentMember]{}, err
	}
	snap, err := s.findSnapshot(ctx, p.TenantID, id)
	if err != nil {
		return httpapi.Page[SegmentMember]{}, fmt.Errorf("audience: snapshot %s: %w", id, err)
	}
	ti, err := s.index(ctx, p.TenantID)
	if err != nil {
		return httpapi.Page[SegmentMember]{}, err
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	page, err := ti.memberPage(snap.members, limit, cursor)
	if err != nil {
		return page, err
	}
	for i, m := range page.Items {
		if m.CustomerID != "" {
			continue
		}
		// Left since (merged or erased): the id it had when the snapshot was taken.
		err := s.db.Reader().QueryRowContext(ctx, `SELECT customer_id FROM audience_members WHERE tenant_id = $1 AND member_no = $2`,
			p.TenantID, int64(m.no)).Scan(&page.Items[i].CustomerID)
		if err != nil {
			return page, fmt.Errorf("audience: snapshot %s member %d: %w", id, m.no, err)
		}
	}
	return page, nil
}

// SegmentCounts returns a segment's count per day, newest first (at most 400 days).
// Errors: not_found, unauthorized, forbidden.
func (s *Service) SegmentCounts(ctx context.Context, id string) ([]SegmentCount, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return nil, err
	}
	if _, err := findSegment(ctx, s.db.Reader(), p.TenantID, id); err != nil {
		return nil, fmt.Errorf("audience: counts of %s: %w", id, err)
	}
	out, err := segmentCounts(ctx, s.db.Reader(), id, 400)
	if err != nil {
		return nil, fmt.Errorf("audience: counts of %s: %w", id, err)
	}
	return out, nil
}
