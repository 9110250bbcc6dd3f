package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// The random streams. Each part of the chain draws from its own stream of the seed, so
// adding a part (customers, orders, …) or changing one leaves the others identical.
const (
	streamOrg     uint64 = 0x6f7267 // "org"
	streamCatalog uint64 = 0x636174 // "cat"
	streamPrices  uint64 = 0x707269 // "pri"
)

// params are the sizes of one scale.
type params struct {
	cities      int // how many of cityDefs, from the top
	stores      int
	skus        int
	zonePrices  int
	storePrices int
}

func paramsFor(s Scale) (params, bool) {
	switch s {
	case ScaleSmall:
		return params{cities: 10, stores: 48, skus: 2400, zonePrices: 300, storePrices: 60}, true
	case ScaleMedium:
		return params{cities: 20, stores: 200, skus: 10000, zonePrices: 500, storePrices: 300}, true
	case ScaleLarge:
		return params{cities: len(cityDefs), stores: 1200, skus: 52000, zonePrices: 800, storePrices: 1500}, true
	}
	return params{}, false
}

// Generate builds the demo chain of the given scale. The same scale and seed give an
// identical Chain (and byte-identical CSV) on the same Go version and architecture. An
// unknown scale is an errs.Invalid error; any other error means the reference tables
// are inconsistent (a bug).
func Generate(scale Scale, seed uint64) (*Chain, error) {
	p, ok := paramsFor(scale)
	if !ok {
		return nil, errs.E(errs.Invalid, "unknown demo scale %q: use small, medium or large", scale)
	}
	c := &Chain{
		Scale:  scale,
		Seed:   seed,
		Tenant: Tenant{Code: "demo", Name: "华联优选零售集团", Currency: "CNY"},
	}
	if err := genOrg(c, p, newRand(seed, streamOrg)); err != nil {
		return nil, fmt.Errorf("demo: generate stores: %w", err)
	}
	if err := genCatalog(c, p, newRand(seed, streamCatalog)); err != nil {
		return nil, fmt.Errorf("demo: generate catalogue: %w", err)
	}
	genPrices(c, p, newRand(seed, streamPrices))
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("demo: generate: %w", err)
	}
	return c, nil
}

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

// ---- organisation ----

func genOrg(c *Chain, p params, r *rand.Rand) error {
	brandFor := map[StoreFormat]string{}
	for _, b := range brandDefs {
		if b.MinScale.rank() > c.Scale.rank() {
			continue
		}
		c.Brands = append(c.Brands, Brand{Code: b.Code, Name: b.Name, Formats: slices.Clone(b.Formats)})
		for _, f := range b.Formats {
			brandFor[f] = b.Code
		}
	}
	brandName := map[string]string{}
	for _, b := range c.Brands {
		brandName[b.Code] = b.Name
	}
	c.PriceZones = []PriceZone{{Code: ZoneTier1, Name: "一线城市"}, {Code: ZoneStandard, Name: "标准"}}

	defs := cityDefs[:p.cities]
	weights := make([]int, len(defs))
	usedRegion := map[string]bool{}
	for i, d := range defs {
		weights[i] = []int{0, 40, 20, 10}[d.Tier]
		if d.Code == "SH" { // head office city
			weights[i] = 56
		}
		usedRegion[d.Region] = true
		c.Cities = append(c.Cities, City{Code: d.Code, Name: d.Name, Province: d.Province,
			RegionCode: d.Region, Tier: d.Tier, Latitude: d.Lat, Longitude: d.Lon})
	}
	for _, rg := range regionDefs {
		if usedRegion[rg.Code] {
			c.Regions = append(c.Regions, rg)
		}
	}
	perCity, err := apportion(p.stores, weights, nil, 2)
	if err != nil {
		return err
	}

	stems, dirs, kinds := strings.Split(roadStems, "|"), strings.Split(roadDirections, "|"), strings.Split(roadKinds, "|")
	addresses := map[string]bool{}
	names := map[string]bool{}
	epoch := time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)
	openDays := int(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC).Sub(epoch).Hours() / 24)

	for ci, d := range defs {
		// The formats of this city's stores: shares of the formats its brands run.
		fw := make([]int, len(formatDefs))
		for i, f := range formatDefs {
			if _, ok := brandFor[f.Format]; ok && (f.MinTier == 0 || d.Tier <= f.MinTier) {
				fw[i] = f.Share
			}
		}
		counts, err := apportion(perCity[ci], fw, nil, 0)
		if err != nil {
			return err
		}
		var formats []int
		for i, n := range counts {
			for range n {
				formats = append(formats, i)
			}
		}
		r.Shuffle(len(formats), func(i, j int) { formats[i], formats[j] = formats[j], formats[i] })

		if len(formats) > 999 {
			return fmt.Errorf("city %s has %d stores; store codes hold 999", d.Code, len(formats))
		}
		districts := strings.Split(d.Districts, "|")
		for seq, fi := range formats {
			f := formatDefs[fi]
			bc := brandFor[f.Format]
			district, short, _ := strings.Cut(districts[r.IntN(len(districts))], ":")
			if short == "" {
				short = shortDistrict(district)
			}
			var road, addr string
			var no int
			for {
				road = stems[r.IntN(len(stems))]
				kind := kinds[r.IntN(len(kinds))]
				if kind == "路" {
					road += dirs[r.IntN(len(dirs))]
				}
				road += kind
				no = 1 + r.IntN(999)
				addr = fmt.Sprintf("%s%s市%s%s%d号", d.Province, d.Name, district, road, no)
				if !addresses[addr] {
					addresses[addr] = true
					break
				}
			}
			// The first store of a brand in a district is named after the district, the
			// others after their road, and after the street number if that is taken too.
			name := fmt.Sprintf("%s·%s%s店", brandName[bc], d.Name, short)
			if names[name] {
				name = fmt.Sprintf("%s·%s%s%s店", brandName[bc], d.Name, short, road)
			}
			if names[name] {
				name = fmt.Sprintf("%s·%s%s%s%d号店", brandName[bc], d.Name, short, road, no)
			}
			names[name] = true

			lat, lon := jitter(r, d.Lat, d.Lon, d.RadiusKm)
			zone := ZoneStandard
			if d.Tier == 1 {
				zone = ZoneTier1
			}
			c.Stores = append(c.Stores, Store{
				Code:          fmt.Sprintf("%s%03d", d.Code, seq+1),
				Name:          name,
				BrandCode:     bc,
				RegionCode:    d.Region,
				City:          d.Name,
				District:      district,
				Address:       addr,
				Latitude:      lat,
				Longitude:     lon,
				Format:        f.Format,
				FloorAreaM2:   floorArea(r, f),
				OpeningHours:  f.Hours[pickWeighted(r, f.HoursWeights)],
				TimeZone:      TimeZone,
				Status:        StoreOpen,
				OpenedOn:      epoch.AddDate(0, 0, r.IntN(openDays+1)).Format(time.DateOnly),
				PriceZoneCode: zone,
			})
		}
	}

	// A few stores are still being fitted out and a few have closed.
	n := len(c.Stores)
	order := r.Perm(n)
	planned, closed := max(1, n/50), max(1, n/40)
	for i, idx := range order[:planned+closed] {
		if i < planned {
			c.Stores[idx].Status = StorePlanned
			c.Stores[idx].OpenedOn = ""
		} else {
			c.Stores[idx].Status = StoreClosed
		}
	}
	return nil
}

// shortDistrict drops the administrative suffix: 徐汇区 → 徐汇, 南城街道 → 南城.
func shortDistrict(d string) string {
	for _, suf := range []string{"新区", "街道", "区", "镇", "县"} {
		if s, ok := strings.CutSuffix(d, suf); ok && s != "" {
			return s
		}
	}
	return d
}

// jitter places a point within radiusKm of a centre, denser towards the centre, rounded
// to 6 decimals (about 0.1 m).
func jitter(r *rand.Rand, lat, lon, radiusKm float64) (float64, float64) {
	dist := radiusKm * r.Float64()
	theta := 2 * math.Pi * r.Float64()
	const kmPerDegree = 111.32
	dlat := dist * math.Cos(theta) / kmPerDegree
	dlon := dist * math.Sin(theta) / (kmPerDegree * math.Cos(lat*math.Pi/180))
	round6 := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	return round6(lat + dlat), round6(lon + dlon)
}

// floorArea draws a floor area in m² within the format's range, in round steps.
func floorArea(r *rand.Rand, f formatDef) int {
	step := 1
	switch {
	case f.AreaLo >= 8000:
		step = 100
	case f.AreaLo >= 1000:
		step = 50
	case f.AreaLo >= 100:
		step = 10
	}
	return f.AreaLo + step*r.IntN((f.AreaHi-f.AreaLo)/step+1)
}

func pickWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// apportion splits total over weights by the largest remainder method, giving each
// entry with a positive weight at least minEach and at most caps[i] (when caps is not
// nil). It fails when the caps cannot hold the total or the minimums exceed it.
func apportion(total int, weights, caps []int, minEach int) ([]int, error) {
	out := make([]int, len(weights))
	capOf := func(i int) int {
		if caps == nil {
			return math.MaxInt
		}
		return caps[i]
	}
	active := make([]bool, len(weights))
	rest := total
	for i, w := range weights {
		if w > 0 && capOf(i) > 0 {
			active[i] = true
			out[i] = min(minEach, capOf(i))
			rest -= out[i]
		}
	}
	if rest < 0 {
		return nil, fmt.Errorf("cannot give %d entries at least %d of %d", len(weights), minEach, total)
	}
	for rest > 0 {
		sumW := 0
		for i, w := range weights {
			if active[i] {
				sumW += w
			}
		}
		if sumW == 0 {
			return nil, fmt.Errorf("cannot place %d more: every entry is full", rest)
		}
		// Entries whose share would overflow their cap are filled and leave the pool.
		filled := false
		for i, w := range weights {
			if active[i] && out[i]+rest*w/sumW >= capOf(i) {
				rest -= capOf(i) - out[i]
				out[i] = capOf(i)
				active[i] = false
				filled = true
			}
		}
		if filled {
			continue
		}
		type rem struct{ i, r int }
		var rems []rem
		given := 0
		for i, w := range weights {
			if active[i] {
				share := rest * w / sumW
				out[i] += share
				given += share
				rems = append(rems, rem{i, rest * w % sumW})
			}
		}
		rest -= given
		slices.SortStableFunc(rems, func(a, b rem) int { return b.r - a.r })
		for _, x := range rems {
			if rest == 0 {
				break
			}
			if out[x.i] < capOf(x.i) {
				out[x.i]++
				rest--
			}
		}
	}
	return out, nil
}

// ---- catalogue ----

type term struct {
	text   string
	factor int64 // per mille
}

type spec struct {
	text    string
	lo, hi  int64 // fen
	weighed bool
}

type line struct {
	brands, prefixes, items, suffixes []term
	each                              []spec
	weighed                           *spec
	bulk                              string
}

// combos is how many distinct names the line can build.
func (l *line) combos() int {
	return len(l.brands) * len(l.prefixes) * len(l.items) * len(l.suffixes)
}

// variants is 2 when a name can be both a packed and a weighed product.
func (l *line) variants() int {
	n := 0
	if len(l.each) > 0 {
		n++
	}
	if l.weighed != nil {
		n++
	}
	return n
}

type leaf struct {
	code   string
	weight int
	lines  []line
}

func (lf *leaf) space() int {
	n := 0
	for i := range lf.lines {
		n += lf.lines[i].combos() * lf.lines[i].variants()
	}
	return n
}

// capacity is the most SKUs the leaf can hold.
func (lf *leaf) capacity() int {
	n := 0
	for i := range lf.lines {
		l := &lf.lines[i]
		k := len(l.each)
		if l.weighed != nil {
			k++
		}
		n += l.combos() * k
	}
	return n
}

// planned is a product chosen for a leaf and how many SKUs it gets.
type planned struct {
	line    *line
	brand   term
	factor  int64 // per mille, of brand × prefix × item × suffix
	name    string
	weighed bool
	skus    int
}

func (p *planned) room() int {
	if p.weighed {
		return 0
	}
	return len(p.line.each) - p.skus
}

func parseTerms(s string) ([]term, error) {
	var out []term
	for _, part := range strings.Split(s, "|") {
		t := term{text: part, factor: 1000}
		if text, f, ok := strings.Cut(part, ":"); ok {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("bad factor in %q", part)
			}
			t = term{text: text, factor: int64(math.Round(v * 1000))}
		}
		out = append(out, t)
	}
	return out, nil
}

func parseYuan(s string) (int64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad price %q", s)
	}
	return int64(math.Round(v * 100)), nil
}

func parseLine(d lineDef) (line, error) {
	var l line
	var err error
	for _, f := range []struct {
		dst *[]term
		src string
	}{{&l.brands, d.Brands}, {&l.prefixes, d.Prefixes}, {&l.items, d.Items}, {&l.suffixes, d.Suffixes}} {
		if *f.dst, err = parseTerms(f.src); err != nil {
			return line{}, err
		}
	}
	for _, part := range strings.Split(d.Specs, "|") {
		text, rng, ok := strings.Cut(part, "=")
		if !ok || text == "" {
			return line{}, fmt.Errorf("bad spec %q", part)
		}
		rng, weighed := strings.CutSuffix(rng, "/kg")
		los, his, ok := strings.Cut(rng, "-")
		if !ok {
			return line{}, fmt.Errorf("bad spec %q", part)
		}
		lo, err := parseYuan(los)
		if err != nil {
			return line{}, err
		}
		hi, err := parseYuan(his)
		if err != nil || hi < lo {
			return line{}, fmt.Errorf("bad price range in spec %q", part)
		}
		sp := spec{text: text, lo: lo, hi: hi, weighed: weighed}
		if weighed {
			if l.weighed != nil {
				return line{}, fmt.Errorf("more than one weighed spec in %q", d.Specs)
			}
			l.weighed = &sp
		} else {
			l.each = append(l.each, sp)
		}
	}
	l.bulk = d.Bulk
	if l.bulk == "" {
		l.bulk = "散装%s"
	}
	return l, nil
}

func genCatalog(c *Chain, p params, r *rand.Rand) error {
	// The tree.
	var leaves []*leaf
	siblings := map[string]int{}
	hasChild := map[string]bool{}
	for _, d := range categoryDefs {
		if len(d.Code) > 2 {
			hasChild[d.Code[:len(d.Code)-2]] = true
		}
	}
	for _, d := range categoryDefs {
		parent := ""
		if len(d.Code) > 2 {
			parent = d.Code[:len(d.Code)-2]
		}
		siblings[parent]++
		c.Categories = append(c.Categories, Category{Code: d.Code, Name: d.Name, ParentCode: parent,
			Level: len(d.Code) / 2, Sort: siblings[parent]})
		if hasChild[d.Code] != (len(d.Lines) == 0) {
			return fmt.Errorf("category %s: a leaf needs product lines and a parent none", d.Code)
		}
		if len(d.Lines) == 0 {
			continue
		}
		lf := &leaf{code: d.Code, weight: d.Weight}
		for _, ld := range d.Lines {
			l, err := parseLine(ld)
			if err != nil {
				return fmt.Errorf("category %s: %w", d.Code, err)
			}
			lf.lines = append(lf.lines, l)
		}
		leaves = append(leaves, lf)
	}

	// How many SKUs each leaf gets.
	weights, caps := make([]int, len(leaves)), make([]int, len(leaves))
	for i, lf := range leaves {
		weights[i], caps[i] = lf.weight, lf.capacity()
	}
	quota, err := apportion(p.skus, weights, caps, 0)
	if err != nil {
		return err
	}

	// Which products each leaf gets. Names are unique across the catalogue; what a
	// leaf cannot place because of that is spread over the others at the end.
	seen := map[string]bool{}
	plans := make([][]planned, len(leaves))
	short := 0
	for i, lf := range leaves {
		plans[i] = planLeaf(r, lf, quota[i], seen)
		short += quota[i] - countSKUs(plans[i])
	}
	for i := 0; short > 0 && i < len(plans); i++ {
		for j := range plans[i] {
			for short > 0 && plans[i][j].room() > 0 {
				plans[i][j].skus++
				short--
			}
		}
	}
	if short > 0 {
		return fmt.Errorf("the vocabulary holds %d SKUs too few for %d", short, p.skus)
	}

	// The products and SKUs.
	nProducts := 0
	for _, ps := range plans {
		nProducts += len(ps)
	}
	c.Products = make([]Product, 0, nProducts)
	c.SKUs = make([]SKU, 0, p.skus)
	bc := &barcoder{r: r, companies: map[string]*company{}, used: map[string]bool{}, plu: 10000}
	for i, lf := range leaves {
		for j := range plans[i] {
			if err := addProduct(c, r, bc, lf.code, &plans[i][j]); err != nil {
				return err
			}
		}
	}
	return nil
}

func countSKUs(ps []planned) int {
	n := 0
	for _, p := range ps {
		n += p.skus
	}
	return n
}

// planLeaf picks products for a leaf in random order until they hold quota SKUs. While
// products are plentiful each gets one to three specs; when the quota nears the leaf's
// capacity, products get more specs.
func planLeaf(r *rand.Rand, lf *leaf, quota int, seen map[string]bool) []planned {
	if quota == 0 {
		return nil
	}
	space := lf.space()
	avg := max(int64(quota)*1000/int64(space), 1600) // SKUs per product, per mille
	var out []planned
	rest := quota
	for _, idx := range r.Perm(space) {
		if rest == 0 {
			break
		}
		// Decode idx into a line, a name and a variant (packed or weighed).
		var l *line
		for k := range lf.lines {
			n := lf.lines[k].combos() * lf.lines[k].variants()
			if idx < n {
				l = &lf.lines[k]
				break
			}
			idx -= n
		}
		weighed := l.weighed != nil && (len(l.each) == 0 || idx%2 == 1)
		if l.variants() == 2 {
			idx /= 2
		}
		b := l.brands[idx%len(l.brands)]
		idx /= len(l.brands)
		pre := l.prefixes[idx%len(l.prefixes)]
		idx /= len(l.prefixes)
		it := l.items[idx%len(l.items)]
		idx /= len(l.items)
		suf := l.suffixes[idx%len(l.suffixes)]
		name := b.text + pre.text + it.text + suf.text
		if name == "" {
			continue
		}
		if weighed {
			name = fmt.Sprintf(l.bulk, name)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		factor := b.factor * pre.factor / 1000 * it.factor / 1000 * suf.factor / 1000
		pp := planned{line: l, brand: b, factor: factor, name: name, weighed: weighed, skus: 1}
		if !weighed {
			k := int((avg - 500 + r.Int64N(2000)) / 1000)
			pp.skus = max(1, min(k, len(l.each), rest))
		}
		rest -= pp.skus
		out = append(out, pp)
	}
	for j := 0; rest > 0 && j < len(out); j++ {
		for rest > 0 && out[j].room() > 0 {
			out[j].skus++
			rest--
		}
	}
	return out
}

func addProduct(c *Chain, r *rand.Rand, bc *barcoder, leafCode string, pp *planned) error {
	prod := Product{
		Code:         fmt.Sprintf("P%06d", len(c.Products)+1),
		Name:         pp.name,
		BrandName:    pp.brand.text,
		CategoryCode: leafCode,
		Unit:         UnitEach,
		Status:       StatusActive,
	}
	specs := []spec{}
	if pp.weighed {
		prod.Unit = UnitWeight
		specs = append(specs, *pp.line.weighed)
	} else {
		idx := r.Perm(len(pp.line.each))[:pp.skus]
		slices.Sort(idx)
		for _, i := range idx {
			specs = append(specs, pp.line.each[i])
		}
	}
	// One position within the spec ranges for the whole product keeps its pack sizes
	// in proportion; the factor carries brand premiums and a little noise.
	pos := r.Int64N(1001)
	factor := pp.factor * (900 + r.Int64N(201)) / 1000
	key := pp.brand.text
	if key == "" {
		key = "#" + leafCode // unbranded goods: one supplier per category
	}
	anyActive := false
	first := len(c.SKUs)
	for _, sp := range specs {
		base := sp.lo + (sp.hi-sp.lo)*pos/1000
		price := retailPrice(base * factor / 1000)
		cost := price * (600 + r.Int64N(251)) / 1000
		cost = max(1, min(cost, price-1))
		k := SKU{
			Code:        fmt.Sprintf("S%07d", len(c.SKUs)+1),
			ProductCode: prod.Code,
			Name:        prod.Name + " " + sp.text,
			Spec:        sp.text,
			Unit:        prod.Unit,
			ListPrice:   price,
			Cost:        cost,
			Status:      StatusActive,
		}
		switch n := r.IntN(1000); {
		case n < 10:
			k.Status = StatusInactive
		case n < 20:
			k.Status = StatusDiscontinued
		}
		anyActive = anyActive || k.Status == StatusActive
		var code string
		var err error
		if sp.weighed {
			k.Name = prod.Name
			code, err = bc.inStore()
		} else {
			code, err = bc.ean(key)
		}
		if err != nil {
			return err
		}
		k.Barcodes = []string{code}
		c.SKUs = append(c.SKUs, k)
	}
	if !anyActive {
		prod.Status = c.SKUs[first].Status
	}
	c.Products = append(c.Products, prod)
	return nil
}

// retailPrice rounds a price in fen to how Chinese supermarkets price: to the 10 fen
// below ¥10, to .00/.50/.80/.90 below ¥100, and to whole yuan ending 0, 5, 8 or 9 above.
func retailPrice(p int64) int64 {
	switch {
	case p < 1000:
		return max(10, (p+5)/10*10)
	case p < 10000:
		y := p / 100 * 100
		best := y
		for _, cand := range []int64{y, y + 50, y + 80, y + 90, y + 100} {
			if abs(cand-p) < abs(best-p) {
				best = cand
			}
		}
		return best
	default:
		y := (p + 50) / 100
		last := y % 10
		ends := [10]int64{0, 0, 0, 5, 5, 5, 5, 8, 8, 9}
		return (y - last + ends[last]) * 100
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// barcoder hands out unique barcodes: EAN-13s under a 7-digit GS1 China company
// prefix per brand (69x + 4 digits) and scale in-store codes "2" + 5-digit PLU.
type barcoder struct {
	r         *rand.Rand
	companies map[string]*company
	used      map[string]bool // company prefixes
	plu       int
}

type company struct {
	prefix string
	next   int // item reference, 5 digits
}

func (b *barcoder) ean(key string) (string, error) {
	co := b.companies[key]
	if co == nil || co.next > 99999 {
		for tries := 0; ; tries++ {
			if tries > 1000 {
				return "", fmt.Errorf("no free GS1 company prefix")
			}
			p := fmt.Sprintf("69%d%04d", b.r.IntN(10), b.r.IntN(10000))
			if !b.used[p] {
				b.used[p] = true
				co = &company{prefix: p, next: 1 + b.r.IntN(500)}
				b.companies[key] = co
				break
			}
		}
	}
	code := fmt.Sprintf("%s%05d", co.prefix, co.next)
	co.next += 1 + b.r.IntN(3) // item references have gaps, like a real numbering
	return code + string(ean13CheckDigit(code)), nil
}

func (b *barcoder) inStore() (string, error) {
	b.plu++
	if b.plu > 99999 {
		return "", fmt.Errorf("more weighed SKUs than 5-digit PLUs")
	}
	return fmt.Sprintf("2%05d", b.plu), nil
}

// ---- prices ----

func genPrices(c *Chain, p params, r *rand.Rand) {
	// First-tier cities: a few hundred SKUs 3–8% above list.
	var cands []int
	for i, k := range c.SKUs {
		if k.Status == StatusActive && k.ListPrice >= 500 {
			cands = append(cands, i)
		}
	}
	n := min(p.zonePrices, len(cands))
	picked := r.Perm(len(cands))[:n]
	slices.Sort(picked)
	zonePrice := make(map[string]int64, n)
	for _, pi := range picked {
		k := c.SKUs[cands[pi]]
		lo, hi := (k.ListPrice*103+99)/100, k.ListPrice*108/100
		price := min(max(k.ListPrice*(1030+r.Int64N(50))/1000, lo), hi)
		if nice := (price + 5) / 10 * 10; nice >= lo && nice <= hi {
			price = nice
		}
		zonePrice[k.Code] = price
		c.ZonePrices = append(c.ZonePrices, ZonePrice{ZoneCode: ZoneTier1, SKUCode: k.Code, Price: price})
	}

	// Store prices: local competition and clearance, 3–15% below the store's price.
	var open []int
	for i, st := range c.Stores {
		if st.Status == StoreOpen {
			open = append(open, i)
		}
	}
	var active []int
	for i, k := range c.SKUs {
		if k.Status == StatusActive && k.ListPrice >= 100 {
			active = append(active, i)
		}
	}
	if len(open) == 0 || len(active) == 0 {
		return
	}
	type pair struct{ s, k int }
	done := map[pair]bool{}
	for tries := 0; len(c.StorePrices) < p.storePrices && tries < 20*p.storePrices; tries++ {
		pr := pair{open[r.IntN(len(open))], active[r.IntN(len(active))]}
		if done[pr] {
			continue
		}
		done[pr] = true
		st, k := c.Stores[pr.s], c.SKUs[pr.k]
		base := k.ListPrice
		if zp, ok := zonePrice[k.Code]; ok && st.PriceZoneCode == ZoneTier1 {
			base = zp
		}
		price := base * (850 + r.Int64N(121)) / 1000
		if nice := price / 10 * 10; nice > 0 {
			price = nice
		}
		if price <= 0 || price >= base {
			continue
		}
		c.StorePrices = append(c.StorePrices, StorePrice{StoreCode: st.Code, SKUCode: k.Code, Price: price})
	}
	slices.SortFunc(c.StorePrices, func(a, b StorePrice) int {
		if d := strings.Compare(a.StoreCode, b.StoreCode); d != 0 {
			return d
		}
		return strings.Compare(a.SKUCode, b.SKUCode)
	})
}
