package evalset

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// person is one real customer: what the touchpoints' records are written from.
type person struct {
	id       int
	surname  string
	given    string
	gender   string // male or female
	birthday time.Time
	phone    string // 11 digits
	email    string // lower case as the person types it in the app; "" for none
	city     string
	home     address
	office   address // where some deliveries go; zero for people without one
	tablet   string  // a household tablet's device id; "" for none
	house    int     // household number
}

func (p *person) name() string { return p.surname + p.given }

// address is a Chinese street address in parts, so that records can write it the
// ways people and systems do.
type address struct {
	city, district, road string
	number, building     int
	room                 int
}

// The weights of surnames follow their rough share of China's population: a few
// surnames cover a large part of every city.
var surnames = []struct {
	s string
	w int
}{
	{"王", 72}, {"李", 70}, {"张", 66}, {"刘", 53}, {"陈", 46}, {"杨", 31}, {"黄", 25}, {"赵", 20},
	{"吴", 20}, {"周", 19}, {"徐", 15}, {"孙", 14}, {"马", 13}, {"朱", 12}, {"胡", 12}, {"郭", 11},
	{"何", 11}, {"高", 9}, {"林", 9}, {"罗", 9}, {"郑", 8}, {"梁", 8}, {"谢", 6}, {"宋", 6},
	{"唐", 6}, {"许", 5}, {"韩", 5}, {"冯", 5}, {"邓", 5}, {"曹", 5}, {"彭", 4}, {"曾", 4},
	{"萧", 3}, {"田", 3}, {"董", 3}, {"潘", 3}, {"袁", 3}, {"蔡", 3}, {"蒋", 3}, {"余", 3},
	{"欧阳", 1}, {"司马", 1}, {"诸葛", 1},
}

// Given-name characters in use for each gender; many of them have a traditional
// form and homophones, as real names do.
var (
	givenMale   = []rune("伟强军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰建国东文博志磊晨")
	givenFemale = []rune("芳娜敏静丽艳娟霞秀玲桂英燕红萍雪琳洁梅琴云莉慧婷颖倩婧凤晶佳丹蓉月兰欣怡悦")
)

// The most frequent full names in a Chinese city: each is shared by thousands.
var commonNames = []struct{ surname, given, gender string }{
	{"张", "伟", "male"}, {"王", "伟", "male"}, {"王", "芳", "female"}, {"李", "伟", "male"},
	{"李", "娜", "female"}, {"张", "敏", "female"}, {"李", "静", "female"}, {"王", "静", "female"},
	{"刘", "伟", "male"}, {"王", "秀英", "female"}, {"张", "丽", "female"}, {"刘", "洋", "male"},
}

var cities = []struct {
	name      string
	w         int
	districts []string
	roads     []string
}{
	{"上海", 55, []string{"徐汇", "浦东新", "静安", "长宁", "闵行", "杨浦"}, []string{"漕溪北路", "张杨路", "南京西路", "虹桥路", "莘庄路", "控江路", "天钥桥路", "世纪大道"}},
	{"杭州", 20, []string{"西湖", "上城", "拱墅", "滨江"}, []string{"文三路", "解放路", "莫干山路", "江南大道", "天目山路"}},
	{"北京", 15, []string{"朝阳", "海淀", "东城", "丰台"}, []string{"建国路", "中关村大街", "东直门内大街", "丰台北路"}},
	{"成都", 10, []string{"武侯", "锦江", "青羊", "成华"}, []string{"人民南路", "春熙路", "青华路", "建设路"}},
}

var phonePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
	"156", "157", "158", "159", "170", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "191", "198", "199"}

var mailDomains = []string{"qq.com", "163.com", "126.com", "gmail.com", "sina.com", "outlook.com"}

// generator holds the random source and what must stay unique in one set.
type generator struct {
	r      *rand.Rand
	phones map[string]bool
	n      int // events made
}

func (g *generator) pct(p int) bool { return g.r.IntN(100) < p }

func (g *generator) pick(s []string) string { return s[g.r.IntN(len(s))] }

// weighted returns an index in 0..len(w) with probability proportional to w[i].
func (g *generator) weighted(n int, w func(i int) int) int {
	total := 0
	for i := range n {
		total += w(i)
	}
	x := g.r.IntN(total)
	for i := range n {
		if x < w(i) {
			return i
		}
		x -= w(i)
	}
	return 0
}

func (g *generator) surname() string {
	return surnames[g.weighted(len(surnames), func(i int) int { return surnames[i].w })].s
}

func (g *generator) given(gender string) string {
	set := givenMale
	if gender == "female" {
		set = givenFemale
	}
	n := 1 + g.r.IntN(2) // one or two characters, as in real names
	if g.pct(40) {
		n = 1
	}
	var b strings.Builder
	for range n {
		b.WriteRune(set[g.r.IntN(len(set))])
	}
	return b.String()
}

func (g *generator) phone() string {
	for {
		p := g.pick(phonePrefixes) + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
		if !g.phones[p] {
			g.phones[p] = true
			return p
		}
	}
}

func (g *generator) city() int {
	return g.weighted(len(cities), func(i int) int { return cities[i].w })
}

func (g *generator) address(city int) address {
	c := cities[city]
	return address{city: c.name, district: g.pick(c.districts), road: g.pick(c.roads),
		number: 1 + g.r.IntN(999), building: 1 + g.r.IntN(30), room: 100*(1+g.r.IntN(28)) + 1 + g.r.IntN(6)}
}

func (g *generator) birthday(from, to int) time.Time {
	days := int(time.Date(to, 12, 31, 0, 0, 0, 0, time.UTC).Sub(time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	return time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(days))
}

// households makes the people of n households: a single person, a couple (who
// share the home, and a third of the time a tablet), or a couple with one or two
// children who bear a parent's surname. A share of the adults carry one of the
// city's most common names.
func (g *generator) households(n int) []*person {
	var people []*person
	for h := range n {
		city := g.city()
		home := g.address(city)
		size := []int{1, 1, 1, 2, 2, 2, 3, 3, 4, 4}[g.r.IntN(10)]
		tablet := ""
		if size > 1 && g.pct(35) {
			tablet = fmt.Sprintf("tablet-%d-%04x", h, g.r.IntN(1<<16))
		}
		var first *person
		for i := range size {
			p := &person{id: len(people), city: cities[city].name, home: home, tablet: tablet, house: h}
			switch {
			case i == 0:
				p.gender = g.pick([]string{"male", "female"})
			case i == 1:
				p.gender = map[string]string{"male": "female", "female": "male"}[first.gender]
			default:
				p.gender = g.pick([]string{"male", "female"})
			}
			if i < 2 {
				p.birthday = g.birthday(1958, 1998)
			} else {
				p.birthday = g.birthday(2000, 2009)
			}
			p.surname, p.given = g.surname(), g.given(p.gender)
			if i >= 2 {
				p.surname = first.surname
			}
			if i < 2 && cities[city].name == "上海" && g.pct(12) {
				c := commonNames[g.r.IntN(len(commonNames))]
				p.surname, p.given, p.gender = c.surname, c.given, c.gender
			}
			p.phone = g.phone()
			if g.pct(45) {
				p.email = g.email(p)
			}
			if i < 2 && g.pct(30) {
				p.office = g.address(city)
			}
			if i == 0 {
				first = p
			}
			people = append(people, p)
		}
	}
	return people
}

func (g *generator) email(p *person) string {
	local := []string{fmt.Sprintf("%s%d", g.pick([]string{"sunny", "happy", "lucky", "star", "moon", "tiger", "panda", "leaf"}), g.r.IntN(10000)),
		fmt.Sprintf("%d", 100000000+g.r.IntN(900000000)), p.phone}[g.r.IntN(3)]
	return local + "@" + g.pick(mailDomains)
}
