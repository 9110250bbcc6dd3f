package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// MarshalJSON returns the JSON form of c:
//
//	{"op":"and","conditions":[…]}            and, or
//	{"op":"not","condition":{…}}             not
//	{"op":">=","field":"orders:30d","value":3}
//	{"op":"between","field":"age","values":[20,30]}   also in, not_in
//	{"op":"exists","field":"tag:vip"}        also missing
//	{"op":"in_segment","segment":"low_churn"}
func (c Cond) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	writeJSON(&b, c)
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, c Cond) {
	str := func(s string) { q, _ := json.Marshal(s); b.Write(q) }
	b.WriteString(`{"op":`)
	str(string(c.Op))
	switch c.Op {
	case And, Or:
		b.WriteString(`,"conditions":[`)
		for i, s := range c.Conds {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, s)
		}
		b.WriteString("]")
	case Not:
		b.WriteString(`,"condition":`)
		if len(c.Conds) > 0 {
			writeJSON(b, c.Conds[0])
		} else {
			b.WriteString("null")
		}
	case InSegment:
		b.WriteString(`,"segment":`)
		str(c.Segment)
	default:
		b.WriteString(`,"field":`)
		str(c.Field)
		lit := func(v Value) {
			if v.isNum {
				b.WriteString(strconv.FormatInt(v.num, 10))
			} else {
				str(v.str)
			}
		}
		switch c.Op {
		case Exists, Missing:
		case Between, In, NotIn:
			b.WriteString(`,"values":[`)
			for i, v := range c.Values {
				if i > 0 {
					b.WriteByte(',')
				}
				lit(v)
			}
			b.WriteString("]")
		default:
			b.WriteString(`,"value":`)
			if len(c.Values) > 0 {
				lit(c.Values[0])
			} else {
				b.WriteString("null")
			}
		}
	}
	b.WriteByte('}')
}

// UnmarshalJSON parses the JSON form of a condition (see ParseJSON).
func (c *Cond) UnmarshalJSON(data []byte) error {
	parsed, err := ParseJSON(data)
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}

// ParseJSON parses the JSON form of a condition (see Cond.MarshalJSON). An and/or
// with a single condition is replaced by that condition. Errors are *PathError
// naming the JSON path, such as "conditions[2].op"; they wrap ErrInvalid.
func ParseJSON(data []byte) (Cond, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return Cond{}, &PathError{Msg: "invalid JSON: " + err.Error()}
	}
	if dec.More() {
		return Cond{}, &PathError{Msg: "invalid JSON: data after the condition"}
	}
	return fromJSON(raw, "")
}

var allowedKeys = map[Op][]string{
	And: {"conditions"}, Or: {"conditions"}, Not: {"condition"}, InSegment: {"segment"},
	Exists: {"field"}, Missing: {"field"}, Between: {"field", "values"}, In: {"field", "values"}, NotIn: {"field", "values"},
	Eq: {"field", "value"}, Ne: {"field", "value"}, Lt: {"field", "value"}, Le: {"field", "value"}, Gt: {"field", "value"}, Ge: {"field", "value"},
}

func fromJSON(raw any, path string) (Cond, error) {
	bad := func(sub, format string, args ...any) error {
		return &PathError{Path: join(path, sub), Msg: fmt.Sprintf(format, args...)}
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return Cond{}, bad("", "expected an object, found %s", jsonKind(raw))
	}
	opRaw, ok := obj["op"]
	if !ok {
		return Cond{}, bad("op", "missing")
	}
	opStr, ok := opRaw.(string)
	if !ok {
		return Cond{}, bad("op", "expected a string, found %s", jsonKind(opRaw))
	}
	op := Op(opStr)
	keys, ok := allowedKeys[op]
	if !ok {
		return Cond{}, bad("op", "unknown operator %q (want and, or, not, =, !=, <, <=, >, >=, between, in, not_in, exists, missing, in_segment)", opStr)
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k != "op" && !slices.Contains(keys, k) {
			return Cond{}, bad(k, "not allowed with op %q", opStr)
		}
	}
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			return Cond{}, bad(k, "missing (op %q needs it)", opStr)
		}
	}
	c := Cond{Op: op}
	switch op {
	case And, Or:
		list, ok := obj["conditions"].([]any)
		if !ok {
			return Cond{}, bad("conditions", "expected an array, found %s", jsonKind(obj["conditions"]))
		}
		if len(list) == 0 {
			return Cond{}, bad("conditions", "needs at least one condition")
		}
		for i, item := range list {
			sub, err := fromJSON(item, join(path, "conditions["+strconv.Itoa(i)+"]"))
			if err != nil {
				return Cond{}, err
			}
			c.Conds = append(c.Conds, sub)
		}
		return group(op, c.Conds), nil
	case Not:
		sub, err := fromJSON(obj["condition"], join(path, "condition"))
		if err != nil {
			return Cond{}, err
		}
		return Negate(sub), nil
	case InSegment:
		s, ok := obj["segment"].(string)
		if !ok || s == "" {
			return Cond{}, bad("segment", "expected a non-empty string, found %s", jsonKind(obj["segment"]))
		}
		c.Segment = s
		return c, nil
	}
	f, ok := obj["field"].(string)
	if !ok {
		return Cond{}, bad("field", "expected a string, found %s", jsonKind(obj["field"]))
	}
	if msg := validFieldName(f); msg != "" {
		return Cond{}, bad("field", "%s", msg)
	}
	c.Field = f
	if v, ok := obj["value"]; ok {
		val, err := jsonValue(v, join(path, "value"))
		if err != nil {
			return Cond{}, err
		}
		c.Values = []Value{val}
	}
	if vs, ok := obj["values"]; ok {
		list, ok := vs.([]any)
		if !ok {
			return Cond{}, bad("values", "expected an array, found %s", jsonKind(vs))
		}
		if op == Between && len(list) != 2 {
			return Cond{}, bad("values", "between needs exactly 2 values, found %d", len(list))
		}
		if len(list) == 0 {
			return Cond{}, bad("values", "needs at least one value")
		}
		for i, item := range list {
			val, err := jsonValue(item, join(path, "values["+strconv.Itoa(i)+"]"))
			if err != nil {
				return Cond{}, err
			}
			c.Values = append(c.Values, val)
		}
	}
	return c, nil
}

func jsonValue(raw any, path string) (Value, error) {
	switch v := raw.(type) {
	case string:
		return Str(v), nil
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			if f, ferr := v.Float64(); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return Int(int64(f)), nil
			}
			return Value{}, &PathError{Path: path, Msg: "expected an integer (amounts are in fen), found " + string(v)}
		}
		return Int(n), nil
	}
	return Value{}, &PathError{Path: path, Msg: "expected a number or a string, found " + jsonKind(raw)}
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
