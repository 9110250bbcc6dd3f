package graph_test

import (
	"fmt"
	"time"

	"github.com/oneretail/oneretail/internal/identity/graph"
)

func ExampleGraph_Resolve() {
	g, err := graph.New(graph.DefaultRules(), func() time.Time { return time.Unix(0, 0) })
	if err != nil {
		panic(err)
	}
	id := func(t graph.Type, v string) graph.Identifier { return graph.Identifier{Type: t, Value: v} }

	// A POS sale with a phone, then the mini program with the same phone typed differently.
	pos := g.Resolve([]graph.Identifier{id(graph.TypePhone, "138 0013 8000"), id(graph.TypeDeviceID, "family-ipad")})
	c, _ := g.Apply(pos)
	fmt.Println(pos.Kind, c)
	mini := g.Resolve([]graph.Identifier{id(graph.TypePhone, "+86-138-0013-8000"), id(graph.TypeWeChatUnionID, "oU1")})
	c, _ = g.Apply(mini)
	fmt.Println(mini.Kind, c)

	// Another family member on the shared iPad, with her own phone: not merged.
	other := g.Resolve([]graph.Identifier{id(graph.TypePhone, "13900139000"), id(graph.TypeDeviceID, "family-ipad")})
	c, _ = g.Apply(other)
	fmt.Println(other.Kind, c)

	// An event tying the two phones together is refused for review.
	bad := g.Resolve([]graph.Identifier{id(graph.TypeWeChatUnionID, "oU1"), id(graph.TypePhone, "13900139000")})
	fmt.Println(bad.Kind, bad.Reasons[0])
	// Output:
	// create 1
	// attach 1
	// create 2
	// review would hold 2 phone identifiers (at most 1 allowed)
}

func ExampleNormalize() {
	for _, in := range []string{"＋８６ １３８ ００１３ ８０００", "0086-13800138000", "010-62345678"} {
		v, err := graph.Normalize(graph.TypePhone, in)
		fmt.Printf("%q %v\n", v, err)
	}
	// Output:
	// "+8613800138000" <nil>
	// "+8613800138000" <nil>
	// "" invalid: identifiers.phone: landline numbers are not accepted; a mobile number has 11 digits starting with 1
}
