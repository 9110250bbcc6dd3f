package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// consentEventType is the event type whose properties {purpose, channel, granted}
// record a consent (source: the touchpoint's code).
const consentEventType = "consent"

// The consent purposes and channels.
var (
	ConsentPurposes = []string{"marketing", "advertising"}
	ConsentChannels = []string{"sms", "wechat", "push", "email", "phone", "ads"}
)

// Consent is the current consent of a customer for one purpose on one channel.
type Consent struct {
	Purpose    string    `json:"purpose"`
	Channel    string    `json:"channel"`
	Granted    bool      `json:"granted"`
	Source     string    `json:"source"`
	OccurredAt time.Time `json:"occurred_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ConsentRecord is one recorded consent change (history).
type ConsentRecord struct {
	ID         string    `json:"id"`
	Purpose    string    `json:"purpose"`
	Channel    string    `json:"channel"`
	Granted    bool      `json:"granted"`
	Source     string    `json:"source"`
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
}

// NewConsent is a consent to record. OccurredAt zero means now.
type NewConsent struct {
	Purpose    string
	Channel    string
	Granted    bool
	Source     string
	OccurredAt time.Time
}

// ConsentHistoryFilter pages a customer's consent history, oldest first.
type ConsentHistoryFilter struct {
	Limit  int
	Cursor string
}

// Validate reports an errs.Invalid error naming the body field of a bad consent.
func (n NewConsent) Validate(now time.Time) error {
	switch {
	case !slices.Contains(ConsentPurposes, n.Purpose):
		return errs.Field("body.purpose", "must be one of %s", strings.Join(ConsentPurposes, ", "))
	case !slices.Contains(ConsentChannels, n.Channel):
		return errs.Field("body.channel", "must be one of %s", strings.Join(ConsentChannels, ", "))
	case n.Source == "" || utf8.RuneCountInString(n.Source) > 100 || strings.ContainsFunc(n.Source, unicode.IsControl):
		return errs.Field("body.source", "is required: at most 100 characters without control characters")
	case n.OccurredAt.After(now.Add(futureTolerance)):
		return errs.Field("body.occurred_at", "is more than an hour in the future")
	case n.OccurredAt.Year() < 2000:
		return errs.Field("body.occurred_at", "is before 2000")
	}
	return nil
}

// recordConsent writes a consent to the history and makes it current unless a
// later-occurred consent for the same purpose and channel is already current, and
// publishes EventCustomerConsent (segments over consents follow it).
func (s *Service) recordConsent(ctx context.Context, tx *sql.Tx, tenantID, customerID string, n NewConsent, now int64) error {
	at := clock.Millis(n.OccurredAt)
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_consent_history (tenant_id, id, customer_id, purpose, channel, granted, source, occurred_at, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, tenantID, ids.New(), customerID, n.Purpose, n.Channel, n.Granted, n.Source, at, now); err != nil {
		return fmt.Errorf("consent history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_consents (tenant_id, customer_id, purpose, channel, granted, source, occurred_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, customer_id, purpose, channel) DO UPDATE SET granted = excluded.granted, source = excluded.source,
			occurred_at = excluded.occurred_at, updated_at = excluded.updated_at
		WHERE customer_consents.occurred_at <= excluded.occurred_at`, tenantID, customerID, n.Purpose, n.Channel, n.Granted, n.Source, at, now); err != nil {
		return fmt.Errorf("current consent: %w", err)
	}
	_, err := s.outbox.Publish(ctx, tx, tenantID, EventCustomerConsent, customerID, CustomerConsentEvent{CustomerID: customerID,
		Purpose: n.Purpose, Channel: n.Channel, Granted: n.Granted})
	if err != nil {
		return fmt.Errorf("consent event: %w", err)
	}
	return nil
}

// consentFromEvent records the consent of a consent event; an event whose purpose,
// channel or granted is missing or invalid records nothing (the event is kept).
func (s *Service) consentFromEvent(ctx context.Context, tx *sql.Tx, tenantID string, tp Touchpoint, r eventRow, customerID string, now int64) error {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(r.Props), &m) != nil {
		return nil
	}
	purpose, _ := jsonString(m["purpose"])
	channel, _ := jsonString(m["channel"])
	var granted bool
	if json.Unmarshal(m["granted"], &granted) != nil {
		return nil
	}
	n := NewConsent{Purpose: purpose, Channel: channel, Granted: granted, Source: tp.Code, OccurredAt: clock.FromMillis(r.OccurredAt)}
	if n.Validate(clock.FromMillis(now)) != nil {
		return nil
	}
	return s.recordConsent(ctx, tx, tenantID, customerID, n, now)
}

// clusterConsents returns the current consents of a live customer's cluster: for
// each purpose and channel the latest-occurred consent of the customer or of any
// customer merged into it, ordered by purpose and channel.
func clusterConsents(ctx context.Context, q db.Querier, tenantID string, members []string) ([]Consent, error) {
	args := []any{tenantID}
	rows, err := q.QueryContext(ctx, `SELECT purpose, channel, granted, source, occurred_at, updated_at FROM customer_consents
		WHERE tenant_id = $1 AND customer_id IN (`+db.Placeholders(&args, members)+`) ORDER BY purpose, channel, occurred_at DESC, updated_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Consent{}
	for rows.Next() {
		var c Consent
		var at, updated int64
		if err := rows.Scan(&c.Purpose, &c.Channel, &c.Granted, &c.Source, &at, &updated); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Purpose == c.Purpose && out[n-1].Channel == c.Channel {
			continue // an older consent of another member of the cluster
		}
		c.OccurredAt, c.UpdatedAt = clock.FromMillis(at), clock.FromMillis(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordConsent records a consent of customer id (of the survivor for a merged id)
// and returns the customer's current consents; a customer outside the principal's
// data scope is not found. Errors: invalid (fields), not_found, unauthorized,
// forbidden.
func (s *Service) RecordConsent(ctx context.Context, id string, n NewConsent) ([]Consent, error) {
	p, err := auth.Require(ctx, auth.CustomersWrite)
	if err != nil {
		return nil, err
	}
	now := s.now()
	n.Source = strings.TrimSpace(n.Source)
	if n.OccurredAt.IsZero() {
		n.OccurredAt = now
	}
	n.OccurredAt = clock.FromMillis(clock.Millis(n.OccurredAt))
	if err := n.Validate(now); err != nil {
		return nil, err
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []Consent
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		live, err := sc.live(ctx, tx, p.TenantID, id, "")
		if err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, AccessConsentRecord, ShownFull, accessed{customer: live}); err != nil {
			return err
		}
		if err := s.recordConsent(ctx, tx, p.TenantID, live, n, clock.Millis(now)); err != nil {
			return err
		}
		change := map[string]any{"purpose": n.Purpose, "channel": n.Channel, "granted": n.Granted, "source": maskSource(n.Source), "occurred_at": n.OccurredAt}
		if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "customer.consent", ResourceType: "customer", ResourceID: live, Changes: change}); err != nil {
			return err
		}
		members, err := clusterMembers(ctx, tx, p.TenantID, live)
		if err != nil {
			return err
		}
		out, err = clusterConsents(ctx, tx, p.TenantID, members)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("identity: record consent: %w", err)
	}
	return maskConsents(p, out), nil
}

// FindConsentHistory returns the consents recorded for customer id and the customers
// merged into it, in the order they were recorded; a customer outside the
// principal's data scope is not found. Each page is recorded in the access log.
// Errors: not_found, invalid (cursor), unauthorized, forbidden.
func (s *Service) FindConsentHistory(ctx context.Context, id string, f ConsentHistoryFilter) (httpapi.Page[ConsentRecord], error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return httpapi.Page[ConsentRecord]{}, err
	}
	q := s.db.Reader()
	live, err := s.visibleCustomer(ctx, q, p, id)
	if err != nil {
		return httpapi.Page[ConsentRecord]{}, fmt.Errorf("identity: consent history: %w", err)
	}
	members, err := clusterMembers(ctx, q, p.TenantID, live)
	if err != nil {
		return httpapi.Page[ConsentRecord]{}, fmt.Errorf("identity: consent history: %w", err)
	}
	page, err := httpapi.FindPage(f.Cursor, f.Limit, defaultLimit, func(after string, n int) ([]ConsentRecord, error) {
		args := []any{p.TenantID, after, n}
		rows, err := q.QueryContext(ctx, `SELECT id, purpose, channel, granted, source, occurred_at, recorded_at FROM customer_consent_history
			WHERE tenant_id = $1 AND id > $2 AND customer_id IN (`+db.Placeholders(&args, members)+`) ORDER BY id LIMIT $3`, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []ConsentRecord
		for rows.Next() {
			var c ConsentRecord
			var at, rec int64
			if err := rows.Scan(&c.ID, &c.Purpose, &c.Channel, &c.Granted, &c.Source, &at, &rec); err != nil {
				return nil, err
			}
			c.OccurredAt, c.RecordedAt = clock.FromMillis(at), clock.FromMillis(rec)
			out = append(out, c)
		}
		return out, rows.Err()
	}, func(c ConsentRecord) string { return c.ID })
	if err != nil {
		return httpapi.Page[ConsentRecord]{}, fmt.Errorf("identity: consent history: %w", err)
	}
	if !p.Has(auth.CustomersPII) {
		for i := range page.Items {
			page.Items[i].Source = maskSource(page.Items[i].Source)
		}
	}
	if err := s.logAccess(ctx, nil, AccessConsentHistory, shownTo(p), accessed{customer: live}); err != nil {
		return httpapi.Page[ConsentRecord]{}, err
	}
	return page, nil
}
