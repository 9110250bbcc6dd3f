package pii_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/platform/pii"
	"github.com/oneretail/oneretail/internal/platform/pii/piitest"
)

// declared is the allow-list of these tests: a few of the platform's non-personal
// event fields.
var declared = []string{"amount_fen", "sku", "store_code", "channel", "city"}

func maskJSON(t *testing.T, a pii.AllowList, in string) map[string]any {
	t.Helper()
	b, err := a.MaskJSON([]byte(in))
	if err != nil {
		t.Fatalf("MaskJSON(%s): %v", in, err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSecurity02_FindingExamplesMasked takes every example of issue 10 finding 2 —
// property names the old deny-list missed, nesting, numbers and arrays — and checks
// that a reader without customers:pii gets each masked, while declared names (in any
// case) come back as they are.
func TestSecurity02_FindingExamplesMasked(t *testing.T) {
	t.Parallel()
	a := pii.NewAllowList(declared...)
	tests := []struct {
		name, in string
		want     any // the masked value of "v" (or of the path's last key)
		path     []string
	}{
		{"receiver_phone", `{"receiver_phone":"13812345678"}`, "138****5678", []string{"receiver_phone"}},
		{"tel with +86 and dashes", `{"tel":"+86-138-1234-5678"}`, "138****5678", []string{"tel"}},
		{"手机号 with full-width digits", `{"手机号":"１３８１２３４５６７８"}`, "138****5678", []string{"手机号"}},
		{"收货人", `{"收货人":"王小明"}`, "王**", []string{"收货人"}},
		{"id_card", `{"id_card":"11010119900307123X"}`, "110**************X", []string{"id_card"}},
		{"delivery_address", `{"delivery_address":"上海市浦东新区张江路88弄"}`, "上************", []string{"delivery_address"}},
		{"address keeps its district", `{"address":"上海市浦东新区张江路88弄"}`, "上海市****", []string{"address"}},
		{"Name in upper case", `{"Name":"Wang Li"}`, "W******", []string{"Name"}},
		{"nested recipient.phone", `{"recipient":{"phone":"138 1234 5678","name":"李四"}}`, "138****5678", []string{"recipient", "phone"}},
		{"nested recipient.name", `{"recipient":{"phone":"138 1234 5678","name":"李四"}}`, "李*", []string{"recipient", "name"}},
		{"phone as a number", `{"phone":13812345678}`, "138****5678", []string{"phone"}},
		{"email in an array", `{"email":["a.b@example.com"]}`, []any{"a***@example.com"}, []string{"email"}},
		{"other number redacted", `{"age":37}`, pii.Redacted, []string{"age"}},
		{"boolean redacted", `{"pregnant":true}`, pii.Redacted, []string{"pregnant"}},
		{"null stays null", `{"remark":null}`, nil, []string{"remark"}},
		{"birthday keeps its year", `{"birthday":"1990-05-17"}`, "1990-**-**", []string{"birthday"}},
		{"declared kept", `{"amount_fen":1999}`, 1999.0, []string{"amount_fen"}},
		{"declared in any case", `{"SKU":"MILK-1L"}`, "MILK-1L", []string{"SKU"}},
		{"declared full-width", `{"ｓｋｕ":"MILK-1L"}`, "MILK-1L", []string{"ｓｋｕ"}},
		{"declared at depth", `{"items":[{"sku":"MILK-1L","qty":2}]}`, "MILK-1L", []string{"items", "0", "sku"}},
		{"undeclared sibling at depth", `{"items":[{"sku":"MILK-1L","qty":2}]}`, pii.Redacted, []string{"items", "0", "qty"}},
		{"declared array of scalars", `{"sku":["A-1","B-2"]}`, []any{"A-1", "B-2"}, []string{"sku"}},
		{"phone under a declared name", `{"city":"13812345678"}`, "138****5678", []string{"city"}},
		{"e-mail under a declared name", `{"store_code":"x.y@example.com"}`, "x***@example.com", []string{"store_code"}},
		{"phone inside a declared text", `{"channel":"pos 138-1234-5678"}`, "pos 138-****-5678", []string{"channel"}},
		{"id card under a declared name", `{"sku":"310115199001011237"}`, "310**************7", []string{"sku"}},
		{"long number under a declared name", `{"amount_fen":110101199003071234}`, pii.Redacted, []string{"amount_fen"}},
		{"declared object is walked", `{"city":{"phone":"xyz"}}`, "x**", []string{"city", "phone"}},
		{"phone-shaped key", `{"contacts":{"13812345678":"mum"}}`, "m**", []string{"contacts", "138****5678"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got any = maskJSON(t, a, tt.in)
			for _, k := range tt.path {
				switch c := got.(type) {
				case map[string]any:
					v, ok := c[k]
					if !ok {
						t.Fatalf("no %q in %v", k, c)
					}
					got = v
				case []any:
					got = c[0]
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s: got %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskFreeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"同一人，电话 138 1234 5678", "同一人，电话 138 **** 5678"},
		{"+86 13812345678 / 0086-139-8765-4321", "+86 138****5678 / 0086-139-****-4321"},
		{"tel13812345678x", "tel138****5678x"},
		{"wang.li@example.com 说的", "w***@example.com 说的"},
		{"id 11010119900307123X ok", "id 110**************X ok"},
		{"old id 110101900307123", "old id 110***********3"},
		{"two 13812345678 13987654321", "two 138****5678 139****4321"},
		{"全角１３８１２３４５６７８", "全角１３８****５６７８"},
		// Not personal by shape: kept.
		{"customer 0190a0a0-1390-8000-0000-139000000000 not found", "customer 0190a0a0-1390-8000-0000-139000000000 not found"},
		{"body larger than 16777216 bytes", "body larger than 16777216 bytes"},
		{"EAN 6901234567892", "EAN 6901234567892"},
		{"12345678901", "12345678901"},
		{"138123456789", "138123456789"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := pii.MaskFreeText(tt.in); got != tt.want {
			t.Errorf("MaskFreeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskValueAndID(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{pii.MaskValue("(0086) 138 1234 5678"), "138****5678"},
		{pii.MaskValue("Wang.Li@Example.com"), "W***@Example.com"},
		{pii.MaskValue("110101199003071234"), "110**************4"},
		{pii.MaskValue("张三"), "张*"},
		{pii.MaskValue("x"), "x"},
		{pii.MaskEmail("a@13812345678.com"), "a***@138****5678.com"},
		{pii.MaskID("oXyzAbCdEfGh1234"), "****1234"},
		{pii.MaskID("VIP7788"), "****88"},
		{pii.MaskID("K1"), "****"},
		{pii.MaskID(""), ""},
		{pii.MaskIDCard("11010119900307123X"), "110**************X"},
		{pii.MaskAddress("北京"), "北*"},
		{pii.MaskAddress("13812市345678"), "1***********"},
		{pii.MaskBirthday("13812345678"), "1**********"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

// TestAllowListNeverShowsPlantedValues is the masking property: whatever the names,
// nesting and JSON types, no planted personal value — nor eight consecutive digits of
// a planted phone or identity card number — survives Mask, and declared values do.
func TestAllowListNeverShowsPlantedValues(t *testing.T) {
	t.Parallel()
	a := pii.NewAllowList(declared...)
	rapid.Check(t, func(t *rapid.T) {
		p := piitest.Properties(declared).Draw(t, "properties")
		out, err := json.Marshal(a.Mask(p.Properties))
		if err != nil {
			t.Fatal(err)
		}
		if leaks := p.Leaks(string(out)); len(leaks) > 0 {
			in, _ := json.Marshal(p.Properties)
			t.Fatalf("leaked %q\nin:  %s\nout: %s", leaks, in, out)
		}
		// The structure stays: every object keeps its number of keys.
		if countKeys(p.Properties) != countKeys(a.Mask(p.Properties)) {
			t.Fatalf("keys lost: %s", out)
		}
		// Masking does not change its input.
		again, _ := json.Marshal(a.Mask(p.Properties))
		if string(again) != string(out) {
			t.Fatalf("Mask is not deterministic or changed its input:\n%s\n%s", out, again)
		}
	})
}

func countKeys(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += countKeys(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countKeys(e)
		}
		return n
	}
	return 0
}

// TestDeclaredValuesKept checks the other side: declared non-personal values come
// back unchanged at any depth and in any case.
func TestDeclaredValuesKept(t *testing.T) {
	t.Parallel()
	a := pii.NewAllowList(declared...)
	in := `{"AMOUNT_FEN":1999,"Store_Code":"SH-001","order":{"lines":[{"sku":"MILK-1L","amount_fen":500}]},"channel":"pos","city":"上海"}`
	b, err := a.MaskJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"AMOUNT_FEN":1999,"Store_Code":"SH-001","channel":"pos","city":"上海","order":{"lines":[{"amount_fen":500,"sku":"MILK-1L"}]}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	if got := a.Names(); strings.Join(got, ",") != "amount_fen,channel,city,sku,store_code" {
		t.Fatalf("Names() = %v", got)
	}
	if !a.Allows(" Ｓｋｕ ") || a.Allows("phone") || (pii.AllowList{}).Allows("sku") {
		t.Fatal("Allows")
	}
}

// FuzzMaskJSON: any JSON document masks without error into JSON where no string
// holds a mobile number, e-mail address or identity card number in plain text, and
// every undeclared scalar changed.
func FuzzMaskJSON(f *testing.F) {
	for _, s := range []string{`{"phone":"13812345678"}`, `{"a":[1,"x@y.cn",{"sku":"13812345678"}]}`, `"张三"`, `null`, `[true,false]`,
		`{"amount_fen":1e400}`, `{"id_card":"11010119900307123X","13812345678":1}`, `{"sku":"１３８ １２３４ ５６７８"}`} {
		f.Add([]byte(s))
	}
	a := pii.NewAllowList(declared...)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			if _, err := a.MaskJSON(raw); err == nil {
				t.Fatalf("MaskJSON accepted invalid JSON %q", raw)
			}
			return
		}
		out, err := a.MaskJSON(raw)
		if err != nil {
			t.Fatalf("MaskJSON(%q): %v", raw, err)
		}
		if !json.Valid(out) {
			t.Fatalf("MaskJSON(%q) = %q, not JSON", raw, out)
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		walkStrings(v, func(s string) {
			if pii.MaskFreeText(s) != s {
				t.Fatalf("MaskJSON(%q) left a personal value in %q", raw, s)
			}
		})
	})
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}

// ExampleAllowList_Mask masks event properties for a reader without access to
// personal data: declared names keep their values, everything else is masked by
// shape.
func ExampleAllowList_Mask() {
	schema := pii.NewAllowList("amount_fen", "sku")
	props := map[string]any{
		"amount_fen":     1999,
		"SKU":            "MILK-1L",
		"receiver_phone": "+86 138 1234 5678",
		"收货人":            "王小明",
		"recipient":      map[string]any{"email": []any{"wang.li@example.com"}},
		"age":            37,
	}
	out, _ := json.Marshal(schema.Mask(props))
	fmt.Println(string(out))
	// Output: {"SKU":"MILK-1L","age":"***","amount_fen":1999,"receiver_phone":"138****5678","recipient":{"email":["w***@example.com"]},"收货人":"王**"}
}

// FuzzMaskFreeText: masking a text twice changes nothing more (no personal value
// survives the first pass), and only digits and e-mail local parts are replaced.
func FuzzMaskFreeText(f *testing.F) {
	for _, s := range []string{"电话 +86 138 1234 5678", "a.b@example.com", "11010119900307123X", "0086-139-8765-4321 / 13812345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := pii.MaskFreeText(s)
		if twice := pii.MaskFreeText(once); twice != once {
			t.Fatalf("MaskFreeText(%q) = %q, again %q", s, once, twice)
		}
		if strings.Count(once, "@") != strings.Count(s, "@") {
			t.Fatalf("MaskFreeText(%q) = %q changed the text around the values", s, once)
		}
	})
}
