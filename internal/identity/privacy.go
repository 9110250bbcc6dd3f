package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/identity/graph"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// Personal data at rest (docs/decisions/0006-personal-data.md): identifier values are
// sealed and found through their blind index; an event's identifiers and properties
// are each sealed whole. The sealing contexts below bind a sealed value to the column
// it lives in.
const (
	eventIdentifiersContext = "events.identifiers"
	eventPropertiesContext  = "events.properties"
)

// identifierContext is the sealing context of an identifier value of type typ.
func identifierContext(typ string) string { return "customer_identifiers." + typ }

// CustomerStatus says whether a customer's personal data is still held.
type CustomerStatus string

// Customer statuses.
const (
	CustomerActive CustomerStatus = "active"
	CustomerErased CustomerStatus = "erased" // personal data erased; counts and redirects stay
)

// openEventJSON opens a sealed JSON column of events into v; numbers keep their exact
// text (json.Number), so that a long number is shown, and masked, as it was sent. An
// empty column (an erased event) leaves v unchanged.
func openEventJSON(keys *pii.Keys, sealed, context string, v any) error {
	plain, err := keys.Open(sealed, context)
	if err != nil {
		return err
	}
	if plain == "" || plain == "null" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(plain))
	dec.UseNumber()
	return dec.Decode(v)
}

// maskIdentifier masks an identifier value for a reader without customers:pii
// (decision 0015): a phone as 138****1234, a masked phone in the same form whatever
// digits it showed, an e-mail as w***@example.com, and every other type — member card,
// WeChat unionid and openid, Alipay, app, marketplace, delivery and POS ids, device and
// cookie ids — with pii.MaskID (****2345): enough for someone holding the card or
// account to recognise it, not enough to look the person up elsewhere.
func maskIdentifier(typ, value string) string {
	switch typ {
	case graph.TypePhone.String(), graph.TypeMaskedPhone.String():
		return pii.MaskPhone(value)
	case graph.TypeEmail.String():
		return pii.MaskEmail(value)
	}
	return pii.MaskID(value)
}

// maskString masks a profile field by its meaning (name, address, birthday); other
// profile fields (city) are masked where they hold a phone number, e-mail address or
// identity card number.
func maskString(key, s string) string {
	switch key {
	case "name":
		return pii.MaskName(s)
	case "address":
		return pii.MaskAddress(s)
	case "birthday":
		return pii.MaskBirthday(s)
	}
	return pii.MaskFreeText(s)
}

// maskCustomer masks c's personal values unless p holds customers:pii.
func maskCustomer(p *auth.Principal, c Customer) Customer {
	if p.Has(auth.CustomersPII) {
		return c
	}
	c.Masked = true
	out := make([]CustomerIdentifier, len(c.Identifiers))
	for i, id := range c.Identifiers {
		id.Value = maskIdentifier(id.Type, id.Value)
		out[i] = id
	}
	c.Identifiers = out
	return c
}

// maskEvent masks e's identifiers and properties unless p holds customers:pii: only
// the properties the tenant's event schema declares non-personal keep their values
// (pii.AllowList.Mask). A type written with a phone number in it is masked too (types
// are checked at ingestion since decision 0015; older events may hold one).
func maskEvent(p *auth.Principal, schema pii.AllowList, e CustomerEvent) CustomerEvent {
	if p.Has(auth.CustomersPII) {
		return e
	}
	e.Masked = true
	idents := make(map[string]string, len(e.Identifiers))
	for k, v := range e.Identifiers {
		idents[k] = maskIdentifier(k, v)
	}
	e.Identifiers = idents
	e.Type = pii.MaskFreeText(e.Type)
	if e.Properties != nil {
		e.Properties, _ = schema.Mask(e.Properties).(map[string]any)
	}
	return e
}

// maskNote masks a note people typed about a customer (a merge or review note): it
// may name anyone or hold any number, so only its first character is kept.
func maskNote(note string) string { return pii.MaskText(note) }

// maskMergeReason masks the note of a manual merge's reason ("manual merge: NOTE",
// "review ID: NOTE"); the reasons the platform writes (auto and fuzzy merges) name
// rules and event ids, never values, and are only checked for personal shapes.
func maskMergeReason(kind, reason string) string {
	if kind != MergeManual {
		return pii.MaskFreeText(reason)
	}
	head, note, ok := strings.Cut(reason, ": ")
	if !ok {
		return reason
	}
	return head + ": " + maskNote(note)
}

// maskMerges masks the notes in merge reasons unless p holds customers:pii.
func maskMerges(p *auth.Principal, ms []Merge) []Merge {
	if p.Has(auth.CustomersPII) {
		return ms
	}
	for i := range ms {
		ms[i].Reason = maskMergeReason(ms[i].Kind, ms[i].Reason)
	}
	return ms
}

// sourceCode is the shape of a consent source that names a system rather than
// describing a person: a touchpoint code, "console".
var sourceCode = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// maskSource masks a consent source for a reader without customers:pii (and for the
// audit log): a code (POS-01, console) is shown unless it is a phone number or other
// personal value; free text ("门店柜台 王小明签字") may name the person and is masked
// whole.
func maskSource(source string) string {
	if m := pii.MaskFreeText(source); m != source || !sourceCode.MatchString(source) {
		return pii.MaskText(m)
	}
	return source
}

// maskConsents masks consent sources (maskSource) unless p holds customers:pii.
func maskConsents(p *auth.Principal, cs []Consent) []Consent {
	if p.Has(auth.CustomersPII) {
		return cs
	}
	for i := range cs {
		cs[i].Source = maskSource(cs[i].Source)
	}
	return cs
}

// customerSection is one table (or group of tables) holding data on a customer. The
// export and the erasure of a customer walk the same list, so that a table that
// holds personal data is both exported and erased. ids are the customer and the
// customers merged into it. export returns a JSON-ready value with full values (nil:
// nothing to export); erase removes the personal data in tx and returns how many
// rows it changed.
type customerSection struct {
	name   string
	export func(ctx context.Context, q db.Querier, tenantID string, ids []string) (any, error)
	erase  func(ctx context.Context, tx *sql.Tx, tenantID string, ids []string) (int64, error)
}

// customerSections lists the data held on a customer, in export order. A capability
// that stores data on customers in this package (profiles, consents) adds its
// section here; other domains drop their personal data on EventCustomerErased.
func (s *Service) customerSections() []customerSection {
	return []customerSection{
		{name: "identifiers", export: s.exportIdentifiers, erase: eraseIdentifiers},
		{name: "events", export: s.exportEvents, erase: eraseEvents},
		{name: "identity_reviews", export: exportReviews, erase: closeReviews},
		{name: "stored_responses", erase: s.eraseStoredResponses},
		{name: "profile_and_consents", export: s.exportProfileAndConsents, erase: s.eraseProfileAndConsents},
	}
}

func (s *Service) exportIdentifiers(ctx context.Context, q db.Querier, tenantID string, ids []string) (any, error) {
	out := []CustomerIdentifierResponse{}
	for _, id := range ids {
		held, err := heldIdentifiers(ctx, q, s.pii, tenantID, id)
		if err != nil {
			return nil, err
		}
		for _, h := range held {
			out = append(out, CustomerIdentifierResponse{Type: h.Type, Value: h.Value, Strength: h.Strength, CreatedAt: h.CreatedAt})
		}
	}
	return out, nil
}

func eraseIdentifiers(ctx context.Context, tx *sql.Tx, tenantID string, ids []string) (int64, error) {
	args := []any{tenantID}
	res, err := tx.ExecContext(ctx, `DELETE FROM customer_identifiers WHERE tenant_id = $1 AND customer_id IN (`+db.Placeholders(&args, ids)+`)`, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *Service) exportEvents(ctx context.Context, q db.Querier, tenantID string, ids []string) (any, error) {
	evs, err := customerEvents(ctx, q, s.pii, tenantID, ids, false, 0, eventKey{}, 0)
	if err != nil {
		return nil, err
	}
	out := make([]CustomerEventResponse, len(evs))
	for i, e := range evs {
		out[i] = customerEventResponse(e)
	}
	return out, nil
}

// eraseEvents empties the identifiers and properties of the customers' events (any
// property may be personal: they are free-form) and keeps the rest, so that counts by
// type, day and touchpoint stay.
func eraseEvents(ctx context.Context, tx *sql.Tx, tenantID string, ids []string) (int64, error) {
	args := []any{tenantID}
	res, err := tx.ExecContext(ctx, `UPDATE events SET identifiers = '', properties = '' WHERE tenant_id = $1 AND customer_id IN (`+
		db.Placeholders(&args, ids)+`)`, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// exportedReview is an identity review touching the customer, as exported.
type exportedReview struct {
	ID                string    `json:"id"`
	EventID           string    `json:"event_id"`
	EventTouchpointID string    `json:"event_touchpoint_id,omitempty"`
	CustomerID        string    `json:"customer_id"`
	Candidates        []string  `json:"candidates"`
	Reason            string    `json:"reason"`
	Status            string    `json:"status"`
	CreatedAt         time.Time `json:"created_at"`
}

// reviewsWhere selects the reviews attached to or naming one of ids as a candidate
// (candidates is a JSON array of ids).
func reviewsWhere(args *[]any, ids []string) string {
	terms := []string{"customer_id IN (" + db.Placeholders(args, ids) + ")"}
	for _, id := range ids {
		*args = append(*args, `%"`+id+`"%`)
		terms = append(terms, "candidates LIKE $"+strconv.Itoa(len(*args)))
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

func exportReviews(ctx context.Context, q db.Querier, tenantID string, ids []string) (any, error) {
	args := []any{tenantID}
	rows, err := q.QueryContext(ctx, `SELECT id, event_id, COALESCE(event_touchpoint_id, ''), customer_id, candidates, reason, status, created_at FROM identity_reviews
		WHERE tenant_id = $1 AND `+reviewsWhere(&args, ids)+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []exportedReview{}
	for rows.Next() {
		var r exportedReview
		var cands string
		var created int64
		if err := rows.Scan(&r.ID, &r.EventID, &r.EventTouchpointID, &r.CustomerID, &cands, &r.Reason, &r.Status, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cands), &r.Candidates); err != nil {
			return nil, fmt.Errorf("review %s candidates: %w", r.ID, err)
		}
		r.CreatedAt = clock.FromMillis(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// closeReviews resolves the open reviews touching the customers: there is nothing
// left to decide once their identifiers are gone. Reviews hold no personal values.
func closeReviews(ctx context.Context, tx *sql.Tx, tenantID string, ids []string) (int64, error) {
	args := []any{tenantID}
	res, err := tx.ExecContext(ctx, `UPDATE identity_reviews SET status = 'resolved' WHERE tenant_id = $1 AND status = 'open' AND `+
		reviewsWhere(&args, ids), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// eraseStoredResponses withholds the responses the HTTP platform stored for
// Idempotency-Key replays that concern one of the customers (a response of a customer
// operation may carry personal values; see httpapi.NoteSubjects). A retry of such a
// request then answers 409 instead of a replay.
func (s *Service) eraseStoredResponses(ctx context.Context, tx *sql.Tx, tenantID string, ids []string) (int64, error) {
	if s.responses == nil {
		return 0, nil
	}
	return s.responses.ForgetSubjects(ctx, tx, tenantID, ids)
}

// mergedInto returns the ids of the customers merged into id.
func mergedInto(ctx context.Context, q db.Querier, tenantID, id string) ([]string, error) {
	// Sorted here, not by ORDER BY id: without statistics SQLite walks the tenant's
	// customers in id order to spare the sort instead of using customers_merged_into,
	// a full scan for every order that redeems for a customer.
	rows, err := q.QueryContext(ctx, `SELECT id FROM customers WHERE tenant_id = $1 AND merged_into = $2`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	slices.Sort(out)
	return out, rows.Err()
}

// CustomerExport is everything held on one customer, with full values.
type CustomerExport struct {
	Customer   Customer
	MergedIDs  []string
	Sections   map[string]any // section name → its rows (customerSections)
	ExportedAt time.Time
}

// ExportCustomer returns everything held on a customer (the survivor for a merged
// id), in full, and records an audit entry naming what was exported (no values)
// and an access log entry. A customer outside the principal's data scope is not
// found. Errors: not_found, unauthorized, forbidden (needs customers:pii).
func (s *Service) ExportCustomer(ctx context.Context, id string) (CustomerExport, error) {
	p, err := auth.Require(ctx, auth.CustomersPII)
	if err != nil {
		return CustomerExport{}, err
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return CustomerExport{}, err
	}
	out := CustomerExport{Sections: map[string]any{}, ExportedAt: s.now()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := sc.live(ctx, tx, p.TenantID, id, ""); err != nil {
			return err
		}
		c, err := getCustomer(ctx, tx, s.pii, p.TenantID, id)
		if err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, AccessExport, ShownFull, accessed{customer: c.ID}); err != nil {
			return err
		}
		out.Customer = c
		if out.MergedIDs, err = mergedInto(ctx, tx, p.TenantID, c.ID); err != nil {
			return err
		}
		ids := append([]string{c.ID}, out.MergedIDs...)
		var names []string
		for _, sec := range s.customerSections() {
			if sec.export == nil {
				continue
			}
			v, err := sec.export(ctx, tx, p.TenantID, ids)
			if err != nil {
				return fmt.Errorf("section %s: %w", sec.name, err)
			}
			out.Sections[sec.name] = v
			names = append(names, sec.name)
		}
		return s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "customer.export", ResourceType: "customer", ResourceID: c.ID,
			Changes: map[string]any{"merged_ids": out.MergedIDs, "sections": names}})
	})
	if err != nil {
		return CustomerExport{}, fmt.Errorf("identity: export customer: %w", err)
	}
	return out, nil
}

// ErasedCustomer is the outcome of an erasure.
type ErasedCustomer struct {
	ID        string
	MergedIDs []string
	ErasedAt  time.Time
}

// EraseCustomer erases the personal data of a customer (the survivor for a merged id)
// and of the customers merged into it, in one transaction: every customerSections
// entry erases its part (identifiers deleted, events emptied of identifiers and
// properties, open reviews closed, stored responses naming it dropped), the customers
// are marked erased, an audit entry is recorded and EventCustomerErased is published
// for the other domains. Counts (event_count, events by type and time) stay. Erasing
// an erased customer returns the first erasure. Later events with the same
// identifiers make a new customer. A customer outside the principal's data scope is
// not found; the erasure is recorded in the access log, which keeps only ids.
// Errors: not_found, conflict (merged into another customer meanwhile; retry),
// unauthorized, forbidden (needs customers:erase).
func (s *Service) EraseCustomer(ctx context.Context, id string) (ErasedCustomer, error) {
	p, err := auth.Require(ctx, auth.CustomersErase)
	if err != nil {
		return ErasedCustomer{}, err
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return ErasedCustomer{}, err
	}
	var out ErasedCustomer
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		live, err := sc.live(ctx, tx, p.TenantID, id, "")
		if err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, AccessErase, ShownNone, accessed{customer: live}); err != nil {
			return err
		}
		// The lock makes a concurrent resolution that read this customer's identifiers
		// wait, then resolve again (loadBatchState refuses an erased candidate).
		var status CustomerStatus
		var erasedAt sql.NullInt64
		var mergedAway sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT status, erased_at, merged_into FROM customers WHERE tenant_id = $1 AND id = $2`+customerLock(s.db.Dialect),
			p.TenantID, live).Scan(&status, &erasedAt, &mergedAway); err != nil {
			return notFoundIf(err, "customer")
		}
		if mergedAway.Valid {
			// Merged into another customer between survivor and the lock.
			return errs.E(errs.Conflict, "the customer was merged meanwhile; retry the erasure")
		}
		merged, err := mergedInto(ctx, tx, p.TenantID, live)
		if err != nil {
			return err
		}
		out = ErasedCustomer{ID: live, MergedIDs: merged, ErasedAt: s.now()}
		if status == CustomerErased {
			out.ErasedAt = clock.FromMillis(erasedAt.Int64)
			return nil
		}
		ids := append([]string{live}, merged...)
		counts := map[string]int64{}
		for _, sec := range s.customerSections() {
			n, err := sec.erase(ctx, tx, p.TenantID, ids)
			if err != nil {
				return fmt.Errorf("section %s: %w", sec.name, err)
			}
			counts[sec.name] = n
		}
		args := []any{p.TenantID, clock.Millis(out.ErasedAt)}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET status = 'erased', erased_at = $2, updated_at = $2
			WHERE tenant_id = $1 AND id IN (`+db.Placeholders(&args, ids)+`)`, args...); err != nil {
			return err
		}
		ev := CustomerErasedEvent{CustomerID: live, MergedIDs: merged}
		if err := s.audit.Record(ctx, tx, audit.Entry{TenantID: p.TenantID, Action: "customer.erase", ResourceType: "customer", ResourceID: live,
			Changes: map[string]any{"customer_id": live, "merged_ids": merged, "rows": counts}}); err != nil {
			return err
		}
		if _, err = s.outbox.Publish(ctx, tx, p.TenantID, EventCustomerErased, live, ev); err != nil {
			return err
		}
		// Their identifiers are gone from the identity map (their events stay theirs).
		return appendMapLog(ctx, tx, p.TenantID, clock.Millis(out.ErasedAt), []mapEntry{{kind: mapErase, items: ids}})
	})
	if err != nil {
		return ErasedCustomer{}, fmt.Errorf("identity: erase customer: %w", err)
	}
	return out, nil
}

// CustomerExportResponse is everything held on one customer, with full values.
type CustomerExportResponse struct {
	CustomerID string           `json:"customer_id"`
	ExportedAt time.Time        `json:"exported_at"`
	Customer   CustomerResponse `json:"customer"`
	MergedIDs  []string         `json:"merged_ids" nullable:"false" doc:"Customers merged into this one; their data is included."`
	Sections   map[string]any   `json:"sections" doc:"One entry per kind of data held (identifiers, events, identity_reviews, …), each with full values."`
}

// CustomerEraseResponse is the outcome of an erasure.
type CustomerEraseResponse struct {
	ID        string         `json:"id"`
	Status    CustomerStatus `json:"status" enum:"erased"`
	ErasedAt  time.Time      `json:"erased_at"`
	MergedIDs []string       `json:"merged_ids" nullable:"false" doc:"Customers that had been merged into this one, erased too."`
}

func customerExportResponse(x CustomerExport) CustomerExportResponse {
	return CustomerExportResponse{CustomerID: x.Customer.ID, ExportedAt: x.ExportedAt, Customer: customerResponse(x.Customer),
		MergedIDs: x.MergedIDs, Sections: x.Sections}
}

func customerEraseResponse(e ErasedCustomer) CustomerEraseResponse {
	return CustomerEraseResponse{ID: e.ID, Status: CustomerErased, ErasedAt: e.ErasedAt, MergedIDs: e.MergedIDs}
}

// registerPrivacy adds the export (customers:pii) and erasure (customers:erase)
// operations.
func (s *Service) registerPrivacy(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "export-customer", Method: http.MethodGet, Path: "/api/v1/customers/{id}/export",
		Summary:     "Export everything held on a customer",
		Description: "The customer, the customers merged into it and every kind of data held on them, with full personal values. Audited.",
		Tags:        tags, Security: httpapi.Secured(auth.CustomersPII),
	}, func(ctx context.Context, in *customerIDInput) (*httpapi.Body[CustomerExportResponse], error) {
		return httpapi.Reply(customerExportResponse)(s.ExportCustomer(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{
		OperationID: "erase-customer", Method: http.MethodPost, Path: "/api/v1/customers/{id}/erase",
		Summary: "Erase a customer's personal data",
		Description: "Deletes the identifiers and empties the events of the customer and of the customers merged into it, marks them erased " +
			"and publishes identity.customer.erased so that other domains drop their personal data. Counts stay. Later events with the " +
			"same identifiers make a new customer. Erasing again returns the first erasure.",
		Tags: tags, Security: httpapi.Secured(auth.CustomersErase),
	}, func(ctx context.Context, in *customerIDInput) (*httpapi.Body[CustomerEraseResponse], error) {
		e, err := s.EraseCustomer(ctx, in.ID)
		httpapi.NoteSubjects(ctx, append([]string{in.ID, e.ID}, e.MergedIDs...)...)
		return httpapi.Reply(customerEraseResponse)(e, err)
	})
}
