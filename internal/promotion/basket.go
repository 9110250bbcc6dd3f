package promotion

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/csvfile"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// The columns of a basket file. Header names are case-insensitive, in any order;
// unknown columns are ignored.
const (
	colOrderID      = "order_id"
	colOrderedAt    = "ordered_at"
	colStoreID      = "store_id"
	colChannel      = "channel"
	colCustomerID   = "customer_id"
	colCustomerTier = "customer_tier"
	colSKUID        = "sku_id"
	colCategoryID   = "category_id"
	colBrandID      = "brand_id"
	colQuantity     = "quantity"
	colUnitPrice    = "unit_price_fen"
	colUnitCost     = "unit_cost_fen"
)

// basketAliases are other header names of columns, as POS exports name them: a SKU
// by code or barcode, a category by code. The values may be ids, codes or barcodes
// whatever the header (matched against the catalogue on import).
var basketAliases = map[string]string{
	"sku": colSKUID, "sku_code": colSKUID, "barcode": colSKUID,
	"category": colCategoryID, "category_code": colCategoryID,
	"brand": colBrandID,
}

// basketRequired must appear in the header; the other columns are optional.
var basketRequired = []string{colOrderID, colOrderedAt, colSKUID, colQuantity, colUnitPrice}

var basketColumnsArr = [...]string{colOrderID, colOrderedAt, colStoreID, colChannel, colCustomerID, colCustomerTier,
	colSKUID, colCategoryID, colBrandID, colQuantity, colUnitPrice, colUnitCost}

var basketColumns = basketColumnsArr[:]

// Basket file limits.
const (
	MaxBasketBytes     = 32 << 20
	maxBasketErrors    = 1000
	maxBasketFieldLen  = 64
	maxLinesPerBasket  = engine.MaxLines
	basketTimeLayout   = "2006-01-02 15:04:05"
	maxBasketSetName   = 200
	maxBasketQuantity  = engine.MaxQtyEach
	maxBasketUnitPrice = engine.MaxUnitPrice
)

// BasketLine is one row of a basket file: a line of a historical order. The order's
// fields (time, store, channel, customer, tier) are those of its first row.
type BasketLine struct {
	Line         int // the file line it came from
	OrderID      string
	OrderedAt    time.Time
	StoreID      string
	Channel      string
	CustomerID   string
	CustomerTier string
	SKUID        string
	CategoryID   string
	BrandID      string
	Quantity     int64
	UnitPriceFen int64
	UnitCostFen  *int64 // nil: unknown, counted as zero cost
}

// RowError says why one row of a basket file was rejected. Field is the column ("" when
// the line itself could not be read).
type RowError struct {
	Line   int
	Field  string
	Reason string
}

// ParseBaskets reads a basket file (UTF-8 with or without a BOM, or GBK/GB18030, as
// POS exports come; header names may be full-width). It returns the valid lines, in
// file order, of the orders none of whose rows was rejected, and the first 1,000 row
// errors; an order with a rejected row is left out whole, so that no basket is
// simulated half. ordered_at is RFC 3339 or "YYYY-MM-DD HH:MM:SS" in Asia/Shanghai.
// Errors: invalid (body: neither UTF-8 nor GBK text, no header, missing required
// columns).
func ParseBaskets(data []byte, loc *time.Location) ([]BasketLine, []RowError, error) {
	r, err := csvfile.Open(data, "body")
	if err != nil {
		return nil, nil, err
	}
	cols := map[string]int{}
	for i, h := range r.Header {
		name := csvfile.ColumnName(h)
		if a, ok := basketAliases[name]; ok {
			name = a
		}
		if slices.Contains(basketColumns, name) {
			if at, dup := cols[name]; dup {
				return nil, nil, errs.Field("body", "columns %s and %s both give %s: keep one",
					strings.TrimSpace(r.Header[at]), strings.TrimSpace(h), name)
			}
			cols[name] = i
		}
	}
	for _, c := range basketRequired {
		if _, ok := cols[c]; !ok {
			return nil, nil, errs.Field("body", "the header lacks the required column %s (required: %s; the SKU may be given as sku_code or barcode)",
				c, strings.Join(basketRequired, ", "))
		}
	}
	// Size the lines once: growing a slice of half a million lines dominated parsing.
	p := basketParser{loc: loc, bad: map[string]bool{}, count: map[string]int{},
		lines: make([]BasketLine, 0, bytes.Count(data, []byte{'\n'})+1)}
	for i, c := range basketColumns {
		p.idx[i] = -1
		if at, ok := cols[c]; ok {
			p.idx[i] = at
		}
	}
	for {
		line, rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rerr *csvfile.RowError
		if errors.As(err, &rerr) {
			p.fail(rerr.Line, "", "", "unreadable CSV: "+rerr.Reason)
			continue
		}
		if err != nil {
			return nil, nil, errs.Field("body", "the file cannot be read: %s", err.Error())
		}
		p.row(line, rec)
	}
	out := p.lines[:0]
	for _, l := range p.lines {
		if !p.bad[l.OrderID] {
			out = append(out, l)
		}
	}
	return out, p.errors, nil
}

type basketParser struct {
	idx    [len(basketColumnsArr)]int // position of each of basketColumns in a row, -1 when absent
	loc    *time.Location
	lastAt string // the previous row's ordered_at and its time: an order's rows repeat it
	lastT  time.Time
	lines  []BasketLine
	errors []RowError
	bad    map[string]bool // orders with a rejected row
	count  map[string]int  // lines per order
}

func (p *basketParser) fail(line int, order, field, reason string) {
	if order != "" {
		p.bad[order] = true
	}
	if len(p.errors) < maxBasketErrors {
		p.errors = append(p.errors, RowError{Line: line, Field: field, Reason: reason})
	}
}

func (p *basketParser) row(line int, rec []string) {
	get := func(col string) string {
		if i := p.idx[slices.Index(basketColumns, col)]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	l := BasketLine{Line: line, OrderID: get(colOrderID), StoreID: get(colStoreID), Channel: get(colChannel),
		CustomerID: get(colCustomerID), CustomerTier: get(colCustomerTier), SKUID: get(colSKUID),
		CategoryID: get(colCategoryID), BrandID: get(colBrandID)}
	if err := p.check(&l, get); err != nil {
		p.fail(line, l.OrderID, err.Field, err.Reason)
		return
	}
	p.count[l.OrderID]++
	if p.count[l.OrderID] > maxLinesPerBasket {
		p.fail(line, l.OrderID, colOrderID, fmt.Sprintf("an order has at most %d lines", maxLinesPerBasket))
		return
	}
	p.lines = append(p.lines, l)
}

// check validates l and parses its numbers and time; it returns the first error.
func (p *basketParser) check(l *BasketLine, get func(string) string) *RowError {
	for _, f := range []struct {
		col, v   string
		required bool
	}{{colOrderID, l.OrderID, true}, {colSKUID, l.SKUID, true}, {colStoreID, l.StoreID, false}, {colChannel, l.Channel, false},
		{colCustomerID, l.CustomerID, false}, {colCustomerTier, l.CustomerTier, false}, {colCategoryID, l.CategoryID, false},
		{colBrandID, l.BrandID, false}} {
		if f.required && f.v == "" {
			return &RowError{Field: f.col, Reason: "required"}
		}
		if len(f.v) > maxBasketFieldLen {
			return &RowError{Field: f.col, Reason: fmt.Sprintf("at most %d bytes", maxBasketFieldLen)}
		}
	}
	if v := get(colOrderedAt); v != p.lastAt || v == "" {
		at, err := parseOrderedAt(v, p.loc)
		if err != nil {
			return &RowError{Field: colOrderedAt, Reason: err.Error()}
		}
		p.lastAt, p.lastT = v, at
	}
	l.OrderedAt = p.lastT
	var err error
	if l.Quantity, err = parseInt(get(colQuantity), 1, maxBasketQuantity); err != nil {
		return &RowError{Field: colQuantity, Reason: err.Error()}
	}
	if l.UnitPriceFen, err = parseInt(get(colUnitPrice), 0, maxBasketUnitPrice); err != nil {
		return &RowError{Field: colUnitPrice, Reason: err.Error()}
	}
	if v := get(colUnitCost); v != "" {
		c, err := parseInt(v, 0, maxBasketUnitPrice)
		if err != nil {
			return &RowError{Field: colUnitCost, Reason: err.Error()}
		}
		l.UnitCostFen = &c
	}
	return nil
}

func parseOrderedAt(v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, errors.New("required")
	}
	if len(v) == len(basketTimeLayout) {
		if t, err := time.ParseInLocation(basketTimeLayout, v, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("must be RFC 3339 or YYYY-MM-DD HH:MM:SS")
}

func parseInt(v string, lo, hi int64) (int64, error) {
	if v == "" {
		return 0, errors.New("required")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("must be a whole number %d..%d", lo, hi)
	}
	return n, nil
}
