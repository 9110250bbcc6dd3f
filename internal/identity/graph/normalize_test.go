package graph

import (
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		typ   Type
		in    string
		want  string
		error bool
	}{
		{name: "phone plain", typ: TypePhone, in: "13800138000", want: "+8613800138000"},
		{name: "phone spaces", typ: TypePhone, in: "138 0013 8000", want: "+8613800138000"},
		{name: "phone +86 dashes", typ: TypePhone, in: "+86-138-0013-8000", want: "+8613800138000"},
		{name: "phone 0086", typ: TypePhone, in: "0086 13800138000", want: "+8613800138000"},
		{name: "phone 86 prefix", typ: TypePhone, in: "8613800138000", want: "+8613800138000"},
		{name: "phone full-width", typ: TypePhone, in: "１３８００１３８０００", want: "+8613800138000"},
		{name: "phone full-width plus", typ: TypePhone, in: "＋８６ １３８００１３８０００", want: "+8613800138000"},
		{name: "phone already e164", typ: TypePhone, in: "+8613800138000", want: "+8613800138000"},
		{name: "phone parens", typ: TypePhone, in: "(+86) 199 1234 5678", want: "+8619912345678"},
		{name: "phone landline", typ: TypePhone, in: "010-62345678", error: true},
		{name: "phone landline +86", typ: TypePhone, in: "+86 21 6234 5678", error: true},
		{name: "phone too short", typ: TypePhone, in: "1380013800", error: true},
		{name: "phone too long", typ: TypePhone, in: "138001380001", error: true},
		{name: "phone starts 12", typ: TypePhone, in: "12800138000", error: true},
		{name: "phone foreign", typ: TypePhone, in: "+1 415 555 0100", error: true},
		{name: "phone letters", typ: TypePhone, in: "138OO138000", error: true},
		{name: "phone empty", typ: TypePhone, in: "  ", error: true},
		{name: "phone masked", typ: TypePhone, in: "138****8000", error: true},
		{name: "email", typ: TypeEmail, in: "  Li.Lei@Example.COM ", want: "li.lei@example.com"},
		{name: "email full-width at", typ: TypeEmail, in: "lilei＠example.com", want: "lilei@example.com"},
		{name: "email no at", typ: TypeEmail, in: "lilei.example.com", error: true},
		{name: "email two at", typ: TypeEmail, in: "a@b@example.com", error: true},
		{name: "email no domain dot", typ: TypeEmail, in: "a@localhost", error: true},
		{name: "email space", typ: TypeEmail, in: "li lei@example.com", error: true},
		{name: "email empty local", typ: TypeEmail, in: "@example.com", error: true},
		{name: "email chinese", typ: TypeEmail, in: "李雷@example.com", error: true},
		{name: "card", typ: TypeMemberCard, in: " vip-0012 3456 ", want: "VIP00123456"},
		{name: "card full-width", typ: TypeMemberCard, in: "ＶＩＰ１２３", want: "VIP123"},
		{name: "card only dashes", typ: TypeMemberCard, in: "--", error: true},
		{name: "card symbol", typ: TypeMemberCard, in: "VIP#1", error: true},
		{name: "unionid trimmed case kept", typ: TypeWeChatUnionID, in: " oUpF8uMuAJO_M2pxb1Q9zNjWeS6o ", want: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		{name: "openid", typ: TypeWeChatOpenID, in: "oX-abc", want: "oX-abc"},
		{name: "device empty", typ: TypeDeviceID, in: "\t", error: true},
		{name: "device control", typ: TypeDeviceID, in: "a\x00b", error: true},
		{name: "masked phone", typ: TypeMaskedPhone, in: "138****1234", want: "138****1234"},
		{name: "masked phone x", typ: TypeMaskedPhone, in: "+86 138xxxx1234", want: "138****1234"},
		{name: "masked phone unmasked", typ: TypeMaskedPhone, in: "13812341234", error: true},
		{name: "masked phone no suffix", typ: TypeMaskedPhone, in: "1381234****", error: true},
		{name: "invalid type", typ: 0, in: "x", error: true},
		{name: "bad utf8", typ: TypeCookieID, in: "\xff", error: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Normalize(tt.typ, tt.in)
			if tt.error {
				if err == nil {
					t.Fatalf("Normalize(%s, %q) = %q, want error", tt.typ, tt.in, got)
				}
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("error code = %s, want invalid (%v)", errs.CodeOf(err), err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%s, %q): %v", tt.typ, tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Normalize(%s, %q) = %q, want %q", tt.typ, tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeErrorNamesReason(t *testing.T) {
	t.Parallel()
	_, err := Normalize(TypePhone, "010-62345678")
	if err == nil || !strings.Contains(err.Error(), "landline") || !strings.Contains(err.Error(), "identifiers.phone") {
		t.Fatalf("error %v does not name the field and the landline reason", err)
	}
}

func TestParseType(t *testing.T) {
	t.Parallel()
	for _, typ := range Types() {
		got, err := ParseType(typ.String())
		if err != nil || got != typ {
			t.Fatalf("ParseType(%q) = %v, %v", typ.String(), got, err)
		}
	}
	if _, err := ParseType("qq_number"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("ParseType(qq_number) error = %v, want invalid", err)
	}
	if r := DefaultRules(); r.Validate() != nil {
		t.Fatalf("DefaultRules invalid: %v", r.Validate())
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"138 0013 8000", "+86-13800138000", "００８６１３８００１３８０００", "Li@Example.com", "vip-12 3", "138****1234", " oX ", "\xff", "86"} {
		for _, typ := range Types() {
			f.Add(uint8(typ), s)
		}
	}
	f.Fuzz(func(t *testing.T, typ uint8, s string) {
		ty := Type(typ % uint8(numTypes+1))
		v, err := Normalize(ty, s)
		if err != nil {
			return
		}
		v2, err := Normalize(ty, v)
		if err != nil {
			t.Fatalf("Normalize(%s, %q) = %q, which then fails: %v", ty, s, v, err)
		}
		if v2 != v {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, v, v2)
		}
	})
}
