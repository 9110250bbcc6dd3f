package audience

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/audience/engine"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

const definitionDoc = "The condition in JSON form: {\"op\":\"and\"|\"or\",\"conds\":[…]}, {\"op\":\"not\",\"conds\":[c]}, " +
	"{\"op\":\"=\"|\"!=\"|\"<\"|\"<=\"|\">\"|\">=\"|\"between\"|\"in\"|\"not_in\"|\"exists\"|\"missing\",\"field\":F,\"values\":[…]}, " +
	"{\"op\":\"in_segment\",\"segment\":CODE}. Fields: gender, city, age, tier, registration_channel, preferred_store, registered_day, " +
	"consent (purpose:channel), first_order_day, last_order_day, days_since:last_order_day, channel:365d, store:365d, orders:W, spend_fen:W, " +
	"avg_basket_fen:W, bought_category:W (W = 7d, 30d, 90d, 180d, 365d, all), events:TYPE:W, tag:CODE. docs/audiences.md."

// SegmentRequest creates a segment: a definition (JSON form) or its text form.
type SegmentRequest struct {
	Code        string          `json:"code" minLength:"1" maxLength:"64"`
	Name        string          `json:"name" minLength:"1" maxLength:"200"`
	Description string          `json:"description,omitempty" maxLength:"2000"`
	Definition  json.RawMessage `json:"definition,omitempty" doc:"The condition in JSON form (or give text)."`
	Text        string          `json:"text,omitempty" maxLength:"8000" doc:"The condition in text form, e.g. tier in (\"gold\") and city = \"上海\" and bought(\"infant_formula\", 90d) and not did(\"order\", 30d)."`
}

// SegmentUpdateRequest changes a segment; absent fields are left alone.
type SegmentUpdateRequest struct {
	Name        *string         `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Description *string         `json:"description,omitempty" maxLength:"2000"`
	Definition  json.RawMessage `json:"definition,omitempty"`
	Text        *string         `json:"text,omitempty" maxLength:"8000"`
	Status      *string         `json:"status,omitempty" enum:"active,archived"`
}

// SegmentPreviewRequest is an unsaved condition to count.
type SegmentPreviewRequest struct {
	Definition json.RawMessage `json:"definition,omitempty"`
	Text       string          `json:"text,omitempty" maxLength:"8000"`
}

// SegmentResponse is a segment.
type SegmentResponse struct {
	ID          string          `json:"id"`
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Definition  json.RawMessage `json:"definition" doc:"The condition in JSON form."`
	Text        string          `json:"text" doc:"The condition in text form."`
	Status      string          `json:"status"`
	Count       int64           `json:"count" doc:"Members at the last evaluation (kept current on every change)."`
	CountedAt   time.Time       `json:"counted_at"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

func segmentResponse(g Segment) SegmentResponse {
	def, _ := g.Definition.MarshalJSON()
	return SegmentResponse{ID: g.ID, Code: g.Code, Name: g.Name, Description: g.Description, Definition: def, Text: engine.Format(g.Definition),
		Status: string(g.Status), Count: g.Count, CountedAt: g.CountedAt, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

// SegmentPreviewResponse is a condition's live count.
type SegmentPreviewResponse struct {
	Count     int64   `json:"count"`
	Base      int64   `json:"base" doc:"Live members of the tenant."`
	Text      string  `json:"text" doc:"The condition in canonical text form."`
	ElapsedMS float64 `json:"elapsed_ms" doc:"Time the engine took to count."`
}

// SegmentMemberResponse is a member of a segment or snapshot (no personal data).
type SegmentMemberResponse struct {
	CustomerID  string     `json:"customer_id"`
	City        string     `json:"city,omitempty"`
	Gender      string     `json:"gender,omitempty"`
	Tiers       []string   `json:"tiers,omitempty"`
	LastOrderOn *time.Time `json:"last_order_on,omitempty"`
	SpendFen    int64      `json:"spend_fen" doc:"Lifetime spend on completed orders."`
}

func segmentMemberResponse(m SegmentMember) SegmentMemberResponse {
	return SegmentMemberResponse{CustomerID: m.CustomerID, City: m.City, Gender: m.Gender, Tiers: m.Tiers, LastOrderOn: m.LastOrder, SpendFen: m.SpendFen}
}

// PortraitResponse compares a segment with the whole base.
type PortraitResponse struct {
	Segment    int64                       `json:"segment"`
	Base       int64                       `json:"base"`
	Dimensions []PortraitDimensionResponse `json:"dimensions"`
}

// PortraitDimensionResponse is one dimension of a portrait.
type PortraitDimensionResponse struct {
	Field   string                   `json:"field"`
	Buckets []PortraitBucketResponse `json:"buckets"`
}

// PortraitBucketResponse is one value of a dimension.
type PortraitBucketResponse struct {
	Value   string  `json:"value"`
	Segment int64   `json:"segment"`
	Base    int64   `json:"base"`
	Index   float64 `json:"index" doc:"Share in the segment ÷ share in the base × 100 (100: as common as in the base)."`
}

func portraitResponse(p Portrait) PortraitResponse {
	out := PortraitResponse{Segment: p.Segment, Base: p.Base, Dimensions: make([]PortraitDimensionResponse, len(p.Dimensions))}
	for i, d := range p.Dimensions {
		out.Dimensions[i] = PortraitDimensionResponse{Field: d.Field, Buckets: make([]PortraitBucketResponse, len(d.Buckets))}
		for j, b := range d.Buckets {
			out.Dimensions[i].Buckets[j] = PortraitBucketResponse{Value: b.Value, Segment: b.Segment, Base: b.Base, Index: b.Index}
		}
	}
	return out
}

// SnapshotRequest takes a snapshot.
type SnapshotRequest struct {
	Name string `json:"name,omitempty" maxLength:"200" doc:"What the snapshot is for, e.g. a campaign."`
}

// SnapshotResponse is a frozen member list.
type SnapshotResponse struct {
	ID         string          `json:"id"`
	SegmentID  string          `json:"segment_id"`
	Name       string          `json:"name"`
	Definition json.RawMessage `json:"definition"`
	Text       string          `json:"text"`
	Count      int64           `json:"count"`
	TakenAt    time.Time       `json:"taken_at"`
}

func snapshotResponse(s Snapshot) SnapshotResponse {
	def, _ := s.Definition.MarshalJSON()
	return SnapshotResponse{ID: s.ID, SegmentID: s.SegmentID, Name: s.Name, Definition: def, Text: engine.Format(s.Definition), Count: s.Count,
		TakenAt: s.TakenAt}
}

// SnapshotsResponse lists snapshots.
type SnapshotsResponse struct {
	Items []SnapshotResponse `json:"items"`
}

// SegmentCountsResponse is a segment's count per day, newest first.
type SegmentCountsResponse struct {
	Items []SegmentCountResponse `json:"items"`
}

// SegmentCountResponse is a segment's count on a day.
type SegmentCountResponse struct {
	Day   string `json:"day"`
	Count int64  `json:"count"`
}

type segmentListInput struct {
	httpapi.PageParams
	Status string `query:"status" enum:"active,archived,"`
}

type segmentPageInput struct {
	httpapi.PageParams
	ID string `path:"id" maxLength:"64"`
}

func (s *Service) registerSegments(api huma.API) {
	read := httpapi.Secured(auth.AudiencesRead)
	write := httpapi.Secured(auth.AudiencesWrite)
	tags := []string{audienceTag}
	const base = "/api/v1/audience-segments"
	huma.Register(api, huma.Operation{OperationID: "list-audience-segments", Method: http.MethodGet, Path: base,
		Summary: "List segments with their counts", Tags: tags, Security: read,
	}, func(ctx context.Context, in *segmentListInput) (*httpapi.Body[httpapi.Page[SegmentResponse]], error) {
		return httpapi.ReplyPage(segmentResponse)(s.FindSegments(ctx, Status(in.Status), in.Limit, in.Cursor))
	})
	huma.Register(api, huma.Operation{OperationID: "create-audience-segment", Method: http.MethodPost, Path: base,
		Summary: "Save a segment", Description: definitionDoc, Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct{ Body SegmentRequest }) (*httpapi.Body[SegmentResponse], error) {
		b := in.Body
		return httpapi.Reply(segmentResponse)(s.CreateSegment(ctx, SegmentInput{Code: b.Code, Name: b.Name, Description: b.Description,
			Definition: b.Definition, Text: b.Text}))
	})
	huma.Register(api, huma.Operation{OperationID: "preview-audience-segment", Method: http.MethodPost, Path: base + "/preview",
		Summary: "Count the members of an unsaved condition", Description: definitionDoc, Tags: tags, Security: read,
		Metadata: httpapi.NoReplay(),
	}, func(ctx context.Context, in *struct{ Body SegmentPreviewRequest }) (*httpapi.Body[SegmentPreviewResponse], error) {
		return httpapi.Reply(func(p Preview) SegmentPreviewResponse {
			return SegmentPreviewResponse{Count: p.Count, Base: p.Base, Text: p.Text, ElapsedMS: float64(p.Elapsed.Microseconds()) / 1000}
		})(s.PreviewSegment(ctx, in.Body.Definition, in.Body.Text))
	})
	huma.Register(api, huma.Operation{OperationID: "preview-audience-portrait", Method: http.MethodPost, Path: base + "/preview/portrait",
		Summary: "Compare an unsaved condition's members with the whole base", Tags: tags, Security: read, Metadata: httpapi.NoReplay(),
	}, func(ctx context.Context, in *struct{ Body SegmentPreviewRequest }) (*httpapi.Body[PortraitResponse], error) {
		return httpapi.Reply(portraitResponse)(s.PreviewPortrait(ctx, in.Body.Definition, in.Body.Text))
	})
	huma.Register(api, huma.Operation{OperationID: "get-audience-segment", Method: http.MethodGet, Path: base + "/{id}",
		Summary: "Get a segment", Tags: tags, Security: read,
	}, func(ctx context.Context, in *idInput) (*httpapi.Body[SegmentResponse], error) {
		return httpapi.Reply(segmentResponse)(s.FindSegmentByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "update-audience-segment", Method: http.MethodPatch, Path: base + "/{id}",
		Summary: "Change a segment", Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body SegmentUpdateRequest
	}) (*httpapi.Body[SegmentResponse], error) {
		b := in.Body
		u := SegmentUpdate{Name: b.Name, Description: b.Description, Definition: b.Definition, Text: b.Text}
		if b.Status != nil {
			st := Status(*b.Status)
			u.Status = &st
		}
		return httpapi.Reply(segmentResponse)(s.UpdateSegment(ctx, in.ID, u))
	})
	huma.Register(api, huma.Operation{OperationID: "list-audience-segment-members", Method: http.MethodGet, Path: base + "/{id}/members",
		Summary: "Page a segment's current members", Tags: tags, Security: read,
	}, func(ctx context.Context, in *segmentPageInput) (*httpapi.Body[httpapi.Page[SegmentMemberResponse]], error) {
		return httpapi.ReplyPage(segmentMemberResponse)(s.FindSegmentMembers(ctx, in.ID, in.Limit, in.Cursor))
	})
	huma.Register(api, huma.Operation{OperationID: "get-audience-segment-portrait", Method: http.MethodGet, Path: base + "/{id}/portrait",
		Summary: "Compare a segment with the whole base", Tags: tags, Security: read,
	}, func(ctx context.Context, in *idInput) (*httpapi.Body[PortraitResponse], error) {
		return httpapi.Reply(portraitResponse)(s.SegmentPortrait(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-audience-segment-counts", Method: http.MethodGet, Path: base + "/{id}/counts",
		Summary: "A segment's count per day", Tags: tags, Security: read,
	}, func(ctx context.Context, in *idInput) (*httpapi.Body[SegmentCountsResponse], error) {
		return httpapi.Reply(func(cs []SegmentCount) SegmentCountsResponse {
			out := SegmentCountsResponse{Items: make([]SegmentCountResponse, len(cs))}
			for i, c := range cs {
				out.Items[i] = SegmentCountResponse{Day: c.Day, Count: c.Count}
			}
			return out
		})(s.SegmentCounts(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "create-audience-snapshot", Method: http.MethodPost, Path: base + "/{id}/snapshots",
		Summary: "Freeze a segment's members", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body SnapshotRequest
	}) (*httpapi.Body[SnapshotResponse], error) {
		return httpapi.Reply(snapshotResponse)(s.TakeSnapshot(ctx, in.ID, in.Body.Name))
	})
	huma.Register(api, huma.Operation{OperationID: "list-audience-snapshots", Method: http.MethodGet, Path: base + "/{id}/snapshots",
		Summary: "List a segment's snapshots", Tags: tags, Security: read,
	}, func(ctx context.Context, in *idInput) (*httpapi.Body[SnapshotsResponse], error) {
		return httpapi.Reply(func(ss []Snapshot) SnapshotsResponse {
			out := SnapshotsResponse{Items: make([]SnapshotResponse, len(ss))}
			for i, x := range ss {
				out.Items[i] = snapshotResponse(x)
			}
			return out
		})(s.FindSnapshots(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "list-audience-snapshot-members", Method: http.MethodGet, Path: "/api/v1/audience-snapshots/{id}/members",
		Summary: "Page a snapshot's members", Tags: tags, Security: read,
	}, func(ctx context.Context, in *segmentPageInput) (*httpapi.Body[httpapi.Page[SegmentMemberResponse]], error) {
		return httpapi.ReplyPage(segmentMemberResponse)(s.FindSnapshotMembers(ctx, in.ID, in.Limit, in.Cursor))
	})
}
