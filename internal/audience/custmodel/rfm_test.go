package custmodel_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TestScoreRFMHandTable checks ScoreRFM against a table computed by hand.
//
// n = 12, score = 1 + ⌊5·rank/12⌋: ranks 0–2 → 1, 3–4 → 2, 5–7 → 3, 8–9 → 4, 10–11 → 5.
//
// Recency (rank = customers with strictly more days):
//
//	c01 2d:11→5  c02 5d:9→4  c03 5d:9→4  c04 10d:8→4  c05 20d:7→3  c06 30d:6→3
//	c07 45d:5→3  c08 60d:4→2  c09 90d:3→2  c10 120d:2→1  c11 200d:1→1  c12 365d:0→1
//	sum 33, mean R 2.75 → high when R ≥ 3
//
// Frequency (rank = customers with strictly fewer orders); sorted 1,1,1,1,2,2,3,4,5,6,8,10:
//
//	1:0→1 (c02 c05 c08 c11)  2:4→2 (c04 c10)  3:6→3 (c07)  4:7→3 (c12)
//	5:8→4 (c06)  6:9→4 (c09)  8:10→5 (c03)  10:11→5 (c01)
//	sum 32, mean F 2.667 → high when F ≥ 3
//
// Monetary (fen; rank = customers with strictly less spend):
//
//	c05 5000:0→1  c09 10000:1→1  c03 20000:2→1  c11 40000:3→2  c06 60000:4→2
//	c02 80000:5→3  c12 100000:6→3  c07,c08 150000:7→3 (tie, both rank 7)
//	c10 250000:9→4  c04 300000:10→5  c01 500000:11→5
//	sum 33, mean M 2.75 → high when M ≥ 3
//
// Layers from (R, F, M) high/low: see the want column.
func TestScoreRFMHandTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      custmodel.RFMInput
		r, f, m int
		layer   custmodel.RFMLayer
	}{
		{custmodel.RFMInput{CustomerID: "c01", RecencyDays: 2, Frequency: 10, MonetaryFen: 500000}, 5, 5, 5, custmodel.LayerImportantValue},    // HHH
		{custmodel.RFMInput{CustomerID: "c02", RecencyDays: 5, Frequency: 1, MonetaryFen: 80000}, 4, 1, 3, custmodel.LayerImportantDevelop},    // HLH
		{custmodel.RFMInput{CustomerID: "c03", RecencyDays: 5, Frequency: 8, MonetaryFen: 20000}, 4, 5, 1, custmodel.LayerGeneralValue},        // HHL
		{custmodel.RFMInput{CustomerID: "c04", RecencyDays: 10, Frequency: 2, MonetaryFen: 300000}, 4, 2, 5, custmodel.LayerImportantDevelop},  // HLH
		{custmodel.RFMInput{CustomerID: "c05", RecencyDays: 20, Frequency: 1, MonetaryFen: 5000}, 3, 1, 1, custmodel.LayerGeneralDevelop},      // HLL
		{custmodel.RFMInput{CustomerID: "c06", RecencyDays: 30, Frequency: 5, MonetaryFen: 60000}, 3, 4, 2, custmodel.LayerGeneralValue},       // HHL
		{custmodel.RFMInput{CustomerID: "c07", RecencyDays: 45, Frequency: 3, MonetaryFen: 150000}, 3, 3, 3, custmodel.LayerImportantValue},    // HHH
		{custmodel.RFMInput{CustomerID: "c08", RecencyDays: 60, Frequency: 1, MonetaryFen: 150000}, 2, 1, 3, custmodel.LayerImportantWinback},  // LLH
		{custmodel.RFMInput{CustomerID: "c09", RecencyDays: 90, Frequency: 6, MonetaryFen: 10000}, 2, 4, 1, custmodel.LayerGeneralRetain},      // LHL
		{custmodel.RFMInput{CustomerID: "c10", RecencyDays: 120, Frequency: 2, MonetaryFen: 250000}, 1, 2, 4, custmodel.LayerImportantWinback}, // LLH
		{custmodel.RFMInput{CustomerID: "c11", RecencyDays: 200, Frequency: 1, MonetaryFen: 40000}, 1, 1, 2, custmodel.LayerGeneralWinback},    // LLL
		{custmodel.RFMInput{CustomerID: "c12", RecencyDays: 365, Frequency: 4, MonetaryFen: 100000}, 1, 3, 3, custmodel.LayerImportantRetain},  // LHH
	}
	in := make([]custmodel.RFMInput, len(tests))
	for i, tt := range tests {
		in[i] = tt.in
	}
	res, err := custmodel.ScoreRFM(in)
	if err != nil {
		t.Fatal(err)
	}
	if res.MeanR != 2.75 || res.MeanF != 32.0/12 || res.MeanM != 2.75 {
		t.Errorf("means = %v %v %v, want 2.75 2.667 2.75", res.MeanR, res.MeanF, res.MeanM)
	}
	for i, tt := range tests {
		got := res.Scores[i]
		if got.CustomerID != tt.in.CustomerID || got.R != tt.r || got.F != tt.f || got.M != tt.m || got.Layer != tt.layer {
			t.Errorf("%s: got %+v, want R%d F%d M%d %s", tt.in.CustomerID, got, tt.r, tt.f, tt.m, tt.layer)
		}
	}
}

func TestRFMLayerNames(t *testing.T) {
	t.Parallel()
	want := map[custmodel.RFMLayer]string{
		custmodel.LayerImportantValue: "重要价值客户", custmodel.LayerImportantDevelop: "重要发展客户",
		custmodel.LayerImportantRetain: "重要保持客户", custmodel.LayerImportantWinback: "重要挽留客户",
		custmodel.LayerGeneralValue: "一般价值客户", custmodel.LayerGeneralDevelop: "一般发展客户",
		custmodel.LayerGeneralRetain: "一般保持客户", custmodel.LayerGeneralWinback: "一般挽留客户",
	}
	layers := custmodel.RFMLayers()
	if len(layers) != 8 {
		t.Fatalf("%d layers", len(layers))
	}
	seen := map[string]bool{}
	for _, l := range layers {
		if l.NameZH() != want[l] || l.NameEN() == "" || seen[l.NameEN()] {
			t.Errorf("%s: zh %q en %q", l, l.NameZH(), l.NameEN())
		}
		seen[l.NameEN()] = true
	}
	if custmodel.RFMLayer("nope").NameZH() != "" {
		t.Error("unknown layer has a name")
	}
}

func TestScoreRFMInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    custmodel.RFMInput
		field string
	}{
		{"recency", custmodel.RFMInput{RecencyDays: -1}, "customers[1].recency_days"},
		{"frequency", custmodel.RFMInput{Frequency: -1}, "customers[1].frequency"},
		{"monetary", custmodel.RFMInput{MonetaryFen: -1}, "customers[1].monetary_fen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := custmodel.ScoreRFM([]custmodel.RFMInput{{CustomerID: "ok"}, tt.in})
			assertField(t, err, tt.field)
		})
	}
	res, err := custmodel.ScoreRFM(nil)
	if err != nil || len(res.Scores) != 0 {
		t.Errorf("empty base: %+v, %v", res, err)
	}
}

// assertField checks that err is an errs.Invalid error naming field.
func assertField(t *testing.T, err error, field string) {
	t.Helper()
	var e *errs.Error
	if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || e.Field != field {
		t.Errorf("err = %v, want invalid %s", err, field)
	}
}

// TestScoreRFMProperties: scores are 1–5, equal values share a score, a better value
// never scores lower, and the scores do not depend on the order of customers.
func TestScoreRFMProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 60).Draw(t, "n")
		in := make([]custmodel.RFMInput, n)
		for i := range in {
			in[i] = custmodel.RFMInput{
				CustomerID:  strconv.Itoa(i),
				RecencyDays: rapid.IntRange(0, 20).Draw(t, "r"),
				Frequency:   rapid.IntRange(0, 8).Draw(t, "f"),
				MonetaryFen: rapid.Int64Range(0, 30).Draw(t, "m"),
			}
		}
		res, err := custmodel.ScoreRFM(in)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range res.Scores {
			for _, s := range []int{a.R, a.F, a.M} {
				if s < 1 || s > 5 {
					t.Fatalf("score %d out of range: %+v", s, a)
				}
			}
			for j, b := range res.Scores {
				ci, cj := in[i], in[j]
				if ci.RecencyDays <= cj.RecencyDays && a.R < b.R {
					t.Fatalf("more recent %+v scores R %d < %d of %+v", ci, a.R, b.R, cj)
				}
				if ci.Frequency >= cj.Frequency && a.F < b.F {
					t.Fatalf("more frequent %+v scores F %d < %d of %+v", ci, a.F, b.F, cj)
				}
				if ci.MonetaryFen >= cj.MonetaryFen && a.M < b.M {
					t.Fatalf("bigger spender %+v scores M %d < %d of %+v", ci, a.M, b.M, cj)
				}
			}
		}
		perm := rand.New(rand.NewPCG(uint64(n), 7)).Perm(n)
		shuffled := make([]custmodel.RFMInput, n)
		for i, p := range perm {
			shuffled[i] = in[p]
		}
		res2, err := custmodel.ScoreRFM(shuffled)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range perm {
			if res2.Scores[i] != res.Scores[p] {
				t.Fatalf("order changed the score of %s: %+v vs %+v", in[p].CustomerID, res2.Scores[i], res.Scores[p])
			}
		}
	})
}

// BenchmarkRFM scores a base of one million customers.
func BenchmarkRFM(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	in := make([]custmodel.RFMInput, n)
	for i := range in {
		in[i] = custmodel.RFMInput{
			CustomerID:  strconv.Itoa(i),
			RecencyDays: rng.IntN(730),
			Frequency:   1 + int(rng.ExpFloat64()*3),
			MonetaryFen: int64(rng.ExpFloat64() * 50000),
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := custmodel.ScoreRFM(in); err != nil {
			b.Fatal(err)
		}
	}
}
