// Package ids generates the opaque public identifiers of OneRetail resources.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"strings"

	"github.com/google/uuid"
)

// New returns a time-ordered UUIDv7 string, so that B-tree inserts stay local and
// ordering by id approximates creation order.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Secret returns n random bytes encoded as lower-case base32 without padding.
func Secret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("ids: crypto/rand failed: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
