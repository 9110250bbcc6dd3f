package promotion

// The events the promotion service publishes through the outbox; the aggregate id is
// the promotion id. It consumes no events.
const (
	EventPromotionCreated   = "promotion.created"
	EventPromotionUpdated   = "promotion.updated"
	EventPromotionActivated = "promotion.activated"
	EventPromotionPaused    = "promotion.paused"
	EventPromotionEnded     = "promotion.ended"
)

// PromotionEvent is the payload of the promotion events.
type PromotionEvent struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status Status `json:"status"`
}
