package evalset

import (
	"reflect"
	"testing"
)

func TestGenerateDeterministicAndComplete(t *testing.T) {
	t.Parallel()
	a, b := Generate(Options{Seed: 7, People: 200}), Generate(Options{Seed: 7, People: 200})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave two sets")
	}
	if a.People != 200 || len(a.Events) < 600 {
		t.Fatalf("%d people, %d events", a.People, len(a.Events))
	}
	ids := map[string]bool{}
	for _, e := range a.Events {
		if ids[e.ID] {
			t.Fatalf("event id %s twice", e.ID)
		}
		ids[e.ID] = true
	}
	truth := a.Truth()
	kinds := map[string]bool{}
	for _, p := range a.Pairs {
		kinds[p.Kind] = true
		if !ids[p.A] || !ids[p.B] || p.A == p.B {
			t.Fatalf("trap %+v names unknown events", p)
		}
		if (truth[p.A] == truth[p.B]) != p.Same {
			t.Fatalf("trap %+v: persons %d and %d", p, truth[p.A], truth[p.B])
		}
	}
	for _, k := range []string{TrapKiosk, TrapSharedAddress, TrapCommonName, TrapMaskedDelivery, TrapHomophone, TrapPhoneFormat} {
		if !kinds[k] {
			t.Errorf("no %s trap in 200 people", k)
		}
	}
}

func TestMeasure(t *testing.T) {
	t.Parallel()
	truth := map[string]int{"a": 1, "b": 1, "c": 1, "d": 2}
	tests := []struct {
		name     string
		assigned map[string]string
		p, r     float64
	}{
		{"perfect", map[string]string{"a": "x", "b": "x", "c": "x", "d": "y"}, 1, 1},
		{"all apart", map[string]string{}, 1, 0},
		{"one false merge", map[string]string{"a": "x", "b": "x", "c": "x", "d": "x"}, 0.5, 1},
		{"one split", map[string]string{"a": "x", "b": "x", "c": "z", "d": "y"}, 1, 1.0 / 3},
	}
	for _, tt := range tests {
		s := Measure(tt.assigned, truth)
		if s.Precision != tt.p || s.Recall != tt.r {
			t.Errorf("%s: precision %v recall %v, want %v %v", tt.name, s.Precision, s.Recall, tt.p, tt.r)
		}
	}
}
