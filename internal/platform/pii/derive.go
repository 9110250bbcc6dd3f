package pii

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// DeriveKey derives a 32-byte key for purpose (for example "priced-cart token") from
// the master secret with HKDF, independent of the keys Keys derives and of every
// other purpose's: a service that signs with it learns nothing of the personal-data
// keys, and every node with the same secret derives the same key. Errors: a secret
// shorter than MinSecretLen.
func DeriveKey(secret []byte, purpose string) ([]byte, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("pii: master secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	}
	k, err := hkdf.Key(sha256.New, secret, nil, "oneretail "+purpose+" v1", 32)
	if err != nil {
		return nil, fmt.Errorf("pii: derive %s key: %w", purpose, err)
	}
	return k, nil
}
