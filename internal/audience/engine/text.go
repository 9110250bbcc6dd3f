package engine

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseError is an error in the text form of a condition at a byte offset. It
// wraps ErrInvalid.
type ParseError struct {
	Offset int // byte offset into the text, 0-based
	Column int // column in runes, 1-based
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("segment: column %d (byte %d): %s", e.Column, e.Offset, e.Msg)
}

// Unwrap returns ErrInvalid.
func (e *ParseError) Unwrap() error { return ErrInvalid }

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tQuotedIdent
	tString
	tNumber
	tWindow
	tPunct
)

type token struct {
	kind tokKind
	text string // ident name, unquoted string, number text, window, punctuation
	off  int
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		return "string " + strconv.Quote(t.text)
	case tQuotedIdent:
		return "field `" + t.text + "`"
	}
	return strconv.Quote(t.text)
}

var compareOps = map[Op]bool{Eq: true, Ne: true, Lt: true, Le: true, Gt: true, Ge: true}

var keywords = map[string]bool{"and": true, "or": true, "not": true, "in": true, "between": true, "exists": true, "missing": true}

func identStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func identPart(c byte) bool {
	return identStart(c) || '0' <= c && c <= '9' || c == ':' || c == '.' || c == '-'
}

type parser struct {
	src  string
	toks []token
	pos  int
}

func (p *parser) errAt(off int, format string, args ...any) error {
	col := utf8.RuneCountInString(p.src[:off]) + 1
	return &ParseError{Offset: off, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) lex() error {
	s := p.src
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case identStart(c):
			j := i + 1
			for j < len(s) && identPart(s[j]) {
				j++
			}
			p.toks = append(p.toks, token{tIdent, s[i:j], i})
			i = j
		case c == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				return p.errAt(i, "unterminated `field name`")
			}
			name := s[i+1 : i+1+j]
			if msg := validFieldName(name); msg != "" {
				return p.errAt(i, "%s", msg)
			}
			p.toks = append(p.toks, token{tQuotedIdent, name, i})
			i += j + 2
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return p.errAt(i, "unterminated string")
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return p.errAt(i, "invalid string %s", s[i:j+1])
			}
			if !utf8.ValidString(v) {
				return p.errAt(i, "string %s is not valid UTF-8", s[i:j+1])
			}
			p.toks = append(p.toks, token{tString, v, i})
			i = j + 1
		case c == '-' || '0' <= c && c <= '9':
			j := i
			if c == '-' {
				j++
			}
			start := j
			for j < len(s) && ('0' <= s[j] && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j == start {
				return p.errAt(i, "expected a digit after \"-\"")
			}
			if j < len(s) && s[j] == 'd' && c != '-' && !strings.Contains(s[i:j], ".") && (j+1 == len(s) || !identPart(s[j+1])) {
				p.toks = append(p.toks, token{tWindow, s[i : j+1], i})
				i = j + 1
				continue
			}
			if j < len(s) && identPart(s[j]) {
				return p.errAt(i, "invalid number %q", s[i:j+1])
			}
			p.toks = append(p.toks, token{tNumber, s[i:j], i})
			i = j
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			switch {
			case two == "!=" || two == "<=" || two == ">=":
				p.toks = append(p.toks, token{tPunct, two, i})
				i += 2
			case strings.IndexByte("()=<>,", c) >= 0:
				p.toks = append(p.toks, token{tPunct, s[i : i+1], i})
				i++
			default:
				r, _ := utf8.DecodeRuneInString(s[i:])
				return p.errAt(i, "unexpected character %q", r)
			}
		}
	}
	p.toks = append(p.toks, token{tEOF, "", len(s)})
	return nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }

func (p *parser) isKeyword(t token, kw string) bool { return t.kind == tIdent && t.text == kw }

func (p *parser) expectPunct(s, what string) error {
	t := p.next()
	if t.kind != tPunct || t.text != s {
		return p.errAt(t.off, "expected %q %s, found %s", s, what, t.describe())
	}
	return nil
}

// Parse parses the text form of a condition, for example
//
//	tier in ("gold", "platinum") and not did("order", 30d) and spend(90d) between 100 and 500
//
// (see the package doc for the grammar). Errors are *ParseError naming the column
// and what was expected; they wrap ErrInvalid.
func Parse(text string) (Cond, error) {
	p := &parser{src: text}
	if err := p.lex(); err != nil {
		return Cond{}, err
	}
	c, err := p.parseOr()
	if err != nil {
		return Cond{}, err
	}
	if t := p.peek(); t.kind != tEOF {
		return Cond{}, p.errAt(t.off, "expected \"and\", \"or\" or end of input, found %s", t.describe())
	}
	return c, nil
}

func (p *parser) parseOr() (Cond, error) {
	return p.parseGroup(Or, p.parseAnd)
}

func (p *parser) parseAnd() (Cond, error) {
	return p.parseGroup(And, p.parseUnary)
}

func (p *parser) parseGroup(op Op, sub func() (Cond, error)) (Cond, error) {
	first, err := sub()
	if err != nil {
		return Cond{}, err
	}
	cs := []Cond{first}
	for p.isKeyword(p.peek(), string(op)) {
		p.next()
		c, err := sub()
		if err != nil {
			return Cond{}, err
		}
		cs = append(cs, c)
	}
	return group(op, cs), nil
}

func (p *parser) parseUnary() (Cond, error) {
	if p.isKeyword(p.peek(), "not") {
		p.next()
		c, err := p.parseUnary()
		if err != nil {
			return Cond{}, err
		}
		return Negate(c), nil
	}
	return p.parsePrimary()
}

func (p *parser) isCall(name string) bool {
	t := p.peek()
	if t.kind != tIdent || t.text != name || p.pos+1 >= len(p.toks) {
		return false
	}
	n := p.toks[p.pos+1]
	return n.kind == tPunct && n.text == "("
}

func (p *parser) parsePrimary() (Cond, error) {
	t := p.peek()
	if t.kind == tPunct && t.text == "(" {
		p.next()
		c, err := p.parseOr()
		if err != nil {
			return Cond{}, err
		}
		if err := p.expectPunct(")", "to close the parenthesis"); err != nil {
			return Cond{}, err
		}
		return c, nil
	}
	switch {
	case p.isCall("bought"):
		p.pos += 2
		cat, err := p.stringArg("a category code")
		if err != nil {
			return Cond{}, err
		}
		if err := p.expectPunct(",", "after the category"); err != nil {
			return Cond{}, err
		}
		w, err := p.windowArg()
		if err != nil {
			return Cond{}, err
		}
		return Compare(BoughtField(w), In, Str(cat)), nil
	case p.isCall("tag"):
		p.pos += 2
		code, err := p.stringArg("a tag code")
		if err != nil {
			return Cond{}, err
		}
		if err := p.expectPunct(")", "after the tag code"); err != nil {
			return Cond{}, err
		}
		if msg := validFieldName(TagField(code)); msg != "" {
			return Cond{}, p.errAt(t.off, "%s", msg)
		}
		return Compare(TagField(code), Exists), nil
	case p.isCall("in_segment"):
		p.pos += 2
		code, err := p.stringArg("a segment code")
		if err != nil {
			return Cond{}, err
		}
		if code == "" {
			return Cond{}, p.errAt(p.toks[p.pos-1].off, "empty segment code")
		}
		if err := p.expectPunct(")", "after the segment code"); err != nil {
			return Cond{}, err
		}
		return Member(code), nil
	}
	return p.parseComparison()
}

func (p *parser) stringArg(what string) (string, error) {
	t := p.next()
	if t.kind != tString {
		return "", p.errAt(t.off, "expected %s in double quotes, found %s", what, t.describe())
	}
	return t.text, nil
}

// windowArg reads a window and the closing parenthesis.
func (p *parser) windowArg() (Window, error) {
	t := p.next()
	w := Window(t.text)
	if !(t.kind == tWindow || t.kind == tIdent) || !w.Valid() {
		return "", p.errAt(t.off, "expected a window (7d, 30d, 90d, 180d, 365d or all), found %s", t.describe())
	}
	if err := p.expectPunct(")", "after the window"); err != nil {
		return "", err
	}
	return w, nil
}

func (p *parser) parseComparison() (Cond, error) {
	t := p.peek()
	var field string
	money, standalone := false, false
	switch {
	case p.isCall("did"):
		p.pos += 2
		ev, err := p.stringArg("an event type")
		if err != nil {
			return Cond{}, err
		}
		if err := p.expectPunct(",", "after the event type"); err != nil {
			return Cond{}, err
		}
		w, err := p.windowArg()
		if err != nil {
			return Cond{}, err
		}
		field, standalone = EventsField(ev, w), true
		if msg := validFieldName(field); msg != "" {
			return Cond{}, p.errAt(t.off, "%s", msg)
		}
	case p.isCall("orders"):
		p.pos += 2
		w, err := p.windowArg()
		if err != nil {
			return Cond{}, err
		}
		field = OrdersField(w)
	case p.isCall("spend"):
		p.pos += 2
		w, err := p.windowArg()
		if err != nil {
			return Cond{}, err
		}
		field, money = SpendField(w), true
	case p.isCall("days_since"):
		p.pos += 2
		a := p.next()
		if a.kind != tIdent && a.kind != tQuotedIdent {
			return Cond{}, p.errAt(a.off, "expected a field name, found %s", a.describe())
		}
		if err := p.expectPunct(")", "after the field name"); err != nil {
			return Cond{}, err
		}
		field = DaysSincePrefix + a.text
	case t.kind == tQuotedIdent || t.kind == tIdent && !keywords[t.text]:
		p.next()
		field = t.text
	default:
		return Cond{}, p.errAt(t.off, "expected a condition (a field, did, bought, spend, orders, days_since, tag, in_segment, not or a parenthesis), found %s", t.describe())
	}
	op := p.peek()
	switch {
	case op.kind == tPunct && compareOps[Op(op.text)]:
		p.next()
		v, err := p.literal(money)
		if err != nil {
			return Cond{}, err
		}
		return Compare(field, Op(op.text), v), nil
	case p.isKeyword(op, "between"):
		p.next()
		lo, err := p.literal(money)
		if err != nil {
			return Cond{}, err
		}
		if a := p.next(); !p.isKeyword(a, "and") {
			return Cond{}, p.errAt(a.off, "expected \"and\" between the bounds, found %s", a.describe())
		}
		hi, err := p.literal(money)
		if err != nil {
			return Cond{}, err
		}
		return Compare(field, Between, lo, hi), nil
	case p.isKeyword(op, "in"):
		p.next()
		vs, err := p.list(money)
		if err != nil {
			return Cond{}, err
		}
		return Compare(field, In, vs...), nil
	case p.isKeyword(op, "not") && p.isKeywordAt(p.pos+1, "in"):
		p.pos += 2
		vs, err := p.list(money)
		if err != nil {
			return Cond{}, err
		}
		return Compare(field, NotIn, vs...), nil
	case p.isKeyword(op, "exists"):
		p.next()
		return Compare(field, Exists), nil
	case p.isKeyword(op, "missing"):
		p.next()
		return Compare(field, Missing), nil
	case standalone:
		return Compare(field, Ge, Int(1)), nil
	}
	return Cond{}, p.errAt(op.off, "expected an operator (=, !=, <, <=, >, >=, between, in, not in, exists, missing) after %s, found %s", strconv.Quote(field), op.describe())
}

func (p *parser) isKeywordAt(i int, kw string) bool {
	return i < len(p.toks) && p.isKeyword(p.toks[i], kw)
}

func (p *parser) list(money bool) ([]Value, error) {
	if err := p.expectPunct("(", "to open the list"); err != nil {
		return nil, err
	}
	var vs []Value
	for {
		v, err := p.literal(money)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
		t := p.next()
		if t.kind == tPunct && t.text == ")" {
			return vs, nil
		}
		if t.kind != tPunct || t.text != "," {
			return nil, p.errAt(t.off, "expected \",\" or \")\" in the list, found %s", t.describe())
		}
	}
}

func (p *parser) literal(money bool) (Value, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return Str(t.text), nil
	case tNumber:
		if money {
			fen, ok := parseYuan(t.text)
			if !ok {
				return Value{}, p.errAt(t.off, "invalid amount %s: want yuan with at most 2 decimals", t.text)
			}
			return Int(fen), nil
		}
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return Value{}, p.errAt(t.off, "invalid integer %s", t.text)
		}
		return Int(n), nil
	}
	return Value{}, p.errAt(t.off, "expected a value (a number or a string in double quotes), found %s", t.describe())
}

// parseYuan parses "-12.5" as -1250 fen.
func parseYuan(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || dot && (len(frac) == 0 || len(frac) > 2) || strings.Contains(frac, ".") {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var mag uint64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if mag > (1<<64-1-d)/10 {
			return 0, false
		}
		mag = mag*10 + d
	}
	if neg {
		if mag > 1<<63 {
			return 0, false
		}
		return int64(-mag), true
	}
	if mag > 1<<63-1 {
		return 0, false
	}
	return int64(mag), true
}

func formatYuan(fen int64) string {
	var mag uint64
	sign := ""
	if fen < 0 {
		sign, mag = "-", uint64(-fen)
	} else {
		mag = uint64(fen)
	}
	return fmt.Sprintf("%s%d.%02d", sign, mag/100, mag%100)
}

// Format returns the canonical text form of c; Parse(Format(c)) equals c for every
// valid c.
func Format(c Cond) string {
	var b strings.Builder
	format(&b, c)
	return b.String()
}

func format(b *strings.Builder, c Cond) {
	switch c.Op {
	case And, Or:
		for i, s := range c.Conds {
			if i > 0 {
				b.WriteString(" " + string(c.Op) + " ")
			}
			formatChild(b, s)
		}
		return
	case Not:
		b.WriteString("not ")
		if len(c.Conds) > 0 {
			formatChild(b, c.Conds[0])
		}
		return
	case InSegment:
		b.WriteString("in_segment(" + strconv.Quote(c.Segment) + ")")
		return
	}
	allNum := true
	for _, v := range c.Values {
		allNum = allNum && v.isNum
	}
	money := false
	if cat, w, ok := splitWindowed(c.Field, "bought_category"); ok && cat == "" && c.Op == In && len(c.Values) == 1 && !c.Values[0].isNum {
		b.WriteString("bought(" + strconv.Quote(c.Values[0].str) + ", " + string(w) + ")")
		return
	}
	if code, ok := strings.CutPrefix(c.Field, TagPrefix); ok && code != "" && c.Op == Exists {
		b.WriteString("tag(" + strconv.Quote(code) + ")")
		return
	}
	if ev, w, ok := splitWindowed(c.Field, "events:"); ok {
		b.WriteString("did(" + strconv.Quote(ev) + ", " + string(w) + ")")
		if c.Op == Ge && len(c.Values) == 1 && c.Values[0] == Int(1) {
			return
		}
	} else if x, w, ok := splitWindowed(c.Field, "orders"); ok && x == "" {
		b.WriteString("orders(" + string(w) + ")")
	} else if x, w, ok := splitWindowed(c.Field, "spend_fen"); ok && x == "" && allNum {
		b.WriteString("spend(" + string(w) + ")")
		money = true
	} else if base, ok := daysSinceBase(c.Field); ok {
		b.WriteString("days_since(" + formatIdent(base) + ")")
	} else {
		b.WriteString(formatIdent(c.Field))
	}
	lit := func(v Value) string {
		if !v.isNum {
			return strconv.Quote(v.str)
		}
		if money {
			return formatYuan(v.num)
		}
		return strconv.FormatInt(v.num, 10)
	}
	list := func() string {
		parts := make([]string, len(c.Values))
		for i, v := range c.Values {
			parts[i] = lit(v)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	switch c.Op {
	case Between:
		if len(c.Values) == 2 {
			b.WriteString(" between " + lit(c.Values[0]) + " and " + lit(c.Values[1]))
		}
	case In:
		b.WriteString(" in " + list())
	case NotIn:
		b.WriteString(" not in " + list())
	case Exists, Missing:
		b.WriteString(" " + string(c.Op))
	default:
		if len(c.Values) == 1 {
			b.WriteString(" " + string(c.Op) + " " + lit(c.Values[0]))
		}
	}
}

func formatChild(b *strings.Builder, c Cond) {
	if c.Op == And || c.Op == Or {
		b.WriteString("(")
		format(b, c)
		b.WriteString(")")
		return
	}
	format(b, c)
}

func formatIdent(name string) string {
	plain := name != "" && identStart(name[0]) && !keywords[name]
	for i := 1; plain && i < len(name); i++ {
		plain = identPart(name[i])
	}
	if plain {
		return name
	}
	return "`" + name + "`"
}
