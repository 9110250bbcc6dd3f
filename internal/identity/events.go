package identity

// The events identity publishes through the outbox. The aggregate id is the
// touchpoint id. Ingested customer events are stored in the events table, not
// published through the outbox. Identity consumes no events yet.
const (
	EventTouchpointCreated = "identity.touchpoint.created"
	EventTouchpointUpdated = "identity.touchpoint.updated"
)

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
