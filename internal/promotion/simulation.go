package promotion

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/platform/money"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

// BasketSet is an imported file of historical baskets to simulate promotions on.
type BasketSet struct {
	ID           string
	TenantID     string
	Name         string
	Orders       int64
	Lines        int64
	FirstOrderAt *time.Time
	LastOrderAt  *time.Time
	CreatedAt    time.Time
}

// BasketImport is the outcome of CreateBasketSet: the set, and the rows rejected
// (their orders left out whole).
type BasketImport struct {
	Set      BasketSet
	Rejected int
	Errors   []RowError
	Match    BasketMatch
}

// TenantTimeZone returns the tenant's time zone: its pricing settings' time_zone,
// Asia/Shanghai unless set. Other domains count "today" and daily figures in it. It
// needs no principal. Errors: internal (reading the settings).
func (s *Service) TenantTimeZone(ctx context.Context, tenantID string) (*time.Location, error) {
	loc, err := s.tenantZone(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("promotion: tenant time zone: %w", err)
	}
	return loc, nil
}

// tenantZone returns the tenant's pricing time zone.
func (s *Service) tenantZone(ctx context.Context, tenantID string) (*time.Location, error) {
	st, err := readSettings(ctx, s.db.Reader(), tenantID)
	if err != nil {
		return nil, err
	}
	return s.pricingZone(ctx, tenantID, "", st)
}

// CreateBasketSet imports a basket file (see ParseBaskets) under name. Orders with a
// rejected row are left out and the rows listed. Errors: invalid (query.name; body:
// not UTF-8, header lacking a required column, no valid order), unauthorized,
// forbidden (needs promotions:write).
func (s *Service) CreateBasketSet(ctx context.Context, name string, data []byte) (BasketImport, error) {
	pr, err := writer(ctx)
	if err != nil {
		return BasketImport{}, err
	}
	if name == "" || len(name) > maxBasketSetName {
		return BasketImport{}, errs.Field("query.name", "1..%d bytes", maxBasketSetName)
	}
	loc, err := s.tenantZone(ctx, pr.TenantID)
	if err != nil {
		return BasketImport{}, err
	}
	lines, rowErrs, err := ParseBaskets(data, loc)
	if err != nil {
		return BasketImport{}, err
	}
	if len(lines) == 0 {
		msg := "the file has no valid order"
		if len(rowErrs) > 0 {
			e := rowErrs[0]
			msg = fmt.Sprintf("%s (line %d: %s: %s)", msg, e.Line, e.Field, e.Reason)
		}
		return BasketImport{}, errs.Field("body", "%s", msg)
	}
	match, err := s.matchBaskets(ctx, lines)
	if err != nil {
		return BasketImport{}, err
	}
	set := BasketSet{ID: ids.New(), TenantID: pr.TenantID, Name: name, Lines: int64(len(lines)), CreatedAt: s.now()}
	seen := map[string]bool{}
	for i := range lines {
		l := &lines[i]
		if !seen[l.OrderID] {
			seen[l.OrderID] = true
			set.Orders++
		}
		if set.FirstOrderAt == nil || l.OrderedAt.Before(*set.FirstOrderAt) {
			set.FirstOrderAt = &l.OrderedAt
		}
		if set.LastOrderAt == nil || l.OrderedAt.After(*set.LastOrderAt) {
			set.LastOrderAt = &l.OrderedAt
		}
	}
	rejected := 0
	for _, e := range rowErrs {
		if e.Line > 0 {
			rejected++
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertBasketSet(ctx, tx, set); err != nil {
			return err
		}
		return insertBasketLines(ctx, tx, set.ID, lines)
	})
	if err != nil {
		return BasketImport{}, fmt.Errorf("promotion: create basket set: %w", err)
	}
	return BasketImport{Set: set, Rejected: rejected, Errors: rowErrs, Match: match}, nil
}

// FindBasketSetByID returns a basket set. Errors: not_found, unauthorized, forbidden.
func (s *Service) FindBasketSetByID(ctx context.Context, id string) (BasketSet, error) {
	pr, err := analyst(ctx)
	if err != nil {
		return BasketSet{}, err
	}
	b, err := getBasketSet(ctx, s.db.Reader(), pr.TenantID, id)
	if err != nil {
		return BasketSet{}, fmt.Errorf("promotion: find basket set: %w", err)
	}
	return b, nil
}

// FindBasketSets returns a page of basket sets ordered by id. Errors: invalid
// (query.cursor), unauthorized, forbidden.
func (s *Service) FindBasketSets(ctx context.Context, limit int, cursor string) (httpapi.Page[BasketSet], error) {
	pr, err := analyst(ctx)
	if err != nil {
		return httpapi.Page[BasketSet]{}, err
	}
	page, err := httpapi.FindPage(cursor, limit, defaultLimit, func(after string, n int) ([]BasketSet, error) {
		return findBasketSets(ctx, s.db.Reader(), pr.TenantID, after, n)
	}, func(b BasketSet) string { return b.ID })
	if err != nil {
		return page, fmt.Errorf("promotion: find basket sets: %w", err)
	}
	return page, nil
}

// analyst returns the principal when it may read promotions (and so simulate).
func analyst(ctx context.Context) (*auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(auth.PromotionsRead) {
		return nil, errs.E(errs.Forbidden, "needs promotions:read")
	}
	return p, nil
}

// SimulationRequest asks what a promotion would have cost on a basket set: either an
// existing promotion (whatever its status) or a draft definition; From and To narrow
// the orders (zero: no bound).
type SimulationRequest struct {
	BasketSetID string
	From, To    time.Time
	PromotionID string
	Definition  *engine.Promotion
}

// SimulationReport is the incremental effect of one promotion on a basket set: every
// basket priced with the other active promotions, then with them and the promotion.
type SimulationReport struct {
	ID               string           `json:"id"`
	BasketSetID      string           `json:"basket_set_id"`
	PromotionID      string           `json:"promotion_id,omitempty"`
	Orders           int64            `json:"orders"`
	AffectedOrders   int64            `json:"affected_orders"`
	GrossFen         int64            `json:"gross_fen"`
	DiscountFen      int64            `json:"discount_fen"`
	MarginBeforeFen  int64            `json:"margin_before_fen"`
	MarginAfterFen   int64            `json:"margin_after_fen"`
	MarginImpactFen  int64            `json:"margin_impact_fen"`
	SavingsHistogram []SavingsBucket  `json:"savings_histogram" nullable:"false"`
	ByDay            []SimulationDay  `json:"by_day" nullable:"false"`
	TopSKUs          []SimulationSKU  `json:"top_skus" nullable:"false"`
	Others           []string         `json:"other_promotion_ids" nullable:"false"`
	CreatedAt        time.Time        `json:"created_at"`
	Skipped          []SimulationSkip `json:"skipped" nullable:"false"`
}

// SavingsBucket counts affected orders whose extra saving is in [MinFen, MaxFen)
// (MaxFen nil: no upper bound).
type SavingsBucket struct {
	MinFen int64  `json:"min_fen"`
	MaxFen *int64 `json:"max_fen"`
	Orders int64  `json:"orders"`
}

// SimulationDay is one calendar day (Asia/Shanghai) of a simulation.
type SimulationDay struct {
	Date           string `json:"date"`
	Orders         int64  `json:"orders"`
	AffectedOrders int64  `json:"affected_orders"`
	DiscountFen    int64  `json:"discount_fen"`
}

// SimulationSKU is a SKU's share of the extra discount.
type SimulationSKU struct {
	SKUID       string `json:"sku_id"`
	Code        string `json:"code,omitempty" doc:"The SKU's code, when the catalogue knows it."`
	Name        string `json:"name,omitempty" doc:"The SKU's name, when the catalogue knows it."`
	DiscountFen int64  `json:"discount_fen"`
	Quantity    int64  `json:"quantity"`
}

// SimulationSkip is an order the engine refused to price (kept out of the totals).
type SimulationSkip struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason"`
}

// savingsEdges are the lower bounds of the savings histogram's buckets, in fen.
var savingsEdges = []int64{math.MinInt64, 1, 500, 1000, 2000, 5000, 10000, 20000, 50000}

const (
	maxTopSKUs    = 20
	maxSkipped    = 100
	draftID       = "simulation-draft"
	simulationMax = 2_000_000 // basket lines one simulation reads
)

// Simulate prices every basket of a set (optionally between From and To) twice, with
// the tenant's other active promotions and with those plus the simulated one, and
// stores the report of the difference. Limits, flash allowances and coupons are not
// simulated: every basket is a first flash-sale purchase without coupons. Errors:
// invalid (body.basket_set_id, body.promotion_id, body.definition.<path>, body.to),
// not_found, unauthorized, forbidden.
func (s *Service) Simulate(ctx context.Context, in SimulationRequest) (SimulationReport, error) {
	pr, err := analyst(ctx)
	if err != nil {
		return SimulationReport{}, err
	}
	draft, err := s.simulated(ctx, pr.TenantID, in)
	if err != nil {
		return SimulationReport{}, err
	}
	if !in.From.IsZero() && !in.To.IsZero() && !in.From.Before(in.To) {
		return SimulationReport{}, errs.Field("body.to", "must be after from")
	}
	set, err := getBasketSet(ctx, s.db.Reader(), pr.TenantID, in.BasketSetID)
	if errs.Is(err, errs.NotFound) {
		return SimulationReport{}, errs.Field("body.basket_set_id", "unknown basket set %s", in.BasketSetID)
	}
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	if set.Lines > simulationMax {
		return SimulationReport{}, errs.Field("body.basket_set_id", "at most %d basket lines per simulation", simulationMax)
	}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !in.From.IsZero() {
		from = in.From.UnixMilli()
	}
	if !in.To.IsZero() {
		to = in.To.UnixMilli()
	}
	lines, err := basketLines(ctx, s.db.Reader(), set.ID, from, to)
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	active, err := activePromotions(ctx, s.db.Reader(), pr.TenantID)
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	var others []engine.Promotion
	rep := SimulationReport{ID: ids.New(), BasketSetID: set.ID, PromotionID: in.PromotionID, CreatedAt: s.now(), Others: []string{}}
	for _, p := range active {
		if p.ID != draft.ID {
			others = append(others, p.Definition)
			rep.Others = append(rep.Others, p.ID)
		}
	}
	st, err := readSettings(ctx, s.db.Reader(), pr.TenantID)
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	loc, err := s.pricingZone(ctx, pr.TenantID, "", st)
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	sim := simulator{base: engine.NewIndex(others), with: engine.NewIndex(append(slices.Clip(others), draft)), draftID: draft.ID, loc: loc,
		stacking: st.ItemStacking, zoneOf: func(storeID string) (*time.Location, error) { return s.pricingZone(ctx, pr.TenantID, storeID, st) }}
	sim.run(lines, &rep)
	top := make([]string, len(rep.TopSKUs))
	for i, k := range rep.TopSKUs {
		top[i] = k.SKUID
	}
	names := s.skuNames(ctx, top)
	for i := range rep.TopSKUs {
		if it, ok := names[rep.TopSKUs[i].SKUID]; ok {
			rep.TopSKUs[i].Code, rep.TopSKUs[i].Name = it.Code, it.Name
		}
	}
	if err := sim.sum.Err(); err != nil {
		return SimulationReport{}, errs.Field("body.basket_set_id",
			"the totals of this basket set exceed %d fen and cannot be reported; simulate a shorter range (from, to)", int64(money.MaxTotal))
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return insertSimulation(ctx, tx, pr.TenantID, rep, b) }); err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: simulate: %w", err)
	}
	return rep, nil
}

// simulated returns the promotion to simulate: a stored one or a validated draft.
func (s *Service) simulated(ctx context.Context, tenantID string, in SimulationRequest) (engine.Promotion, error) {
	switch {
	case in.PromotionID != "" && in.Definition != nil:
		return engine.Promotion{}, errs.Field("body.definition", "give promotion_id or definition, not both")
	case in.PromotionID != "":
		p, err := getPromotion(ctx, s.db.Reader(), tenantID, in.PromotionID, "")
		if errs.Is(err, errs.NotFound) {
			return engine.Promotion{}, errs.Field("body.promotion_id", "unknown promotion %s", in.PromotionID)
		}
		return p.Definition, err
	case in.Definition != nil:
		d := *in.Definition
		d.ID = draftID
		if d.Name == "" {
			d.Name = "draft"
		}
		if err := validateDefinition("body.definition", &d); err != nil {
			return d, err
		}
		return d, nil
	}
	return engine.Promotion{}, errs.Field("body.promotion_id", "give promotion_id or definition")
}

// simulator prices baskets with and without the simulated promotion. Every total is
// summed with checked arithmetic: sum records the first overflow (a basket set of
// orders near the engine's bounds), which Simulate turns into a refusal rather than
// a report with wrapped, negative totals.
type simulator struct {
	base, with *engine.Index
	draftID    string
	loc        *time.Location // the tenant's zone: days are counted in it
	stacking   engine.ItemStacking
	zoneOf     func(storeID string) (*time.Location, error) // an order's store's zone, else the tenant's
	sum        money.Checked
}

type skuTotal struct{ discount, qty int64 }

func (sim *simulator) run(lines []BasketLine, rep *SimulationReport) {
	rep.SavingsHistogram = make([]SavingsBucket, len(savingsEdges))
	for i, lo := range savingsEdges {
		rep.SavingsHistogram[i].MinFen = max(lo, 0)
		if i+1 < len(savingsEdges) {
			hi := savingsEdges[i+1]
			rep.SavingsHistogram[i].MaxFen = &hi
		}
	}
	rep.ByDay, rep.TopSKUs, rep.Skipped = []SimulationDay{}, []SimulationSKU{}, []SimulationSkip{}
	days := map[string]*SimulationDay{}
	skus := map[string]*skuTotal{}
	for _, order := range groupOrders(lines) {
		sim.order(order, rep, days, skus)
	}
	rep.MarginImpactFen = sim.sum.Sub(rep.MarginAfterFen, rep.MarginBeforeFen)
	for _, d := range days {
		rep.ByDay = append(rep.ByDay, *d)
	}
	slices.SortFunc(rep.ByDay, func(a, b SimulationDay) int { return strings.Compare(a.Date, b.Date) })
	for id, t := range skus {
		rep.TopSKUs = append(rep.TopSKUs, SimulationSKU{SKUID: id, DiscountFen: t.discount, Quantity: t.qty})
	}
	slices.SortFunc(rep.TopSKUs, func(a, b SimulationSKU) int {
		if c := cmp.Compare(b.DiscountFen, a.DiscountFen); c != 0 {
			return c
		}
		return strings.Compare(a.SKUID, b.SKUID)
	})
	rep.TopSKUs = rep.TopSKUs[:min(len(rep.TopSKUs), maxTopSKUs)]
}

// groupOrders splits lines (in file order) into orders, in order of first appearance.
func groupOrders(lines []BasketLine) [][]BasketLine {
	at := map[string]int{}
	var out [][]BasketLine
	for _, l := range lines {
		i, ok := at[l.OrderID]
		if !ok {
			i = len(out)
			at[l.OrderID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], l)
	}
	return out
}

func (sim *simulator) order(order []BasketLine, rep *SimulationReport, days map[string]*SimulationDay, skus map[string]*skuTotal) {
	first := order[0]
	cart := engine.Cart{Lines: make([]engine.Line, len(order))}
	var cost int64
	for i, l := range order {
		cart.Lines[i] = engine.Line{ID: strconv.Itoa(i), SKU: l.SKUID, Category: l.CategoryID, Brand: l.BrandID,
			Unit: engine.UnitEach, Qty: l.Quantity, UnitPrice: l.UnitPriceFen}
		if l.UnitCostFen != nil {
			cost = sim.sum.Add(cost, sim.sum.Mul(*l.UnitCostFen, l.Quantity))
		}
	}
	pc := engine.Context{Time: first.OrderedAt, Location: sim.loc, Channel: first.Channel, StoreID: first.StoreID, Tier: first.CustomerTier,
		ItemStacking: sim.stacking}
	loc, err := sim.zoneOf(first.StoreID)
	if err == nil {
		pc.Location = loc
	}
	base, err := sim.base.Price(cart, pc)
	if err == nil {
		var with engine.Result
		if with, err = sim.with.Price(cart, pc); err == nil {
			sim.record(order, base, with, cost, rep, days, skus)
			return
		}
	}
	if len(rep.Skipped) < maxSkipped {
		rep.Skipped = append(rep.Skipped, SimulationSkip{OrderID: first.OrderID, Reason: err.Error()})
	}
}

func (sim *simulator) record(order []BasketLine, base, with engine.Result, cost int64, rep *SimulationReport,
	days map[string]*SimulationDay, skus map[string]*skuTotal) {
	c := &sim.sum
	extra := with.Discount - base.Discount
	affected := extra != 0 || slices.ContainsFunc(with.Applied, func(a engine.Applied) bool { return a.PromotionID == sim.draftID })
	rep.Orders++
	rep.GrossFen = c.Within(c.Add(rep.GrossFen, base.Subtotal), money.MaxTotal)
	rep.DiscountFen = c.Within(c.Add(rep.DiscountFen, extra), money.MaxTotal)
	rep.MarginBeforeFen = c.Within(c.Add(rep.MarginBeforeFen, c.Sub(base.Total, cost)), money.MaxTotal)
	rep.MarginAfterFen = c.Within(c.Add(rep.MarginAfterFen, c.Sub(with.Total, cost)), money.MaxTotal)
	date := order[0].OrderedAt.In(sim.loc).Format(time.DateOnly)
	d := days[date]
	if d == nil {
		d = &SimulationDay{Date: date}
		days[date] = d
	}
	d.Orders++
	if !affected {
		return
	}
	rep.AffectedOrders++
	d.AffectedOrders++
	d.DiscountFen = c.Add(d.DiscountFen, extra)
	bucket := 0
	for i, lo := range savingsEdges {
		if extra >= lo {
			bucket = i
		}
	}
	rep.SavingsHistogram[bucket].Orders++
	// Lines come back sorted by id, the same in both results; gifts follow.
	for i := range base.Lines {
		if base.Lines[i].Gift {
			continue
		}
		delta := base.Lines[i].Net - with.Lines[i].Net
		if delta == 0 {
			continue
		}
		t := skus[base.Lines[i].SKU]
		if t == nil {
			t = &skuTotal{}
			skus[base.Lines[i].SKU] = t
		}
		t.discount = c.Add(t.discount, delta)
		t.qty = c.Add(t.qty, base.Lines[i].Qty)
	}
}

// FindSimulationByID returns a stored simulation report. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) FindSimulationByID(ctx context.Context, id string) (SimulationReport, error) {
	pr, err := analyst(ctx)
	if err != nil {
		return SimulationReport{}, err
	}
	b, err := getSimulation(ctx, s.db.Reader(), pr.TenantID, id)
	if err != nil {
		return SimulationReport{}, fmt.Errorf("promotion: find simulation: %w", err)
	}
	var rep SimulationReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("promotion: decode simulation %s: %w", id, err)
	}
	return rep, nil
}
