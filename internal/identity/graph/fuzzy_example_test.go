package graph_test

import (
	"fmt"

	"github.com/oneretail/oneretail/internal/identity/graph"
)

func ExampleMatchFuzzy() {
	member := graph.Profile{Name: "张伟", Gender: "male", Birthday: "1988-04-12", City: "上海", Address: "上海市徐汇区漕溪北路88号5栋301室", Phone: "13812341234"}
	form := graph.Profile{Name: "章伟", Birthday: "1988-04-12", City: "上海市", Address: "徐汇区漕溪北路８８号5栋301室", Phone: "*******1234"}
	delivery := graph.Profile{Name: "张先生", City: "上海", Address: "徐汇区漕溪北路88号5栋301室", Phone: "138****1234"}
	wife := graph.Profile{Name: "李丽", Gender: "female", City: "上海", Address: "上海市徐汇区漕溪北路88号5栋301室", Phone: "139****5678"}
	recs := []graph.FuzzyRecord{
		{Features: graph.NewFeatures(member), Strong: true, Exclusive: []graph.Identifier{{Type: graph.TypePhone, Value: "+8613812341234"}}},
		{Features: graph.NewFeatures(form)},
		{Features: graph.NewFeatures(delivery)},
		{Features: graph.NewFeatures(wife)},
	}
	res := graph.MatchFuzzy(recs, graph.FuzzyOptions{})
	for _, g := range res.Groups {
		fmt.Println("survivor", g.Survivor, "absorbs", g.Absorbed)
	}
	m := graph.DefaultModel() // MatchFuzzy fits one; four records are too few to learn from
	e := m.Explain(&recs[0].Features, &recs[1].Features)
	fmt.Printf("%.4f = 1/(1+2^-%.1f): %s\n", e.Probability, e.Bits, e)
	// Output:
	// survivor 0 absorbs [1 2]
	// 1.0000 = 1/(1+2^-19.1): prior -13.3, name homophone +7.3, phone 4-6 digits equal +3.3, birthday exact +11.4, address dice ≥ 0.85 +9.1, city equal +1.2
}
