package identity

import (
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Profile is what a customer told the brand about themselves, filled from event
// properties. Gender is "male", "female" or "unknown"; Birthday is YYYY-MM-DD;
// empty strings mean unknown.
type Profile struct {
	Name                string     `json:"name"`
	Gender              string     `json:"gender"`
	Birthday            string     `json:"birthday"`
	City                string     `json:"city"`
	Address             string     `json:"address"`
	PreferredStoreID    string     `json:"preferred_store_id"`
	RegistrationChannel string     `json:"registration_channel"`
	RegisteredAt        *time.Time `json:"registered_at"`
}

// The seal contexts of the personal columns of customer_profiles: a sealed value
// copied to another column fails to open.
const (
	sealName     = "customer_profiles.name"
	sealBirthday = "customer_profiles.birthday"
	sealAddress  = "customer_profiles.address"
	// sealMaskedPhone seals the newest masked phone (a matching feature, not shown).
	sealMaskedPhone = "customer_profiles.masked_phone"
	// indexName is the blind-index kind of normalised names.
	indexName = "name"
)

// registerEventTypes are the event types that register a customer (the brief's
// "register" and the ingestion guide's "registration").
var registerEventTypes = []string{"register", "registration"}

// normaliseName folds full-width characters, collapses white space and lower-cases a
// name, so that "张 伟" and "张伟" differ but "Zhang  Wei" and "zhang wei" do not.
func normaliseName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(width.Fold.String(s)), " "))
}

// profileFields are the profile values of one event, each already validated; a
// field is "" when absent or invalid.
type profileFields struct {
	name, gender, birthday, city, address string
	maskedPhone                           string // from the event's identifiers, for fuzzy matching
}

func (p profileFields) empty() bool { return p == profileFields{} }

// profileText returns the trimmed string value of a property, or "" when it is not a
// string, is too long or holds control characters: a bad value is ignored, the event
// is kept.
func profileText(raw json.RawMessage) string {
	s, ok := jsonString(raw)
	if !ok {
		return ""
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxProfileRunes || strings.ContainsFunc(s, unicode.IsControl) {
		return ""
	}
	return s
}

// parseProfile extracts the profile fields of an event's properties (compact JSON)
// at occurredAt. Invalid values are dropped one by one: gender must be male, female,
// other or unknown (other is kept as unknown) and birthday a real date between 1900
// and the event.
func parseProfile(props string, occurredAt int64) profileFields {
	var p profileFields
	if len(props) <= 2 {
		return p
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(props), &m) != nil {
		return p
	}
	p.name, p.city, p.address = profileText(m["name"]), profileText(m["city"]), profileText(m["address"])
	switch g := profileText(m["gender"]); g {
	case "male", "female", "unknown":
		p.gender = g
	case "other":
		p.gender = "unknown"
	}
	if b := profileText(m["birthday"]); b != "" {
		t, err := time.Parse(time.DateOnly, b)
		if err == nil && t.Year() >= 1900 && t.UnixMilli() <= occurredAt {
			p.birthday = b
		}
	}
	return p
}

// profileEvent is what one resolved event tells about its customer's profile,
// kept in the batch until flush writes it (writeProfiles).
type profileEvent struct {
	occurredAt int64
	fields     profileFields
	byEvent    bool   // a register event
	channel    string // the touchpoint's channel
}

// visitKey is a customer's event counter at one store.
type visitKey struct{ customer, store string }

// applyEventProfile notes, in the batch, what event r tells about customer: profile
// fields, registration and the per-store event counter (written by flush, one
// multi-row statement per table), and records a consent event at once (rare).
func (s *Service) applyEventProfile(ctx context.Context, tx *sql.Tx, st *batchState, r eventRow, customerID string) error {
	st.noteProfile(r, customerID)
	if r.Type == consentEventType {
		return s.consentFromEvent(ctx, tx, st.tenantID, st.tp, r, customerID, st.now)
	}
	return nil
}

// noteProfile notes in st what event r, sent by st.tp, tells about customer's profile
// and store visits.
func (st *batchState) noteProfile(r eventRow, customerID string) {
	if st.profiles == nil {
		st.profiles, st.visits = map[string][]profileEvent{}, map[visitKey]int64{}
	}
	if _, ok := st.profiles[customerID]; !ok {
		st.profileOrder = append(st.profileOrder, customerID)
	}
	fields := parseProfile(r.Props, r.OccurredAt)
	fields.maskedPhone = r.Idents[graph.TypeMaskedPhone.String()]
	st.profiles[customerID] = append(st.profiles[customerID], profileEvent{occurredAt: r.OccurredAt, fields: fields,
		byEvent: slices.Contains(registerEventTypes, r.Type), channel: string(st.tp.Channel)})
	if st.tp.StoreID != "" {
		k := visitKey{customerID, st.tp.StoreID}
		if _, ok := st.visits[k]; !ok {
			st.visitOrder = append(st.visitOrder, k)
		}
		st.visits[k]++
	}
}

// applyProfileEvent applies one event to a customer's stored profile cur (nil: no
// row yet) exactly as one upsert per event would, and reports whether the row
// changed. A field is taken when the event sets it and either the profile lacks it
// or the event is not older than the newest event that set a field; the
// registration is the earliest register event, else the earliest event.
func (s *Service) applyProfileEvent(cur *storedProfile, e profileEvent) (*storedProfile, bool) {
	p := e.fields
	if p.empty() && !e.byEvent {
		// Only an earlier first event can move the registration.
		if cur == nil {
			return &storedProfile{channel: e.channel, registeredAt: e.occurredAt, registered: true}, true
		}
		if cur.byEvent || !cur.registered || cur.registeredAt <= e.occurredAt {
			return cur, false
		}
		next := *cur
		next.channel, next.registeredAt = e.channel, e.occurredAt
		return &next, true
	}
	var next storedProfile
	if cur != nil {
		next = *cur
	}
	prev := next
	newer := e.occurredAt >= prev.fieldsAt
	set := func(dst *string, v, sealed string) {
		if v != "" && (*dst == "" || newer) {
			*dst = sealed
		}
	}
	if p.name != "" && (next.name == "" || newer) {
		next.name = s.pii.Seal(p.name, sealName)
		next.nameIndex = s.pii.Index(indexName, normaliseName(p.name))
	}
	set(&next.gender, p.gender, p.gender)
	if p.birthday != "" && (next.birthday == "" || newer) {
		next.birthday = s.pii.Seal(p.birthday, sealBirthday)
	}
	set(&next.city, p.city, p.city)
	if p.address != "" && (next.address == "" || newer) {
		next.address = s.pii.Seal(p.address, sealAddress)
	}
	if p.maskedPhone != "" && (next.maskedPhone == "" || newer) {
		next.maskedPhone = s.pii.Seal(p.maskedPhone, sealMaskedPhone)
	}
	if !p.empty() {
		next.fieldsAt = max(prev.fieldsAt, e.occurredAt)
	}
	// The registration moves to a register event when the current one is not, or to
	// an earlier event of the same kind.
	if !prev.registered || (e.byEvent && !prev.byEvent) || (e.byEvent == prev.byEvent && e.occurredAt < prev.registeredAt) {
		next.channel, next.registeredAt, next.byEvent, next.registered = e.channel, e.occurredAt, e.byEvent, true
	}
	return &next, true // the per-event upsert always wrote the row (and its updated_at)
}

// writeProfiles writes the batch's pending profile events and store visits: it
// reads the stored profiles of the customers concerned, applies their events in
// order in memory and upserts the changed rows, then adds the store visits.
func (s *Service) writeProfiles(ctx context.Context, tx *sql.Tx, st *batchState) error {
	if len(st.profileOrder) > 0 {
		stored := map[string]*storedProfile{}
		err := inChunks(s.db.Dialect, slices.Sorted(slices.Values(st.profileOrder)), func(chunk []string) error {
			args := []any{st.tenantID}
			q := db.SelectIn(s.db.Dialect, &args, db.Select{Cols: `customer_id, name, name_index, gender, birthday, city, address, masked_phone,
				registration_channel, registered_at, registered_by_event, fields_at`, Table: "customer_profiles", Where: "tenant_id = $1", Column: "customer_id"}, chunk)
			return db.EachRow(ctx, tx, q, args, func(rs *sql.Rows) error {
				var id string
				var cur storedProfile
				var registered sql.NullInt64
				if err := rs.Scan(&id, &cur.name, &cur.nameIndex, &cur.gender, &cur.birthday, &cur.city, &cur.address, &cur.maskedPhone, &cur.channel, &registered,
					&cur.byEvent, &cur.fieldsAt); err != nil {
					return err
				}
				cur.registeredAt, cur.registered = registered.Int64, registered.Valid
				stored[id] = &cur
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("profiles: %w", err)
		}
		type profileWrite struct {
			id string
			p  *storedProfile
		}
		var writes []profileWrite
		for _, id := range slices.Sorted(slices.Values(st.profileOrder)) {
			cur, changed := stored[id], false
			for _, e := range st.profiles[id] {
				var ch bool
				cur, ch = s.applyProfileEvent(cur, e)
				changed = changed || ch
			}
			if changed {
				writes = append(writes, profileWrite{id, cur})
			}
		}
		w := db.Rows{Head: `INSERT INTO customer_profiles (tenant_id, updated_at, customer_id, name, name_index, gender, birthday, city, address,
			masked_phone, registration_channel, registered_at, registered_by_event, fields_at)`, Lead: "$1, $2", Fixed: []any{st.tenantID, st.now},
			Tail: ` ON CONFLICT (tenant_id, customer_id) DO UPDATE SET name = excluded.name, name_index = excluded.name_index, gender = excluded.gender,
			birthday = excluded.birthday, city = excluded.city, address = excluded.address, masked_phone = excluded.masked_phone,
			registration_channel = excluded.registration_channel,
			registered_at = excluded.registered_at, registered_by_event = excluded.registered_by_event, fields_at = excluded.fields_at,
			updated_at = excluded.updated_at`}
		err = db.WriteRows(ctx, tx, s.db.Dialect, w, writes, func(w profileWrite) []any {
			var registered any
			if w.p.registered {
				registered = w.p.registeredAt
			}
			return []any{w.id, w.p.name, w.p.nameIndex, w.p.gender, w.p.birthday, w.p.city, w.p.address, w.p.maskedPhone, w.p.channel, registered,
				w.p.byEvent, w.p.fieldsAt}
		}, nil)
		if err != nil {
			return fmt.Errorf("profiles: %w", err)
		}
		st.profiles, st.profileOrder = nil, nil
	}
	if len(st.visitOrder) > 0 {
		keys := slices.SortedFunc(slices.Values(st.visitOrder), func(a, b visitKey) int {
			return cmp.Or(strings.Compare(a.customer, b.customer), strings.Compare(a.store, b.store))
		})
		w := db.Rows{Head: `INSERT INTO customer_store_visits (tenant_id, customer_id, store_id, events)`, Lead: "$1", Fixed: []any{st.tenantID},
			Tail: ` ON CONFLICT (tenant_id, customer_id, store_id) DO UPDATE SET events = customer_store_visits.events + excluded.events`}
		err := db.WriteRows(ctx, tx, s.db.Dialect, w, keys, func(k visitKey) []any { return []any{k.customer, k.store, st.visits[k]} }, nil)
		if err != nil {
			return fmt.Errorf("store visits: %w", err)
		}
		st.visits, st.visitOrder = nil, nil
	}
	return nil
}

// storedProfile is a customer_profiles row as stored (personal columns sealed).
type storedProfile struct {
	name, nameIndex, gender, birthday, city, address, channel string
	maskedPhone                                               string
	registeredAt, fieldsAt                                    int64
	registered                                                bool // registered_at is not NULL
	byEvent                                                   bool
}

// profileRow is one customer_profiles row with its personal columns opened.
type profileRow struct {
	customerID  string
	profile     Profile
	maskedPhone string // the newest masked phone, a matching feature
	byEvent     bool
}

// clusterMembers returns the live customer id and the ids merged into it, the live
// one first and then the absorbed ones oldest first.
func clusterMembers(ctx context.Context, q db.Querier, tenantID, live string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM customers WHERE tenant_id = $1 AND merged_into = $2 ORDER BY created_at, id`, tenantID, live)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{live}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// profileRows returns the opened profiles of members (nil: every customer of the
// tenant), keyed by customer id.
func (s *Service) profileRows(ctx context.Context, q db.Querier, tenantID string, members []string) (map[string]profileRow, error) {
	args := []any{tenantID}
	where := "tenant_id = $1"
	if members != nil {
		where += " AND customer_id IN (" + db.Placeholders(&args, members) + ")"
	}
	rows, err := q.QueryContext(ctx, `SELECT customer_id, name, gender, birthday, city, address, masked_phone, registration_channel, registered_at,
		registered_by_event FROM customer_profiles WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]profileRow{}
	for rows.Next() {
		var r profileRow
		var name, birthday, address, masked string
		var registered sql.NullInt64
		if err := rows.Scan(&r.customerID, &name, &r.profile.Gender, &birthday, &r.profile.City, &address, &masked,
			&r.profile.RegistrationChannel, &registered, &r.byEvent); err != nil {
			return nil, err
		}
		if r.maskedPhone, err = s.pii.Open(masked, sealMaskedPhone); err != nil {
			return nil, fmt.Errorf("profile of %s: masked phone: %w", r.customerID, err)
		}
		if r.profile.Name, err = s.pii.Open(name, sealName); err != nil {
			return nil, fmt.Errorf("profile of %s: name: %w", r.customerID, err)
		}
		if r.profile.Birthday, err = s.pii.Open(birthday, sealBirthday); err != nil {
			return nil, fmt.Errorf("profile of %s: birthday: %w", r.customerID, err)
		}
		if r.profile.Address, err = s.pii.Open(address, sealAddress); err != nil {
			return nil, fmt.Errorf("profile of %s: address: %w", r.customerID, err)
		}
		if registered.Valid {
			at := clock.FromMillis(registered.Int64)
			r.profile.RegisteredAt = &at
		}
		out[r.customerID] = r
	}
	return out, rows.Err()
}

// customerProfile returns the profile of the live customer live, merged at read
// time over its cluster: the survivor keeps its own values and takes those of the
// customers merged into it (oldest first) where its own are empty; the registration
// is the earliest register event of the cluster (else its earliest event); the
// preferred store is the store with the most events of the cluster. Because nothing
// is copied at merge time, an unmerge restores both profiles exactly.
func (s *Service) customerProfile(ctx context.Context, q db.Querier, tenantID, live string) (Profile, error) {
	members, err := clusterMembers(ctx, q, tenantID, live)
	if err != nil {
		return Profile{}, err
	}
	rows, err := s.profileRows(ctx, q, tenantID, members)
	if err != nil {
		return Profile{}, err
	}
	var out Profile
	var regByEvent bool
	for _, m := range members {
		r, ok := rows[m]
		if !ok {
			continue
		}
		fillProfile(&out, r.profile)
		if at := r.profile.RegisteredAt; at != nil && (out.RegisteredAt == nil || (r.byEvent && !regByEvent) ||
			(r.byEvent == regByEvent && at.Before(*out.RegisteredAt))) {
			out.RegisteredAt, out.RegistrationChannel, regByEvent = at, r.profile.RegistrationChannel, r.byEvent
		}
	}
	if out.Gender == "" {
		out.Gender = "unknown"
	}
	args := []any{tenantID}
	err = q.QueryRowContext(ctx, `SELECT store_id FROM customer_store_visits WHERE tenant_id = $1 AND customer_id IN (`+db.Placeholders(&args, members)+`)
		GROUP BY store_id ORDER BY SUM(events) DESC, store_id LIMIT 1`, args...).Scan(&out.PreferredStoreID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Profile{}, err
	}
	return out, nil
}

// fillProfile sets each empty attribute of dst (name, gender, birthday, city,
// address) from src: how a cluster's profile takes the values of the customers merged
// into the survivor.
func fillProfile(dst *Profile, src Profile) {
	for _, f := range []struct{ dst, src *string }{
		{&dst.Name, &src.Name}, {&dst.Gender, &src.Gender}, {&dst.Birthday, &src.Birthday},
		{&dst.City, &src.City}, {&dst.Address, &src.Address},
	} {
		if *f.dst == "" {
			*f.dst = *f.src
		}
	}
}

// ProfileExport is what the customer 360 tables hold on a customer, in full: part of
// the personal-data export (customers:pii).
type ProfileExport struct {
	Profile      Profile  `json:"profile"`
	MaskedPhones []string `json:"masked_phones"` // the newest masked phone of each member, kept for matching

	StoreVisits    map[string]int64 `json:"store_visits"`
	Consents       []Consent        `json:"consents"`
	ConsentHistory []ConsentRecord  `json:"consent_history"`
	Merges         []Merge          `json:"merges"`
}

// exportProfileAndConsents returns the profile, store visits, consents (current and
// history) and merges of a cluster with full values: members are the live customer
// and those merged into it (a customerSections export, privacy.go). The caller has
// checked customers:pii.
func (s *Service) exportProfileAndConsents(ctx context.Context, q db.Querier, tenantID string, members []string) (any, error) {
	live := members[0]
	out := ProfileExport{StoreVisits: map[string]int64{}, ConsentHistory: []ConsentRecord{}, Merges: []Merge{}}
	var err error
	if out.Profile, err = s.customerProfile(ctx, q, tenantID, live); err != nil {
		return nil, fmt.Errorf("identity: export profile: %w", err)
	}
	profiles, err := s.profileRows(ctx, q, tenantID, members)
	if err != nil {
		return nil, fmt.Errorf("identity: export profile: %w", err)
	}
	out.MaskedPhones = []string{}
	for _, m := range members {
		if p := profiles[m].maskedPhone; p != "" && !slices.Contains(out.MaskedPhones, p) {
			out.MaskedPhones = append(out.MaskedPhones, p)
		}
	}
	if out.Consents, err = clusterConsents(ctx, q, tenantID, members); err != nil {
		return nil, fmt.Errorf("identity: export consents: %w", err)
	}
	args := []any{tenantID}
	in := db.Placeholders(&args, members)
	rows, err := q.QueryContext(ctx, `SELECT store_id, SUM(events) FROM customer_store_visits WHERE tenant_id = $1 AND customer_id IN (`+in+`) GROUP BY store_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: export store visits: %w", err)
	}
	for rows.Next() {
		var store string
		var n int64
		if err := rows.Scan(&store, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("identity: export store visits: %w", err)
		}
		out.StoreVisits[store] = n
	}
	rows.Close()
	hrows, err := q.QueryContext(ctx, `SELECT id, purpose, channel, granted, source, occurred_at, recorded_at FROM customer_consent_history
		WHERE tenant_id = $1 AND customer_id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: export consent history: %w", err)
	}
	defer hrows.Close()
	for hrows.Next() {
		var c ConsentRecord
		var at, rec int64
		if err := hrows.Scan(&c.ID, &c.Purpose, &c.Channel, &c.Granted, &c.Source, &at, &rec); err != nil {
			return nil, fmt.Errorf("identity: export consent history: %w", err)
		}
		c.OccurredAt, c.RecordedAt = clock.FromMillis(at), clock.FromMillis(rec)
		out.ConsentHistory = append(out.ConsentHistory, c)
	}
	if err := hrows.Err(); err != nil {
		return nil, fmt.Errorf("identity: export consent history: %w", err)
	}
	if out.Merges, err = clusterMerges(ctx, q, tenantID, members); err != nil {
		return nil, fmt.Errorf("identity: export merges: %w", err)
	}
	return out, nil
}

// eraseProfileAndConsents removes, in tx, all personal data the customer 360 tables
// hold on a cluster (members: the live customer and those merged into it; a
// customerSections erase, privacy.go): profiles, store visits, consents and their
// history, the blind indexes of moved identifiers in the merge log (the merge itself
// stays, so counts stay anonymous) and free-text notes of merges and reviews. It
// returns the rows changed.
func (s *Service) eraseProfileAndConsents(ctx context.Context, tx *sql.Tx, tenantID string, members []string) (int64, error) {
	var n int64
	args := []any{tenantID}
	in := db.Placeholders(&args, members)
	for _, q := range []string{
		`DELETE FROM customer_profiles WHERE tenant_id = $1 AND customer_id IN (` + in + `)`,
		`DELETE FROM customer_store_visits WHERE tenant_id = $1 AND customer_id IN (` + in + `)`,
		`DELETE FROM customer_consents WHERE tenant_id = $1 AND customer_id IN (` + in + `)`,
		`DELETE FROM customer_consent_history WHERE tenant_id = $1 AND customer_id IN (` + in + `)`,
		`DELETE FROM customer_merge_items WHERE tenant_id = $1 AND kind = 'identifier' AND merge_id IN
			(SELECT id FROM customer_merges WHERE tenant_id = $1 AND (survivor_id IN (` + in + `) OR absorbed_id IN (` + in + `)))`,
		`UPDATE customer_merges SET reason = kind WHERE tenant_id = $1 AND (survivor_id IN (` + in + `) OR absorbed_id IN (` + in + `))`,
		`UPDATE identity_reviews SET note = '' WHERE tenant_id = $1 AND customer_id IN (` + in + `)`,
	} {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("identity: erase profile: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("identity: erase profile: %w", err)
		}
		n += k
	}
	return n, nil
}

// AudienceProfile is what the audience index reads of a live customer: the
// non-identifying attributes it segments by. The birthday is reduced to its year.
type AudienceProfile struct {
	CustomerID          string
	Gender              string
	City                string
	BirthYear           int
	RegistrationChannel string
	RegisteredAt        *time.Time
	PreferredStoreID    string
	Consents            []string // purpose:channel pairs granted
}

// ForEachAudienceProfile calls fn for every live (not merged, not erased) customer
// of tenantID, or for those of ids that are live. It is the audience engine's bulk
// read and runs without a principal: the caller (the audience service) has checked
// its own scope.
func (s *Service) ForEachAudienceProfile(ctx context.Context, tenantID string, ids []string, fn func(AudienceProfile) error) error {
	args := []any{tenantID}
	where := `c.tenant_id = $1 AND c.merged_into IS NULL AND c.status = 'active'`
	if len(ids) > 0 {
		where += " AND c.id" + db.In(s.db.Dialect, &args, ids)
	}
	consents := map[string][]string{}
	err := db.EachRow(ctx, s.db.Reader(), `SELECT k.customer_id, k.purpose, k.channel FROM customer_consents k
		JOIN customers c ON c.tenant_id = k.tenant_id AND c.id = k.customer_id WHERE `+where+` AND k.granted`, args,
		func(rs *sql.Rows) error {
			var id, purpose, channel string
			if err := rs.Scan(&id, &purpose, &channel); err != nil {
				return err
			}
			consents[id] = append(consents[id], purpose+":"+channel)
			return nil
		})
	if err != nil {
		return fmt.Errorf("identity: audience consents: %w", err)
	}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT c.id, COALESCE(p.gender, ''), COALESCE(p.birthday, ''), COALESCE(p.city, ''),
		COALESCE(p.registration_channel, ''), p.registered_at, COALESCE(p.preferred_store_id, '')
		FROM customers c LEFT JOIN customer_profiles p ON p.tenant_id = c.tenant_id AND p.customer_id = c.id WHERE `+where, args,
		func(rs *sql.Rows) error {
			var a AudienceProfile
			var birthday string
			var registered sql.NullInt64
			if err := rs.Scan(&a.CustomerID, &a.Gender, &birthday, &a.City, &a.RegistrationChannel, &registered, &a.PreferredStoreID); err != nil {
				return err
			}
			if birthday != "" {
				b, err := s.pii.Open(birthday, sealBirthday)
				if err != nil {
					return fmt.Errorf("birthday of %s: %w", a.CustomerID, err)
				}
				if t, err := time.Parse(time.DateOnly, b); err == nil {
					a.BirthYear = t.Year()
				}
			}
			if registered.Valid {
				t := clock.FromMillis(registered.Int64)
				a.RegisteredAt = &t
			}
			a.Consents = consents[a.CustomerID]
			return fn(a)
		})
	if err != nil {
		return fmt.Errorf("identity: audience profiles: %w", err)
	}
	return nil
}

// HashedIdentifiers returns, for each of customerIDs that is live, the hashes of its
// identifiers of type typ, for an advertising platform's audience upload: the
// normalised value (a mainland phone as its 11 digits, without +86) hashed with
// hash (sha256 or md5), in lower-case hex. Values never leave One ID unhashed. It
// runs without a principal: the caller (the audience export) checked its scope and
// each customer's consent. Errors: invalid (typ, hash).
func (s *Service) HashedIdentifiers(ctx context.Context, tenantID string, customerIDs []string, typ, hash string) (map[string][]string, error) {
	if !slices.Contains([]string{graph.TypePhone.String(), graph.TypeEmail.String(), graph.TypeDeviceID.String()}, typ) {
		return nil, errs.Field("identifier", "hashed exports cover phone, email and device_id")
	}
	if hash != "sha256" && hash != "md5" {
		return nil, errs.Field("hash", "hash is sha256 or md5")
	}
	out := map[string][]string{}
	for len(customerIDs) > 0 {
		chunk := customerIDs[:min(len(customerIDs), 500)]
		customerIDs = customerIDs[len(chunk):]
		args := []any{tenantID, typ}
		err := db.EachRow(ctx, s.db.Reader(), `SELECT i.customer_id, i.value_sealed FROM customer_identifiers i
			JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
			WHERE i.tenant_id = $1 AND i.type = $2 AND c.status = 'active' AND c.merged_into IS NULL AND i.customer_id`+db.In(s.db.Dialect, &args, chunk),
			args, func(rs *sql.Rows) error {
				var id, sealed string
				if err := rs.Scan(&id, &sealed); err != nil {
					return err
				}
				v, err := s.pii.Open(sealed, identifierContext(typ))
				if err != nil {
					return fmt.Errorf("identifier of %s: %w", id, err)
				}
				out[id] = append(out[id], hashValue(strings.TrimPrefix(v, "+86"), hash))
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("identity: hashed identifiers: %w", err)
		}
	}
	return out, nil
}

func hashValue(v, hash string) string {
	if hash == "md5" {
		sum := md5.Sum([]byte(v))
		return hex.EncodeToString(sum[:])
	}
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}
