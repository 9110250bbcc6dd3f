package demo

import (
	"reflect"
	"testing"
)

func TestGenerateCustomers(t *testing.T) {
	t.Parallel()
	c, err := Generate(ScaleSmall, 1)
	if err != nil {
		t.Fatal(err)
	}
	cs := GenerateCustomers(c)
	st := cs.Stats()
	t.Logf("%+v", st)
	if st.Persons != 2000 || st.Events < 4000 {
		t.Fatalf("stats %+v", st)
	}
	if st.MultiChannelPct < 35 || st.MultiChannelPct > 45 {
		t.Fatalf("multi-channel %.1f%%, want about 40%%", st.MultiChannelPct)
	}
	if len(cs.Truth) != len(cs.Events) {
		t.Fatalf("truth has %d entries for %d events", len(cs.Truth), len(cs.Events))
	}
	tps := map[string]bool{}
	for _, tp := range cs.Touchpoints {
		tps[tp.Code] = true
	}
	for i, e := range cs.Events {
		if !tps[e.Touchpoint] {
			t.Fatalf("event %s names unknown touchpoint %s", e.ID, e.Touchpoint)
		}
		if i > 0 && e.OccurredAt.Before(cs.Events[i-1].OccurredAt) {
			t.Fatalf("events out of order at %d", i)
		}
	}
	again := GenerateCustomers(c)
	if !reflect.DeepEqual(cs, again) {
		t.Fatal("not deterministic")
	}
}
