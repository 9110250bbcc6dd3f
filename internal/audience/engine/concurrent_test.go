package engine

import (
	"sync"
	"testing"
)

// TestConcurrentReadsAndUpdates: counts taken while another goroutine moves
// members between two values always see whole updates (run with -race).
func TestConcurrentReadsAndUpdates(t *testing.T) {
	t.Parallel()
	ix := newTestIndex(t)
	const n = 2000
	if err := ix.Update(func(tx *Tx) error {
		for m := range uint32(n) {
			if err := tx.Put(m, Row{"tier": "a", "age": int64(m % 50)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	either := AnyOf(Compare("tier", Eq, Str("a")), Compare("tier", Eq, Str("b")))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			_ = ix.Update(func(tx *Tx) error {
				for m := uint32(i % 7); m < n; m += 7 {
					if err := tx.SetValues(m, "tier", []string{"a", "b"}[i%2]); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				got, err := ix.Count(either, 0)
				if err != nil || got != n {
					t.Errorf("count = %d, %v; want %d", got, err, n)
					return
				}
			}
		}()
	}
	wg.Wait()
}
