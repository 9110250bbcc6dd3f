package custmodel_test

import (
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
)

// Five customers scored against each other. Recency 3 days is the most recent of the
// five (rank 4 → score 5); the two customers with 2 orders share frequency score 2.
func ExampleScoreRFM() {
	res, err := custmodel.ScoreRFM([]custmodel.RFMInput{
		{CustomerID: "u1", RecencyDays: 3, Frequency: 12, MonetaryFen: 880000},
		{CustomerID: "u2", RecencyDays: 10, Frequency: 2, MonetaryFen: 320000},
		{CustomerID: "u3", RecencyDays: 45, Frequency: 7, MonetaryFen: 150000},
		{CustomerID: "u4", RecencyDays: 200, Frequency: 2, MonetaryFen: 510000},
		{CustomerID: "u5", RecencyDays: 400, Frequency: 1, MonetaryFen: 9900},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("mean R %.1f F %.1f M %.1f\n", res.MeanR, res.MeanF, res.MeanM)
	for _, s := range res.Scores {
		fmt.Printf("%s R%d F%d M%d %s %s\n", s.CustomerID, s.R, s.F, s.M, s.Layer, s.Layer.NameZH())
	}
	// Output:
	// mean R 3.0 F 2.8 M 3.0
	// u1 R5 F5 M5 important_value 重要价值客户
	// u2 R4 F2 M3 general_develop 一般发展客户
	// u3 R3 F4 M2 general_retain 一般保持客户
	// u4 R2 F2 M4 important_winback 重要挽留客户
	// u5 R1 F1 M1 general_winback 一般挽留客户
}

// Stages on 7 December 2026 with the default windows (new 30, active 90, dormant 180).
func ExampleLifecycle() {
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	res, err := custmodel.Lifecycle(today, []custmodel.LifecycleInput{
		{CustomerID: "lead"},
		{CustomerID: "fresh", FirstOrder: day(11, 20), LastOrder: day(12, 1)},
		{CustomerID: "regular", FirstOrder: day(1, 5), LastOrder: day(11, 30)},
		{CustomerID: "sleepy", FirstOrder: day(1, 5), LastOrder: day(8, 1)},
		{CustomerID: "gone", FirstOrder: day(1, 5), LastOrder: day(3, 1)},
	}, custmodel.LifecycleWindows{})
	if err != nil {
		panic(err)
	}
	for _, r := range res {
		fmt.Println(r.CustomerID, r.Stage, r.DaysSinceLast)
	}
	// Output:
	// lead prospect -1
	// fresh new 6
	// regular active 7
	// sleepy dormant 128
	// gone lost 281
}

// Predictions from the BG/NBD parameters published for CDNOW (time in weeks): the
// customer of Hardie's spreadsheet, 2 repeat purchases, the last in week 30.43 of 38.86.
func ExampleBGNBDParams_ExpectedRepeat() {
	p := custmodel.BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	c := custmodel.BGNBDCustomer{X: 2, TX: 30.43, T: 38.86}
	fmt.Printf("P(alive) %.3f\n", p.PAlive(c))
	fmt.Printf("next 39 weeks %.3f\n", p.ExpectedRepeat(c, 39))
	fmt.Printf("new customer, 39 weeks %.3f\n", p.ExpectedNew(39))
	// Output:
	// P(alive) 0.727
	// next 39 weeks 1.226
	// new customer, 39 weeks 1.197
}

// Churn risk of two customers with one repeat purchase each, late and early in a
// 40-week calibration period: the one silent for 38 weeks has most likely dropped out.
func ExampleChurnRisk() {
	p := custmodel.BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	for _, c := range []custmodel.BGNBDCustomer{{X: 1, TX: 38, T: 40}, {X: 1, TX: 2, T: 40}} {
		ch, err := custmodel.ChurnRisk(p, c, custmodel.DefaultChurnBands())
		if err != nil {
			panic(err)
		}
		fmt.Printf("t_x %.0f: risk %.2f %s\n", c.TX, ch.Risk, ch.Band)
	}
	// Output:
	// t_x 38: risk 0.26 low
	// t_x 2: risk 0.78 high
}

// A year's value of a CDNOW customer (weeks, dollars), undiscounted and at 1% a month.
func ExampleCLV() {
	bg := custmodel.BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	gg := custmodel.GammaGammaParams{P: 6.25, Q: 3.74, Gamma: 15.44}
	c := custmodel.BGNBDCustomer{X: 2, TX: 30.43, T: 38.86}
	fmt.Printf("expected spend $%.2f\n", gg.ExpectedSpend(custmodel.SpendCustomer{X: 2, MeanSpend: 22.35}))
	for _, rate := range []float64{0, 0.01} {
		v, err := custmodel.CLV(bg, gg, c, 22.35, custmodel.CLVOptions{Horizon: 52, PeriodsPerMonth: 52.0 / 12, MonthlyDiscountRate: rate})
		if err != nil {
			panic(err)
		}
		fmt.Printf("52-week CLV at %.0f%%/month $%.2f\n", rate*100, v)
	}
	// Output:
	// expected spend $24.66
	// 52-week CLV at 0%/month $38.44
	// 52-week CLV at 1%/month $36.21
}

// Affinity and next best category for three shoppers.
func ExampleAffinity() {
	res, err := custmodel.Affinity([]custmodel.CategoryPurchase{
		{CustomerID: "amy", Category: "baby", SpendFen: 60000, Orders: 4},
		{CustomerID: "amy", Category: "dairy", SpendFen: 20000, Orders: 3},
		{CustomerID: "bo", Category: "dairy", SpendFen: 30000, Orders: 5},
		{CustomerID: "bo", Category: "bakery", SpendFen: 10000, Orders: 2},
		{CustomerID: "cy", Category: "baby", SpendFen: 40000, Orders: 2},
		{CustomerID: "cy", Category: "bakery", SpendFen: 5000, Orders: 1},
	}, custmodel.AffinityOptions{})
	if err != nil {
		panic(err)
	}
	for _, c := range res {
		fmt.Printf("%s preferred %v", c.CustomerID, c.Preferred)
		for _, n := range c.NextBest {
			fmt.Printf(", next %s (%.2f)", n.Category, n.Score)
		}
		fmt.Println()
	}
	// Output:
	// amy preferred [baby], next bakery (1.00)
	// bo preferred [bakery dairy], next baby (1.00)
	// cy preferred [baby], next dairy (1.00)
}
