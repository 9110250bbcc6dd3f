package audience

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/oneretail/oneretail/internal/audience/engine"
	"github.com/oneretail/oneretail/internal/platform/db"
)

// DefaultTimeZone is the zone audience days are counted in (windows, "today").
const DefaultTimeZone = "Asia/Shanghai"

// freshnessInterval bounds how often a node asks the database whether another node
// changed members or definitions.
const freshnessInterval = 500 * time.Millisecond

// tenantIndex is one tenant's segment engine index with what the service needs
// around it: member numbers, each member's row (for the rule and segment
// evaluation of a single member), and the definitions it was built with.
type tenantIndex struct {
	mu        sync.Mutex // serialises builds and refreshes of this tenant
	ix        *engine.Index
	customers map[uint32]string
	numbers   map[string]uint32
	rows      map[uint32]engine.Row
	tags      []TagDefinition
	segments  []Segment // active, in dependency order
	conds     map[string]engine.Cond
	members   map[string]*roaring.Bitmap // each active segment's members, as given to the index
	left      map[uint32]string          // members that left since the build, to name them in events
	day       engine.Day
	seen      int64  // changed_at high-water mark of the members refreshed
	defs      string // version of the definitions built with
	checkedAt time.Time
}

// indexes holds the tenants' indexes of one service.
type indexes struct {
	mu       sync.Mutex
	byTenant map[string]*tenantIndex
}

func (s *Service) zone() *time.Location {
	l, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return l
}

func (s *Service) today() engine.Day { return engine.DayOf(s.now().In(s.zone())) }

// index returns the tenant's index, built on first use and brought up to date with
// what other nodes changed (at most every freshnessInterval).
func (s *Service) index(ctx context.Context, tenantID string) (*tenantIndex, error) {
	s.idx.mu.Lock()
	ti := s.idx.byTenant[tenantID]
	if ti == nil {
		ti = &tenantIndex{}
		s.idx.byTenant[tenantID] = ti
	}
	s.idx.mu.Unlock()
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if ti.ix != nil && s.clock.Now().Sub(ti.checkedAt) < freshnessInterval {
		return ti, nil
	}
	defs, err := definitionsVersion(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return nil, fmt.Errorf("audience: index: %w", err)
	}
	if ti.ix == nil || defs != ti.defs || s.today() != ti.day {
		if err := s.build(ctx, ti, tenantID, defs); err != nil {
			return nil, err
		}
		ti.checkedAt = s.clock.Now()
		return ti, nil
	}
	changed, high, err := changedMembers(ctx, s.db.Reader(), tenantID, ti.seen)
	if err != nil {
		return nil, fmt.Errorf("audience: index: %w", err)
	}
	if len(changed) > 0 {
		if err := s.refresh(ctx, ti, tenantID, changed, false); err != nil {
			return nil, err
		}
		ti.seen = max(ti.seen, high)
	}
	ti.checkedAt = s.clock.Now()
	return ti, nil
}

// definitionsVersion changes whenever a tag or segment is created or changed.
func definitionsVersion(ctx context.Context, q db.Querier, tenantID string) (string, error) {
	var tags, segs, nt, ns int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(updated_at), 0), COUNT(*) FROM audience_tag_definitions WHERE tenant_id = $1`,
		tenantID).Scan(&tags, &nt)
	if err != nil {
		return "", err
	}
	err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(updated_at), 0), COUNT(*) FROM audience_segments WHERE tenant_id = $1`,
		tenantID).Scan(&segs, &ns)
	return fmt.Sprintf("%d/%d/%d/%d", tags, nt, segs, ns), err
}

// changedMembers returns the customers another node refreshed at or after since
// (the boundary millisecond again: refreshing twice is harmless) and the newest
// changed_at.
func changedMembers(ctx context.Context, q db.Querier, tenantID string, since int64) ([]string, int64, error) {
	var ids []string
	high := since
	err := db.EachRow(ctx, q, `SELECT customer_id, changed_at FROM audience_members WHERE tenant_id = $1 AND changed_at > $2`,
		[]any{tenantID, since}, func(rs *sql.Rows) error {
			var id string
			var at int64
			if err := rs.Scan(&id, &at); err != nil {
				return err
			}
			ids = append(ids, id)
			high = max(high, at)
			return nil
		})
	return ids, high, err
}

// build makes the tenant's index from scratch: every live member's facts and tag
// values, then the rule tags, then the segments in dependency order. Segment
// membership is compared with what was recorded, so entered/exited events missed
// while no node ran are published now.
func (s *Service) build(ctx context.Context, ti *tenantIndex, tenantID, defs string) error {
	zone, today, now := s.zone(), s.today(), s.now()
	tags, err := allTags(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return fmt.Errorf("audience: build: tags: %w", err)
	}
	segments, conds, err := s.activeSegments(ctx, tenantID)
	if err != nil {
		return err
	}
	values, err := tagValuesByCustomer(ctx, s.db.Reader(), s.db.Dialect, tenantID, nil)
	if err != nil {
		return fmt.Errorf("audience: build: tag values: %w", err)
	}
	var members []Member
	err = s.deps.Facts.Members(ctx, tenantID, nil, now.Add(-factsHorizon), func(m Member) error {
		members = append(members, m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: build: facts: %w", err)
	}
	sort.Slice(members, func(i, j int) bool { return members[i].CustomerID < members[j].CustomerID })
	numbers, high, err := s.assignNumbers(ctx, tenantID, members, true)
	if err != nil {
		return err
	}
	ix := engine.NewIndex()
	if err := defineFields(ix, tags); err != nil {
		return err
	}
	next := &tenantIndex{ix: ix, customers: map[uint32]string{}, numbers: numbers, rows: map[uint32]engine.Row{}, tags: tags,
		segments: segments, conds: conds, members: map[string]*roaring.Bitmap{}, left: map[uint32]string{}, day: today}
	for _, m := range members {
		n := numbers[m.CustomerID]
		row := memberRow(m, today, zone)
		addTagValues(row, tags, values[m.CustomerID])
		next.customers[n], next.rows[n] = m.CustomerID, row
	}
	if err := next.load(); err != nil {
		return err
	}
	if err := s.applyRules(ctx, next, tenantID, nil, values); err != nil {
		return err
	}
	if err := s.evaluateSegments(ctx, next, tenantID, nil, true); err != nil {
		return err
	}
	ix.Optimize()
	ti.ix, ti.customers, ti.numbers, ti.rows, ti.tags, ti.segments, ti.conds, ti.members, ti.left, ti.day = next.ix,
		next.customers, next.numbers, next.rows, next.tags, next.segments, next.conds, next.members, next.left, next.day
	ti.seen, ti.defs = max(ti.seen, high), defs
	return nil
}

// load puts every row into the index, defining the event fields rows carry.
func (ti *tenantIndex) load() error {
	for _, row := range ti.rows {
		if err := defineRowFields(ti.ix, row); err != nil {
			return err
		}
	}
	return ti.ix.Update(func(tx *engine.Tx) error {
		for n, row := range ti.rows {
			if err := tx.Replace(n, row); err != nil {
				return fmt.Errorf("audience: member %d: %w", n, err)
			}
		}
		return nil
	})
}

func defineFields(ix *engine.Index, tags []TagDefinition) error {
	for name, k := range baseFields() {
		if err := ix.Define(name, k); err != nil {
			return fmt.Errorf("audience: define %s: %w", name, err)
		}
	}
	for _, t := range tags {
		if err := ix.Define(engine.TagField(t.Code), tagKind(t.ValueType)); err != nil {
			return fmt.Errorf("audience: define tag %s: %w", t.Code, err)
		}
	}
	return nil
}

// defineRowFields defines the event-count fields a row carries (event types are
// open-ended: a touchpoint's events name them).
func defineRowFields(ix *engine.Index, row engine.Row) error {
	for name := range row {
		if strings.HasPrefix(name, "events:") {
			if err := ix.Define(name, engine.Number); err != nil {
				return fmt.Errorf("audience: define %s: %w", name, err)
			}
		}
	}
	return nil
}

// storedValue is a tag value as read for the index.
type storedValue struct {
	tagID string
	value string
	num   *float64
}

func tagValuesByCustomer(ctx context.Context, q db.Querier, d db.Dialect, tenantID string, ids []string) (map[string][]storedValue, error) {
	out := map[string][]storedValue{}
	args := []any{tenantID}
	query := `SELECT customer_id, tag_id, value, value_num FROM audience_tag_values WHERE tenant_id = $1`
	if len(ids) > 0 {
		query += " AND customer_id" + db.In(d, &args, ids)
	}
	err := db.EachRow(ctx, q, query, args, func(rs *sql.Rows) error {
		var id string
		var v storedValue
		var num sql.NullFloat64
		if err := rs.Scan(&id, &v.tagID, &v.value, &num); err != nil {
			return err
		}
		if num.Valid {
			v.num = &num.Float64
		}
		out[id] = append(out[id], v)
		return nil
	})
	return out, err
}

// addTagValues sets the row's tag fields from stored values (rule tags are
// evaluated afterwards, not read back).
func addTagValues(row engine.Row, tags []TagDefinition, values []storedValue) {
	for _, v := range values {
		i := slices.IndexFunc(tags, func(t TagDefinition) bool { return t.ID == v.tagID })
		if i < 0 || tags[i].Kind == TagRule {
			continue
		}
		if rv, ok := tagRowValue(tags[i].ValueType, v.value, v.num); ok {
			row[engine.TagField(tags[i].Code)] = rv
		}
	}
}

// assignNumbers gives every member a member number (new customers the next ones)
// and, on a full build, marks the recorded members that are no longer live as left.
// It returns customer → number and the newest changed_at.
func (s *Service) assignNumbers(ctx context.Context, tenantID string, members []Member, full bool) (map[string]uint32, int64, error) {
	numbers := map[string]uint32{}
	var high int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		numbers, high = map[string]uint32{}, 0
		known := map[string]bool{}
		var next int64 = 1
		err := db.EachRow(ctx, tx, `SELECT customer_id, member_no, left_at IS NOT NULL, changed_at FROM audience_members WHERE tenant_id = $1`,
			[]any{tenantID}, func(rs *sql.Rows) error {
				var id string
				var n, changed int64
				var left bool
				if err := rs.Scan(&id, &n, &left, &changed); err != nil {
					return err
				}
				next, high = max(next, n+1), max(high, changed)
				if !left {
					known[id] = true
				}
				numbers[id] = uint32(n)
				return nil
			})
		if err != nil {
			return err
		}
		now := millis(s.now())
		live := map[string]bool{}
		var fresh []string
		for _, m := range members {
			live[m.CustomerID] = true
			if _, ok := numbers[m.CustomerID]; !ok {
				fresh = append(fresh, m.CustomerID)
				numbers[m.CustomerID] = uint32(next)
				next++
			}
		}
		if err := db.WriteRows(ctx, tx, s.db.Dialect, db.Rows{Head: `INSERT INTO audience_members (tenant_id, joined_at, customer_id, member_no)`,
			Lead: "$1, $2", Fixed: []any{tenantID, now}}, fresh, func(id string) []any { return []any{id, int64(numbers[id])} }, nil); err != nil {
			return err
		}
		for _, m := range members { // a customer that left and came back (an unmerge) is live again
			if !known[m.CustomerID] && !slices.Contains(fresh, m.CustomerID) {
				if _, err := tx.ExecContext(ctx, `UPDATE audience_members SET left_at = NULL WHERE tenant_id = $1 AND customer_id = $2`,
					tenantID, m.CustomerID); err != nil {
					return err
				}
			}
		}
		if !full {
			return nil
		}
		for id := range known {
			if !live[id] {
				if _, err := tx.ExecContext(ctx, `UPDATE audience_members SET left_at = $3 WHERE tenant_id = $1 AND customer_id = $2`,
					tenantID, id, now); err != nil {
					return err
				}
				delete(numbers, id)
			}
		}
		for id := range numbers {
			if !live[id] {
				delete(numbers, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("audience: member numbers: %w", err)
	}
	return numbers, high, nil
}

// applyRules evaluates the rule tags: over the whole index when only is nil, else
// for those members' rows. Rule tags read attributes, behaviour and the tags that
// are not rules. What changed is written to audience_tag_values (source "rule") so
// the 360 page and exports show it. values are the stored tag values the caller
// loaded for the same members (every customer's on a full build), so the stored
// rule values are not read again once per tag.
func (s *Service) applyRules(ctx context.Context, ti *tenantIndex, tenantID string, only []uint32, values map[string][]storedValue) error {
	holders := ruleValueHolders(ti.tags, values)
	for _, t := range ti.tags {
		if t.Kind != TagRule || t.Status != StatusActive {
			continue
		}
		c, err := engine.Parse(t.Expression)
		if err != nil {
			continue // checked when saved; an expression the engine no longer reads matches nobody
		}
		field := engine.TagField(t.Code)
		matched, err := ti.match(c, only)
		if err != nil {
			continue
		}
		var set, unset []uint32
		candidates := only
		if candidates == nil {
			candidates = ti.memberNumbers()
		}
		for _, n := range candidates {
			was := ti.rows[n][field] == true
			now := matched.Contains(n)
			if now && !was {
				set = append(set, n)
			} else if !now && was {
				unset = append(unset, n)
			}
			if now {
				ti.rows[n][field] = true
			} else {
				delete(ti.rows[n], field)
			}
		}
		if err := ti.ix.Update(func(tx *engine.Tx) error {
			for _, n := range set {
				if err := tx.SetFlag(n, field, true); err != nil {
					return err
				}
			}
			for _, n := range unset {
				if err := tx.SetFlag(n, field, false); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("audience: rule tag %s: %w", t.Code, err)
		}
		if err := s.persistRule(ctx, ti, tenantID, t, matched, only, holders[t.ID]); err != nil {
			return err
		}
	}
	return nil
}

// match returns the members satisfying c: by the index for all members, by their
// rows for only.
func (ti *tenantIndex) match(c engine.Cond, only []uint32) (*roaring.Bitmap, error) {
	if only == nil {
		return ti.ix.Evaluate(c, ti.day)
	}
	bm := roaring.New()
	for _, n := range only {
		row := ti.rows[n]
		if row == nil {
			continue
		}
		ok, err := engine.EvalRow(c, ti.withSegments(row, n), ti.day)
		if err != nil {
			return nil, err
		}
		if ok {
			bm.Add(n)
		}
	}
	return bm, nil
}

// withSegments returns row with the member's segment memberships (EvalRow reads
// them from the row).
func (ti *tenantIndex) withSegments(row engine.Row, n uint32) engine.Row {
	out := make(engine.Row, len(row)+len(ti.segments))
	for k, v := range row {
		out[k] = v
	}
	for _, g := range ti.segments {
		if bm := ti.members[g.Code]; bm != nil && bm.Contains(n) {
			out[engine.SegmentKey(g.Code)] = true
		}
	}
	return out
}

func (ti *tenantIndex) memberNumbers() []uint32 {
	out := make([]uint32, 0, len(ti.rows))
	for n := range ti.rows {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// ruleValueHolders indexes stored tag values by rule tag: tag ID → the customers
// holding a value of it.
func ruleValueHolders(tags []TagDefinition, values map[string][]storedValue) map[string]map[string]bool {
	rules := map[string]bool{}
	for _, t := range tags {
		if t.Kind == TagRule {
			rules[t.ID] = true
		}
	}
	out := map[string]map[string]bool{}
	for customerID, vs := range values {
		for _, v := range vs {
			if !rules[v.tagID] {
				continue
			}
			if out[v.tagID] == nil {
				out[v.tagID] = map[string]bool{}
			}
			out[v.tagID][customerID] = true
		}
	}
	return out
}

// persistRule records the rule tag's values: set for the matched members, removed
// for the others (of only, or of the whole tenant). stored holds the customers with
// a stored value of the tag, as loaded by the caller (of only's customers, or of the
// whole tenant).
func (s *Service) persistRule(ctx context.Context, ti *tenantIndex, tenantID string, t TagDefinition, matched *roaring.Bitmap, only []uint32, stored map[string]bool) error {
	var add []tagValueRow
	var remove []string
	it := matched.Iterator()
	for it.HasNext() {
		id := ti.customers[it.Next()]
		if id != "" && !stored[id] {
			add = append(add, tagValueRow{TagID: t.ID, CustomerID: id, Value: "true", Source: "rule"})
		}
	}
	scope := only
	if scope == nil {
		for id := range stored {
			if n, ok := ti.numbers[id]; !ok || !matched.Contains(n) {
				remove = append(remove, id)
			}
		}
	} else {
		for _, n := range scope {
			if id := ti.customers[n]; stored[id] && !matched.Contains(n) {
				remove = append(remove, id)
			}
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := upsertTagValues(ctx, tx, s.db.Dialect, tenantID, s.now(), add); err != nil {
			return err
		}
		for _, id := range remove {
			if _, err := deleteTagValue(ctx, tx, tenantID, t.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: rule tag %s values: %w", t.Code, err)
	}
	return nil
}

// refresh brings the given customers up to date in the index: their facts, tag
// values, rule tags and segment memberships. With announce (the node handling the
// event) it records who entered or left each segment, publishes the events and
// marks the members changed for the other nodes; without (a node catching up) it
// changes its memory only.
func (s *Service) refresh(ctx context.Context, ti *tenantIndex, tenantID string, ids []string, announce bool) error {
	zone, now := s.zone(), s.now()
	var members []Member
	err := s.deps.Facts.Members(ctx, tenantID, ids, now.Add(-factsHorizon), func(m Member) error {
		members = append(members, m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: refresh: facts: %w", err)
	}
	numbers := ti.numbers
	if announce || slices.ContainsFunc(members, func(m Member) bool { _, ok := ti.numbers[m.CustomerID]; return !ok }) {
		assigned, _, err := s.assignNumbers(ctx, tenantID, members, false)
		if err != nil {
			return err
		}
		numbers = assigned
	}
	values, err := tagValuesByCustomer(ctx, s.db.Reader(), s.db.Dialect, tenantID, ids)
	if err != nil {
		return fmt.Errorf("audience: refresh: tag values: %w", err)
	}
	live := map[string]bool{}
	var touched []uint32
	for _, m := range members {
		live[m.CustomerID] = true
		n := numbers[m.CustomerID]
		row := memberRow(m, ti.day, zone)
		addTagValues(row, ti.tags, values[m.CustomerID])
		for k, v := range ti.rows[n] { // keep rule flags until the rules run again
			if strings.HasPrefix(k, engine.TagPrefix) && v == true && ruleField(ti.tags, k) {
				row[k] = v
			}
		}
		if err := defineRowFields(ti.ix, row); err != nil {
			return err
		}
		ti.numbers[m.CustomerID], ti.customers[n], ti.rows[n] = n, m.CustomerID, row
		touched = append(touched, n)
	}
	var gone []uint32
	for _, id := range ids {
		if n, ok := ti.numbers[id]; ok && !live[id] {
			gone = append(gone, n)
			ti.left[n] = id
			delete(ti.numbers, id)
			delete(ti.customers, n)
			delete(ti.rows, n)
		}
	}
	err = ti.ix.Update(func(tx *engine.Tx) error {
		for _, n := range touched {
			if err := tx.Replace(n, ti.rows[n]); err != nil {
				return err
			}
		}
		for _, n := range gone {
			tx.Remove(n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: refresh: %w", err)
	}
	if err := s.applyRules(ctx, ti, tenantID, touched, values); err != nil {
		return err
	}
	if err := s.evaluateSegments(ctx, ti, tenantID, append(touched, gone...), announce); err != nil {
		return err
	}
	if announce {
		return s.markChanged(ctx, tenantID, ids, ti)
	}
	return nil
}

func ruleField(tags []TagDefinition, field string) bool {
	return slices.ContainsFunc(tags, func(t TagDefinition) bool { return t.Kind == TagRule && engine.TagField(t.Code) == field })
}

// markChanged stamps the members so that other nodes refresh them too.
func (s *Service) markChanged(ctx context.Context, tenantID string, ids []string, ti *tenantIndex) error {
	at := millis(s.now())
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE audience_members SET changed_at = $3 WHERE tenant_id = $1 AND customer_id = $2`,
				tenantID, id, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: mark changed: %w", err)
	}
	ti.seen = max(ti.seen, at)
	return nil
}

// evaluateSegments recomputes the active segments in dependency order: for every
// member when only is nil, else for those members. With record it writes who
// entered and left to audience_segment_members and publishes segment.entered /
// segment.exited.
func (s *Service) evaluateSegments(ctx context.Context, ti *tenantIndex, tenantID string, only []uint32, record bool) error {
	for _, g := range ti.segments {
		prev := ti.members[g.Code]
		var next *roaring.Bitmap
		if only == nil {
			bm, err := ti.ix.Evaluate(ti.conds[g.Code], ti.day)
			if err != nil {
				return fmt.Errorf("audience: segment %s: %w", g.Code, err)
			}
			next = bm
			stored, err := storedMembers(ctx, s.db.Reader(), g.ID)
			if err != nil {
				return fmt.Errorf("audience: segment %s members: %w", g.Code, err)
			}
			prev = stored
		} else {
			next = roaring.New()
			if prev != nil {
				next = prev.Clone()
			}
			for _, n := range only {
				next.Remove(n)
			}
			matched, err := ti.match(ti.conds[g.Code], only)
			if err != nil {
				return fmt.Errorf("audience: segment %s: %w", g.Code, err)
			}
			next.Or(matched)
		}
		if prev == nil {
			prev = roaring.New()
		}
		ti.members[g.Code] = next
		_ = ti.ix.Update(func(tx *engine.Tx) error {
			tx.SetSegment(g.Code, next)
			return nil
		})
		if !record {
			continue
		}
		entered := roaring.AndNot(next, prev).ToArray()
		exited := roaring.AndNot(prev, next).ToArray()
		if err := s.recordSegment(ctx, ti, g, entered, exited, int64(next.GetCardinality())); err != nil {
			return err
		}
	}
	return nil
}

// recordSegment writes a segment's changes and publishes one event per member that
// entered or left, in one transaction.
func (s *Service) recordSegment(ctx context.Context, ti *tenantIndex, g Segment, entered, exited []uint32, count int64) error {
	now := s.now()
	day := dayTime(ti.day).Format(time.DateOnly)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := recordMembers(ctx, tx, s.db.Dialect, g, entered, exited, count, now, day); err != nil {
			return err
		}
		for _, n := range entered {
			if err := s.publishMembership(ctx, tx, g, EventSegmentEntered, ti.customers[n], now); err != nil {
				return err
			}
		}
		for _, n := range exited {
			id := ti.customerOf(n)
			if id == "" { // left while no node ran: the id it had
				if err := tx.QueryRowContext(ctx, `SELECT customer_id FROM audience_members WHERE tenant_id = $1 AND member_no = $2`,
					g.TenantID, int64(n)).Scan(&id); err != nil {
					return fmt.Errorf("member %d: %w", n, err)
				}
			}
			if err := s.publishMembership(ctx, tx, g, EventSegmentExited, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: record segment %s: %w", g.Code, err)
	}
	return nil
}

// customerOf names a member number, also one that has just left.
func (ti *tenantIndex) customerOf(n uint32) string {
	if id := ti.customers[n]; id != "" {
		return id
	}
	return ti.left[n]
}
