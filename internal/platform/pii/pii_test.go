package pii

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func testKeys(t testing.TB, fill byte) *Keys {
	t.Helper()
	k, err := NewKeys([]byte(strings.Repeat(string(rune(fill)), MinSecretLen)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := testKeys(t, 'a')
	for _, v := range []string{"+8613812341234", "王小明", "上海市浦东新区张江路 88 弄 3 号 502", "x"} {
		sealed := k.Seal(v, "customers.name")
		if len(v) > 3 && strings.Contains(sealed, v) {
			t.Fatalf("sealed value %q contains the plaintext", sealed)
		}
		got, err := k.Open(sealed, "customers.name")
		if err != nil || got != v {
			t.Fatalf("Open(Seal(%q)) = %q, %v", v, got, err)
		}
	}
	if k.Seal("", "c") != "" {
		t.Fatal("empty plaintext must seal to empty")
	}
}

func TestSealIsRandomised(t *testing.T) {
	k := testKeys(t, 'a')
	first, second := k.Seal("13812341234", "c"), k.Seal("13812341234", "c")
	if first == second {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
}

func TestOpenRefusesOtherContextKeyOrDamage(t *testing.T) {
	k := testKeys(t, 'a')
	sealed := k.Seal("13812341234", "phone")
	if _, err := k.Open(sealed, "email"); err != ErrSealed {
		t.Fatalf("other context: err = %v", err)
	}
	if _, err := testKeys(t, 'b').Open(sealed, "phone"); err != ErrSealed {
		t.Fatalf("other key: err = %v", err)
	}
	damaged := sealed[:len(sealed)-2] + "AA"
	if _, err := k.Open(damaged, "phone"); err != ErrSealed {
		t.Fatalf("damaged: err = %v", err)
	}
	_, body, _ := strings.Cut(sealed, ":")
	for _, bad := range []string{"k1:", "k2:" + body, "kffffffffffff:" + body, body, "nonsense", "k1:!!!", k.ID() + ":"} {
		if _, err := k.Open(bad, "phone"); err != ErrSealed {
			t.Fatalf("Open(%q): err = %v", bad, err)
		}
	}
}

// legacySeal seals v the way values were sealed before key ids were fingerprints.
func legacySeal(k *Keys, v, context string) string {
	_, body, _ := strings.Cut(k.Seal(v, context), ":")
	return "k1:" + body
}

func TestKeyIDIsAFingerprintOfTheSecret(t *testing.T) {
	secret := []byte(strings.Repeat("s", MinSecretLen))
	k, err := NewKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	// Pinned to its definition so that stored ids stay recognised: "k" and the hex of
	// 6 bytes of HKDF under its own label, independent of the two keys.
	fingerprint, err := hkdf.Key(sha256.New, secret, nil, "oneretail pii key id v1", 6)
	if err != nil {
		t.Fatal(err)
	}
	if want := "k" + hex.EncodeToString(fingerprint); k.ID() != want {
		t.Fatalf("ID() = %s, want %s", k.ID(), want)
	}
	again, _ := NewKeys(secret)
	if again.ID() != k.ID() {
		t.Fatal("one secret, two ids")
	}
	ids := map[string]bool{}
	for _, fill := range "abcdefgh" {
		ids[testKeys(t, byte(fill)).ID()] = true
	}
	if len(ids) != 8 || ids[legacyID] {
		t.Fatalf("ids of 8 secrets: %v", ids)
	}
	sealed := k.Seal("13812341234", "c")
	if !strings.HasPrefix(sealed, k.ID()+":") || KeyID(sealed) != k.ID() {
		t.Fatalf("Seal = %s, KeyID = %s, want id %s", sealed, KeyID(sealed), k.ID())
	}
	for in, want := range map[string]string{"": "", "nonsense": "", "k1:abc": "k1"} {
		if got := KeyID(in); got != want {
			t.Errorf("KeyID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRotationRoundTrip(t *testing.T) {
	a, b := []byte(strings.Repeat("a", MinSecretLen)), []byte(strings.Repeat("b", MinSecretLen))
	old, _ := NewKeys(a)
	rotated, err := NewKeys(b, a)
	if err != nil {
		t.Fatal(err)
	}
	only, _ := NewKeys(b)
	underOld := old.Seal("王小明", "customer_profiles.name")
	if got, err := rotated.Open(underOld, "customer_profiles.name"); err != nil || got != "王小明" {
		t.Fatalf("rotated keys open a value of the previous key: %q, %v", got, err)
	}
	resealed := rotated.Seal("王小明", "customer_profiles.name")
	if KeyID(resealed) != only.ID() || rotated.ID() != only.ID() {
		t.Fatalf("rotated keys seal under %s, want the current key %s", KeyID(resealed), only.ID())
	}
	if got, err := only.Open(resealed, "customer_profiles.name"); err != nil || got != "王小明" {
		t.Fatalf("new key alone opens the resealed value: %q, %v", got, err)
	}
	if _, err := only.Open(underOld, "customer_profiles.name"); err != ErrSealed {
		t.Fatalf("new key alone opened a value of the old key: err = %v", err)
	}
	if _, err := old.Open(resealed, "customer_profiles.name"); err != ErrSealed {
		t.Fatalf("old key opened a value of the new key: err = %v", err)
	}
	if rotated.Index("phone", "+8613812341234") != only.Index("phone", "+8613812341234") ||
		rotated.Index("phone", "+8613812341234") == old.Index("phone", "+8613812341234") {
		t.Fatal("Index does not use the current key")
	}
	if _, err := NewKeys(b, []byte("short")); err == nil {
		t.Fatal("a short previous secret was accepted")
	}
}

func TestLegacyValuesOpenUnderTheKeyThatSealedThem(t *testing.T) {
	a, b := []byte(strings.Repeat("a", MinSecretLen)), []byte(strings.Repeat("b", MinSecretLen))
	old, _ := NewKeys(a)
	legacy := legacySeal(old, "+8613812341234", "phone")
	for _, tc := range []struct {
		name  string
		keys  [][]byte
		opens bool
	}{
		{"the key that sealed it", [][]byte{a}, true},
		{"as a previous key", [][]byte{b, a}, true},
		{"as the current key with a previous one", [][]byte{a, b}, true},
		{"another key", [][]byte{b}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKeys(tc.keys[0], tc.keys[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := k.Open(legacy, "phone")
			if tc.opens && (err != nil || got != "+8613812341234") {
				t.Fatalf("Open = %q, %v", got, err)
			}
			if !tc.opens && err != ErrSealed {
				t.Fatalf("Open = %q, %v; want ErrSealed", got, err)
			}
		})
	}
	if _, err := old.Open(legacy, "email"); err != ErrSealed {
		t.Fatalf("legacy value opened in another context: err = %v", err)
	}
}

func TestIndexIsKeyedAndKindSeparated(t *testing.T) {
	a, b := testKeys(t, 'a'), testKeys(t, 'b')
	first, second := a.Index("phone", "+8613812341234"), a.Index("phone", "+8613812341234")
	if first != second {
		t.Fatal("index is not deterministic")
	}
	if a.Index("phone", "+8613812341234") == b.Index("phone", "+8613812341234") {
		t.Fatal("index does not depend on the key")
	}
	if a.Index("phone", "x") == a.Index("email", "x") {
		t.Fatal("index does not separate kinds")
	}
	if a.Index("ab", "c") == a.Index("a", "bc") {
		t.Fatal("kind and value run together")
	}
}

// TestIndexIsStable pins the blind index to its definition — HMAC-SHA256 under the
// HKDF-derived index key of kind, a zero byte and the value, first 20 bytes in
// unpadded URL base64 — so that indexes already stored stay found, and checks that
// concurrent callers (sharing the pooled HMAC states) all get it.
func TestIndexIsStable(t *testing.T) {
	secret := []byte(strings.Repeat("s", MinSecretLen))
	k, err := NewKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	indexKey, err := hkdf.Key(sha256.New, secret, nil, "oneretail pii blind index v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	want := func(kind, v string) string {
		mac := hmac.New(sha256.New, indexKey)
		mac.Write([]byte(kind + "\x00" + v))
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:20])
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				v := fmt.Sprintf("+86138%08d", g*1000+i)
				if got := k.Index("phone", v); got != want("phone", v) {
					t.Errorf("Index(phone, %s) = %s, want %s", v, got, want("phone", v))
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSecrets(t *testing.T) {
	s := NewSecret()
	b, err := ParseSecret(s)
	if err != nil || len(b) != MinSecretLen {
		t.Fatalf("ParseSecret(NewSecret()) = %d bytes, %v", len(b), err)
	}
	if _, err := ParseSecret("c2hvcnQ="); err == nil {
		t.Fatal("short secret accepted")
	}
	if _, err := ParseSecret("not base64 at all!"); err == nil {
		t.Fatal("non-base64 secret accepted")
	}
	if _, err := NewKeys([]byte("short")); err == nil {
		t.Fatal("NewKeys accepted a short secret")
	}
}

func TestConcurrentSeal(t *testing.T) {
	k := testKeys(t, 'a')
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if v, err := k.Open(k.Seal("13812341234", "c"), "c"); err != nil || v != "13812341234" {
					t.Errorf("round trip: %q %v", v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestMasks(t *testing.T) {
	cases := []struct{ got, want string }{
		{MaskPhone("+8613812341234"), "138****1234"},
		{MaskPhone("13812341234"), "138****1234"},
		{MaskPhone("5551234"), "*****34"},
		{MaskPhone(""), ""},
		{MaskEmail("wang.li@example.com"), "w***@example.com"},
		{MaskEmail("@example.com"), "***@example.com"},
		{MaskName("王小明"), "王**"},
		{MaskName("Li"), "L*"},
		{MaskAddress("上海市浦东新区张江路88弄"), "上海市****"},
		{MaskAddress("北京"), "北*"},
		{MaskBirthday("1990-05-17"), "1990-**-**"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	k := testKeys(f, 'a')
	f.Add(k.Seal("13812341234", "c"))
	f.Add("k1:AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := k.Open(s, "c")
		if err == nil && s != "" && k.Seal(v, "c") == "" {
			t.Fatalf("opened %q from %q", v, s)
		}
	})
}
