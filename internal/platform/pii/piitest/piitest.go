// Package piitest generates personal data for masking tests: JSON properties that
// plant mobile numbers, e-mail addresses, identity card numbers, names, addresses and
// long numbers under any key, at any depth and in any JSON type, and knows which
// pieces of them must never come back in plain text to a reader without access to
// personal data.
package piitest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
	"pgregory.net/rapid"
)

// Planted is a JSON object (as encoding/json decodes it) holding personal values,
// with the pieces of them that masking must hide.
type Planted struct {
	Properties map[string]any
	// Needles are texts that must not appear in a masked response: whole planted
	// values and the parts their masks hide.
	Needles []string
	// Digits are planted mobile and identity card numbers (ASCII digits): no run of
	// WindowDigits consecutive digits of them may appear.
	Digits []string
}

// WindowDigits is the shortest run of a planted number's consecutive digits that
// counts as a leak: masks show at most four (138****1234).
const WindowDigits = 8

// Add merges o's needles and digits into p (Properties stay p's).
func (p *Planted) Add(o Planted) {
	p.Needles = append(p.Needles, o.Needles...)
	p.Digits = append(p.Digits, o.Digits...)
}

var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// Leaks returns what of p appears in body in plain text. Full-width digits count as
// digits; record ids (UUIDs) are left out of the digit search, and so are the spaces
// and dashes between digits.
func (p Planted) Leaks(body string) []string {
	b := uuidPattern.ReplaceAllString(width.Fold.String(body), "<id>")
	joined := strings.NewReplacer(" ", "", "-", "").Replace(b)
	var out []string
	for _, n := range p.Needles {
		if strings.Contains(b, n) {
			out = append(out, n)
		}
	}
	for _, d := range p.Digits {
		for i := 0; i+WindowDigits <= len(d); i++ {
			if w := d[i : i+WindowDigits]; strings.Contains(b, w) || strings.Contains(joined, w) {
				out = append(out, fmt.Sprintf("%s (of %s)", w, d))
				break
			}
		}
	}
	return out
}

// PersonalKeys are property names a touchpoint may put personal data under: the
// examples of the masking finding and their like, in several languages and cases.
var PersonalKeys = []string{"receiver_phone", "tel", "手机号", "收货人", "id_card", "delivery_address", "Name", "name", "phone",
	"Phone", "mobile", "EMAIL", "email", "address", "birthday", "contact", "联系电话", "身份证号", "收货地址", "备注", "note",
	"ReceiverName", "buyer_nick", "qq", "wechat"}

// containerKeys name nested objects and arrays.
var containerKeys = []string{"recipient", "buyer", "delivery", "contacts", "items", "family", "收货信息", "extra"}

// keyRunes make random Chinese property names; they share no character with names
// and addresses, so a plain key never looks like a leaked name.
const keyRunes = "字段属性信息类别来源渠道标记状态编号备用扩展记录"

// givenRunes and surnames make names; streetRunes make street names.
const (
	surnames    = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
	givenRunes  = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红鹏辉鑫宇浩凯健俊帆帅旭宁琳晶彬斌博文亮飞毅雪梅琴云莉倩婷颖慧佳欣怡"
	streetRunes = "梧桐枫柳杏榆槐栖霞翠竹松柏蔷薇紫荆丁香芙蓉海棠"
)

// Declared draws a value a tenant would declare non-personal (an SKU code, an amount,
// a flag): it comes back as it is and is no needle.
func Declared() *rapid.Generator[any] {
	return rapid.OneOf(
		rapid.Map(rapid.IntRange(1, 99999), func(n int) any { return n }),
		rapid.Map(rapid.IntRange(1, 9999), func(n int) any { return fmt.Sprintf("SKU-%04d", n) }),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
	)
}

// scramble maps 0 ≤ n < m one-to-one onto 0 ≤ n < m (m a power of ten or 8×10^k), so
// that shrinking draws towards 0 still gives varied digits: a run of zeros or nines
// would turn up in any response by chance (timestamps, format strings).
func scramble(n, m int) int {
	return int((uint64(n)*2654435761 + 12345) % uint64(m))
}

// Digits draws a string of 8 varied digits (a card or account number's tail).
func Digits() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		return fmt.Sprintf("%08d", scramble(rapid.IntRange(0, 99_999_999).Draw(t, "digits"), 100_000_000))
	})
}

// Phone draws a mobile number (national digits) and one way of writing it, as a
// string or a JSON number.
func Phone() *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted {
		d := "1" + strconv.Itoa(rapid.IntRange(3, 9).Draw(t, "second")) + fmt.Sprintf("%09d", scramble(rapid.IntRange(0, 999999999).Draw(t, "rest"), 1e9))
		var v any
		switch rapid.IntRange(0, 6).Draw(t, "format") {
		case 0:
			v = d
		case 1:
			v = "+86 " + d[:3] + " " + d[3:7] + " " + d[7:]
		case 2:
			v = d[:3] + "-" + d[3:7] + "-" + d[7:]
		case 3:
			v = "+86" + d
		case 4:
			v = width.Widen.String(d)
		case 5:
			n, _ := strconv.ParseInt(d, 10, 64)
			v = n
		case 6:
			v = "(0086) " + d
		}
		p := Planted{Properties: map[string]any{"v": v}, Digits: []string{d}}
		if s, ok := v.(string); ok {
			p.Needles = append(p.Needles, s)
		}
		return p
	})
}

// Email draws an e-mail address whose local part is long and random enough never to
// appear by chance.
func Email() *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted {
		local := rapid.StringOfN(rapid.RuneFrom([]rune("abcdefghijklmnopqrstuvwxyz0123456789")), 10, 14, -1).Draw(t, "local")
		local = "m" + local
		domain := rapid.SampledFrom([]string{"example.com", "qq.com", "163.com", "corp.example.cn"}).Draw(t, "domain")
		e := local + "@" + domain
		if rapid.Bool().Draw(t, "upper") {
			e = strings.ToUpper(e[:1]) + e[1:]
		}
		return Planted{Properties: map[string]any{"v": e}, Needles: []string{e, local[1:]}}
	})
}

// IDCard draws an identity card number with a real birth date and the right check
// character.
func IDCard() *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted {
		region := rapid.SampledFrom([]string{"110101", "310115", "440305", "510104", "330106"}).Draw(t, "region")
		born := fmt.Sprintf("%04d%02d%02d", rapid.IntRange(1950, 2005).Draw(t, "year"), rapid.IntRange(1, 12).Draw(t, "month"),
			rapid.IntRange(1, 28).Draw(t, "day"))
		d := region + born + fmt.Sprintf("%03d", rapid.IntRange(0, 999).Draw(t, "seq"))
		weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i, w := range weights {
			sum += int(d[i]-'0') * w
		}
		d += string("10X98765432"[sum%11])
		return Planted{Properties: map[string]any{"v": d}, Needles: []string{d}, Digits: []string{strings.TrimSuffix(d, "X")}}
	})
}

// Name draws a Chinese full name (or a Latin one); its given name is a needle.
func Name() *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted {
		if rapid.IntRange(0, 4).Draw(t, "latin") == 0 {
			first := rapid.StringOfN(rapid.RuneFrom([]rune("bcdfghjklmnpqrstvwxz")), 9, 12, -1).Draw(t, "first")
			n := "Q" + first + " Zhang"
			return Planted{Properties: map[string]any{"v": n}, Needles: []string{n, first}}
		}
		sur := string(rapid.RuneFrom([]rune(surnames)).Draw(t, "surname"))
		given := rapid.StringOfN(rapid.RuneFrom([]rune(givenRunes)), 2, 3, -1).Draw(t, "given")
		return Planted{Properties: map[string]any{"v": sur + given}, Needles: []string{sur + given, given}}
	})
}

// Address draws a street address; its street part is a needle.
func Address() *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted {
		prefix := rapid.SampledFrom([]string{"上海市浦东新区", "北京市海淀区", "广东省深圳市南山区", "浙江省杭州市西湖区", ""}).Draw(t, "prefix")
		street := rapid.StringOfN(rapid.RuneFrom([]rune(streetRunes)), 3, 4, -1).Draw(t, "street")
		a := prefix + street + "路" + strconv.Itoa(rapid.IntRange(1, 999).Draw(t, "number")) + "号"
		return Planted{Properties: map[string]any{"v": a}, Needles: []string{a, street}}
	})
}

// LongNumber draws a number no mask may show (an account, an income): nine digits
// or more, as a JSON number or a string of digits.
func LongNumber() *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted {
		n := 200_000_000 + int64(scramble(int(rapid.Int64Range(0, 799_999_999_999).Draw(t, "n")), 800_000_000_000))
		s := strconv.FormatInt(n, 10)
		if rapid.Bool().Draw(t, "string") {
			return Planted{Properties: map[string]any{"v": s}, Needles: []string{s[1:]}}
		}
		return Planted{Properties: map[string]any{"v": n}, Needles: []string{s}}
	})
}

// shaped draws a value personal by shape: masked even under a declared name.
func shaped() *rapid.Generator[Planted] {
	return rapid.OneOf(Phone(), Email(), IDCard())
}

// personal draws any personal value.
func personal() *rapid.Generator[Planted] {
	return rapid.OneOf(Phone(), Email(), IDCard(), Name(), Address(), LongNumber())
}

// key draws a property name that is not declared.
func key(t *rapid.T, declared []string) string {
	var k string
	switch rapid.IntRange(0, 3).Draw(t, "keyKind") {
	case 0, 1:
		k = rapid.SampledFrom(PersonalKeys).Draw(t, "personalKey")
	case 2:
		k = rapid.StringOfN(rapid.RuneFrom([]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")), 1, 12, -1).Draw(t, "asciiKey")
	default:
		k = rapid.StringOfN(rapid.RuneFrom([]rune(keyRunes)), 2, 4, -1).Draw(t, "chineseKey")
	}
	for _, d := range declared {
		if strings.EqualFold(width.Fold.String(d), width.Fold.String(k)) {
			return k + "_x"
		}
	}
	return k
}

// mixCase changes the case of a declared name's letters at random: names match
// case-insensitively.
func mixCase(t *rapid.T, name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) && r < unicode.MaxASCII && rapid.Bool().Draw(t, "upper") {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Properties draws an object of event properties: personal values under undeclared
// names, personal-by-shape values under declared names (mixed case), declared values
// under declared names, nested objects and arrays up to depth 3.
func Properties(declared []string) *rapid.Generator[Planted] {
	return rapid.Custom(func(t *rapid.T) Planted { return object(t, declared, 0) })
}

func object(t *rapid.T, declared []string, depth int) Planted {
	p := Planted{Properties: map[string]any{}}
	n := rapid.IntRange(1, 6).Draw(t, "fields")
	for range n {
		var k string
		var v Planted
		kind := rapid.IntRange(0, 9).Draw(t, "fieldKind")
		switch {
		case kind <= 4:
			k, v = key(t, declared), personal().Draw(t, "personal")
		case kind == 5 && len(declared) > 0:
			k, v = mixCase(t, rapid.SampledFrom(declared).Draw(t, "declared")), shaped().Draw(t, "shaped")
		case kind == 6 && len(declared) > 0:
			k = mixCase(t, rapid.SampledFrom(declared).Draw(t, "declared"))
			v = Planted{Properties: map[string]any{"v": Declared().Draw(t, "value")}}
		case kind == 7:
			k, v = key(t, declared), Planted{Properties: map[string]any{"v": personalArray(t)}}
			for _, e := range v.Properties["v"].([]any) {
				v.Add(e.(Planted))
			}
			v.Properties["v"] = values(v.Properties["v"].([]any))
		case depth < 3:
			k = rapid.SampledFrom(containerKeys).Draw(t, "containerKey")
			child := object(t, declared, depth+1)
			v = Planted{Properties: map[string]any{"v": child.Properties}}
			if rapid.Bool().Draw(t, "inArray") {
				v.Properties["v"] = []any{child.Properties}
			}
			v.Add(child)
		default:
			k, v = key(t, declared), personal().Draw(t, "personal")
		}
		p.Properties[k] = v.Properties["v"]
		p.Add(v)
	}
	return p
}

func personalArray(t *rapid.T) []any {
	n := rapid.IntRange(1, 3).Draw(t, "elements")
	out := make([]any, n)
	for i := range out {
		out[i] = personal().Draw(t, "element")
	}
	return out
}

func values(ps []any) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p.(Planted).Properties["v"]
	}
	return out
}
