package app_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

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
