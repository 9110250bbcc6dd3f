package org

import (
	"reflect"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
)

// TestAPIKeyScopeEnum keeps the scopes the API documents (and the console offers)
// equal to the scopes the platform knows.
func TestAPIKeyScopeEnum(t *testing.T) {
	t.Parallel()
	f, _ := reflect.TypeOf(APIKeyCreateRequest{}).FieldByName("Scopes")
	documented := strings.Split(f.Tag.Get("enum"), ",")
	var known []string
	for _, s := range auth.AllScopes() {
		known = append(known, string(s))
	}
	if !reflect.DeepEqual(documented, known) {
		t.Fatalf("APIKeyCreateRequest.Scopes enum = %v, want auth.AllScopes() = %v", documented, known)
	}
}
