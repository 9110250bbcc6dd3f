// Package pii protects personal data at rest: values are sealed with AES-256-GCM under
// a key from configuration, found again through a keyed hash (a blind index) so that
// equality look-ups work without decrypting, and masked for readers that do not need
// the whole value.
//
// One master secret (at least 32 bytes) derives two independent keys with HKDF: one
// that encrypts and one that indexes. Sealed values carry the id of the key that
// sealed them ("k1:…"), so a later rotation can add keys and still open old rows.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// MinSecretLen is the shortest master secret accepted.
const MinSecretLen = 32

// keyID names the current key in sealed values.
const keyID = "k1"

// ErrSealed reports a value that cannot be opened: damaged, sealed under another key,
// or sealed for another context.
var ErrSealed = errors.New("pii: sealed value cannot be opened")

// Keys seals, opens and indexes personal data. It is safe for concurrent use.
type Keys struct {
	aead cipher.AEAD
	// macs holds keyed HMAC-SHA256 states ready for reuse: setting up the key
	// schedule of a new one cost as much as the hash itself, and ingestion indexes
	// every identifier of every event.
	macs sync.Pool
}

// NewKeys derives the encryption and index keys from secret.
func NewKeys(secret []byte) (*Keys, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("pii: master secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	}
	encKey, err := hkdf.Key(sha256.New, secret, nil, "oneretail pii encryption v1", 32)
	if err != nil {
		return nil, fmt.Errorf("pii: derive encryption key: %w", err)
	}
	indexKey, err := hkdf.Key(sha256.New, secret, nil, "oneretail pii blind index v1", 32)
	if err != nil {
		return nil, fmt.Errorf("pii: derive index key: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("pii: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: gcm: %w", err)
	}
	k := &Keys{aead: aead}
	k.macs.New = func() any { return hmac.New(sha256.New, indexKey) }
	return k, nil
}

// ParseSecret decodes a master secret given in configuration: standard or URL-safe
// base64 (padded or not) of at least MinSecretLen bytes.
func ParseSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < MinSecretLen {
				return nil, fmt.Errorf("pii: master secret is %d bytes, need at least %d", len(b), MinSecretLen)
			}
			return b, nil
		}
	}
	return nil, errors.New("pii: master secret is not base64")
}

// NewSecret returns a fresh random master secret encoded for configuration.
func NewSecret() string {
	b := make([]byte, MinSecretLen)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("pii: crypto/rand: %v", err)) // rand.Read never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Seal encrypts plaintext. context binds the value to where it is stored (for example
// "customer_identifiers.phone"): a sealed value copied to another place fails to open.
// The empty string seals to the empty string, so optional fields stay empty.
func (k *Keys) Seal(plaintext, context string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("pii: crypto/rand: %v", err))
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return keyID + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with the same context.
func (k *Keys) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, body, ok := strings.Cut(sealed, ":")
	if !ok || id != keyID {
		return "", ErrSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", ErrSealed
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised value of a kind (for example
// "phone"): equal inputs give equal indexes, and without the key an index reveals
// nothing about the value. kind keeps equal values of different kinds apart.
func (k *Keys) Index(kind, normalised string) string {
	mac := k.macs.Get().(hash.Hash)
	defer k.macs.Put(mac)
	mac.Reset()
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(normalised))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(mac.Sum(sum[:0])[:20])
}

// TestSecret returns a fixed master secret for tests and benchmarks. A deployment
// never uses it: `oneretail serve` takes --pii-key or its own key file.
func TestSecret() []byte { return []byte("oneretail-test-secret-0123456789") }
