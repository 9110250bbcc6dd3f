package graph

import (
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"
)

var (
	surnamePool = []string{"张", "王", "李", "陈", "刘", "鄭", "欧阳"}
	givenPool   = []string{"伟", "偉", "静", "靜", "芳", "娜", "秀英", "涛", "濤", "凤", "鳳"}
	addressPool = []string{"上海市徐汇区漕溪北路88号12栋502室", "徐汇区漕溪北路８８号12-502", "杭州市文三路1号3幢101室", "北京市朝阳区建国路9号"}
)

func drawProfile(t *rapid.T, label string) Profile {
	name := rapid.SampledFrom(surnamePool).Draw(t, label+"surname") + rapid.SampledFrom(append(givenPool, "**", "先生", "女士", "")).Draw(t, label+"given")
	return Profile{
		Name:     rapid.SampledFrom([]string{name, " " + name + " ", ""}).Draw(t, label+"name"),
		Gender:   rapid.SampledFrom([]string{"male", "female", ""}).Draw(t, label+"gender"),
		Birthday: rapid.SampledFrom([]string{"1988-04-12", "1988-12-04", "1988-04-13", "1988-05-20", "1970-01-01", ""}).Draw(t, label+"birthday"),
		City:     rapid.SampledFrom([]string{"上海", "上海市", "杭州", ""}).Draw(t, label+"city"),
		Address:  rapid.SampledFrom(append(addressPool, "")).Draw(t, label+"address"),
		Phone:    rapid.SampledFrom([]string{"13812345678", "+86 138 1234 5678", "138****5678", "139****5678", "*******5678", ""}).Draw(t, label+"phone"),
	}
}

// TestExplanationProperties: for random pairs, the explained weights sum to the
// score and the probability is the logistic of it; the score is symmetric; folding
// is idempotent.
func TestExplanationProperties(t *testing.T) {
	t.Parallel()
	m := DefaultModel()
	m.NameFreq = map[string]float64{"张伟": 0.01, "王芳": 0.005}
	rapid.Check(t, func(rt *rapid.T) {
		a, b := NewFeatures(drawProfile(rt, "a")), NewFeatures(drawProfile(rt, "b"))
		e := m.Explain(&a, &b)
		sum := 0.0
		for _, term := range e.Terms {
			sum += term.Weight
		}
		if math.Abs(sum-e.Bits) > 1e-9 {
			rt.Fatalf("terms sum to %v, score is %v bits: %s", sum, e.Bits, e)
		}
		if p := 1 / (1 + math.Exp2(-sum)); math.Abs(p-e.Probability) > 1e-12 {
			rt.Fatalf("probability %v, want %v", e.Probability, p)
		}
		if r := m.Explain(&b, &a); math.Abs(r.Bits-e.Bits) > 1e-9 {
			rt.Fatalf("not symmetric: %v vs %v", e.Bits, r.Bits)
		}
		s := rapid.String().Draw(rt, "text")
		if f := FoldText(s); FoldText(f) != f {
			rt.Fatalf("FoldText not idempotent: %q → %q → %q", s, f, FoldText(f))
		}
		if n, _ := NormalizeName(a.RawName); n != a.Name {
			rt.Fatalf("NormalizeName(%q) = %q, features say %q", a.RawName, n, a.Name)
		}
	})
}

// TestNoMergeOnOneSharedThing: records that share only an address (a household),
// only a common name in one city, or only a device (nothing a profile holds) are
// never merged automatically, whatever the model learned from them.
func TestNoMergeOnOneSharedThing(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 40).Draw(rt, "n")
		kind := rapid.SampledFrom([]string{"address", "common name", "device"}).Draw(rt, "kind")
		var recs []FuzzyRecord
		for i := range n {
			var p Profile
			switch kind {
			case "address":
				p = Profile{City: "上海", Address: rapid.SampledFrom(addressPool[:2]).Draw(rt, "addr"), Phone: fmt.Sprintf("1%02d****%04d", 30+i, i),
					Gender: rapid.SampledFrom([]string{"male", "female", ""}).Draw(rt, "gender")}
			case "common name":
				p = Profile{Name: rapid.SampledFrom([]string{"张伟", "張偉", "张 伟"}).Draw(rt, "name"), City: "上海", Gender: "male"}
			case "device":
				p = Profile{} // a kiosk or tablet session: no profile to compare
			}
			recs = append(recs, FuzzyRecord{Features: NewFeatures(p)})
		}
		res := MatchFuzzy(recs, FuzzyOptions{TargetPrecision: rapid.Float64Range(0.5, 0.999).Draw(rt, "target")})
		if len(res.Groups) > 0 {
			p := res.Groups[0].Pairs[0]
			rt.Fatalf("%s only: merged %d records: %s", kind, len(res.Groups[0].Absorbed)+1, p.Explanation)
		}
	})
}

func TestChooseThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		probs          []float64
		target         float64
		want, expected float64
	}{
		{"all sure", []float64{1, 1, 0.999}, 0.99, 0.999, (2 + 0.999) / 3},
		{"stops before the mean falls", []float64{1, 1, 1, 0.9, 0.6}, 0.95, 0.9, 3.9 / 4},
		{"never below one half", []float64{1, 0.4}, 0.5, 1, 1},
		{"nothing", nil, 0.99, 0.99, 1},
	}
	for _, tt := range tests {
		got, exp := ChooseThreshold(tt.probs, tt.target)
		if got != tt.want || math.Abs(exp-tt.expected) > 1e-12 {
			t.Errorf("%s: %v, %v; want %v, %v", tt.name, got, exp, tt.want, tt.expected)
		}
	}
}

// TestFitModelLearns: EM on pairs generated from known m and u probabilities
// recovers the share of matches and ranks the levels as they were generated.
func TestFitModelLearns(t *testing.T) {
	t.Parallel()
	var recs []Features
	var pairs [][2]int
	for i := range 200 {
		bd := fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28)
		addr := fmt.Sprintf("漕溪北路%d号%d栋%d室", i, i%30, 100+i)
		a := NewFeatures(Profile{Name: fmt.Sprintf("张%c", rune(0x4e00+i*31)), Gender: "male", Birthday: bd, City: "上海", Address: addr,
			Phone: fmt.Sprintf("138%04d%04d", i, i)})
		var b Features
		if i%4 == 0 { // someone else born the same day elsewhere: not a match
			b = NewFeatures(Profile{Name: fmt.Sprintf("李%c", rune(0x4e00+i*31)), Gender: "female", Birthday: bd, City: "杭州", Address: fmt.Sprintf("文三路%d号", i)})
		} else {
			b = NewFeatures(Profile{Name: a.Name, Gender: "male", Birthday: bd, City: "上海", Address: addr, Phone: "138****" + a.PhoneMask[7:]})
		}
		recs = append(recs, a, b)
		pairs = append(pairs, [2]int{2 * i, 2*i + 1})
	}
	m := FitModel(recs, pairs, FitOptions{})
	if math.Abs(m.Lambda-0.75) > 0.05 {
		t.Fatalf("lambda %.3f, want about 0.75", m.Lambda)
	}
	if !(m.weight(cmpName, nameExact) > 0 && m.weight(cmpName, 6) < 0 && m.weight(cmpCity, 0) > 0 && m.weight(cmpCity, 1) < 0) {
		t.Fatalf("weights %+v", m.Weights())
	}
}

// TestCorroborated: two kinds of positive evidence corroborate a pair; a phone
// agreeing at seven or more known digits does on its own unless another comparison
// speaks against it; a name, an address or a short phone suffix alone never does.
func TestCorroborated(t *testing.T) {
	t.Parallel()
	m := DefaultModel()
	tests := []struct {
		name string
		a, b Profile
		want bool
	}{
		{"masked phone and the full number, nothing else", Profile{Phone: "13812345678"}, Profile{Name: "刘*", Phone: "138****5678", City: "上海"}, true},
		{"masked phone, same surname and city", Profile{Name: "刘芳", City: "上海", Phone: "13812345678"}, Profile{Name: "刘女士", City: "上海", Phone: "138****5678"}, true},
		{"masked phone but another surname", Profile{Name: "王芳", Phone: "13812345678"}, Profile{Name: "刘女士", Phone: "138****5678"}, false},
		{"masked phone but another city", Profile{City: "北京", Phone: "13812345678"}, Profile{City: "上海", Phone: "138****5678"}, false},
		{"masked phone but the other gender", Profile{Gender: "male", Phone: "13812345678"}, Profile{Name: "刘女士", Phone: "138****5678"}, false},
		{"last four digits only", Profile{Phone: "13812345678"}, Profile{Phone: "5678"}, false},
		{"name alone", Profile{Name: "张伟", City: "上海"}, Profile{Name: "張偉", City: "上海"}, false},
		{"address alone", Profile{Address: "上海市徐汇区漕溪北路88号12栋502室"}, Profile{Address: "徐汇区漕溪北路８８号12-502"}, false},
		{"name and birthday", Profile{Name: "陳靜", Birthday: "1988-04-12"}, Profile{Name: "陈静", Birthday: "1988-04-12"}, true},
	}
	for _, tt := range tests {
		a, b := NewFeatures(tt.a), NewFeatures(tt.b)
		if got := Corroborated(m.Explain(&a, &b)); got != tt.want {
			t.Errorf("%s: corroborated %v, want %v (%s)", tt.name, got, tt.want, m.Explain(&a, &b))
		}
	}
}

// TestPhoneChance: the chance that two people's phones agree at 7+ digits is the
// share of pairs with a masked number agreeing on digits 2–3 times the last four's
// collision probability (at least 1e-4); without a masked number it is 0.
func TestPhoneChance(t *testing.T) {
	t.Parallel()
	var recs []Features
	for i := range 100 {
		recs = append(recs, NewFeatures(Profile{Phone: fmt.Sprintf("1381234%04d", i)}))
	}
	if got := phoneChance(recs); got != 0 {
		t.Fatalf("full numbers only: %v, want 0", got)
	}
	for i := range 100 {
		recs = append(recs, NewFeatures(Profile{Phone: fmt.Sprintf("138****%04d", 100+i)}))
	}
	recs = append(recs, NewFeatures(Profile{Phone: "5678"})) // a suffix: shows no digits 2–3
	// 200 records show "38": 19,900 pairs, less the 4,950 of two full numbers; the
	// full numbers' suffixes are distinct, so the uniform 1e-4 stands; 201 records
	// with a phone make 20,100 pairs.
	want := 14950 * 1e-4 / 20100
	if got := phoneChance(recs); math.Abs(got-want) > 1e-12 {
		t.Fatalf("phoneChance = %v, want %v", got, want)
	}
	// Suffixes repeated among the full numbers raise the collision probability.
	for i := range 100 {
		recs = append(recs, NewFeatures(Profile{Phone: fmt.Sprintf("1385678%04d", i%2)}))
	}
	if got := phoneChance(recs); got <= want {
		t.Fatalf("repeated suffixes: %v, want more than %v", got, want)
	}
}

// TestNameFrequencyAdjustsAgreement: a name's frequency replaces the chance that
// two people's folded names agree, for an exact and a folded match alike, so a
// folded match (陳靜/陈静) keeps its level's weight against an exact one.
func TestNameFrequencyAdjustsAgreement(t *testing.T) {
	t.Parallel()
	m := DefaultModel()
	m.NameFreq = map[string]float64{"陈静": 0.002}
	nameBits := func(x, y string) float64 {
		a, b := NewFeatures(Profile{Name: x}), NewFeatures(Profile{Name: y})
		sum := 0.0
		for _, term := range m.Explain(&a, &b).Terms {
			if term.Comparison == "name" {
				sum += term.Weight
			}
		}
		return sum
	}
	adj := math.Log2((m.U[cmpName][nameExact] + m.U[cmpName][nameFold]) / 0.002)
	if got, want := nameBits("陈静", "陈静"), m.weight(cmpName, nameExact)+adj; math.Abs(got-want) > 1e-9 {
		t.Errorf("exact: %v bits, want %v", got, want)
	}
	if got, want := nameBits("陳靜", "陈静"), m.weight(cmpName, nameFold)+adj; math.Abs(got-want) > 1e-9 {
		t.Errorf("folded: %v bits, want %v", got, want)
	}
}
