package coupon

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// held counts the coupons of a template a customer holds.
func held(t *testing.T, d *db.DB, templateID, customerID string) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM coupons WHERE tenant_id = $1 AND template_id = $2 AND customer_id = $3`,
		tenantA, templateID, customerID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTriggerEvents delivers each enrolment and completed order twice: a
// registration template issues once per customer, a first-order template once on
// the customer's first order only, a template without the trigger never.
func TestTriggerEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		in := amountOff("WELCOME")
		in.Triggers = []Trigger{TriggerRegistration}
		welcome := f.template(t, in)
		in = amountOff("FIRST")
		in.Triggers = []Trigger{TriggerFirstOrder}
		first := f.template(t, in)
		plain := f.template(t, amountOff("PLAIN"))
		if len(welcome.Triggers) != 1 || welcome.Triggers[0] != TriggerRegistration {
			t.Fatalf("triggers %v", welcome.Triggers)
		}
		bus := newRecorder()
		f.s.Subscribe(bus)
		deliver := func(typ string, payload map[string]any) {
			t.Helper()
			b, _ := json.Marshal(payload)
			for range 2 { // redelivered
				if err := bus.deliver(t.Context(), events.Event{ID: "e", TenantID: tenantA, Type: typ, Payload: b}); err != nil {
					t.Fatalf("%s: %v", typ, err)
				}
			}
		}
		deliver(memberEnrolled, map[string]any{"program_id": "p1", "customer_id": "bob"})
		deliver(memberEnrolled, map[string]any{"program_id": "p1", "customer_id": "ghost"})
		deliver(memberEnrolled, map[string]any{"program_id": "p2", "customer_id": "old"}) // merged into alice
		deliver(orderCompleted, map[string]any{"order_id": "first-1", "customer_id": "carol"})
		deliver(orderCompleted, map[string]any{"order_id": "first-2", "customer_id": "carol"}) // a second "first": still one
		deliver(orderCompleted, map[string]any{"order_id": "o-9", "customer_id": "dave"})
		deliver(orderCompleted, map[string]any{"order_id": "first-3", "customer_id": ""})
		for _, tc := range []struct {
			template, customer string
			want               int
		}{
			{welcome.ID, "bob", 1}, {welcome.ID, "alice", 1}, {welcome.ID, "old", 0}, {welcome.ID, "ghost", 0}, {welcome.ID, "carol", 0},
			{first.ID, "carol", 1}, {first.ID, "dave", 0}, {first.ID, "bob", 0}, {first.ID, "", 0},
			{plain.ID, "bob", 0}, {plain.ID, "carol", 0},
		} {
			if got := held(t, d, tc.template, tc.customer); got != tc.want {
				t.Errorf("template %s, customer %q: %d coupons, want %d", tc.template, tc.customer, got, tc.want)
			}
		}
		tm, err := f.s.FindTemplateByID(as(auth.Analyst), welcome.ID)
		if err != nil || tm.Issued != 2 {
			t.Fatalf("welcome template issued %d (%v), want 2", tm.Issued, err)
		}
		// A trigger removed, or a template deactivated, issues nothing more.
		if _, err := f.s.SetTemplateTriggers(as(auth.Marketer), welcome.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SetTemplateStatus(as(auth.Marketer), first.ID, TemplateInactive); err != nil {
			t.Fatal(err)
		}
		deliver(memberEnrolled, map[string]any{"program_id": "p1", "customer_id": "erin"})
		deliver(orderCompleted, map[string]any{"order_id": "first-4", "customer_id": "erin"})
		if a, b := held(t, d, welcome.ID, "erin"), held(t, d, first.ID, "erin"); a+b != 0 {
			t.Errorf("erin holds %d welcome and %d first-order coupons after the triggers went, want none", a, b)
		}
		t.Logf("%s: each event delivered twice issued one coupon per template and customer", d.Dialect)
	})
}

// TestTriggerBirthday runs the birthday job twice a day, on a second service (another
// node), a year later and on 28 February of a year without a 29th.
func TestTriggerBirthday(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		in := amountOff("BDAY")
		in.Triggers = []Trigger{TriggerBirthday}
		bday := f.template(t, in)
		// testNow is 2 March, 10:00 in Shanghai; 1 March in UTC would be yesterday there.
		f.bdays["03-02"] = []string{"erin", "frank"}
		f.bdays["03-01"] = []string{"gina"}
		f.bdays["02-29"] = []string{"leo"}
		run := func(s *Service, want int64) {
			t.Helper()
			n, err := s.IssueBirthdayCoupons(t.Context())
			if err != nil || n != want {
				t.Fatalf("birthday job issued %d (%v), want %d", n, err, want)
			}
		}
		run(f.s, 2)
		run(f.s, 0)
		other := NewService(d, events.NewOutbox(f.clock), nil, f.clock, f.s.deps, f.s.cfg)
		run(other, 0) // the source keys hold across nodes and restarts
		for _, c := range []string{"erin", "frank", "gina", "leo"} {
			want := map[string]int{"erin": 1, "frank": 1}[c]
			if got := held(t, d, bday.ID, c); got != want {
				t.Errorf("%s holds %d birthday coupons, want %d", c, got, want)
			}
		}
		f.clock.Advance(365 * 24 * time.Hour) // 2 March 2027
		run(f.s, 2)
		if got := held(t, d, bday.ID, "erin"); got != 2 {
			t.Errorf("erin holds %d birthday coupons after two birthdays, want 2", got)
		}
		f.clock.Advance(-2 * 24 * time.Hour) // 28 February 2027: no 29th this year
		f.bdays["02-28"] = []string{"mia"}
		run(f.s, 2)
		if held(t, d, bday.ID, "leo") != 1 || held(t, d, bday.ID, "mia") != 1 {
			t.Errorf("leo and mia hold %d and %d, want 1 each", held(t, d, bday.ID, "leo"), held(t, d, bday.ID, "mia"))
		}
		t.Logf("%s: birthday coupons issued once per customer and year across reruns and nodes", d.Dialect)
	})
}

func TestTriggerValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tm := f.template(t, amountOff("T"))
		_, err := f.s.SetTemplateTriggers(as(auth.Marketer), tm.ID, []Trigger{TriggerFirstOrder, "anniversary"})
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || e.Field != "body.triggers[1]" {
			t.Errorf("unknown trigger: %v, want invalid body.triggers[1]", err)
		}
		if _, err := f.s.SetTemplateTriggers(as(auth.Associate), tm.ID, []Trigger{TriggerBirthday}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("associate sets triggers: %v, want forbidden", err)
		}
		got, err := f.s.SetTemplateTriggers(as(auth.Marketer), tm.ID, []Trigger{TriggerBirthday, TriggerRegistration})
		if err != nil {
			t.Fatal(err)
		}
		if back, err := f.s.FindTemplateByID(as(auth.Analyst), tm.ID); err != nil || len(back.Triggers) != 2 || back.Triggers[1] != TriggerRegistration {
			t.Errorf("stored triggers %v (%v), want %v", back.Triggers, err, got.Triggers)
		}
	})
}
