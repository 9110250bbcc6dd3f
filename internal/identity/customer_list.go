package identity

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// The statuses a customer list selects.
const (
	ListLive   = "active" // live customers that were not erased (the default)
	ListErased = "erased" // live customers whose personal data was erased
	ListMerged = "merged" // customers merged into another (their ids redirect)
	ListAll    = "all"    // every live customer, active or erased
)

// CustomerFilter selects customers for FindCustomers, newest first. Zero fields do
// not filter.
type CustomerFilter struct {
	StoreID        string     // preferred store, or any store the cluster visited
	Channel        string     // registration channel, or the channel of a touchpoint with an event of the cluster
	RegisteredFrom *time.Time // registered (else first created) at or after
	RegisteredTo   *time.Time // registered (else first created) before
	MinIdentifiers int        // at least this many identifiers (0: no bound)
	MaxIdentifiers int        // at most this many identifiers (0: no bound)
	Status         string     // ListLive ("" too), ListErased, ListMerged or ListAll
	Limit          int
	Cursor         string
}

// CustomerList is a page of customers with the number that match the filter.
type CustomerList struct {
	httpapi.Page[Customer360]
	// Total is the number of customers matching the filter, counted on the first page
	// only (nil on later pages). TotalExact is false when counting stopped at
	// listCountCap: there are at least Total.
	Total      *int
	TotalExact bool
}

// listCountCap bounds the count of a list: beyond it the total is "at least".
const listCountCap = 10000

// FindCustomers lists the customers matching f that the principal's data scope sees,
// newest first (created_at, then id), each as its customer 360 masked exactly like
// FindCustomer360 (personal values masked unless the principal holds customers:pii).
// A page counts against the principal's search limit and each customer shown is
// recorded in the access log (action list). Errors: invalid (query.status,
// query.min_identifiers, query.max_identifiers, query.registered_to, query.cursor),
// rate_limited, unauthorized, forbidden.
func (s *Service) FindCustomers(ctx context.Context, f CustomerFilter) (CustomerList, error) {
	p, err := auth.Require(ctx, auth.CustomersRead)
	if err != nil {
		return CustomerList{}, err
	}
	if err := validateCustomerFilter(&f); err != nil {
		return CustomerList{}, err
	}
	after, err := httpapi.DecodeCursor(f.Cursor)
	if err != nil {
		return CustomerList{}, err
	}
	afterAt, afterID, err := parseListCursor(after)
	if err != nil {
		return CustomerList{}, err
	}
	if err := s.spendLookup(ctx, p, lookupSearch); err != nil {
		return CustomerList{}, err
	}
	sc, err := s.customerScopeOf(ctx, p)
	if err != nil {
		return CustomerList{}, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxListLimit)
	q := s.db.Reader()
	var out CustomerList
	if after == "" {
		args := []any{p.TenantID}
		where := customerListWhere(&args, f, sc)
		args = append(args, listCountCap+1)
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT c.id FROM customers c
			LEFT JOIN customer_profiles pr ON pr.tenant_id = c.tenant_id AND pr.customer_id = c.id
			WHERE `+where+` LIMIT $`+strconv.Itoa(len(args))+`) n`, args...).Scan(&n); err != nil {
			return CustomerList{}, fmt.Errorf("identity: count customers: %w", err)
		}
		out.TotalExact = n <= listCountCap
		n = min(n, listCountCap)
		out.Total = &n
	}
	type row struct {
		id      string
		created int64
	}
	var rows []row
	for len(rows) <= limit { // a scoped principal's page is checked customer by customer
		args := []any{p.TenantID}
		where := customerListWhere(&args, f, sc)
		if afterID != "" {
			args = append(args, afterAt, afterID)
			n := len(args)
			where += fmt.Sprintf(` AND (c.created_at < $%d OR (c.created_at = $%d AND c.id < $%d))`, n-1, n-1, n)
		}
		args = append(args, limit+1)
		var batch []row
		err := db.EachRow(ctx, q, `SELECT c.id, c.created_at FROM customers c
			LEFT JOIN customer_profiles pr ON pr.tenant_id = c.tenant_id AND pr.customer_id = c.id
			WHERE `+where+` ORDER BY c.created_at DESC, c.id DESC LIMIT $`+strconv.Itoa(len(args)), args, func(rs *sql.Rows) error {
			var r row
			err := rs.Scan(&r.id, &r.created)
			batch = append(batch, r)
			return err
		})
		if err != nil {
			return CustomerList{}, fmt.Errorf("identity: find customers: %w", err)
		}
		for _, r := range batch {
			live := r.id
			if f.Status == ListMerged {
				if live, err = survivor(ctx, q, p.TenantID, r.id); err != nil {
					return CustomerList{}, fmt.Errorf("identity: find customers: %w", err)
				}
			}
			ok, err := sc.sees(ctx, q, p.TenantID, live)
			if err != nil {
				return CustomerList{}, fmt.Errorf("identity: find customers: %w", err)
			}
			if ok {
				rows = append(rows, r)
			}
		}
		if len(batch) <= limit {
			break
		}
		afterAt, afterID = batch[len(batch)-1].created, batch[len(batch)-1].id
	}
	if len(rows) > limit {
		last := rows[limit-1]
		out.NextCursor = httpapi.EncodeCursor(strconv.FormatInt(last.created, 10) + "|" + last.id)
		rows = rows[:limit]
	}
	out.Items = make([]Customer360, 0, len(rows))
	shown := make([]accessed, 0, len(rows))
	for _, r := range rows {
		c, err := getCustomer(ctx, q, s.pii, p.TenantID, r.id)
		if err != nil {
			return CustomerList{}, fmt.Errorf("identity: find customers: %w", err)
		}
		c360, err := s.customer360(ctx, q, p, c)
		if err != nil {
			return CustomerList{}, err
		}
		out.Items = append(out.Items, c360)
		shown = append(shown, accessed{customer: c.ID, matched: "list"})
	}
	if err := s.logAccess(ctx, nil, AccessList, shownTo(p), shown...); err != nil {
		return CustomerList{}, err
	}
	return out, nil
}

// maxListLimit bounds a customer list page: each item is a customer 360.
const maxListLimit = 100

func validateCustomerFilter(f *CustomerFilter) error {
	switch f.Status {
	case "":
		f.Status = ListLive
	case ListLive, ListErased, ListMerged, ListAll:
	default:
		return errs.Field("query.status", "must be active, erased, merged or all")
	}
	if f.MinIdentifiers < 0 {
		return errs.Field("query.min_identifiers", "must not be negative")
	}
	if f.MaxIdentifiers < 0 || (f.MaxIdentifiers > 0 && f.MaxIdentifiers < f.MinIdentifiers) {
		return errs.Field("query.max_identifiers", "must not be below min_identifiers")
	}
	if f.RegisteredFrom != nil && f.RegisteredTo != nil && !f.RegisteredTo.After(*f.RegisteredFrom) {
		return errs.Field("query.registered_to", "must be after registered_from")
	}
	if !utf8.ValidString(f.StoreID) || !utf8.ValidString(f.Channel) {
		return errs.Field("query.store_id", "must be valid UTF-8")
	}
	return nil
}

// parseListCursor reads a list cursor, "created_at|customer id".
func parseListCursor(after string) (int64, string, error) {
	if after == "" {
		return 0, "", nil
	}
	at, id, ok := strings.Cut(after, "|")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", errs.Field("query.cursor", "malformed cursor")
	}
	return n, id, nil
}

// customerListWhere returns the conditions of f on customers c joined with their
// profile pr ($1 is the tenant); args grows by the values.
func customerListWhere(args *[]any, f CustomerFilter, sc customerScope) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	conds := []string{"c.tenant_id = $1"}
	switch f.Status {
	case ListLive:
		conds = append(conds, "c.merged_into IS NULL", "c.status = 'active'")
	case ListErased:
		conds = append(conds, "c.merged_into IS NULL", "c.status = 'erased'")
	case ListMerged:
		conds = append(conds, "c.merged_into IS NOT NULL")
	case ListAll:
		conds = append(conds, "c.merged_into IS NULL")
	}
	// The cluster of c: c and the customers merged into it. Visits and events stay
	// with the customer that had them, so the filters look at every member.
	const cluster = `(SELECT m.id FROM customers m WHERE m.tenant_id = $1 AND m.merged_into = c.id)`
	if f.StoreID != "" {
		s := arg(f.StoreID)
		conds = append(conds, `(pr.preferred_store_id = `+s+`
			OR EXISTS (SELECT 1 FROM customer_store_visits v WHERE v.tenant_id = $1 AND v.customer_id = c.id AND v.store_id = `+s+`)
			OR EXISTS (SELECT 1 FROM customer_store_visits v WHERE v.tenant_id = $1 AND v.customer_id IN `+cluster+` AND v.store_id = `+s+`))`)
	}
	if f.Channel != "" {
		ch := arg(f.Channel)
		conds = append(conds, `(pr.registration_channel = `+ch+`
			OR EXISTS (SELECT 1 FROM touchpoints t WHERE t.tenant_id = $1 AND t.channel = `+ch+` AND (
				EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND e.customer_id = c.id AND e.touchpoint_id = t.id)
				OR EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND e.customer_id IN `+cluster+` AND e.touchpoint_id = t.id))))`)
	}
	if f.RegisteredFrom != nil {
		conds = append(conds, `COALESCE(pr.registered_at, c.created_at) >= `+arg(clock.Millis(*f.RegisteredFrom)))
	}
	if f.RegisteredTo != nil {
		conds = append(conds, `COALESCE(pr.registered_at, c.created_at) < `+arg(clock.Millis(*f.RegisteredTo)))
	}
	// A merged record holds no identifiers of its own; its item shows the survivor's,
	// so the bounds count those.
	const held = `(SELECT COUNT(*) FROM customer_identifiers ci WHERE ci.tenant_id = $1 AND ci.customer_id = COALESCE(c.merged_into, c.id))`
	if f.MinIdentifiers > 0 {
		conds = append(conds, held+` >= `+arg(f.MinIdentifiers))
	}
	if f.MaxIdentifiers > 0 {
		conds = append(conds, held+` <= `+arg(f.MaxIdentifiers))
	}
	if c := sc.scopeClause(args, "$1", "c.id"); c != "" {
		conds = append(conds, c)
	}
	return strings.Join(conds, " AND ")
}

// CustomerListItemResponse is one customer of a list: the search summary with what
// the list filters on.
type CustomerListItemResponse struct {
	CustomerSummaryResponse
	MergedFrom       string     `json:"merged_from,omitempty" doc:"With status=merged: the merged id; id is its survivor."`
	PreferredStoreID string     `json:"preferred_store_id"`
	RegisteredAt     *time.Time `json:"registered_at" nullable:"true"`
	IdentifierCount  int        `json:"identifier_count"`
}

// CustomerListResponse is a page of customers.
type CustomerListResponse struct {
	Items      []CustomerListItemResponse `json:"items" nullable:"false"`
	NextCursor string                     `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	Total      *int                       `json:"total,omitempty" doc:"Customers matching the filters, on the first page only."`
	TotalExact bool                       `json:"total_exact" doc:"false: counting stopped at 10000, there are at least total."`
}

func customerListResponse(l CustomerList) CustomerListResponse {
	out := CustomerListResponse{Items: make([]CustomerListItemResponse, len(l.Items)), NextCursor: l.NextCursor, Total: l.Total, TotalExact: l.TotalExact}
	for i, c := range l.Items {
		out.Items[i] = CustomerListItemResponse{CustomerSummaryResponse: summaryResponse(c), MergedFrom: c.MergedFrom,
			PreferredStoreID: c.Profile.PreferredStoreID, RegisteredAt: c.Profile.RegisteredAt, IdentifierCount: len(c.Identifiers)}
	}
	return out
}

type customerListInput struct {
	StoreID        string    `query:"store_id" maxLength:"64" doc:"Preferred store, or any store where the customer (or a customer merged into it) had an event."`
	Channel        string    `query:"channel" maxLength:"64" doc:"Registration channel, or the channel of a touchpoint where the customer had an event."`
	RegisteredFrom time.Time `query:"registered_from" doc:"Registered (else created) at or after (RFC 3339)."`
	RegisteredTo   time.Time `query:"registered_to" doc:"Registered (else created) before (RFC 3339)."`
	MinIdentifiers int       `query:"min_identifiers" minimum:"0" maximum:"1000"`
	MaxIdentifiers int       `query:"max_identifiers" minimum:"0" maximum:"1000" doc:"0: no upper bound."`
	Status         string    `query:"status" enum:"active,erased,merged,all" default:"active" doc:"active: live customers (the default); erased; merged: ids merged into another; all: live, active or erased."`
	Limit          int       `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Maximum number of items to return."`
	Cursor         string    `query:"cursor" maxLength:"200" doc:"Opaque cursor from a previous page's next_cursor."`
}

func (in *customerListInput) filter() CustomerFilter {
	f := CustomerFilter{StoreID: in.StoreID, Channel: in.Channel, MinIdentifiers: in.MinIdentifiers, MaxIdentifiers: in.MaxIdentifiers,
		Status: in.Status, Limit: in.Limit, Cursor: in.Cursor}
	if !in.RegisteredFrom.IsZero() {
		f.RegisteredFrom = &in.RegisteredFrom
	}
	if !in.RegisteredTo.IsZero() {
		f.RegisteredTo = &in.RegisteredTo
	}
	return f
}

// registerCustomerList adds GET /api/v1/customers/list (scope customers:read).
func (s *Service) registerCustomerList(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "list-customers", Method: http.MethodGet, Path: "/api/v1/customers/list",
		Summary: "List customers",
		Description: "Customers matching the filters that the caller's data scope sees, newest first, masked like the 360 unless the caller holds customers:pii. " +
			"Each page counts as a search and each customer shown is recorded in the access log.",
		Tags: tags, Security: httpapi.Secured(auth.CustomersRead),
	}, func(ctx context.Context, in *customerListInput) (*httpapi.Body[CustomerListResponse], error) {
		return httpapi.Reply(customerListResponse)(s.FindCustomers(ctx, in.filter()))
	})
}
