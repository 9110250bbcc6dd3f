// Package pii protects personal data at rest: values are sealed with AES-256-GCM under
// a key from configuration, found again through a keyed hash (a blind index) so that
// equality look-ups work without decrypting, and masked for readers that do not need
// the whole value.
//
// One master secret (at least 32 bytes) derives two independent keys with HKDF: one
// that encrypts and one that indexes. Sealed values carry the id of the key that
// sealed them ("k3f09a1c2d4e5:…", a fingerprint of the secret), so that a rotation can
// tell which rows it converted and a Keys holding previous secrets opens old rows.
// Values sealed before key ids were fingerprints carry "k1".
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// MinSecretLen is the shortest master secret accepted.
const MinSecretLen = 32

// legacyID is the key id of values sealed before ids were fingerprints: every
// deployment then had one key, so a "k1" value opens with whichever held key sealed it.
const legacyID = "k1"

// ErrSealed reports a value that cannot be opened: damaged, sealed under another key,
// or sealed for another context.
var ErrSealed = errors.New("pii: sealed value cannot be opened")

// Keys seals, opens and indexes personal data under its current key and opens
// values sealed under its previous keys. It is safe for concurrent use.
type Keys struct {
	sealers []sealer // the current key first, then the previous ones
	// macs holds keyed HMAC-SHA256 states of the current index key ready for reuse:
	// setting up the key schedule of a new one cost as much as the hash itself, and
	// ingestion indexes every identifier of every event.
	macs sync.Pool
}

// sealer is the encryption key derived from one master secret, with its id.
type sealer struct {
	id   string
	aead cipher.AEAD
}

// NewKeys derives the encryption and index keys from the current secret, which Seal
// and Index use, and the encryption keys of previous secrets, which Open also tries
// (during and after a key rotation).
func NewKeys(current []byte, previous ...[]byte) (*Keys, error) {
	cur, err := newSealer(current)
	if err != nil {
		return nil, err
	}
	indexKey, err := hkdf.Key(sha256.New, current, nil, "oneretail pii blind index v1", 32)
	if err != nil {
		return nil, fmt.Errorf("pii: derive index key: %w", err)
	}
	k := &Keys{sealers: []sealer{cur}}
	for _, secret := range previous {
		prev, err := newSealer(secret)
		if err != nil {
			return nil, fmt.Errorf("previous key: %w", err)
		}
		k.sealers = append(k.sealers, prev)
	}
	k.macs.New = func() any { return hmac.New(sha256.New, indexKey) }
	return k, nil
}

func newSealer(secret []byte) (sealer, error) {
	if len(secret) < MinSecretLen {
		return sealer{}, fmt.Errorf("pii: master secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	}
	encKey, err := hkdf.Key(sha256.New, secret, nil, "oneretail pii encryption v1", 32)
	if err != nil {
		return sealer{}, fmt.Errorf("pii: derive encryption key: %w", err)
	}
	// The id is a third HKDF output, independent of both keys: 48 bits tell keys
	// apart and say nothing about the secret or what it derives.
	fingerprint, err := hkdf.Key(sha256.New, secret, nil, "oneretail pii key id v1", 6)
	if err != nil {
		return sealer{}, fmt.Errorf("pii: derive key id: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return sealer{}, fmt.Errorf("pii: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, fmt.Errorf("pii: gcm: %w", err)
	}
	return sealer{id: "k" + hex.EncodeToString(fingerprint), aead: aead}, nil
}

// ID returns the id of the current key: every value Seal returns starts with it and
// a colon. It is a fingerprint of the secret that reveals nothing about it.
func (k *Keys) ID() string { return k.sealers[0].id }

// KeyID returns the id of the key that sealed a value ("k1" for values sealed before
// ids were fingerprints), or "" for the empty string and values that are not sealed.
func KeyID(sealed string) string {
	id, _, ok := strings.Cut(sealed, ":")
	if !ok {
		return ""
	}
	return id
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
	aead := k.sealers[0].aead
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("pii: crypto/rand: %v", err))
	}
	out := aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return k.sealers[0].id + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with the same context under the current or a
// previous key. A legacy "k1" value opens under whichever of them sealed it.
// Errors: ErrSealed.
func (k *Keys) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, body, ok := strings.Cut(sealed, ":")
	if !ok {
		return "", ErrSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return "", ErrSealed
	}
	for _, s := range k.sealers {
		if id != s.id && id != legacyID {
			continue
		}
		if plain, err := s.open(raw, context); err == nil {
			return plain, nil
		}
	}
	return "", ErrSealed
}

func (s sealer) open(raw []byte, context string) (string, error) {
	n := s.aead.NonceSize()
	if len(raw) < n+s.aead.Overhead() {
		return "", ErrSealed
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised value of a kind (for example
// "phone") under the current key: equal inputs give equal indexes, and without the
// key an index reveals nothing about the value. kind keeps equal values of different
// kinds apart. An index carries no key id: a rotation recomputes it with the row that
// holds the sealed value.
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
