package promotion_test

// An external test: the demo imports the order center, which imports this package.

import (
	"bytes"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/demo"
	"github.com/oneretail/oneretail/internal/promotion"
)

// TestDemoBaskets: the demo generator's basket file parses without a rejected row and
// is the same for the same seed.
func TestDemoBaskets(t *testing.T) {
	t.Parallel()
	c, err := demo.Generate(demo.ScaleSmall, 7)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := c.WriteBasketCSV(&a, demo.BasketOptions{Orders: 300}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteBasketCSV(&b, demo.BasketOptions{Orders: 300}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two runs with one seed differ")
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	lines, rowErrs, err := promotion.ParseBaskets(a.Bytes(), sh)
	if err != nil || len(rowErrs) != 0 {
		t.Fatalf("parse: %v %+v", err, rowErrs)
	}
	orders := map[string]bool{}
	for _, l := range lines {
		orders[l.OrderID] = true
	}
	if n := len(orders); n != 300 {
		t.Errorf("%d orders, want 300", n)
	}
}
