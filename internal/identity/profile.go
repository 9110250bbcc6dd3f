package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
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

// applyEventProfile updates, in the resolution transaction, what event r at touchpoint
// tp tells about customer: profile fields (a field from an event older than the
// newest one that set a field only fills an empty field), the registration (the
// earliest register event, else the earliest event), the per-store event counter and,
// for a consent event, the consent. One upsert per event, plus one per store event
// and two per consent event.
func (s *Service) applyEventProfile(ctx context.Context, tx *sql.Tx, tenantID string, tp Touchpoint, r eventRow, customerID string, now int64) error {
	p := parseProfile(r.Props, r.OccurredAt)
	var fieldsAt int64
	if !p.empty() {
		fieldsAt = r.OccurredAt
	}
	nameIndex := ""
	if p.name != "" {
		nameIndex = s.pii.Index(indexName, normaliseName(p.name))
	}
	byEvent := slices.Contains(registerEventTypes, r.Type)
	if p.empty() && !byEvent {
		// Most events: only an earlier first event can move the registration. A short
		// statement, because SQLite parses every statement anew.
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_profiles (tenant_id, customer_id, registration_channel, registered_at, updated_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, customer_id) DO UPDATE SET registration_channel = excluded.registration_channel,
			registered_at = excluded.registered_at, updated_at = excluded.updated_at
			WHERE NOT customer_profiles.registered_by_event AND customer_profiles.registered_at > excluded.registered_at`,
			tenantID, customerID, string(tp.Channel), r.OccurredAt, now); err != nil {
			return fmt.Errorf("profile of %s: %w", customerID, err)
		}
		return s.countVisit(ctx, tx, tenantID, tp, r, customerID, now)
	}
	// Read, merge in Go, write: two short statements (SQLite parses every statement
	// anew). The customer's row is locked by resolution (PostgreSQL) or the write
	// transaction is exclusive (SQLite).
	var cur storedProfile
	var registered sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT name, name_index, gender, birthday, city, address, registration_channel, registered_at,
		registered_by_event, fields_at FROM customer_profiles WHERE tenant_id = $1 AND customer_id = $2`, tenantID, customerID).
		Scan(&cur.name, &cur.nameIndex, &cur.gender, &cur.birthday, &cur.city, &cur.address, &cur.channel, &registered, &cur.byEvent, &cur.fieldsAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("profile of %s: %w", customerID, err)
	}
	cur.registeredAt = registered.Int64
	next := cur
	// A field is taken when the event sets it and either the profile lacks it or the
	// event is not older than the newest event that set a field.
	newer := r.OccurredAt >= cur.fieldsAt
	set := func(dst *string, v, sealed string) {
		if v != "" && (*dst == "" || newer) {
			*dst = sealed
		}
	}
	set(&next.name, p.name, s.pii.Seal(p.name, sealName))
	if next.name != cur.name {
		next.nameIndex = nameIndex
	}
	set(&next.gender, p.gender, p.gender)
	set(&next.birthday, p.birthday, s.pii.Seal(p.birthday, sealBirthday))
	set(&next.city, p.city, p.city)
	set(&next.address, p.address, s.pii.Seal(p.address, sealAddress))
	next.fieldsAt = max(cur.fieldsAt, fieldsAt)
	// The registration moves to a register event when the current one is not, or to
	// an earlier event of the same kind.
	if !registered.Valid || (byEvent && !cur.byEvent) || (byEvent == cur.byEvent && r.OccurredAt < cur.registeredAt) {
		next.channel, next.registeredAt, next.byEvent = string(tp.Channel), r.OccurredAt, byEvent
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_profiles (tenant_id, customer_id, name, name_index, gender, birthday, city, address,
		registration_channel, registered_at, registered_by_event, fields_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (tenant_id, customer_id) DO UPDATE SET name = excluded.name, name_index = excluded.name_index, gender = excluded.gender,
		birthday = excluded.birthday, city = excluded.city, address = excluded.address, registration_channel = excluded.registration_channel,
		registered_at = excluded.registered_at, registered_by_event = excluded.registered_by_event, fields_at = excluded.fields_at,
		updated_at = excluded.updated_at`, tenantID, customerID, next.name, next.nameIndex, next.gender, next.birthday, next.city, next.address,
		next.channel, next.registeredAt, next.byEvent, next.fieldsAt, now); err != nil {
		return fmt.Errorf("profile of %s: %w", customerID, err)
	}
	return s.countVisit(ctx, tx, tenantID, tp, r, customerID, now)
}

// countVisit counts the event for the touchpoint's store and records a consent event.
func (s *Service) countVisit(ctx context.Context, tx *sql.Tx, tenantID string, tp Touchpoint, r eventRow, customerID string, now int64) error {
	if tp.StoreID != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_store_visits (tenant_id, customer_id, store_id, events) VALUES ($1, $2, $3, 1)
			ON CONFLICT (tenant_id, customer_id, store_id) DO UPDATE SET events = customer_store_visits.events + 1`,
			tenantID, customerID, tp.StoreID); err != nil {
			return fmt.Errorf("store visits of %s: %w", customerID, err)
		}
	}
	if r.Type == consentEventType {
		return s.consentFromEvent(ctx, tx, tenantID, tp, r, customerID, now)
	}
	return nil
}

// storedProfile is a customer_profiles row as stored (personal columns sealed).
type storedProfile struct {
	name, nameIndex, gender, birthday, city, address, channel string
	registeredAt, fieldsAt                                    int64
	byEvent                                                   bool
}

// profileRow is one customer_profiles row with its personal columns opened.
type profileRow struct {
	customerID string
	profile    Profile
	byEvent    bool
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

// profileRows returns the opened profiles of members, keyed by customer id.
func (s *Service) profileRows(ctx context.Context, q db.Querier, tenantID string, members []string) (map[string]profileRow, error) {
	args := []any{tenantID}
	rows, err := q.QueryContext(ctx, `SELECT customer_id, name, gender, birthday, city, address, registration_channel, registered_at, registered_by_event
		FROM customer_profiles WHERE tenant_id = $1 AND customer_id IN (`+inList(&args, members)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]profileRow{}
	for rows.Next() {
		var r profileRow
		var name, birthday, address string
		var registered sql.NullInt64
		if err := rows.Scan(&r.customerID, &name, &r.profile.Gender, &birthday, &r.profile.City, &address,
			&r.profile.RegistrationChannel, &registered, &r.byEvent); err != nil {
			return nil, err
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
		for _, f := range []struct{ dst, src *string }{
			{&out.Name, &r.profile.Name}, {&out.Gender, &r.profile.Gender}, {&out.Birthday, &r.profile.Birthday},
			{&out.City, &r.profile.City}, {&out.Address, &r.profile.Address},
		} {
			if *f.dst == "" {
				*f.dst = *f.src
			}
		}
		if at := r.profile.RegisteredAt; at != nil && (out.RegisteredAt == nil || (r.byEvent && !regByEvent) ||
			(r.byEvent == regByEvent && at.Before(*out.RegisteredAt))) {
			out.RegisteredAt, out.RegistrationChannel, regByEvent = at, r.profile.RegistrationChannel, r.byEvent
		}
	}
	if out.Gender == "" {
		out.Gender = "unknown"
	}
	args := []any{tenantID}
	err = q.QueryRowContext(ctx, `SELECT store_id FROM customer_store_visits WHERE tenant_id = $1 AND customer_id IN (`+inList(&args, members)+`)
		GROUP BY store_id ORDER BY SUM(events) DESC, store_id LIMIT 1`, args...).Scan(&out.PreferredStoreID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Profile{}, err
	}
	return out, nil
}

// ProfileExport is what the customer 360 tables hold on a customer, in full: part of
// the personal-data export (customers:pii).
type ProfileExport struct {
	Profile        Profile          `json:"profile"`
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
	if out.Consents, err = clusterConsents(ctx, q, tenantID, members); err != nil {
		return nil, fmt.Errorf("identity: export consents: %w", err)
	}
	args := []any{tenantID}
	in := inList(&args, members)
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
	in := inList(&args, members)
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
