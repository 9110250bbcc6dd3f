package audience

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/oneretail/oneretail/internal/identity"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/events"
)

// The events audiences publish: a customer entered or left a segment (SegmentEvent;
// aggregate: the segment id). Each is published once, by the node that handled the
// change, in the transaction that records the membership.
const (
	EventSegmentEntered = "audience.segment.entered"
	EventSegmentExited  = "audience.segment.exited"
)

// The events audiences react to: what changes a member's facts.
const (
	orderCompleted  = "order.completed"
	orderReturned   = "order.returned"
	orderRefunded   = "order.refunded"
	tierMoved       = "loyalty.member.upgraded"
	memberEnrolled  = "loyalty.member.enrolled"
	refreshListener = "audience.refresh"
)

// SegmentEvent is the payload of the segment events.
type SegmentEvent struct {
	SegmentID   string    `json:"segment_id"`
	SegmentCode string    `json:"segment_code"`
	CustomerID  string    `json:"customer_id"`
	At          time.Time `json:"at"`
}

func (s *Service) publishMembership(ctx context.Context, tx *sql.Tx, g Segment, typ, customerID string, at time.Time) error {
	_, err := s.outbox.Publish(ctx, tx, g.TenantID, typ, g.ID, SegmentEvent{SegmentID: g.ID, SegmentCode: g.Code, CustomerID: customerID, At: at})
	return err
}

// Subscribe registers the audience reactions on bus: the customers a batch of events
// is about are refreshed together in the index (facts, rule tags, segment
// memberships) within the delivery of the batch — one read of their facts for up to
// a few hundred orders, not one per order.
func (s *Service) Subscribe(bus events.Bus) {
	bus.SubscribeBatch(refreshListener, s.onCustomerEvents, orderCompleted, orderReturned, orderRefunded, tierMoved, memberEnrolled,
		identity.EventCustomerMerged, identity.EventCustomerUnmerged, identity.EventCustomerErased, identity.EventCustomerConsent)
}

// customerRefs is every customer id field of the events audiences read.
type customerRefs struct {
	CustomerID string   `json:"customer_id"`
	SurvivorID string   `json:"survivor_id"`
	Absorbed   []string `json:"absorbed"`
	RestoredID string   `json:"restored_id"`
	MergedIDs  []string `json:"merged_ids"`
}

func (r customerRefs) ids() []string {
	var out []string
	for _, id := range append([]string{r.CustomerID, r.SurvivorID, r.RestoredID}, append(r.Absorbed, r.MergedIDs...)...) {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

func (s *Service) onCustomerEvents(ctx context.Context, batch []events.Event) error {
	byTenant := map[string][]string{}
	for _, e := range batch {
		var refs customerRefs
		if err := json.Unmarshal(e.Payload, &refs); err != nil {
			return fmt.Errorf("audience: %s %s: %w", e.Type, e.ID, err)
		}
		for _, id := range refs.ids() {
			if !slices.Contains(byTenant[e.TenantID], id) {
				byTenant[e.TenantID] = append(byTenant[e.TenantID], id)
			}
		}
	}
	for tenantID, ids := range byTenant {
		tctx := auth.WithPrincipal(ctx, auth.System(tenantID))
		if err := s.refreshCustomers(tctx, tenantID, ids); err != nil {
			return fmt.Errorf("audience: refresh %d customers of %s: %w", len(ids), tenantID, err)
		}
	}
	return nil
}

// refreshCustomers brings customers up to date in the tenant's index, announcing
// segment changes. A tenant whose index was never built is left alone: its first
// use builds it from the database, which already holds the change.
func (s *Service) refreshCustomers(ctx context.Context, tenantID string, ids []string) error {
	s.idx.mu.Lock()
	ti := s.idx.byTenant[tenantID]
	s.idx.mu.Unlock()
	if ti == nil {
		return s.recordWithoutIndex(ctx, tenantID, ids)
	}
	if _, err := s.index(ctx, tenantID); err != nil {
		return err
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if err := s.refresh(ctx, ti, tenantID, ids, true); err != nil {
		ti.ix = nil // rebuilt on next use; the build compares with what was recorded
		return err
	}
	return nil
}

// recordWithoutIndex builds the index now when the tenant has segments or rule tags
// (so their entered/exited events go out with the change); otherwise nothing
// depends on the change until someone looks.
func (s *Service) recordWithoutIndex(ctx context.Context, tenantID string, ids []string) error {
	var n int64
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM audience_segments WHERE tenant_id = $1 AND status = 'active')
		+ (SELECT COUNT(*) FROM audience_tag_definitions WHERE tenant_id = $1 AND kind = 'rule' AND status = 'active')`, tenantID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	_, err := s.index(ctx, tenantID) // a full build announces what changed since the recorded memberships
	return err
}

// membersChanged refreshes customers after a change made through this service (a
// tag set or imported). A failure leaves the index to be rebuilt on next use.
func (s *Service) membersChanged(ctx context.Context, tenantID string, ids ...string) {
	if err := s.refreshCustomers(ctx, tenantID, ids); err != nil {
		s.invalidate(tenantID)
	}
}

// tagsChanged makes the next use rebuild the tenant's index with the new
// definitions (other nodes notice through the definitions' version).
func (s *Service) tagsChanged(tenantID string) { s.invalidate(tenantID) }

func (s *Service) invalidate(tenantID string) {
	s.idx.mu.Lock()
	ti := s.idx.byTenant[tenantID]
	s.idx.mu.Unlock()
	if ti == nil {
		return
	}
	ti.mu.Lock()
	ti.ix = nil
	ti.mu.Unlock()
}
