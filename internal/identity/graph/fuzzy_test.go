package graph

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, gender string
	}{
		{"spaces", "张 伟", "张伟", ""},
		{"full-width and dot", "Ａｌｅｘ·王", "alex王", ""},
		{"interpunct", "买买提．艾力", "买买提艾力", ""},
		{"title", "张女士", "张", "female"},
		{"compound surname title", "欧阳先生", "欧阳", "male"},
		{"not a title", "王先生明", "王先生明", ""},
		{"masked", "郑**", "郑", ""},
		{"masked compound surname", "欧阳**", "欧阳", ""},
		{"masked with 某", "刘某", "刘", ""},
		{"traditional masked", "鄭*", "郑", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, g := NormalizeName(tt.in)
			if got != tt.want || g != tt.gender {
				t.Fatalf("NormalizeName(%q) = %q, %q; want %q, %q", tt.in, got, g, tt.want, tt.gender)
			}
		})
	}
}

func TestNormalizeAddress(t *testing.T) {
	t.Parallel()
	a := NormalizeAddress("上海市徐汇区漕溪北路８８号")
	b := NormalizeAddress("徐汇 漕溪北路88号")
	if a != b || a != "徐汇漕溪北路88号" {
		t.Fatalf("got %q and %q", a, b)
	}
	if got := NormalizeAddress("江苏省南京市鼓楼区中山路1号"); got != "鼓楼中山路1号" {
		t.Fatalf("got %q", got)
	}
}

// TestNameLevels: an exact fold is stronger evidence than a homophone, and a
// masked or titled delivery name is surname evidence, never a different name.
func TestNameLevels(t *testing.T) {
	t.Parallel()
	m := DefaultModel()
	base := NewFeatures(Profile{Name: "陈静"})
	tests := []struct {
		name, other, level string
	}{
		{"same", "陈静", "exact"},
		{"traditional", "陳靜", "fold"},
		{"stray space", "陈 静", "fold"},
		{"homophone", "陈婧", "homophone"},
		{"masked", "陈**", "surname"},
		{"masked traditional", "陳*", "surname"},
		{"title", "陈女士", "surname"},
		{"masked other surname", "李**", "surname differs"},
		{"other", "王芳", "differs"},
	}
	weight := map[string]float64{}
	for _, tt := range tests {
		o := NewFeatures(Profile{Name: tt.other})
		got := Comparisons[cmpName].Levels[nameLevel(&base, &o)]
		if got != tt.level {
			t.Errorf("%s: %q vs 陈静 is %s, want %s", tt.name, tt.other, got, tt.level)
		}
		weight[got] = m.Explain(&base, &o).Bits
	}
	if !(weight["fold"] > weight["homophone"] && weight["homophone"] > weight["surname"] && weight["surname"] > weight["differs"]) {
		t.Errorf("weights %v: want fold > homophone > surname > differs", weight)
	}
}

func TestMatchFuzzyGroups(t *testing.T) {
	t.Parallel()
	p := func(name, bday, suffix string) Features {
		return NewFeatures(Profile{Name: name, Birthday: bday, City: "北京", Address: "朝阳区建国路1号", Phone: suffix})
	}
	phone := func(v string) []Identifier { return []Identifier{{Type: TypePhone, Value: v}} }
	recs := []FuzzyRecord{
		{Features: p("李娜", "1985-01-02", "1111"), Strong: true, Exclusive: phone("+8613800001111")}, // 0
		{Features: p("李娜", "1985-01-02", "1111")},                                                   // 1 → 0
		{Features: p("李那", "1985-01-02", "")},                                                       // 2 → 0 (homophone)
		{Features: p("李娜", "1985-01-02", "1111"), Strong: true, Exclusive: phone("+8613900001111")}, // 3: another phone
		{Features: p("王强", "1970-05-06", "2222")},                                                   // 4 alone
		{Features: p("王强", "1970-05-06", "2222")},                                                   // 5 → 4
	}
	res := MatchFuzzy(recs, FuzzyOptions{})
	if len(res.Groups) != 2 {
		t.Fatalf("groups = %+v", res.Groups)
	}
	g := res.Groups[0]
	if g.Survivor != 0 || len(g.Absorbed) != 2 || g.Absorbed[0] != 1 || g.Absorbed[1] != 2 {
		t.Fatalf("group 0 = %+v", g)
	}
	if g := res.Groups[1]; g.Survivor != 4 || len(g.Absorbed) != 1 || g.Absorbed[0] != 5 {
		t.Fatalf("group 1 = %+v", g)
	}
	// 3 matches 1 and 2 as well as 0 does, but the group of 0 holds another phone.
	refused := false
	for _, r := range res.Reviews {
		if r.B == 3 || r.A == 3 {
			refused = true
		}
	}
	if !refused {
		t.Fatalf("no review for record 3: %+v", res.Reviews)
	}
}

func TestMatchFuzzySkipsHugeBlocks(t *testing.T) {
	t.Parallel()
	var recs []FuzzyRecord
	for range 50 {
		recs = append(recs, FuzzyRecord{Features: NewFeatures(Profile{Name: "无名", Birthday: "1900-01-01"})})
	}
	res := MatchFuzzy(recs, FuzzyOptions{MaxBlock: 10})
	if res.Compared != 0 || res.Skipped != 2 || len(res.Groups) != 0 {
		t.Fatalf("res = %+v", res)
	}
}

func FuzzNormalizeProfile(f *testing.F) {
	for _, s := range []string{"张 伟", "Ａｌｅｘ·王", "上海市徐汇区漕溪北路８８号", "张女士", "", "市", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, _ := NormalizeName(s)
		if n2, _ := NormalizeName(n); utf8.ValidString(s) && n2 != n && !strings.HasSuffix(n, "先生") && !strings.HasSuffix(n, "女士") && !strings.HasSuffix(n, "小姐") {
			t.Fatalf("NormalizeName not idempotent: %q → %q → %q", s, n, n2)
		}
		a := NormalizeAddress(s)
		if strings.ContainsAny(a, " \t\n") {
			t.Fatalf("NormalizeAddress(%q) = %q keeps spaces", s, a)
		}
		fe := NewFeatures(Profile{Name: s, Address: s, City: s, Birthday: s, Phone: s})
		if fe.PhoneMask != "" && len(fe.PhoneMask) != 11 {
			t.Fatalf("phone mask %q", fe.PhoneMask)
		}
		m := DefaultModel()
		if e := m.Explain(&fe, &fe); e.Probability < 0 || e.Probability > 1 || math.IsNaN(e.Bits) {
			t.Fatalf("score %v out of range", e.Probability)
		}
		_ = fe.BlockingKeys()
	})
}

func TestFoldText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"traditional name", "陳靜", "陈静"},
		{"traditional characters", "劉濤 鳳", "刘涛凤"},
		{"ideographic space", "张　伟", "张伟"},
		{"full-width digits", "漕溪北路８８号", "漕溪北路88号"},
		{"latin upper case", "ＡＬＥＸ Wang", "alexwang"},
		{"simplified unchanged", "张伟", "张伟"},
	}
	for _, tt := range tests {
		if got := FoldText(tt.in); got != tt.want {
			t.Errorf("%s: FoldText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
