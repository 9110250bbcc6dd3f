package audience

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

// Identifiers hashes customers' identifiers for an advertising platform (One ID
// opens the sealed values; they never leave it unhashed). Errors: invalid.
type Identifiers interface {
	HashedIdentifiers(ctx context.Context, tenantID string, customerIDs []string, typ, hash string) (map[string][]string, error)
}

// Coupons issues a coupon template to a list of customers (the coupon service, under
// the caller's loyalty:write). It returns the issue's id and its counts. Errors:
// invalid, not_found, conflict, forbidden.
type Coupons interface {
	IssueToCustomers(ctx context.Context, templateID, key string, customerIDs []string) (CouponIssue, error)
}

// CouponIssue is what a coupon issue to a segment did.
type CouponIssue struct {
	ID      string
	Total   int64
	Issued  int64
	Skipped int64
	Status  string
}

// AdPurpose and AdChannel are the consent a customer must have granted to be in an
// advertising export.
const (
	AdPurpose = "advertising"
	AdChannel = "ads"
)

// segmentCustomers returns the customer ids of a segment's current members, in
// member-number order.
func (s *Service) segmentCustomers(ctx context.Context, tenantID, segmentID string) (Segment, []string, error) {
	g, err := findSegment(ctx, s.db.Reader(), tenantID, segmentID)
	if err != nil {
		return Segment{}, nil, err
	}
	ti, err := s.index(ctx, tenantID)
	if err != nil {
		return Segment{}, nil, err
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	bm := ti.members[g.Code]
	if bm == nil {
		bm = roaring.New()
	}
	ids := make([]string, 0, bm.GetCardinality())
	it := bm.Iterator()
	for it.HasNext() {
		if id := ti.customers[it.Next()]; id != "" {
			ids = append(ids, id)
		}
	}
	return g, ids, nil
}

// AdAudience returns the hashed identifiers of a segment's members who granted the
// advertising consent, for upload to an advertising platform; members without
// consent or without such an identifier are left out (counted in Skipped). The
// export is audited. Errors: not_found, invalid (identifier, hash), unauthorized,
// forbidden.
func (s *Service) AdAudience(ctx context.Context, segmentID, identifier, hash string) (AdExport, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return AdExport{}, err
	}
	if s.deps.Identifiers == nil {
		return AdExport{}, errs.E(errs.Conflict, "hashed identifiers are not available on this server")
	}
	g, ids, err := s.segmentCustomers(ctx, p.TenantID, segmentID)
	if err != nil {
		return AdExport{}, fmt.Errorf("audience: ad export %s: %w", segmentID, err)
	}
	consenting, err := s.consenting(ctx, p.TenantID, ids)
	if err != nil {
		return AdExport{}, err
	}
	hashes, err := s.deps.Identifiers.HashedIdentifiers(ctx, p.TenantID, consenting, identifier, hash)
	if err != nil {
		return AdExport{}, err
	}
	out := AdExport{Segment: g, Identifier: identifier, Hash: hash, Members: len(ids)}
	for _, id := range consenting {
		out.Hashes = append(out.Hashes, hashes[id]...)
		if len(hashes[id]) > 0 {
			out.Exported++
		}
	}
	sort.Strings(out.Hashes)
	out.Hashes = slices.Compact(out.Hashes)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.audit.Record(ctx, tx, audit.Entry{Action: "audience_segment.ad_export", ResourceType: "audience_segment", ResourceID: g.ID,
			Changes: map[string]any{"identifier": identifier, "hash": hash, "members": out.Members, "exported": out.Exported}})
	})
	if err != nil {
		return AdExport{}, fmt.Errorf("audience: ad export %s: %w", segmentID, err)
	}
	return out, nil
}

// AdExport is an advertising export of a segment.
type AdExport struct {
	Segment    Segment
	Identifier string
	Hash       string
	Members    int
	Exported   int // members with consent and at least one identifier
	Hashes     []string
}

// consenting returns the customers of ids who granted the advertising consent.
func (s *Service) consenting(ctx context.Context, tenantID string, ids []string) ([]string, error) {
	var out []string
	err := s.deps.Facts.Members(ctx, tenantID, ids, s.now(), func(m Member) error {
		if slices.Contains(m.Consents, AdPurpose+":"+AdChannel) {
			out = append(out, m.CustomerID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audience: consents: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// IssueCoupons issues a coupon template to a segment's current members, in batches,
// through the coupon service (which needs loyalty:write of the caller). Replaying the
// same key resumes or returns the issue. Errors: not_found, invalid, conflict,
// unauthorized, forbidden.
func (s *Service) IssueCoupons(ctx context.Context, segmentID, templateID, key string) (CouponIssue, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return CouponIssue{}, err
	}
	if !p.Has(auth.LoyaltyWrite) {
		return CouponIssue{}, errs.E(errs.Forbidden, "issuing coupons to a segment needs loyalty:write")
	}
	if s.deps.Coupons == nil {
		return CouponIssue{}, errs.E(errs.Conflict, "coupons are not available on this server")
	}
	if strings.TrimSpace(key) == "" {
		return CouponIssue{}, errs.Field("body.key", "a key is required: the same key again resumes or returns the issue")
	}
	g, ids, err := s.segmentCustomers(ctx, p.TenantID, segmentID)
	if err != nil {
		return CouponIssue{}, fmt.Errorf("audience: coupons to %s: %w", segmentID, err)
	}
	if len(ids) == 0 {
		return CouponIssue{}, errs.E(errs.Conflict, "segment %s has no members", g.Code)
	}
	iss, err := s.deps.Coupons.IssueToCustomers(ctx, templateID, key, ids)
	if err != nil {
		return CouponIssue{}, fmt.Errorf("audience: coupons to %s: %w", g.Code, err)
	}
	return iss, nil
}

// AdExportInput asks for an advertising export.
type AdExportInput struct {
	ID         string `path:"id" maxLength:"64"`
	Identifier string `query:"identifier" enum:"phone,email,device_id" default:"phone" doc:"The identifier to hash."`
	Hash       string `query:"hash" enum:"sha256,md5" default:"sha256" doc:"sha256 (most platforms) or md5 (some Chinese platforms' audience packs)."`
}

// CouponIssueToSegmentRequest issues a coupon template to a segment.
type CouponIssueToSegmentRequest struct {
	TemplateID string `json:"template_id" minLength:"1" maxLength:"64"`
	Key        string `json:"key" minLength:"1" maxLength:"64" doc:"Makes the request replayable: the same key again resumes or returns the issue."`
}

// CouponIssueToSegmentResponse is the coupon issue a segment received.
type CouponIssueToSegmentResponse struct {
	ID      string `json:"id" doc:"The coupon issue (get-coupon-issue shows its progress)."`
	Total   int64  `json:"total"`
	Issued  int64  `json:"issued"`
	Skipped int64  `json:"skipped"`
	Status  string `json:"status"`
}

type memberExportInput struct {
	httpapi.ExportParams
	ID string `path:"id" maxLength:"64"`
}

var memberHeader = []string{"customer_id", "city", "gender", "tiers", "last_order_on", "spend_yuan"}

func memberFileRow(m SegmentMember) []string {
	last := ""
	if m.LastOrder != nil {
		last = m.LastOrder.Format("2006-01-02")
	}
	return []string{m.CustomerID, m.City, m.Gender, strings.Join(m.Tiers, "|"), last, sheet.Yuan(m.SpendFen)}
}

func (s *Service) registerExports(api huma.API) {
	tags := []string{audienceTag}
	huma.Register(api, huma.Operation{OperationID: "export-audience-segment-members", Method: http.MethodGet,
		Path: "/api/v1/audience-segments/{id}/members/export", Summary: "Export a segment's members to Excel or CSV",
		Description: "The members as the member list shows them (no personal data): customer id, city, gender, tiers, last order, lifetime spend.",
		Tags:        tags, Security: httpapi.Secured(auth.AudiencesRead), Responses: httpapi.ExportResponses(),
	}, func(ctx context.Context, in *memberExportInput) (*huma.StreamResponse, error) {
		return httpapi.Stream(ctx, in.FileFormat, httpapi.Export[SegmentMember]{Name: "segment-members", Header: memberHeader,
			Page: func(ctx context.Context, cursor string, limit int) (httpapi.Page[SegmentMember], error) {
				return s.FindSegmentMembers(ctx, in.ID, limit, cursor)
			}, Row: memberFileRow})
	})
	huma.Register(api, huma.Operation{OperationID: "export-audience-ad-audience", Method: http.MethodGet,
		Path: "/api/v1/audience-segments/{id}/ad-audience", Summary: "Export a segment for an advertising platform",
		Description: "One hashed identifier per line (text/plain), for the members who granted consent advertising:ads; the others are left out. " +
			"Phones are hashed as their 11 digits. The export is audited; X-Members and X-Exported give the counts.",
		Tags: tags, Security: httpapi.Secured(auth.AudiencesWrite),
	}, func(ctx context.Context, in *AdExportInput) (*huma.StreamResponse, error) {
		ex, err := s.AdAudience(ctx, in.ID, in.Identifier, in.Hash)
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		return &huma.StreamResponse{Body: func(hc huma.Context) {
			hc.SetHeader("Content-Type", "text/plain; charset=utf-8")
			hc.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s.txt"`, ex.Segment.Code, ex.Identifier, ex.Hash))
			hc.SetHeader("Cache-Control", "no-store")
			hc.SetHeader("X-Members", fmt.Sprint(ex.Members))
			hc.SetHeader("X-Exported", fmt.Sprint(ex.Exported))
			w := hc.BodyWriter()
			for _, h := range ex.Hashes {
				if _, err := fmt.Fprintln(w, h); err != nil {
					return
				}
			}
		}}, nil
	})
	huma.Register(api, huma.Operation{OperationID: "issue-coupons-to-audience-segment", Method: http.MethodPost,
		Path: "/api/v1/audience-segments/{id}/coupon-issues", Summary: "Issue a coupon template to a segment's members",
		Description: "Issues to the members at the time of the call, in batches; needs loyalty:write too.",
		Tags:        tags, Security: httpapi.Secured(auth.AudiencesRead, auth.LoyaltyWrite), DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body CouponIssueToSegmentRequest
	}) (*httpapi.Body[CouponIssueToSegmentResponse], error) {
		return httpapi.Reply(func(c CouponIssue) CouponIssueToSegmentResponse {
			return CouponIssueToSegmentResponse{ID: c.ID, Total: c.Total, Issued: c.Issued, Skipped: c.Skipped, Status: c.Status}
		})(s.IssueCoupons(ctx, in.ID, in.Body.TemplateID, in.Body.Key))
	})
}
