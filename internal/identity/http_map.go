package identity

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// Media types of the identity map export.
const (
	mediaNDJSON = "application/x-ndjson"
	mediaCSV    = "text/csv"
)

// IdentityMapRecord is one NDJSON line of the identity map export; which fields are
// present depends on type.
type IdentityMapRecord struct {
	Type            string     `json:"type" enum:"reset,identifier,event,merge,unmerge,erase,page"`
	Seq             int64      `json:"seq,omitempty" doc:"Position in the tenant's identity map log the record belongs to."`
	CustomerID      string     `json:"customer_id,omitempty"`
	IdentifierType  string     `json:"identifier_type,omitempty"`
	IdentifierValue string     `json:"identifier_value,omitempty" doc:"Normalised value; masked (138****5678) without customers:pii."`
	IdentifierHash  string     `json:"identifier_hash,omitempty" doc:"Keyed hash of TYPE:VALUE, the same for every reader of the tenant and every export until a key rotation (which starts a reset)."`
	TouchpointID    string     `json:"touchpoint_id,omitempty"`
	Touchpoint      string     `json:"touchpoint,omitempty" doc:"The touchpoint's code now."`
	EventID         string     `json:"event_id,omitempty"`
	SurvivorID      string     `json:"survivor_id,omitempty"`
	AbsorbedID      string     `json:"absorbed_id,omitempty"`
	MergeID         string     `json:"merge_id,omitempty"`
	At              *time.Time `json:"at,omitempty"`
	NextCursor      string     `json:"next_cursor,omitempty" doc:"page only: the cursor of what follows."`
	More            *bool      `json:"more,omitempty" doc:"page only: more records are available now."`
}

// mapCSVHeader is the CSV export's header row.
var mapCSVHeader = []string{"type", "seq", "customer_id", "identifier_type", "identifier_value", "identifier_hash", "touchpoint_id", "touchpoint",
	"event_id", "survivor_id", "absorbed_id", "merge_id", "at"}

type identityMapInput struct {
	Cursor string `query:"cursor" maxLength:"2000" doc:"Opaque cursor from the previous page (X-Next-Cursor, or the page line's next_cursor); absent: start with a snapshot."`
	Limit  int    `query:"limit" minimum:"1" maximum:"10000" default:"1000" doc:"Records per page; a page ends after the log entry that reaches it, so it may hold a few more."`
	Format string `query:"format" enum:"ndjson,csv," doc:"ndjson or csv; default from Accept (text/csv or application/x-ndjson), else ndjson."`
	Accept string `header:"Accept"`
}

type identityMapOutput struct {
	ContentType string `header:"Content-Type"`
	NextCursor  string `header:"X-Next-Cursor" doc:"The cursor of what follows; store it and resume from it."`
	More        bool   `header:"X-More" doc:"true: more records are available now; false: poll again later with X-Next-Cursor."`
	Masked      bool   `header:"X-Masked" doc:"Identifier values are masked (the caller lacks customers:pii)."`
	Body        []byte
}

// mapFormat picks the export's media type: the format parameter, else Accept.
func mapFormat(format, accept string) string {
	switch format {
	case "csv":
		return mediaCSV
	case "ndjson":
		return mediaNDJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil {
			switch mt {
			case mediaCSV:
				return mediaCSV
			case mediaNDJSON:
				return mediaNDJSON
			}
		}
	}
	return mediaNDJSON
}

func mapRecordResponse(r MapRecord) IdentityMapRecord {
	return IdentityMapRecord{Type: r.Type, Seq: r.Seq, CustomerID: r.CustomerID, IdentifierType: r.IdentifierType, IdentifierValue: r.IdentifierValue,
		IdentifierHash: r.IdentifierHash, TouchpointID: r.TouchpointID, Touchpoint: r.Touchpoint, EventID: r.EventID, SurvivorID: r.SurvivorID,
		AbsorbedID: r.AbsorbedID, MergeID: r.MergeID, At: r.At}
}

// encodeMapPage writes a page as NDJSON (records, then a page line) or CSV (a
// header row, then records; the cursor is in the headers only).
func encodeMapPage(p MapPage, media string) ([]byte, error) {
	var b bytes.Buffer
	if media == mediaCSV {
		w := csv.NewWriter(&b)
		if err := w.Write(mapCSVHeader); err != nil {
			return nil, err
		}
		for _, r := range p.Records {
			at := ""
			if r.At != nil {
				at = r.At.UTC().Format(time.RFC3339Nano)
			}
			if err := w.Write([]string{r.Type, strconv.FormatInt(r.Seq, 10), r.CustomerID, r.IdentifierType, r.IdentifierValue, r.IdentifierHash,
				r.TouchpointID, r.Touchpoint, r.EventID, r.SurvivorID, r.AbsorbedID, r.MergeID, at}); err != nil {
				return nil, err
			}
		}
		w.Flush()
		return b.Bytes(), w.Error()
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range p.Records {
		if err := enc.Encode(mapRecordResponse(r)); err != nil {
			return nil, err
		}
	}
	more := p.More
	if err := enc.Encode(IdentityMapRecord{Type: "page", NextCursor: p.Next, More: &more}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// registerIdentityMap adds the identity map export (scope identity_map:read).
func (s *Service) registerIdentityMap(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{
		OperationID: "export-identity-map", Method: http.MethodGet, Path: "/api/v1/identity-map",
		Summary: "Export the identity map",
		Description: "Which identifiers and which events belong to which One ID customer, and what merged, split or was erased since a " +
			"cursor, as NDJSON (default) or CSV (format=csv or Accept: text/csv). Without a cursor the export starts with a reset record and a " +
			"snapshot of every identifier and event, then follows the tenant's identity map log; X-Next-Cursor (and, in NDJSON, the last line's " +
			"next_cursor) resumes after the page, also after a crash, and later pages show later merges. Apply records in order: reset clears " +
			"everything held; identifier and event records set the customer of their key (identifier_type + identifier_hash; touchpoint_id + " +
			"event_id); merge gives every row of absorbed_id to survivor_id; unmerge is followed by the identifiers and events it gave back; " +
			"erase drops the customer's identifiers. Identifier values are masked without customers:pii; identifier_hash is the same for every " +
			"reader. Needs identity_map:read over the whole tenant. docs/identity.md, Identity map.",
		Tags: tags, Security: httpapi.Secured(auth.IdentityMapRead),
		Responses: map[string]*huma.Response{"200": {Description: "One page of the identity map.", Content: map[string]*huma.MediaType{
			mediaNDJSON: {Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[IdentityMapRecord](), true, "")},
			mediaCSV:    {Schema: &huma.Schema{Type: "string"}},
		}}},
	}, func(ctx context.Context, in *identityMapInput) (*identityMapOutput, error) {
		page, err := s.ExportIdentityMap(ctx, MapFilter{Cursor: in.Cursor, Limit: in.Limit})
		if err != nil {
			return nil, httpapi.Problem(err)
		}
		media := mapFormat(in.Format, in.Accept)
		body, err := encodeMapPage(page, media)
		if err != nil {
			return nil, httpapi.Problem(fmt.Errorf("identity: encode the identity map: %w", err))
		}
		ct := media + "; charset=utf-8"
		return &identityMapOutput{ContentType: ct, NextCursor: page.Next, More: page.More, Masked: page.Masked, Body: body}, nil
	})
}
