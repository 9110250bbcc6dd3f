package engine

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDefinition decodes a promotion definition as the API does (strict JSON), and
// when it validates, prices a cart with it: no definition that passes Validate may
// make Price fail or break an invariant, whatever its kind (the special price, buy A
// get B and delivery-fee rules included).
func FuzzDefinition(f *testing.F) {
	for _, seed := range []string{
		`{"id":"x","kind":"special_price","scope":{"skus":["milk"]},"special_price":{"prices":[{"tier":"gold","price":1280},{"off":100}],"max_per_line":2,"max_per_order":3,"max_per_customer":1}}`,
		`{"id":"x","kind":"buy_a_get_b","scope":{"categories":["dairy"]},"buy_a_get_b":{"buy":2,"reward":{"skus":["bread"]},"get":1,"off_bp":10000,"pick":"dearest","times":2}}`,
		`{"id":"x","kind":"buy_a_get_b","scope":{"all":true},"buy_a_get_b":{"buy":1,"reward":{"all":true,"exclude_skus":["milk"]},"get":1,"off_bp":5000}}`,
		`{"id":"x","kind":"delivery_fee","scope":{"all":true},"delivery_fee":{"spend":100,"off_bp":5000,"methods":["same_day"]}}`,
		`{"id":"x","kind":"nth_item","stacks_with_items":true,"scope":{"skus":["milk"]},"nth_item":{"n":2,"off_bp":5000}}`,
	} {
		f.Add([]byte(seed))
	}
	cart := Cart{Lines: []Line{each("a", "milk", "dairy", "b1", 3, 1490), each("b", "bread", "bakery", "b2", 2, 800),
		weighed("c", "pork", "meat", 500, 3980)}, DeliveryFee: 800, DeliveryMethod: "same_day"}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Promotion
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if dec.Decode(&p) != nil || p.Validate() != nil {
			return
		}
		other := halfSecond("half", skus("milk"))
		for _, rule := range []ItemStacking{OnePerUnit, StackItems} {
			ctx := baseCtx()
			ctx.ItemStacking = rule
			res, err := Price(cart, []Promotion{p, other}, ctx)
			if err != nil {
				t.Fatalf("price: %v", err)
			}
			checkInvariants(t, cart, res)
		}
	})
}
