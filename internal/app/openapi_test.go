package app_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// TestCommittedOpenAPIIsCurrent keeps api/openapi.json — the contract integrators
// and the console's generated types read — identical to what the server serves.
func TestCommittedOpenAPIIsCurrent(t *testing.T) {
	t.Parallel()
	h := setup(t, db.SQLite)
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	if err := enc.Encode(h.app.API.OpenAPI()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("api/openapi.json differs from the served document: run `make generate` and commit the result")
	}
}

// TestSchemaNamesLeaveRoomForGeneratedClients: client generators name a type per
// operation after its operationId — oapi-codegen makes <Op>Response, <Op>Params,
// <Op>JSONBody and <Op>JSONRequestBody — beside one type per schema. A schema with
// one of those names (LoginResponse for the operation "login") made the generated
// client fail to compile. `make lint` also generates and compiles the clients.
func TestSchemaNamesLeaveRoomForGeneratedClients(t *testing.T) {
	t.Parallel()
	h := setup(t, db.SQLite)
	doc := h.app.API.OpenAPI()
	schemas := doc.Components.Schemas.Map()
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			name := camelCase(op.OperationID)
			for _, suffix := range []string{"Response", "Params", "JSONBody", "JSONRequestBody"} {
				if _, taken := schemas[name+suffix]; taken {
					t.Errorf("schema %s%s has the name generators give operation %s (%s): rename the Go type", name, suffix, op.OperationID, path)
				}
			}
		}
	}
}

// camelCase is an operationId as oapi-codegen names its types: "promotion-calendar"
// becomes "PromotionCalendar".
func camelCase(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
