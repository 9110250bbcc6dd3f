package engine

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestIndexConcurrentAndReused prices carts on one shared Index from several
// goroutines, reusing its pooled working memory, and checks every result against a
// fresh Index's.
func TestIndexConcurrentAndReused(t *testing.T) {
	t.Parallel()
	type job struct {
		cart Cart
		ctx  Context
	}
	var promos []Promotion
	var jobs []job
	rapid.Check(t, func(rt *rapid.T) {
		cart, ps, ctx := genCase(rapidSource{rt})
		if len(ps) > len(promos) { // the richest set of promotions drawn
			promos = ps
		}
		jobs = append(jobs, job{cart, ctx})
	})
	ix := NewIndex(promos)
	want := make([]Result, len(jobs))
	for i, j := range jobs {
		want[i], _ = NewIndex(promos).Price(j.cart, j.ctx)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for round := range 3 {
				for i := range jobs {
					k := (i + g*7 + round) % len(jobs)
					got, _ := ix.Price(jobs[k].cart, jobs[k].ctx)
					if d := cmp.Diff(want[k], got); d != "" {
						select {
						case errs <- d:
						default:
						}
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for d := range errs {
		t.Fatalf("shared Index result differs:\n%s", d)
	}
}
