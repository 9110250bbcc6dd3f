package audience

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// TagKind says where a tag's values come from.
type TagKind string

// The tag kinds.
const (
	// TagRule: an expression over member fields, evaluated by the segment engine.
	TagRule TagKind = "rule"
	// TagComputed: written by a customer-model job (RFM, lifecycle, churn, CLV…).
	TagComputed TagKind = "computed"
	// TagImported: loaded from a file.
	TagImported TagKind = "imported"
	// TagManual: set by a person on a customer.
	TagManual TagKind = "manual"
)

// ValueType is the type of a tag's values.
type ValueType string

// The value types.
const (
	ValueBoolean ValueType = "boolean"
	ValueEnum    ValueType = "enum"
	ValueNumber  ValueType = "number"
	ValueDate    ValueType = "date"
)

// Status of a tag definition or a segment: archived ones keep their values and
// history but are not offered for new conditions.
type Status string

// The statuses.
const (
	StatusActive   Status = "active"
	StatusArchived Status = "archived"
)

// TagDefinition is one tag of the tenant's tag library.
type TagDefinition struct {
	ID          string
	TenantID    string
	Code        string
	Name        string
	Group       string
	Kind        TagKind
	ValueType   ValueType
	EnumValues  []string // the allowed values of an enum tag
	Expression  string   // a rule tag's expression in the engine's text form
	Description string
	Status      Status
	Customers   int64 // customers holding a value (filled by reads that count)
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TagInput creates a tag definition.
type TagInput struct {
	Code        string
	Name        string
	Group       string
	Kind        TagKind
	ValueType   ValueType
	EnumValues  []string
	Expression  string
	Description string
}

// TagUpdate changes a tag definition; nil fields are left alone. Code, kind and
// value type never change: values and segments refer to them.
type TagUpdate struct {
	Name        *string
	Group       *string
	EnumValues  *[]string
	Expression  *string
	Description *string
	Status      *Status
}

// TagValue is one customer's value of one tag.
type TagValue struct {
	TagID      string
	TagCode    string
	TagName    string
	ValueType  ValueType
	CustomerID string
	Value      string
	Source     string // the job, import, rule or user that wrote it
	UpdatedAt  time.Time
}

var codePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// validCode checks a tag or segment code: a letter, then letters, digits and
// underscores, at most 64 characters, so a code can stand in an expression as it is.
func validCode(field, code string) error {
	if !codePattern.MatchString(code) {
		return errs.Field(field, "a code starts with a letter and holds letters, digits and _ (at most 64)")
	}
	return nil
}

func validName(field, name string) error {
	if strings.TrimSpace(name) == "" || len([]rune(name)) > 200 {
		return errs.Field(field, "a name of 1 to 200 characters is required")
	}
	return nil
}

// Validate checks a new tag definition. A rule tag's expression is checked by the
// service against the engine.
func (in TagInput) Validate() error {
	if err := validCode("body.code", in.Code); err != nil {
		return err
	}
	if err := validName("body.name", in.Name); err != nil {
		return err
	}
	if len([]rune(in.Group)) > 100 {
		return errs.Field("body.group", "a group name has at most 100 characters")
	}
	if !slices.Contains([]TagKind{TagRule, TagComputed, TagImported, TagManual}, in.Kind) {
		return errs.Field("body.kind", "kind is rule, computed, imported or manual")
	}
	if !slices.Contains([]ValueType{ValueBoolean, ValueEnum, ValueNumber, ValueDate}, in.ValueType) {
		return errs.Field("body.value_type", "value_type is boolean, enum, number or date")
	}
	if err := validEnumValues(in.ValueType, in.EnumValues); err != nil {
		return err
	}
	if in.Kind == TagRule && strings.TrimSpace(in.Expression) == "" {
		return errs.Field("body.expression", "a rule tag needs an expression")
	}
	if in.Kind == TagRule && in.ValueType != ValueBoolean {
		return errs.Field("body.value_type", "a rule tag is boolean: a customer matches its expression or not")
	}
	if in.Kind != TagRule && in.Expression != "" {
		return errs.Field("body.expression", "only a rule tag has an expression")
	}
	return nil
}

func validEnumValues(t ValueType, values []string) error {
	if t != ValueEnum {
		if len(values) > 0 {
			return errs.Field("body.enum_values", "only an enum tag lists values")
		}
		return nil
	}
	if len(values) == 0 || len(values) > 200 {
		return errs.Field("body.enum_values", "an enum tag lists 1 to 200 values")
	}
	seen := map[string]bool{}
	for i, v := range values {
		if strings.TrimSpace(v) == "" || len([]rune(v)) > 100 || seen[v] {
			return errs.Field("body.enum_values["+strconv.Itoa(i)+"]", "values are 1 to 100 characters and distinct")
		}
		seen[v] = true
	}
	return nil
}

// normalValue checks a value against the tag's type and returns its stored text and
// number: true for a boolean, one of the listed values for an enum, a decimal number,
// a date as YYYY-MM-DD (its number is the day since 1970-01-01).
func (d TagDefinition) normalValue(field, raw string) (string, *float64, error) {
	v := strings.TrimSpace(raw)
	switch d.ValueType {
	case ValueBoolean:
		switch strings.ToLower(v) {
		case "true", "1", "yes", "是", "y":
			return "true", nil, nil
		}
		return "", nil, errs.Field(field, "a boolean tag is set with true (remove the value for false)")
	case ValueEnum:
		if !slices.Contains(d.EnumValues, v) {
			return "", nil, errs.Field(field, "%q is not one of the tag's values %s", v, strings.Join(d.EnumValues, ", "))
		}
		return v, nil, nil
	case ValueNumber:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(n) || n > 1e15 || n < -1e15 {
			return "", nil, errs.Field(field, "%q is not a number", v)
		}
		return strconv.FormatFloat(n, 'f', -1, 64), &n, nil
	case ValueDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return "", nil, errs.Field(field, "%q is not a date (YYYY-MM-DD)", v)
		}
		day := math.Floor(float64(t.Unix()) / 86400)
		return v, &day, nil
	}
	return "", nil, errs.Field(field, "the tag has an unknown value type")
}
