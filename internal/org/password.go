package org

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2KeyLen is the length of the derived key, in bytes.
const argon2KeyLen = 32

// Hasher turns passwords into stored hashes and checks passwords against them. Login
// calls Verify exactly once for every attempt it judges — unknown login, wrong, too
// long, disabled or right — so that its timing does not tell them apart; tests count
// the calls through their own Hasher.
type Hasher interface {
	// Hash returns the encoded hash of password, salted.
	Hash(password string) string
	// Verify reports whether password matches the encoded hash; a malformed hash
	// never matches.
	Verify(encoded, password string) bool
}

// argon2Hasher is the production Hasher: argon2id with the configured cost.
type argon2Hasher struct{ cfg Config }

func (h argon2Hasher) Hash(password string) string          { return h.cfg.hashPassword(password) }
func (h argon2Hasher) Verify(encoded, password string) bool { return verifyPassword(encoded, password) }

// hashPassword returns the argon2id PHC string of password with the configured
// cost: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func (c Config) hashPassword(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic("org: crypto/rand failed: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, c.Argon2Time, c.Argon2Memory, c.Argon2Threads, argon2KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.Argon2Memory, c.Argon2Time,
		c.Argon2Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verifyPassword reports whether password matches the PHC string. The cost comes
// from the string, so hashes made with older settings keep working. A malformed
// string never matches.
func verifyPassword(phc, password string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// tokenHash is how session tokens and API key secrets are stored: SHA-256, hex.
// They are high-entropy, so a fast hash is enough.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
