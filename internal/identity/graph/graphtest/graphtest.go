// Package graphtest generates synthetic identifier links for tests and benchmarks of
// package graph: customers with a phone, a WeChat unionid, openids and devices, plus
// optional shared family devices and conflicting phones.
package graphtest

import (
	"math/rand/v2"
	"strconv"

	"github.com/oneretail/oneretail/internal/identity/graph"
)

// Options shape the generated data.
type Options struct {
	// Seed makes the output deterministic.
	Seed uint64
	// SharedDevicePct is the percentage of customers who also use a device of the
	// previous customer (a family tablet). 0 means none.
	SharedDevicePct int
	// ConflictPhonePct is the percentage of customers whose unionid is also linked to
	// a second, different phone (bad data that rules must refuse). 0 means none.
	ConflictPhonePct int
	// StrongFirst emits every link between strong or medium identifiers before any
	// link with a weak one, the order in which ResolveAll follows them.
	StrongFirst bool
}

// Customer is the ground truth of one generated customer.
type Customer struct {
	Phone, UnionID graph.Identifier
	OpenIDs        []graph.Identifier
	Devices        []graph.Identifier
}

// Links returns exactly n links. Each customer gets a phone, a unionid, one or two
// openids and one or two devices, linked openid–unionid, unionid–phone and
// device–openid (about four links per customer). The second result is the ground
// truth: the customer index of each link, or -1 for a conflicting or shared link.
func Links(n int, opt Options) ([]graph.Link, []int) {
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	links := make([]graph.Link, 0, n)
	owner := make([]int, 0, n)
	var weak []graph.Link
	var weakOwner []int
	emit := func(l graph.Link, c int, isWeak bool) {
		if opt.StrongFirst && isWeak {
			weak = append(weak, l)
			weakOwner = append(weakOwner, c)
			return
		}
		links = append(links, l)
		owner = append(owner, c)
	}
	buf := make([]byte, 0, 32)
	id := func(t graph.Type, prefix string, i, k int) graph.Identifier {
		buf = append(buf[:0], prefix...)
		buf = strconv.AppendInt(buf, int64(i), 36)
		if k >= 0 {
			buf = append(buf, '_')
			buf = strconv.AppendInt(buf, int64(k), 10)
		}
		return graph.Identifier{Type: t, Value: string(buf)}
	}
	phone := func(i int) graph.Identifier {
		buf = append(buf[:0], "+861"...)
		buf = append(buf, byte('3'+i%7))
		s := strconv.Itoa(i % 1_000_000_000)
		for range 9 - len(s) {
			buf = append(buf, '0')
		}
		buf = append(buf, s...)
		return graph.Identifier{Type: graph.TypePhone, Value: string(buf)}
	}
	var prevDevice graph.Identifier
	for c := 0; len(links)+len(weak) < n; c++ {
		p := phone(c)
		u := id(graph.TypeWeChatUnionID, "oU", c, -1)
		emit(graph.Link{A: u, B: p}, c, false)
		var firstOpen graph.Identifier
		for k := range 1 + rng.IntN(2) {
			o := id(graph.TypeWeChatOpenID, "oP", c, k)
			if k == 0 {
				firstOpen = o
			}
			emit(graph.Link{A: o, B: u}, c, false)
		}
		var dev graph.Identifier
		for k := range 1 + rng.IntN(2) {
			dev = id(graph.TypeDeviceID, "D", c, k)
			emit(graph.Link{A: dev, B: firstOpen}, c, true)
		}
		if c > 0 && opt.SharedDevicePct > 0 && rng.IntN(100) < opt.SharedDevicePct {
			emit(graph.Link{A: prevDevice, B: p}, -1, true)
		}
		if opt.ConflictPhonePct > 0 && rng.IntN(100) < opt.ConflictPhonePct {
			emit(graph.Link{A: u, B: phone(c + 500_000_000)}, -1, false)
		}
		prevDevice = dev
	}
	links = append(links, weak...)
	owner = append(owner, weakOwner...)
	return links[:n], owner[:n]
}
