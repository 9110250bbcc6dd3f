package promotion

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// Status is where a promotion is in its life: draft → active ⇄ paused → ended.
type Status string

// The statuses.
const (
	StatusDraft  Status = "draft"
	StatusActive Status = "active"
	StatusPaused Status = "paused"
	StatusEnded  Status = "ended"
)

// Promotion is a stored promotion. Definition.ID is always ID and Definition.Name is
// Name. StartsAt and EndsAt copy Definition.Conditions.Start and End (nil when open).
type Promotion struct {
	ID         string
	TenantID   string
	Code       string
	Name       string
	Status     Status
	Definition engine.Promotion
	StartsAt   *time.Time
	EndsAt     *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// NewPromotion is the input of CreatePromotion; the promotion starts as a draft.
type NewPromotion struct {
	Code       string
	Name       string
	Definition engine.Promotion
}

// PromotionUpdate changes the set fields of a promotion.
type PromotionUpdate struct {
	Name       *string
	Definition *engine.Promotion
}

// PromotionFilter selects promotions: by status, and ActiveAt keeps the active ones
// whose time window contains that instant. Pages are ordered by id.
type PromotionFilter struct {
	Status   Status
	ActiveAt *time.Time
	Limit    int
	Cursor   string
}

// validCode is the shape of a promotion code.
func validCode(c string) bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// validateDefinition checks def with engine.Promotion.Validate and names the field
// under prefix (for example "body.definition.threshold.tiers[1].off").
func validateDefinition(prefix string, def *engine.Promotion) error {
	if err := def.Validate(); err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Field != "" {
			return errs.Field(prefix+"."+e.Field, "%s", e.Message)
		}
		return errs.Field(prefix, "%s", err.Error())
	}
	return nil
}

// decodeDefinition decodes a definition given as a JSON object, rejecting unknown
// fields, into an engine.Promotion. Errors name prefix.
func decodeDefinition(prefix string, raw map[string]any) (engine.Promotion, error) {
	var def engine.Promotion
	if err := decodeStrict(raw, &def); err != nil {
		return def, errs.Field(prefix, "%s", err)
	}
	return def, nil
}

// decodeStrict re-decodes a generic JSON value into out, rejecting unknown fields.
func decodeStrict(raw any, out any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// windowOf returns the stored window of a definition.
func windowOf(def *engine.Promotion) (start, end *time.Time) {
	if t := def.Conditions.Start; !t.IsZero() {
		start = &t
	}
	if t := def.Conditions.End; !t.IsZero() {
		end = &t
	}
	return start, end
}
