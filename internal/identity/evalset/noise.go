package evalset

import (
	"fmt"
	"strings"
	"time"
)

// How people and systems write the same facts differently. Each table below was
// written from what the records of Chinese retail touchpoints look like, not from
// what any matcher accepts.

// traditional is the traditional form of given-name and surname characters that have
// one (forms filled in by customers from Hong Kong, Taiwan or Macau, or typed on a
// traditional-Chinese input method).
var traditional = map[rune]rune{
	'陈': '陳', '张': '張', '刘': '劉', '杨': '楊', '黄': '黃', '赵': '趙', '吴': '吳', '孙': '孫',
	'马': '馬', '郑': '鄭', '罗': '羅', '梁': '梁', '谢': '謝', '韩': '韓', '冯': '馮', '邓': '鄧',
	'萧': '蕭', '董': '董', '蒋': '蔣', '许': '許', '欧': '歐',
	'伟': '偉', '强': '強', '军': '軍', '涛': '濤', '辉': '輝', '鹏': '鵬', '华': '華', '飞': '飛',
	'鑫': '鑫', '波': '波', '宁': '寧', '龙': '龍', '峰': '峰', '国': '國', '东': '東', '艳': '艷',
	'娟': '娟', '丽': '麗', '静': '靜', '凤': '鳳', '红': '紅', '云': '雲', '兰': '蘭', '洁': '潔',
	'倩': '倩', '颖': '穎', '晶': '晶', '琴': '琴', '悦': '悅', '凯': '凱', '帅': '帥', '帆': '帆',
	'宇': '宇', '浩': '浩', '杰': '傑', '刚': '剛', '晨': '晨', '健': '健', '俊': '俊', '怡': '怡',
}

// homophones are characters read alike that a clerk types for one another when a
// customer says the name aloud at a desk or on the phone.
var homophones = map[rune][]rune{
	'张': {'章'}, '王': {'汪'}, '刘': {'柳'}, '吴': {'伍'}, '徐': {'许'}, '许': {'徐'}, '杨': {'阳'}, '林': {'琳'},
	'伟': {'玮', '维', '炜'}, '强': {'蔷'}, '军': {'君', '均'}, '勇': {'永', '咏'}, '杰': {'洁', '捷'}, '涛': {'韬', '滔'},
	'明': {'铭', '鸣'}, '超': {'潮'}, '刚': {'钢'}, '平': {'萍', '苹'}, '辉': {'晖', '徽'}, '鹏': {'朋'}, '华': {'桦', '骅'},
	'飞': {'菲', '非'}, '波': {'博'}, '斌': {'彬', '滨'}, '宇': {'雨', '羽', '语'}, '浩': {'昊', '皓'}, '凯': {'恺', '楷'},
	'健': {'建'}, '俊': {'骏', '峻'}, '宁': {'凝'}, '龙': {'隆'}, '峰': {'锋', '枫'}, '东': {'冬'}, '文': {'雯'}, '博': {'波'},
	'志': {'智'}, '磊': {'垒'}, '晨': {'辰', '臣'}, '芳': {'方', '芬'}, '娜': {'纳'}, '敏': {'民', '闽'}, '静': {'婧', '晶', '菁'},
	'丽': {'莉', '俪', '立'}, '艳': {'燕', '彦'}, '娟': {'鹃', '涓'}, '霞': {'侠'}, '玲': {'铃', '琳', '凌'}, '英': {'瑛', '颖'},
	'燕': {'艳'}, '红': {'虹', '宏', '鸿'}, '雪': {'学'}, '琳': {'林', '霖'}, '洁': {'杰', '婕'}, '梅': {'媚', '玫'},
	'云': {'芸', '韵'}, '莉': {'丽', '俐'}, '慧': {'惠', '蕙'}, '婷': {'亭', '庭'}, '颖': {'影', '莹'}, '倩': {'茜'},
	'凤': {'峰', '枫'}, '佳': {'嘉', '家'}, '丹': {'单'}, '蓉': {'荣', '融'}, '月': {'悦', '越'}, '兰': {'岚', '蓝'},
	'欣': {'馨', '新'}, '怡': {'仪', '宜'}, '悦': {'月', '越'},
}

// toTraditional writes s in traditional characters where it has them.
func toTraditional(s string) string {
	return strings.Map(func(r rune) rune {
		if t, ok := traditional[r]; ok {
			return t
		}
		return r
	}, s)
}

// hasTraditional reports whether s changes in traditional characters.
func hasTraditional(s string) bool { return toTraditional(s) != s }

// misheard replaces one character of the given name (else the surname) by a
// homophone; ok is false when no character has one.
func (g *generator) misheard(surname, given string) (string, bool) {
	gr := []rune(given)
	var at []int
	for i, r := range gr {
		if len(homophones[r]) > 0 {
			at = append(at, i)
		}
	}
	if len(at) > 0 {
		i := at[g.r.IntN(len(at))]
		alts := homophones[gr[i]]
		gr[i] = alts[g.r.IntN(len(alts))]
		return surname + string(gr), true
	}
	sr := []rune(surname)
	if alts := homophones[sr[0]]; len(alts) > 0 {
		sr[0] = alts[g.r.IntN(len(alts))]
		return string(sr) + given, true
	}
	return "", false
}

// fullWidth writes ASCII letters and digits in their full-width forms, as a Chinese
// input method in full-width mode does.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r + 0xFEE0
		}
		return r
	}, s)
}

// phoneStyles are the ways POS systems, forms and apps write one mobile number.
var phoneStyles = []func(string) string{
	func(p string) string { return p },
	func(p string) string { return p[:3] + " " + p[3:7] + " " + p[7:] },
	func(p string) string { return p[:3] + "-" + p[3:7] + "-" + p[7:] },
	func(p string) string { return "+86 " + p[:3] + " " + p[3:7] + " " + p[7:] },
	func(p string) string { return "+86" + p },
	func(p string) string { return "86" + p },
	func(p string) string { return "(+86) " + p },
	func(p string) string { return "0086-" + p },
}

// maskPhone writes a number as delivery platforms show it to the merchant.
func maskPhone(p string) string { return p[:3] + "****" + p[7:] }

// maskName writes a receiver's name as delivery platforms show it: the surname and
// stars, or the surname and a title; now and then the name the buyer typed.
func (g *generator) maskName(p *person) string {
	title := map[string]string{"male": "先生", "female": "女士"}[p.gender]
	switch n := g.r.IntN(100); {
	case n < 40:
		return p.surname + strings.Repeat("*", len([]rune(p.given)))
	case n < 55:
		return p.surname + "*"
	case n < 90:
		return p.surname + title
	default:
		return p.name()
	}
}

// writeAddress writes a in one of the ways people and platforms do: with or without
// the city and district, 栋/号楼/幢 for the building, the room with or without 室,
// the short form 12-502 of delivery apps, sometimes with a note.
func (g *generator) writeAddress(a address) string {
	var b strings.Builder
	if g.pct(50) {
		b.WriteString(a.city + "市")
	}
	if g.pct(70) {
		b.WriteString(a.district + "区")
	}
	fmt.Fprintf(&b, "%s%d号", a.road, a.number)
	switch g.r.IntN(4) {
	case 0:
		fmt.Fprintf(&b, "%d栋%d室", a.building, a.room)
	case 1:
		fmt.Fprintf(&b, "%d号楼%d", a.building, a.room)
	case 2:
		fmt.Fprintf(&b, "%d-%d", a.building, a.room)
	default:
		fmt.Fprintf(&b, "%d幢%d室", a.building, a.room)
	}
	if g.pct(10) {
		b.WriteString(g.pick([]string{"(放门口)", "（家）", " 快递柜", "(电话联系)"}))
	}
	return b.String()
}

// writeBirthday is the birthday as a desk clerk keys it from a paper form: mostly
// right; sometimes the lunar-calendar birthday the customer celebrates (three to
// seven weeks later), a slipped digit, or month and day in the other order.
func (g *generator) writeBirthday(d time.Time) string {
	switch n := g.r.IntN(100); {
	case n < 6:
		return d.AddDate(0, 0, 20+g.r.IntN(30)).Format(time.DateOnly)
	case n < 9:
		s := []byte(d.Format(time.DateOnly))
		i := []int{2, 3, 6, 8, 9}[g.r.IntN(5)]
		s[i] = byte('0' + (int(s[i]-'0')+1+g.r.IntN(8))%10)
		if _, err := time.Parse(time.DateOnly, string(s)); err == nil {
			return string(s)
		}
		return d.Format(time.DateOnly)
	case n < 11 && d.Day() <= 12:
		return time.Date(d.Year(), time.Month(d.Day()), int(d.Month()), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	default:
		return d.Format(time.DateOnly)
	}
}
