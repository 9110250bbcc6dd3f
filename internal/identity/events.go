package identity

// The events identity publishes through the outbox. The aggregate id is the
// touchpoint id, or the (surviving) customer's id for EventCustomerMerged,
// EventCustomerUnmerged and EventCustomerErased. Ingested customer events are stored in the events table, not
// published through the outbox. Identity consumes no events yet.
const (
	EventTouchpointCreated = "identity.touchpoint.created"
	EventTouchpointUpdated = "identity.touchpoint.updated"
	// EventCustomerMerged: inline resolution merged customers (CustomerMergedEvent).
	EventCustomerMerged = "identity.customer.merged"
	// EventCustomerUnmerged: a merge was reversed (CustomerUnmergedEvent).
	EventCustomerUnmerged = "identity.customer.unmerged"
	// EventCustomerErased: a customer's personal data was erased (CustomerErasedEvent).
	// Every domain that keeps personal data on customers subscribes to it and drops
	// that data for CustomerID and MergedIDs, keeping anonymous aggregates; its
	// handler must be idempotent (events.MarkProcessed).
	EventCustomerErased = "identity.customer.erased"
	// EventCustomerConsent: a consent was recorded (CustomerConsentEvent), from the
	// API or a consent event.
	EventCustomerConsent = "identity.customer.consent"
)

// CustomerConsentEvent is the payload of EventCustomerConsent.
type CustomerConsentEvent struct {
	CustomerID string `json:"customer_id"`
	Purpose    string `json:"purpose"`
	Channel    string `json:"channel"`
	Granted    bool   `json:"granted"`
}

// CustomerErasedEvent is the payload of EventCustomerErased: the erased customer and
// the customers that had been merged into it (erased too). It carries no personal
// values.
type CustomerErasedEvent struct {
	CustomerID string   `json:"customer_id"`
	MergedIDs  []string `json:"merged_ids"`
}

// CustomerMergedEvent is the payload of EventCustomerMerged (and its audit entry):
// the customers in Absorbed now redirect to SurvivorID. It carries no identifier
// values (PII).
type CustomerMergedEvent struct {
	SurvivorID string   `json:"survivor_id"`
	Absorbed   []string `json:"absorbed"`
	EventID    string   `json:"event_id,omitempty" doc:"The ingested event whose identifiers joined them (auto merges)."`
	// TouchpointID is the touchpoint that sent EventID: event ids are unique per
	// touchpoint only.
	TouchpointID string `json:"touchpoint_id,omitempty" doc:"The touchpoint that sent event_id (event ids are unique per touchpoint)."`
	Kind         string `json:"kind,omitempty" doc:"auto, manual or fuzzy."`
	Reason       string `json:"reason,omitempty"`
}

// CustomerUnmergedEvent is the payload of EventCustomerUnmerged (and its audit
// entry): RestoredID is live again with what MergeID had moved to SurvivorID.
type CustomerUnmergedEvent struct {
	SurvivorID string `json:"survivor_id"`
	RestoredID string `json:"restored_id"`
	MergeID    string `json:"merge_id"`
}

// TouchpointEvent is the payload of the touchpoint events (and their audit entries).
type TouchpointEvent struct {
	ID      string         `json:"id"`
	Code    string         `json:"code"`
	Name    string         `json:"name"`
	Type    TouchpointType `json:"type"`
	Channel Channel        `json:"channel"`
	StoreID string         `json:"store_id,omitempty"`
	Status  Status         `json:"status"`
}

func touchpointEvent(t Touchpoint) TouchpointEvent {
	return TouchpointEvent{ID: t.ID, Code: t.Code, Name: t.Name, Type: t.Type, Channel: t.Channel, StoreID: t.StoreID, Status: t.Status}
}
