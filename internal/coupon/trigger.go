package coupon

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// FirstOrders says whether an order is a customer's first: no other completed order
// of customerIDs (a customer and the ids merged into it) was placed before it.
type FirstOrders interface {
	IsFirstCompletedOrder(ctx context.Context, tenantID, orderID string, customerIDs []string) (bool, error)
}

// Birthdays lists the live customers of a tenant born on a day of the year.
type Birthdays interface {
	CustomersBornOn(ctx context.Context, tenantID string, month time.Month, day int) ([]string, error)
}

// Zones gives a tenant's time zone: a birthday is a day there.
type Zones interface {
	TenantTimeZone(ctx context.Context, tenantID string) (*time.Location, error)
}

const (
	memberEnrolled      = "loyalty.member.enrolled" // docs/loyalty.md, loyalty's contract
	registerSubscriber  = "coupon.trigger.registration"
	firstOrderSubscribe = "coupon.trigger.first_order"
)

// triggerEvent is the part of loyalty.member.enrolled and order.completed the
// triggers read.
type triggerEvent struct {
	CustomerID string `json:"customer_id"`
	OrderID    string `json:"order_id"`
}

// subscribeTriggers registers the triggered issuance on enrolments and completed
// orders.
func (s *Service) subscribeTriggers(bus events.Bus) {
	bus.Subscribe(registerSubscriber, s.onTrigger(TriggerRegistration), memberEnrolled)
	bus.Subscribe(firstOrderSubscribe, s.onTrigger(TriggerFirstOrder), orderCompleted)
}

// onTrigger issues the templates of trigger to the event's customer. A redelivered
// event finds the coupons it issued by their source keys and issues nothing more.
func (s *Service) onTrigger(trigger Trigger) events.Handler {
	return func(ctx context.Context, e events.Event) error {
		var ev triggerEvent
		if err := json.Unmarshal(e.Payload, &ev); err != nil {
			return fmt.Errorf("coupon: %s %s: %w", e.Type, e.ID, err)
		}
		if ev.CustomerID == "" {
			return nil // an anonymous sale
		}
		if _, err := s.issueToCustomer(ctx, e.TenantID, trigger, ev.CustomerID, ev.OrderID); err != nil {
			return fmt.Errorf("coupon: %s trigger on %s %s: %w", trigger, e.Type, e.ID, err)
		}
		return nil
	}
}

// issueToCustomer issues the templates of a registration or first-order trigger to
// customerID; orderID is the order a first-order trigger reads.
func (s *Service) issueToCustomer(ctx context.Context, tenantID string, trigger Trigger, customerID, orderID string) (int64, error) {
	// Most events of a tenant without such a template cost one indexed read.
	templates, err := triggeredTemplates(ctx, s.db.Reader(), tenantID, trigger)
	if err != nil || len(templates) == 0 {
		return 0, err
	}
	ctx = auth.WithPrincipal(ctx, auth.System(tenantID))
	live, merged, err := s.deps.Customers.FindCustomerCluster(ctx, customerID)
	if errs.Is(err, errs.NotFound) {
		return 0, nil // erased since
	}
	if err != nil {
		return 0, err
	}
	if trigger == TriggerFirstOrder {
		if s.deps.FirstOrders == nil {
			return 0, fmt.Errorf("no first-order source configured")
		}
		first, err := s.deps.FirstOrders.IsFirstCompletedOrder(ctx, tenantID, orderID, append([]string{live}, merged...))
		if err != nil || !first {
			return 0, err
		}
	}
	return s.issueTriggered(ctx, templates, trigger, "", []string{live})
}

// issueTriggered issues one coupon of each of templates to each of customers (live
// ids), in batches of BatchSize, once per template, customer, trigger and period:
// the coupon's source key is trigger:<trigger>:<template>:<period>:<customer>, unique
// per tenant. A template that went inactive or ended since issues nothing; the
// per-member and total limits skip customers as in a bulk issue.
func (s *Service) issueTriggered(ctx context.Context, templates []Template, trigger Trigger, period string, customers []string) (int64, error) {
	var total int64
	for _, t := range templates {
		for batch := range slices.Chunk(customers, BatchSize) {
			n, err := s.issueTriggeredBatch(ctx, t.TenantID, t.ID, trigger, period, batch)
			if err != nil {
				return total, err
			}
			total += n
		}
	}
	return total, nil
}

func triggerKey(trigger Trigger, templateID, period, customerID string) string {
	return "trigger:" + string(trigger) + ":" + templateID + ":" + period + ":" + customerID
}

func (s *Service) issueTriggeredBatch(ctx context.Context, tenantID, templateID string, trigger Trigger, period string, customers []string) (int64, error) {
	var issued int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		t, err := getTemplate(ctx, tx, s.db.Dialect, tenantID, templateID, true)
		if err != nil {
			return err
		}
		if issuable(t, now) != nil || !slices.Contains(t.Triggers, trigger) {
			return nil
		}
		keys := make([]string, len(customers))
		for i, c := range customers {
			keys[i] = triggerKey(trigger, t.ID, period, c)
		}
		done, err := existingSources(ctx, tx, s.db.Dialect, tenantID, keys)
		if err != nil {
			return err
		}
		live := make([]string, len(customers))
		for i, c := range customers {
			if !done[keys[i]] {
				live[i] = c
			}
		}
		coupons, ckeys, _, err := s.admit(ctx, tx, t, live, false, now, func(i int, c string) (Coupon, string) {
			cp := newCoupon(t, c, now)
			cp.IssuedBy = "trigger:" + string(trigger)
			return cp, keys[i]
		})
		if err != nil || len(coupons) == 0 {
			return err
		}
		if err := s.writeIssued(ctx, tx, t, coupons, ckeys, now); err != nil {
			return err
		}
		issued = int64(len(coupons))
		_, err = s.outbox.Publish(ctx, tx, tenantID, EventIssued, t.ID, IssuedEvent{TemplateID: t.ID, Issued: issued,
			Done: int64(len(customers)), Total: int64(len(customers)), Trigger: trigger})
		return err
	})
	return issued, err
}

// birthdayRuns remembers the last day each tenant's birthday coupons were issued in
// this process, so the hourly job reads a tenant's birthdays once a day.
type birthdayRuns struct {
	mu   sync.Mutex
	done map[string]string // tenant → YYYY-MM-DD
}

// IssueBirthdayCoupons issues the coupons of every active birthday-triggered
// template to the customers whose birthday is today in their tenant's time zone (a
// 29 February birthday on 28 February in other years), once per template, customer
// and year: running it again, on this node or another, issues nothing more. It
// returns the coupons issued; a tenant's failure does not stop the others.
func (s *Service) IssueBirthdayCoupons(ctx context.Context) (int64, error) {
	if s.deps.Birthdays == nil || s.deps.Zones == nil {
		return 0, fmt.Errorf("coupon: birthday coupons: no birthday source configured")
	}
	tenants, err := triggeredTenants(ctx, s.db.Reader(), TriggerBirthday)
	if err != nil {
		return 0, fmt.Errorf("coupon: birthday coupons: %w", err)
	}
	var total int64
	var errsSeen []error
	for _, tenantID := range tenants {
		n, err := s.issueBirthdays(ctx, tenantID)
		total += n
		if err != nil {
			errsSeen = append(errsSeen, fmt.Errorf("tenant %s: %w", tenantID, err))
		}
	}
	if len(errsSeen) > 0 {
		return total, fmt.Errorf("coupon: birthday coupons: %w", errsSeen[0])
	}
	return total, nil
}

func (s *Service) issueBirthdays(ctx context.Context, tenantID string) (int64, error) {
	loc, err := s.deps.Zones.TenantTimeZone(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	today := s.now().In(loc)
	day := today.Format(time.DateOnly)
	s.birthdays.mu.Lock()
	ran := s.birthdays.done[tenantID] == day
	s.birthdays.mu.Unlock()
	if ran {
		return 0, nil
	}
	templates, err := triggeredTemplates(ctx, s.db.Reader(), tenantID, TriggerBirthday)
	if err != nil || len(templates) == 0 {
		return 0, err
	}
	customers, err := s.deps.Birthdays.CustomersBornOn(ctx, tenantID, today.Month(), today.Day())
	if err != nil {
		return 0, err
	}
	if today.Month() == time.February && today.Day() == 28 && !isLeap(today.Year()) {
		leap, err := s.deps.Birthdays.CustomersBornOn(ctx, tenantID, time.February, 29)
		if err != nil {
			return 0, err
		}
		customers = append(customers, leap...)
	}
	n, err := s.issueTriggered(ctx, templates, TriggerBirthday, strconv.Itoa(today.Year()), customers)
	if err != nil {
		return n, err
	}
	s.birthdays.mu.Lock()
	s.birthdays.done[tenantID] = day
	s.birthdays.mu.Unlock()
	return n, nil
}

func isLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

// SetTemplateTriggers replaces the events that issue a template by themselves.
// Errors: invalid (body.triggers[i]), not_found, unauthorized, forbidden
// (loyalty:write over the whole tenant).
func (s *Service) SetTemplateTriggers(ctx context.Context, id string, triggers []Trigger) (Template, error) {
	p, err := auth.RequireTenantWide(ctx, auth.LoyaltyWrite, "configuring coupon templates")
	if err != nil {
		return Template{}, err
	}
	if err := validTriggers("body.triggers", triggers); err != nil {
		return Template{}, err
	}
	if triggers == nil {
		triggers = []Trigger{}
	}
	var t Template
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if t, err = getTemplate(ctx, tx, s.db.Dialect, p.TenantID, id, true); err != nil {
			return err
		}
		now := s.now()
		if err := setTriggers(ctx, tx, p.TenantID, id, triggers, now); err != nil {
			return err
		}
		t.Triggers, t.UpdatedAt = triggers, now
		return s.audit.Record(ctx, tx, audit.Entry{Action: "coupon.template.triggers", ResourceType: "coupon_template", ResourceID: id,
			Changes: map[string]any{"triggers": triggers}})
	})
	if err != nil {
		return Template{}, fmt.Errorf("coupon: set template triggers: %w", err)
	}
	return t, nil
}
