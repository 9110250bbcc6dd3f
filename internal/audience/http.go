package audience

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

const audienceTag = "Audiences"

// TagDefinitionRequest creates a tag definition.
type TagDefinitionRequest struct {
	Code        string   `json:"code" minLength:"1" maxLength:"64" doc:"A letter, then letters, digits and _; how conditions and rule expressions name the tag (tag:<code>)."`
	Name        string   `json:"name" minLength:"1" maxLength:"200"`
	Group       string   `json:"group,omitempty" maxLength:"100" doc:"The library's grouping, e.g. 价值分层 or 偏好."`
	Kind        string   `json:"kind" enum:"rule,computed,imported,manual" doc:"rule: an expression over member fields; computed: written by a model job; imported: from a file; manual: set by a person."`
	ValueType   string   `json:"value_type" enum:"boolean,enum,number,date"`
	EnumValues  []string `json:"enum_values,omitempty" maxItems:"200" doc:"The values of an enum tag."`
	Expression  string   `json:"expression,omitempty" maxLength:"4000" doc:"A rule tag's condition in the segment text form, e.g. orders:90d >= 3 and spend_fen:90d > 60000."`
	Description string   `json:"description,omitempty" maxLength:"2000"`
}

// TagDefinitionUpdate changes a tag definition; absent fields are left alone.
type TagDefinitionUpdate struct {
	Name        *string   `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Group       *string   `json:"group,omitempty" maxLength:"100"`
	EnumValues  *[]string `json:"enum_values,omitempty" maxItems:"200"`
	Expression  *string   `json:"expression,omitempty" maxLength:"4000"`
	Description *string   `json:"description,omitempty" maxLength:"2000"`
	Status      *string   `json:"status,omitempty" enum:"active,archived"`
}

// TagDefinitionResponse is a tag of the library.
type TagDefinitionResponse struct {
	ID          string    `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Group       string    `json:"group"`
	Kind        string    `json:"kind"`
	ValueType   string    `json:"value_type"`
	EnumValues  []string  `json:"enum_values"`
	Expression  string    `json:"expression,omitempty"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	Customers   int64     `json:"customers" doc:"Customers holding a value of the tag (rule tags: those matching at the last refresh)."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func tagResponse(t TagDefinition) TagDefinitionResponse {
	return TagDefinitionResponse{ID: t.ID, Code: t.Code, Name: t.Name, Group: t.Group, Kind: string(t.Kind), ValueType: string(t.ValueType),
		EnumValues: nonNil(t.EnumValues), Expression: t.Expression, Description: t.Description, Status: string(t.Status), Customers: t.Customers,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// CustomerTagRequest sets a tag's value on a customer.
type CustomerTagRequest struct {
	Value string `json:"value" minLength:"1" maxLength:"200" doc:"true for a boolean tag, one of an enum tag's values, a number, or a date YYYY-MM-DD."`
}

// CustomerTagResponse is one of a customer's tag values.
type CustomerTagResponse struct {
	TagID     string    `json:"tag_id"`
	TagCode   string    `json:"tag_code"`
	TagName   string    `json:"tag_name"`
	ValueType string    `json:"value_type"`
	Value     string    `json:"value"`
	Source    string    `json:"source" doc:"What wrote the value: a model job, an import, a rule or a user."`
	UpdatedAt time.Time `json:"updated_at"`
}

func customerTagResponse(v TagValue) CustomerTagResponse {
	return CustomerTagResponse{TagID: v.TagID, TagCode: v.TagCode, TagName: v.TagName, ValueType: string(v.ValueType), Value: v.Value,
		Source: v.Source, UpdatedAt: v.UpdatedAt}
}

// CustomerTagsResponse is a customer's tag values.
type CustomerTagsResponse struct {
	Items []CustomerTagResponse `json:"items"`
}

type tagListInput struct {
	httpapi.PageParams
	Group  string `query:"group" maxLength:"100"`
	Kind   string `query:"kind" enum:"rule,computed,imported,manual,"`
	Status string `query:"status" enum:"active,archived,"`
}

type idInput struct {
	ID string `path:"id" maxLength:"64"`
}

type customerTagInput struct {
	CustomerID string `path:"customer_id" maxLength:"64"`
	Code       string `path:"code" maxLength:"64"`
}

// Register adds the audience operations to api.
func (s *Service) Register(api huma.API) {
	read := httpapi.Secured(auth.AudiencesRead)
	write := httpapi.Secured(auth.AudiencesWrite)
	tags := []string{audienceTag}
	const base = "/api/v1/audience-tags"
	huma.Register(api, huma.Operation{OperationID: "list-audience-tags", Method: http.MethodGet, Path: base,
		Summary: "List the tag library", Tags: tags, Security: read,
	}, func(ctx context.Context, in *tagListInput) (*httpapi.Body[httpapi.Page[TagDefinitionResponse]], error) {
		return httpapi.ReplyPage(tagResponse)(s.FindTags(ctx, TagFilter{Group: in.Group, Kind: TagKind(in.Kind), Status: Status(in.Status),
			Limit: in.Limit, Cursor: in.Cursor}))
	})
	huma.Register(api, huma.Operation{OperationID: "create-audience-tag", Method: http.MethodPost, Path: base,
		Summary: "Define a tag", Tags: tags, Security: write, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct{ Body TagDefinitionRequest }) (*httpapi.Body[TagDefinitionResponse], error) {
		b := in.Body
		return httpapi.Reply(tagResponse)(s.CreateTag(ctx, TagInput{Code: b.Code, Name: b.Name, Group: b.Group, Kind: TagKind(b.Kind),
			ValueType: ValueType(b.ValueType), EnumValues: b.EnumValues, Expression: b.Expression, Description: b.Description}))
	})
	huma.Register(api, huma.Operation{OperationID: "get-audience-tag", Method: http.MethodGet, Path: base + "/{id}",
		Summary: "Get a tag definition", Tags: tags, Security: read,
	}, func(ctx context.Context, in *idInput) (*httpapi.Body[TagDefinitionResponse], error) {
		return httpapi.Reply(tagResponse)(s.FindTagByID(ctx, in.ID))
	})
	huma.Register(api, huma.Operation{OperationID: "update-audience-tag", Method: http.MethodPatch, Path: base + "/{id}",
		Summary: "Change a tag definition", Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"64"`
		Body TagDefinitionUpdate
	}) (*httpapi.Body[TagDefinitionResponse], error) {
		b := in.Body
		u := TagUpdate{Name: b.Name, Group: b.Group, EnumValues: b.EnumValues, Expression: b.Expression, Description: b.Description}
		if b.Status != nil {
			st := Status(*b.Status)
			u.Status = &st
		}
		return httpapi.Reply(tagResponse)(s.UpdateTag(ctx, in.ID, u))
	})
	huma.Register(api, huma.Operation{OperationID: "list-customer-tags", Method: http.MethodGet, Path: "/api/v1/customers/{customer_id}/tags",
		Summary: "List a customer's tags", Tags: tags, Security: read,
	}, func(ctx context.Context, in *struct {
		CustomerID string `path:"customer_id" maxLength:"64"`
	}) (*httpapi.Body[CustomerTagsResponse], error) {
		return httpapi.Reply(func(vs []TagValue) CustomerTagsResponse {
			out := CustomerTagsResponse{Items: make([]CustomerTagResponse, len(vs))}
			for i, v := range vs {
				out.Items[i] = customerTagResponse(v)
			}
			return out
		})(s.FindCustomerTags(ctx, in.CustomerID))
	})
	huma.Register(api, huma.Operation{OperationID: "set-customer-tag", Method: http.MethodPut, Path: "/api/v1/customers/{customer_id}/tags/{code}",
		Summary: "Set a manual or imported tag on a customer", Tags: tags, Security: write,
	}, func(ctx context.Context, in *struct {
		CustomerID string `path:"customer_id" maxLength:"64"`
		Code       string `path:"code" maxLength:"64"`
		Body       CustomerTagRequest
	}) (*httpapi.Body[CustomerTagResponse], error) {
		return httpapi.Reply(customerTagResponse)(s.SetCustomerTag(ctx, in.CustomerID, in.Code, in.Body.Value))
	})
	huma.Register(api, huma.Operation{OperationID: "remove-customer-tag", Method: http.MethodDelete, Path: "/api/v1/customers/{customer_id}/tags/{code}",
		Summary: "Remove a manual or imported tag from a customer", Tags: tags, Security: write, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *customerTagInput) (*struct{}, error) {
		if err := s.RemoveCustomerTag(ctx, in.CustomerID, in.Code); err != nil {
			return nil, httpapi.Problem(err)
		}
		return nil, nil
	})
	s.registerImport(api)
	s.registerSegments(api)
	s.registerJobs(api)
	s.registerExports(api)
}
