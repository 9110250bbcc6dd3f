// Package evalset generates a labelled, cross-channel customer data set for
// measuring identity resolution independently of the matcher: POS members, app and
// mini-program users, delivery-platform orders with masked names and phones, paper
// forms typed in at a store desk and self-service kiosks, written from a description
// of what those touchpoints send and with the traps real data sets (kiosk devices,
// spouses sharing a tablet and an address, very common names in one city,
// traditional and homophone spellings, full-width forms, formatted phones,
// upper-case e-mails). It shares no code, rule or threshold with internal/identity.
//
// [Generate] returns the touchpoints, the events and the ground truth (event → person,
// never sent to the server); [Measure] computes pairwise precision and recall of a
// clustering and [Set.Traps] how each trap held.
package evalset

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Options size and seed a set; People is a number of people (about 5.5 events each).
type Options struct {
	Seed   uint64
	People int
}

// Touchpoint is a source of events, as registered in the touchpoint registry.
type Touchpoint struct {
	Code, Name, Type, Channel string
}

// Event is one record as its touchpoint sends it to POST /api/v1/events.
type Event struct {
	Touchpoint  string
	ID          string
	Type        string
	OccurredAt  time.Time
	Identifiers map[string]string
	Properties  map[string]any
	Person      int // ground truth: never sent
}

// Trap kinds: pairs of events that belong to different people and must stay apart,
// and pairs of one person written differently that should come together.
const (
	TrapKiosk          = "kiosk"           // two people who logged in on one store kiosk (apart)
	TrapSharedDevice   = "shared_device"   // spouses on one household tablet (apart)
	TrapSharedAddress  = "shared_address"  // members of a household, same home address (apart)
	TrapCommonName     = "common_name"     // namesakes (张伟) in one city (apart)
	TrapMaskedDelivery = "masked_delivery" // a delivery order (郑**, 138****5678) and the person's member record (together)
	TrapTraditional    = "traditional"     // a form written in traditional characters (together)
	TrapHomophone      = "homophone"       // a form with a misheard character (together)
	TrapFullWidth      = "full_width"      // a form typed in full-width mode (together)
	TrapPhoneFormat    = "phone_format"    // +86, spaces, dashes (together)
	TrapEmailCase      = "email_case"      // an upper-case e-mail (together)
)

// Pair is a trap: two events and whether they belong to one person.
type Pair struct {
	Kind string
	A, B string // event ids (unique in a set)
	Same bool
}

// Set is a generated data set.
type Set struct {
	Touchpoints []Touchpoint
	Events      []Event
	Pairs       []Pair
	People      int
}

// Truth returns event id → person.
func (s *Set) Truth() map[string]int {
	m := make(map[string]int, len(s.Events))
	for _, e := range s.Events {
		m[e.ID] = e.Person
	}
	return m
}

var start = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)

// Generate returns the set of opt, deterministic for a seed. Events are in time order.
func Generate(opt Options) *Set {
	g := &generator{r: rand.New(rand.NewPCG(opt.Seed, 0x0e7a1)), phones: map[string]bool{}}
	people := g.households(max(1, opt.People*10/22))
	for len(people) > opt.People && opt.People > 0 {
		people = people[:opt.People]
	}
	b := &builder{g: g, anchor: map[int]string{}}
	for _, c := range cities {
		b.touchpoints(c.name)
	}
	for _, p := range people {
		b.person(p)
	}
	b.traps(people)
	slices.SortStableFunc(b.set.Events, func(x, y Event) int { return x.OccurredAt.Compare(y.OccurredAt) })
	b.set.People = len(people)
	return &b.set
}

// builder collects the events and remembers what the traps need.
type builder struct {
	g      *generator
	set    Set
	anchor map[int]string // person → an event carrying the person's phone or app account
	kiosk  map[string][]kioskUse
	tablet map[string][]string // tablet → event ids, one per person
	delivH map[int][]string    // household → delivery event ids
	posByP map[int]string      // person → a POS event
	// byPerson indexes the events (creation order, ids ascending) by person.
	byPerson map[int][]int
}

type kioskUse struct {
	person int
	event  string
}

func (b *builder) touchpoints(city string) {
	code := cityCode(city)
	b.set.Touchpoints = append(b.set.Touchpoints,
		Touchpoint{"pos-" + code, city + "门店收银", "offline", "pos"},
		Touchpoint{"kiosk-" + code, city + "门店自助机", "offline", "in_store_screen"},
		Touchpoint{"desk-" + code, city + "门店服务台", "offline", "other"})
	if len(b.set.Touchpoints) == 3 {
		b.set.Touchpoints = append(b.set.Touchpoints,
			Touchpoint{"app", "品牌 App", "online", "app"},
			Touchpoint{"mini", "微信小程序", "social", "wechat_mini_program"},
			Touchpoint{"meituan", "美团外卖", "commercial", "meituan"},
			Touchpoint{"eleme", "饿了么", "commercial", "eleme"})
	}
}

func cityCode(city string) string {
	return map[string]string{"上海": "sh", "杭州": "hz", "北京": "bj", "成都": "cd"}[city]
}

func (b *builder) add(p *person, tp, typ string, ids map[string]string, props map[string]any) string {
	b.g.n++
	id := fmt.Sprintf("ev-%07d", b.g.n)
	at := start.Add(time.Duration(b.g.r.IntN(365*24*60)) * time.Minute)
	if props == nil {
		props = map[string]any{}
	}
	b.set.Events = append(b.set.Events, Event{Touchpoint: tp, ID: id, Type: typ, OccurredAt: at, Identifiers: ids, Properties: props, Person: p.id})
	return id
}

// person writes the records of p on the channels p uses: most people use one or
// two, a few four or five.
func (b *builder) person(p *person) {
	g := b.g
	pos, app, mini, deliv, desk := g.pct(62), g.pct(30), g.pct(35), g.pct(35), g.pct(20)
	pos = pos || !app && !mini && !deliv && !desk
	kiosk := pos && g.pct(20)
	for _, c := range []struct {
		uses bool
		make func(*person)
	}{{pos, b.pos}, {app, b.app}, {mini, b.mini}, {desk, b.desk}, {deliv, b.delivery}, {kiosk, b.kioskSessions}} {
		if c.uses {
			c.make(p)
		}
	}
}

// pos: the member registers at the till with the phone as member number (each
// store system writes it its own way) and a profile; later purchases carry the phone
// or the member card.
func (b *builder) pos(p *person) {
	g := b.g
	tp := "pos-" + cityCode(p.city)
	style := phoneStyles[g.r.IntN(len(phoneStyles))]
	card := ""
	if g.pct(35) {
		card = fmt.Sprintf("VIP%08d", g.r.IntN(100_000_000))
	}
	ids := map[string]string{"phone": style(p.phone)}
	if card != "" {
		ids["member_card"] = card
	}
	props := map[string]any{"name": p.name(), "gender": p.gender, "city": p.city}
	if g.pct(70) {
		props["birthday"] = p.birthday.Format(time.DateOnly)
	}
	first := b.add(p, tp, "registration", ids, props)
	b.anchorOf(p, first)
	b.posOf(p, first)
	if style(p.phone) != p.phone {
		b.pair(TrapPhoneFormat, first, "", p)
	}
	for range g.r.IntN(6) {
		ids := map[string]string{"phone": style(p.phone)}
		if card != "" && g.pct(50) {
			ids = map[string]string{"member_card": strings.ToLower(card[:3]) + card[3:]}
		}
		b.add(p, tp, "order", ids, map[string]any{"amount_fen": 500 + g.r.IntN(50000)})
	}
}

// app: registration with the phone (an e-mail for some), then sessions on the
// person's own phone or on the household tablet.
func (b *builder) app(p *person) {
	g := b.g
	user := fmt.Sprintf("app-%d-%06d", p.id, g.r.IntN(1_000_000))
	own := fmt.Sprintf("dev-%x", g.r.Uint64())
	ids := map[string]string{"app_user_id": user, "device_id": own, "phone": p.phone}
	if p.email != "" {
		ids["email"] = p.email
	}
	first := b.add(p, "app", "registration", ids, map[string]any{"name": p.name(), "gender": p.gender, "city": p.city})
	b.anchorOf(p, first)
	tabletUsed := false
	for range 1 + g.r.IntN(5) {
		dev := own
		if p.tablet != "" && g.pct(50) {
			dev = p.tablet
		}
		e := b.add(p, "app", "page_view", map[string]string{"app_user_id": user, "device_id": dev}, nil)
		if dev == p.tablet && !tabletUsed {
			tabletUsed = true
			if b.tablet == nil {
				b.tablet = map[string][]string{}
			}
			b.tablet[p.tablet] = append(b.tablet[p.tablet], e)
		}
	}
}

// mini: the WeChat mini program knows the openid and unionid; most people bind
// their phone at some visit, some never do. It carries a nickname, not a name.
func (b *builder) mini(p *person) {
	g := b.g
	open, union := fmt.Sprintf("o-%x", g.r.Uint64()), fmt.Sprintf("u-%x", g.r.Uint64())
	n := 1 + g.r.IntN(5)
	bind := -1
	if g.pct(85) {
		bind = g.r.IntN(n)
	}
	for i := range n {
		ids := map[string]string{"wechat_openid": open, "wechat_unionid": union}
		if i == bind {
			ids["phone"] = p.phone
		}
		b.add(p, "mini", "page_view", ids, map[string]any{"nickname": g.pick([]string{"小太阳", "Echo", "🍀", "阿" + p.given, "momo"})})
	}
}

// desk: a paper form typed in at the store desk: a local reference number, the name
// as the clerk reads or hears it, the phone as written (or left blank), perhaps an
// e-mail in capitals, the birthday and the home address; then purchases under the
// reference.
func (b *builder) desk(p *person) {
	g := b.g
	ref := fmt.Sprintf("D%s%06d", strings.ToUpper(cityCode(p.city)), g.r.IntN(1_000_000))
	ids := map[string]string{"pos_customer_ref": ref}
	name, kind := p.name(), ""
	switch n := g.r.IntN(100); {
	case n < 14 && hasTraditional(name):
		name, kind = toTraditional(name), TrapTraditional
	case n < 26:
		if h, ok := g.misheard(p.surname, p.given); ok {
			name, kind = h, TrapHomophone
		}
	case n < 34:
		name = p.surname + g.pick([]string{" ", "　", "  "}) + p.given
	}
	full := g.pct(10)
	if full {
		kind = TrapFullWidth
		name = strings.ReplaceAll(name, " ", "　")
	}
	if g.pct(72) {
		ph := phoneStyles[g.r.IntN(len(phoneStyles))](p.phone)
		if full {
			ph = fullWidth(ph)
		}
		ids["phone"] = ph
	}
	upperMail := false
	if p.email != "" && g.pct(40) {
		ids["email"] = strings.ToUpper(p.email)
		upperMail = true
	}
	addr := g.writeAddress(p.home)
	if full {
		addr = fullWidth(addr)
	}
	props := map[string]any{"name": name, "city": p.city, "address": addr}
	if g.pct(80) {
		props["gender"] = p.gender
	}
	if g.pct(85) {
		props["birthday"] = g.writeBirthday(p.birthday)
	}
	e := b.add(p, "desk-"+cityCode(p.city), "registration", ids, props)
	if kind != "" {
		b.pair(kind, e, "", p)
	}
	if upperMail {
		b.pair(TrapEmailCase, e, "", p)
	}
	b.anchorOf(p, e)
	for range g.r.IntN(4) {
		b.add(p, "pos-"+cityCode(p.city), "order", map[string]string{"pos_customer_ref": ref}, map[string]any{"amount_fen": 500 + g.r.IntN(30000)})
	}
}

// delivery: orders on Meituan or Eleme: the platform's buyer id, the receiver's
// masked name and phone, the address (home, or the office for some orders).
func (b *builder) delivery(p *person) {
	g := b.g
	tp := g.pick([]string{"meituan", "eleme"})
	buyer := fmt.Sprintf("%s-%x", tp[:2], g.r.Uint64())
	for i := range 1 + g.r.IntN(6) {
		a := p.home
		if p.office.road != "" && g.pct(40) {
			a = p.office
		}
		e := b.add(p, tp, "order", map[string]string{"delivery_user_id": buyer, "masked_phone": maskPhone(p.phone)},
			map[string]any{"name": g.maskName(p), "address": g.writeAddress(a), "city": p.city, "amount_fen": 2000 + g.r.IntN(15000)})
		if i == 0 {
			b.pair(TrapMaskedDelivery, e, "", p)
			if b.delivH == nil {
				b.delivH = map[int][]string{}
			}
			b.delivH[p.house] = append(b.delivH[p.house], e)
		}
	}
}

// kioskSessions: the member logs in at a store's self-service kiosk with the phone;
// now and then someone browses it without logging in.
func (b *builder) kioskSessions(p *person) {
	g := b.g
	dev := fmt.Sprintf("kiosk-%s-%d", cityCode(p.city), 1+g.r.IntN(3))
	tp := "kiosk-" + cityCode(p.city)
	for range 1 + g.r.IntN(3) {
		ids := map[string]string{"device_id": dev, "phone": p.phone}
		if g.pct(8) {
			ids = map[string]string{"device_id": dev}
		}
		e := b.add(p, tp, "page_view", ids, nil)
		if b.kiosk == nil {
			b.kiosk = map[string][]kioskUse{}
		}
		b.kiosk[dev] = append(b.kiosk[dev], kioskUse{p.id, e})
	}
}

func (b *builder) anchorOf(p *person, e string) {
	if _, ok := b.anchor[p.id]; !ok {
		b.anchor[p.id] = e
	}
}

func (b *builder) posOf(p *person, e string) {
	if b.posByP == nil {
		b.posByP = map[int]string{}
	}
	b.posByP[p.id] = e
}

// pair records a together-trap between e and the person's anchor (resolved in traps,
// once every record of the person exists).
func (b *builder) pair(kind, e, other string, p *person) {
	b.set.Pairs = append(b.set.Pairs, Pair{Kind: kind, A: e, B: other, Same: true})
	if other == "" {
		b.set.Pairs[len(b.set.Pairs)-1].B = fmt.Sprintf("anchor:%d", p.id)
	}
}

// traps resolves the together-pairs' anchors and lists the apart-pairs.
func (b *builder) traps(people []*person) {
	b.byPerson = map[int][]int{}
	for i, e := range b.set.Events {
		b.byPerson[e.Person] = append(b.byPerson[e.Person], i)
	}
	kept := b.set.Pairs[:0]
	for _, pr := range b.set.Pairs {
		if id, ok := strings.CutPrefix(pr.B, "anchor:"); ok {
			var n int
			fmt.Sscan(id, &n)
			a := b.anchor[n]
			if a == "" || a == pr.A || pr.Kind == TrapPhoneFormat || pr.Kind == TrapEmailCase {
				a = b.other(n, pr.A)
			}
			if a == "" || !b.comparable(pr.Kind, a) {
				continue // nothing of the person's to compare the phone or e-mail with
			}
			pr.B = a
		}
		kept = append(kept, pr)
	}
	b.set.Pairs = kept
	apart := func(kind, x, y string) {
		if x != "" && y != "" {
			b.set.Pairs = append(b.set.Pairs, Pair{Kind: kind, A: x, B: y})
		}
	}
	for _, dev := range sortedKeys(b.kiosk) {
		uses := b.kiosk[dev]
		for i := 1; i < len(uses); i++ {
			if uses[i].person != uses[i-1].person {
				apart(TrapKiosk, uses[i-1].event, uses[i].event)
			}
		}
	}
	for _, t := range sortedKeys(b.tablet) {
		es := b.tablet[t]
		for i := 1; i < len(es); i++ {
			apart(TrapSharedDevice, es[0], es[i])
		}
	}
	byHouse := map[int][]*person{}
	for _, p := range people {
		byHouse[p.house] = append(byHouse[p.house], p)
	}
	for _, h := range sortedKeys(byHouse) {
		ms := byHouse[h]
		for i := range ms {
			for j := range ms {
				if i != j {
					for _, d := range b.delivOf(ms[i]) {
						apart(TrapSharedAddress, d, b.anchor[ms[j].id])
					}
				}
			}
		}
	}
	namesakes := map[string][]*person{}
	for _, p := range people {
		namesakes[p.city+"|"+p.name()] = append(namesakes[p.city+"|"+p.name()], p)
	}
	for _, k := range sortedKeys(namesakes) {
		ms := namesakes[k]
		for i := 1; i < len(ms); i++ {
			apart(TrapCommonName, b.posByP[ms[0].id], b.posByP[ms[i].id])
			apart(TrapCommonName, b.anchor[ms[0].id], b.anchor[ms[i].id])
		}
	}
}

// delivOf returns p's first delivery order, if any.
func (b *builder) delivOf(p *person) []string {
	var out []string
	for _, e := range b.delivH[p.house] {
		if b.personOf(e) == p.id {
			out = append(out, e)
		}
	}
	return out
}

func (b *builder) personOf(id string) int { return b.set.Events[b.index(id)].Person }

// other returns another event of person n than e, preferring one of another
// touchpoint that carries a phone.
func (b *builder) other(n int, e string) string {
	tp := b.set.Events[b.index(e)].Touchpoint
	best, rank := "", 0
	for _, i := range b.byPerson[n] {
		ev := &b.set.Events[i]
		if ev.ID == e {
			continue
		}
		r := 1
		if ev.Touchpoint != tp {
			r++
		}
		if ev.Identifiers["phone"] != "" {
			r += 2
		}
		if ev.Identifiers["email"] != "" {
			r += 4
		}
		if r > rank {
			best, rank = ev.ID, r
		}
	}
	return best
}

// comparable reports whether event a carries what a trap of kind is about.
func (b *builder) comparable(kind, a string) bool {
	ids := b.set.Events[b.index(a)].Identifiers
	switch kind {
	case TrapPhoneFormat:
		return ids["phone"] != ""
	case TrapEmailCase:
		return ids["email"] != ""
	}
	return true
}

func (b *builder) index(id string) int {
	i, _ := slices.BinarySearchFunc(b.set.Events, id, func(e Event, id string) int { return cmp.Compare(e.ID, id) })
	return i
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Batches calls send with the events as their touchpoints would post them to POST
// /api/v1/events: month by month, touchpoint by touchpoint, at most size events per
// batch, each event in the request's JSON shape. It stops at send's first error.
func (s *Set) Batches(size int, send func(touchpoint string, events []json.RawMessage) error) error {
	for start := 0; start < len(s.Events); {
		month := s.Events[start].OccurredAt.Month()
		end := start
		byTP := map[string][]json.RawMessage{}
		var order []string
		for ; end < len(s.Events) && s.Events[end].OccurredAt.Month() == month; end++ {
			e := s.Events[end]
			raw, err := json.Marshal(map[string]any{"id": e.ID, "type": e.Type, "occurred_at": e.OccurredAt.Format(time.RFC3339),
				"identifiers": e.Identifiers, "properties": e.Properties})
			if err != nil {
				return fmt.Errorf("evalset: event %s: %w", e.ID, err)
			}
			if _, ok := byTP[e.Touchpoint]; !ok {
				order = append(order, e.Touchpoint)
			}
			byTP[e.Touchpoint] = append(byTP[e.Touchpoint], raw)
		}
		for _, tp := range order {
			for batch := range slices.Chunk(byTP[tp], size) {
				if err := send(tp, batch); err != nil {
					return err
				}
			}
		}
		start = end
	}
	return nil
}
