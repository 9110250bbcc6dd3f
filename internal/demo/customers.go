package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// streamCustomers is the random stream of the customer base.
const streamCustomers uint64 = 0x637573 // "cus"

// Customers is the synthetic customer base of a chain: people in households, the
// touchpoints they meet the brand at, and the events those touchpoints send. Truth
// says who is who (event id → index into Persons); it is the ground truth the
// identity-resolution quality test measures against and is never sent to the server.
//
// What is in it (see GenerateCustomers for the rates):
//   - households of one to four people sharing a city and a home address; children
//     carry a parent's surname; some households share a tablet in the brand app;
//   - names drawn from common surnames and given-name characters, so namesakes (张伟)
//     occur naturally, and birthdays over 1955–2008;
//   - about 40% of people use two or more channels; each channel identifies people
//     the way the real system does: POS by phone or member card, the mini program by
//     openid+unionid (a phone only once the person joins), the app by app user id and
//     device, Tmall/JD by buyer id (a phone only when the buyer binds the brand
//     membership) with a masked phone on orders, Meituan/Eleme by delivery user id
//     with a masked phone and a receiver name that is often only 张女士, associates'
//     chats by phone, and registration desks by a paper form typed in by staff: a
//     local POS reference, the phone's last four digits, and typos (homophones 张伟/章伟,
//     a wrong character, stray spaces, a mistyped birthday);
//   - noise that no resolver can fully undo: guest app sessions on a family tablet,
//     a spouse's phone given at the till, delivery orders to an office address.
type Customers struct {
	Touchpoints []CustomerTouchpoint
	Persons     []Person
	Events      []CustomerEvent // in occurred_at order
	Truth       map[string]int  // event id → person index
}

// CustomerTouchpoint is a touchpoint the customer events come from.
type CustomerTouchpoint struct {
	Code      string
	Name      string
	Type      string // online, offline, commercial, social
	Channel   string
	StoreCode string // "" when not in a store
}

// Person is one real customer (ground truth).
type Person struct {
	Name      string
	Gender    string // male, female
	Birthday  string // YYYY-MM-DD
	City      string
	Address   string
	Phone     string // 11 digits
	UnionID   string // the person's WeChat unionid under the brand's open platform
	AlipayID  string // the person's Alipay user id for the brand's merchant account
	Household int
	Channels  []string
}

// CustomerEvent is one event as a touchpoint sends it to POST /api/v1/events.
type CustomerEvent struct {
	ID          string
	Touchpoint  string // touchpoint code
	Type        string
	OccurredAt  time.Time
	Identifiers map[string]string
	Properties  map[string]any
}

// The channels a person can use (Person.Channels).
const (
	chPOSPhone  = "pos_phone" // POS purchases with the phone as member number
	chPOSCard   = "pos_card"  // POS purchases with a member card (registered with a phone)
	chMini      = "mini"      // WeChat mini program
	chApp       = "app"       // the brand app
	chTmall     = "tmall"     // Tmall flagship store
	chJD        = "jd"        // JD flagship store
	chMeituan   = "meituan"   // Meituan delivery
	chEleme     = "eleme"     // Eleme delivery
	chAssociate = "associate" // chats and orders through a store associate's app
	chDesk      = "desk"      // paper registration form at a store desk, then POS purchases by its reference
)

var channelWeights = []struct {
	ch string
	w  int
}{
	{chPOSPhone, 25}, {chPOSCard, 15}, {chMini, 20}, {chApp, 10}, {chTmall, 8}, {chJD, 5},
	{chMeituan, 7}, {chEleme, 3}, {chAssociate, 3}, {chDesk, 8},
}

func personsFor(s Scale) int {
	switch s {
	case ScaleSmall:
		return 2000
	case ScaleMedium:
		return 8000
	}
	return 80000
}

// Customer event window: the nine months before the demo's reference day.
var (
	customerFrom = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	customerTo   = time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
)

const (
	surnames    = "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
	maleChars   = "伟伟强强军军磊洋勇杰涛明明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆亮成建国志文斌峰海龙坤东"
	femaleChars = "芳芳娜娜敏敏静静丽丽艳燕秀娟英霞玲婷雪慧红梅琳颖倩晶洁欣怡佳悦萍琴兰凤云"
)

// homophones are groups of characters read alike, used for the typos staff make when
// typing in a paper form.
var homophones = []string{"张章", "伟玮炜维", "芳方", "娜那纳", "敏民闽", "静晶婧靖", "丽莉力立", "军君俊", "杰洁婕",
	"涛韬滔", "明铭鸣", "华桦", "平萍苹", "刚钢", "霞侠", "红宏鸿虹", "英瑛莹颖", "玲琳林凌", "燕艳妍", "文雯闻",
	"徐许", "杨阳", "黄皇", "刘柳", "强蔷", "磊垒", "洋阳", "勇永", "超潮", "辉晖徽", "鹏朋", "飞菲", "波博", "宇雨语",
	"浩昊皓", "凯恺", "健建剑", "亮靓", "峰锋丰", "东冬", "秀绣", "娟鹃", "婷亭", "雪薛", "慧惠", "梅玫", "颖影",
	"倩茜", "洁杰", "欣馨", "怡仪宜", "佳嘉家", "悦月跃", "琴勤", "兰岚蓝", "凤风", "云芸"}

type household struct {
	city, address string
	tablet        string // a shared device id, "" when none
	members       []int
}

type custGen struct {
	r     *rand.Rand
	c     *Chain
	out   *Customers
	seq   map[string]int // per touchpoint code: event sequence
	posOf map[string][]string
	tps   map[string]bool
	phone map[string]bool
	taken map[string]bool // identifier values handed out
	homes []household
}

// GenerateCustomers builds the customer base of c from its own random stream of
// c.Seed: 2,000 people at small scale, 8,000 at medium, 80,000 at large, with about
// three events each. The same chain gives the same customers.
func GenerateCustomers(c *Chain) *Customers {
	g := &custGen{r: newRand(c.Seed, streamCustomers), c: c, out: &Customers{Truth: map[string]int{}},
		seq: map[string]int{}, posOf: map[string][]string{}, tps: map[string]bool{}, phone: map[string]bool{}, taken: map[string]bool{}}
	g.touchpoints()
	n := personsFor(c.Scale)
	for len(g.out.Persons) < n {
		g.household(n - len(g.out.Persons))
	}
	for i := range g.out.Persons {
		g.channels(i)
	}
	slices.SortStableFunc(g.out.Events, func(a, b CustomerEvent) int { return a.OccurredAt.Compare(b.OccurredAt) })
	return g.out
}

func (g *custGen) addTouchpoint(t CustomerTouchpoint) {
	if !g.tps[t.Code] {
		g.tps[t.Code] = true
		g.out.Touchpoints = append(g.out.Touchpoints, t)
	}
}

// touchpoints: the online and commercial channels, and a POS and a member desk in up
// to two open stores per city.
func (g *custGen) touchpoints() {
	for _, t := range []CustomerTouchpoint{
		{Code: "WX-MINI", Name: "微信小程序", Type: "social", Channel: "wechat_mini_program"},
		{Code: "APP", Name: "品牌 App", Type: "online", Channel: "app"},
		{Code: "TMALL", Name: "天猫旗舰店", Type: "commercial", Channel: "tmall"},
		{Code: "JD", Name: "京东旗舰店", Type: "commercial", Channel: "jd"},
		{Code: "MEITUAN", Name: "美团外卖", Type: "commercial", Channel: "meituan"},
		{Code: "ELEME", Name: "饿了么", Type: "commercial", Channel: "eleme"},
		{Code: "GUIDE", Name: "导购助手", Type: "social", Channel: "associate_app"},
	} {
		g.addTouchpoint(t)
	}
	for _, st := range g.c.Stores {
		if st.Status != StoreOpen || len(g.posOf[st.City]) >= 2 {
			continue
		}
		g.posOf[st.City] = append(g.posOf[st.City], st.Code)
	}
}

func (g *custGen) pick(s string) string {
	rs := []rune(s)
	return string(rs[g.r.IntN(len(rs))])
}

func (g *custGen) givenName(gender string) string {
	chars := maleChars
	if gender == "female" {
		chars = femaleChars
	}
	n := g.pick(chars)
	if g.r.IntN(100) < 70 {
		n += g.pick(chars)
	}
	return n
}

func (g *custGen) birthday(fromYear, toYear int) string {
	d := time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(toYear, 12, 31, 0, 0, 0, 0, time.UTC).Sub(d).Hours() / 24)
	return d.AddDate(0, 0, g.r.IntN(days+1)).Format(time.DateOnly)
}

// unique draws values until one is new: ids issued by one system never collide.
func (g *custGen) unique(draw func() string) string {
	for {
		if v := draw(); !g.taken[v] {
			g.taken[v] = true
			return v
		}
	}
}

func (g *custGen) newPhone() string {
	prefixes := []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "166", "177", "180", "181", "186", "187", "188", "189", "199"}
	for {
		p := prefixes[g.r.IntN(len(prefixes))] + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
		if !g.phone[p] {
			g.phone[p] = true
			return p
		}
	}
}

func (g *custGen) homeAddress(city City) string {
	def := cityDefs[0]
	for _, d := range cityDefs {
		if d.Code == city.Code {
			def = d
		}
	}
	districts := strings.Split(def.Districts, "|")
	district, _, _ := strings.Cut(districts[g.r.IntN(len(districts))], ":")
	stems, dirs, kinds := strings.Split(roadStems, "|"), strings.Split(roadDirections, "|"), strings.Split(roadKinds, "|")
	road := stems[g.r.IntN(len(stems))]
	kind := kinds[g.r.IntN(len(kinds))]
	if kind == "路" {
		road += dirs[g.r.IntN(len(dirs))]
	}
	road += kind
	return fmt.Sprintf("%s%s市%s%s%d号%d栋%d室", city.Province, city.Name, district, road, 1+g.r.IntN(999), 1+g.r.IntN(30), 100*(1+g.r.IntN(25))+1+g.r.IntN(4))
}

// household adds one household of at most room people.
func (g *custGen) household(room int) {
	city := g.c.Cities[pickWeighted(g.r, g.cityWeights())]
	size := []int{1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4}[g.r.IntN(20)]
	size = min(size, room)
	h := household{city: city.Name, address: g.homeAddress(city)}
	if size > 1 && g.r.IntN(100) < 30 {
		h.tablet = fmt.Sprintf("dev-tab-%08x", g.r.Uint32())
	}
	surname := g.pick(surnames)
	idx := len(g.homes)
	add := func(name, gender, bday string) {
		h.members = append(h.members, len(g.out.Persons))
		g.out.Persons = append(g.out.Persons, Person{Name: name, Gender: gender, Birthday: bday, City: h.city, Address: h.address,
			Phone: g.newPhone(), Household: idx,
			UnionID:  g.unique(func() string { return fmt.Sprintf("oUnion%010x", g.r.Uint64()>>24) }),
			AlipayID: g.unique(func() string { return fmt.Sprintf("2088%012d", g.r.Int64N(1_000_000_000_000)) })})
	}
	first := []string{"male", "female"}[g.r.IntN(2)]
	add(surname+g.givenName(first), first, g.birthday(1955, 2000))
	if size >= 2 {
		other := "female"
		if first == "female" {
			other = "male"
		}
		add(g.pick(surnames)+g.givenName(other), other, g.birthday(1955, 2000))
	}
	for range size - 2 {
		gender := []string{"male", "female"}[g.r.IntN(2)]
		add(surname+g.givenName(gender), gender, g.birthday(1995, 2008))
	}
	g.homes = append(g.homes, h)
}

func (g *custGen) cityWeights() []int {
	w := make([]int, len(g.c.Cities))
	for i, c := range g.c.Cities {
		w[i] = []int{0, 40, 20, 10}[c.Tier]
	}
	return w
}

// channels draws the channels of person i and emits their events: 60% use one
// channel, 25% two, 10% three, 5% four.
func (g *custGen) channels(i int) {
	k := []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4}[g.r.IntN(20)]
	weights := make([]int, len(channelWeights))
	for j, c := range channelWeights {
		weights[j] = c.w
	}
	p := &g.out.Persons[i]
	for range k {
		j := pickWeighted(g.r, weights)
		weights[j] = 0
		p.Channels = append(p.Channels, channelWeights[j].ch)
	}
	for _, ch := range p.Channels {
		g.emitChannel(i, ch)
	}
}

// count draws how many events a channel gets: 1 + a geometric number with the mean.
func (g *custGen) count(mean float64) int {
	n := 1
	for g.r.Float64() < mean/(mean+1) && n < 40 {
		n++
	}
	return n
}

func (g *custGen) when() time.Time {
	span := customerTo.Sub(customerFrom)
	return customerFrom.Add(time.Duration(g.r.Int64N(int64(span)))).Truncate(time.Second)
}

// emit appends an event for person i; times are spread over the window, the first
// event of a channel (a registration) before the others.
func (g *custGen) emit(person int, tp, typ string, at time.Time, idents map[string]string, props map[string]any) {
	g.seq[tp]++
	id := fmt.Sprintf("%s-%07d", strings.ToLower(tp), g.seq[tp])
	g.out.Events = append(g.out.Events, CustomerEvent{ID: id, Touchpoint: tp, Type: typ, OccurredAt: at, Identifiers: idents, Properties: props})
	g.out.Truth[id] = person
}

func (g *custGen) profile(p *Person, fields ...string) map[string]any {
	m := map[string]any{}
	for _, f := range fields {
		switch f {
		case "name":
			m["name"] = p.Name
		case "gender":
			m["gender"] = p.Gender
		case "birthday":
			m["birthday"] = p.Birthday
		case "city":
			m["city"] = p.City
		case "address":
			m["address"] = p.Address
		}
	}
	return m
}

func (g *custGen) amount() int64 { return int64(500 + g.r.IntN(60000)) }

// times returns n sorted instants in the window.
func (g *custGen) times(n int) []time.Time {
	ts := make([]time.Time, n)
	for k := range ts {
		ts[k] = g.when()
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return ts
}

func (g *custGen) store(p *Person) (string, bool) {
	codes := g.posOf[p.City]
	if len(codes) == 0 {
		return "", false
	}
	return codes[g.r.IntN(len(codes))], true
}

func masked(phone string) string { return phone[:3] + "****" + phone[7:] }

func (g *custGen) emitChannel(i int, ch string) {
	p := &g.out.Persons[i]
	h := &g.homes[p.Household]
	switch ch {
	case chPOSPhone, chPOSCard, chDesk:
		g.emitStore(i, ch)
	case chMini:
		openid := g.unique(func() string { return fmt.Sprintf("oMini%010x", g.r.Uint64()>>24) })
		unionid := p.UnionID
		ts := g.times(g.count(2))
		member := g.r.IntN(100) < 80
		for k, at := range ts {
			ids := map[string]string{"wechat_openid": openid, "wechat_unionid": unionid}
			props := map[string]any{}
			// Ordering needs membership (the phone); others only browse.
			typ := []string{"page_view", "product_view", "coupon_received", "order"}[g.r.IntN(3+b2i(member))]
			if k == 0 && member {
				typ = "registration"
				ids["phone"] = p.Phone
				props = g.profile(p, "gender", "birthday", "city")
			}
			if typ == "order" {
				props["amount_fen"] = g.amount()
			}
			g.emit(i, "WX-MINI", typ, at, ids, props)
		}
	case chApp:
		user := g.unique(func() string { return fmt.Sprintf("u%09d", g.r.IntN(1_000_000_000)) })
		own := g.unique(func() string { return fmt.Sprintf("dev-%012x", g.r.Uint64()>>16) })
		ts := g.times(g.count(3))
		for k, at := range ts {
			dev := own
			if h.tablet != "" && g.r.IntN(100) < 40 {
				dev = h.tablet
			}
			ids := map[string]string{"app_user_id": user, "device_id": dev}
			props := map[string]any{}
			typ := []string{"app_open", "product_view", "add_to_cart", "order"}[g.r.IntN(4)]
			switch {
			case k == 0:
				typ = "registration"
				if g.r.IntN(100) < 90 {
					ids["phone"] = p.Phone
				} else { // signed up with WeChat login
					ids["wechat_unionid"] = p.UnionID
				}
				props = g.profile(p, "name", "gender", "birthday", "city")
			case g.r.IntN(100) < 10: // a guest session before logging in
				ids = map[string]string{"device_id": dev}
				typ = "app_open"
			}
			if typ == "order" {
				props["amount_fen"] = g.amount()
			}
			g.emit(i, "APP", typ, at, ids, props)
		}
	case chTmall, chJD:
		tp := "TMALL"
		if ch == chJD {
			tp = "JD"
		}
		buyer := g.unique(func() string {
			return fmt.Sprintf("%s_%s%05d", strings.ToLower(tp), []string{"xiao", "da", "happy", "sunny", "cat", "lucky"}[g.r.IntN(6)], g.r.IntN(100000))
		})
		ts := g.times(g.count(1.5))
		bind := g.r.IntN(100) < 60
		for k, at := range ts {
			ids := map[string]string{"marketplace_buyer_id": buyer, "masked_phone": masked(p.Phone)}
			props := map[string]any{"name": p.Name, "city": p.City, "address": p.Address, "amount_fen": g.amount()}
			typ := "order"
			if k == 0 && bind { // joins the brand membership on the marketplace (会员通)
				ids = map[string]string{"marketplace_buyer_id": buyer, "phone": p.Phone}
				props = map[string]any{}
				typ = "membership_bind"
			}
			g.emit(i, tp, typ, at, ids, props)
		}
	case chMeituan, chEleme:
		tp := "MEITUAN"
		if ch == chEleme {
			tp = "ELEME"
		}
		user := g.unique(func() string { return fmt.Sprintf("%s%010d", strings.ToLower(tp[:2]), g.r.IntN(10_000_000_000)) })
		office := ""
		if g.r.IntN(100) < 25 {
			office = g.homeAddress(g.cityOf(p.City))
		}
		for _, at := range g.times(g.count(2)) {
			name := p.Name
			if g.r.IntN(100) < 50 {
				name = surnameOf(p.Name) + map[string]string{"male": "先生", "female": "女士"}[p.Gender]
			}
			addr := p.Address
			if office != "" && g.r.IntN(100) < 70 {
				addr = office
			}
			g.emit(i, tp, "order", at, map[string]string{"delivery_user_id": user, "masked_phone": masked(p.Phone)},
				map[string]any{"name": name, "city": p.City, "address": addr, "amount_fen": g.amount()})
		}
	case chAssociate:
		for _, at := range g.times(g.count(1)) {
			typ := []string{"associate_chat", "order"}[g.r.IntN(2)]
			props := map[string]any{"name": p.Name}
			if typ == "order" {
				props["amount_fen"] = g.amount()
			}
			g.emit(i, "GUIDE", typ, at, map[string]string{"phone": p.Phone}, props)
		}
	}
}

func (g *custGen) cityOf(name string) City {
	for _, c := range g.c.Cities {
		if c.Name == name {
			return c
		}
	}
	return g.c.Cities[0]
}

func surnameOf(name string) string {
	for _, c := range []string{"欧阳", "司马"} {
		if strings.HasPrefix(name, c) {
			return c
		}
	}
	return string([]rune(name)[:1])
}

// emitStore emits a person's store events: a registration then purchases.
func (g *custGen) emitStore(i int, ch string) {
	p := &g.out.Persons[i]
	h := &g.homes[p.Household]
	code, ok := g.store(p)
	if !ok {
		return
	}
	g.addTouchpoint(CustomerTouchpoint{Code: "POS-" + code, Name: "收银 " + code, Type: "offline", Channel: "pos", StoreCode: code})
	ts := g.times(g.count(3))
	switch ch {
	case chPOSPhone, chPOSCard:
		card := ""
		if ch == chPOSCard {
			card = g.unique(func() string { return fmt.Sprintf("HL%010d", g.r.IntN(10_000_000_000)) })
		}
		registers := ch == chPOSCard || g.r.IntN(100) < 60
		for k, at := range ts {
			phone := p.Phone
			// A spouse's or parent's phone given at the till.
			if len(h.members) > 1 && g.r.IntN(100) < 2 {
				phone = g.out.Persons[h.members[(slices.Index(h.members, i)+1)%len(h.members)]].Phone
			}
			ids := map[string]string{"phone": phone}
			g.pay(p, ids)
			props := map[string]any{"amount_fen": g.amount(), "store_code": code}
			typ := "order"
			if k == 0 && registers {
				typ = "registration"
				ids = map[string]string{"phone": p.Phone}
				props = g.profile(p, "name", "gender", "birthday", "city", "address")
			}
			if card != "" {
				delete(ids, "phone")
				ids["member_card"] = card
				if k == 0 {
					ids["phone"] = p.Phone
				}
			}
			g.emit(i, "POS-"+code, typ, at, ids, props)
		}
	case chDesk:
		g.addTouchpoint(CustomerTouchpoint{Code: "DESK-" + code, Name: "会员服务台 " + code, Type: "offline", Channel: "other", StoreCode: code})
		ref := g.unique(func() string { return fmt.Sprintf("%s-C%06d", code, g.r.IntN(1_000_000)) })
		props := g.profile(p, "gender", "city", "address")
		props["name"] = g.typo(p.Name)
		props["birthday"] = p.Birthday
		if g.r.IntN(100) < 5 {
			props["birthday"] = mistypeDate(p.Birthday, g.r)
		}
		ids := map[string]string{"pos_customer_ref": ref}
		if g.r.IntN(100) < 70 {
			ids["masked_phone"] = "*******" + p.Phone[7:]
		}
		g.emit(i, "DESK-"+code, "registration", ts[0], ids, props)
		for _, at := range ts[1:] {
			ids := map[string]string{"pos_customer_ref": ref}
			g.pay(p, ids)
			g.emit(i, "POS-"+code, "order", at, ids, map[string]any{"amount_fen": g.amount(), "store_code": code})
		}
	}
}

// pay adds the payer's id of a POS payment: WeChat Pay (45%) reports the payer's
// unionid and Alipay (35%) the Alipay user id ("pay and become a member"); cash and
// bank cards (20%) report nothing.
func (g *custGen) pay(p *Person, ids map[string]string) {
	switch n := g.r.IntN(100); {
	case n < 45:
		ids["wechat_unionid"] = p.UnionID
	case n < 80:
		ids["alipay_user_id"] = p.AlipayID
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// typo returns name as a clerk typed it: 60% right, 20% a homophone, 10% another
// character, 10% with a stray space or a full-width character.
func (g *custGen) typo(name string) string {
	rs := []rune(name)
	switch n := g.r.IntN(100); {
	case n < 60:
		return name
	case n < 80:
		for _, k := range g.r.Perm(len(rs)) {
			for _, grp := range homophones {
				if strings.ContainsRune(grp, rs[k]) {
					alt := []rune(grp)
					for {
						c := alt[g.r.IntN(len(alt))]
						if c != rs[k] {
							rs[k] = c
							return string(rs)
						}
					}
				}
			}
		}
		return name
	case n < 90:
		if len(rs) < 3 { // a two-character name with one wrong character is no longer recognisable
			return name + g.pick(maleChars+femaleChars)
		}
		k := 1 + g.r.IntN(len(rs)-1)
		rs[k] = []rune(g.pick(maleChars + femaleChars))[0]
		return string(rs)
	default:
		return string(rs[:1]) + " " + string(rs[1:])
	}
}

// mistypeDate swaps month and day when that is a date, otherwise changes the last digit.
func mistypeDate(d string, r *rand.Rand) string {
	swapped := d[:5] + d[8:10] + "-" + d[5:7]
	if _, err := time.Parse(time.DateOnly, swapped); err == nil && swapped != d {
		return swapped
	}
	last := byte('0' + (int(d[9]-'0')+1+r.IntN(8))%10)
	out := d[:9] + string(last)
	if _, err := time.Parse(time.DateOnly, out); err != nil {
		return d
	}
	return out
}

// CustomerStats summarises a customer base.
type CustomerStats struct {
	Persons, Households, Events, Touchpoints int
	MultiChannelPct                          float64 // people using two or more channels
}

// Stats returns counts for the CLI and the docs.
func (cs *Customers) Stats() CustomerStats {
	st := CustomerStats{Persons: len(cs.Persons), Events: len(cs.Events), Touchpoints: len(cs.Touchpoints)}
	multi := 0
	hh := map[int]bool{}
	for _, p := range cs.Persons {
		hh[p.Household] = true
		if len(p.Channels) >= 2 {
			multi++
		}
	}
	st.Households = len(hh)
	if len(cs.Persons) > 0 {
		st.MultiChannelPct = 100 * float64(multi) / float64(len(cs.Persons))
	}
	return st
}
