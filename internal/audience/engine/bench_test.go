package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// BenchmarkCount1M counts the six-condition audience of the issue over one million
// generated members (bench/segment runs the same question at 10 million).
func BenchmarkCount1M(b *testing.B) {
	const n = 1_000_000
	ix := NewIndex()
	for name, k := range map[string]Kind{"tier": Set, "city": Set, BoughtField("90d"): Set,
		EventsField("order", "30d"): Number, EventsField("wechat_open", "30d"): Number} {
		if err := ix.Define(name, k); err != nil {
			b.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	tiers := []string{"normal", "normal", "normal", "silver", "silver", "gold", "platinum"}
	cities := []string{"上海", "北京", "广州", "深圳", "杭州", "成都", "南京", "武汉"}
	lowChurn := roaring.New()
	err := ix.Update(func(tx *Tx) error {
		for m := range uint32(n) {
			row := Row{"tier": tiers[r.IntN(len(tiers))], "city": cities[r.IntN(len(cities))]}
			if r.IntN(10) == 0 {
				row[BoughtField("90d")] = []string{"infant_formula"}
			}
			if r.IntN(4) == 0 {
				row[EventsField("order", "30d")] = int64(1 + r.IntN(5))
			}
			if r.IntN(3) == 0 {
				row[EventsField("wechat_open", "30d")] = int64(1 + r.IntN(20))
			}
			if r.IntN(5) == 0 {
				lowChurn.Add(m)
			}
			if err := tx.Put(m, row); err != nil {
				return err
			}
		}
		tx.SetSegment("low_churn", lowChurn)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ix.Optimize()
	c, err := Parse(`tier in ("gold","platinum") and city = "上海" and bought("infant_formula", 90d) and not did("order", 30d) and did("wechat_open", 30d) >= 1 and not in_segment("low_churn")`)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := ix.Count(c, 0); err != nil {
			b.Fatal(err)
		}
	}
}
