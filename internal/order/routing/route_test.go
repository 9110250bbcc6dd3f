package routing

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// shipped maps location id to its allocations as "line:sku×qty".
func shipped(d Decision) map[string][]string {
	out := map[string][]string{}
	for _, s := range d.Shipments {
		for _, a := range s.Lines {
			out[s.LocationID] = append(out[s.LocationID], a.LineID+":"+a.SKUID+"×"+itoa(a.Qty))
		}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func noteOf(d Decision, id string) Note {
	for _, n := range d.Candidates {
		if n.LocationID == id {
			return n
		}
	}
	return Note{}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	ab := deliver(line("1", "a", 2), line("2", "b", 3))
	abc := deliver(line("1", "a", 1), line("2", "b", 1), line("3", "c", 1))
	late := deliver(line("1", "a", 1))
	late.At = at10(21, 30)
	tests := []struct {
		name  string
		order Order
		cands []Candidate
		opts  Options
		// want
		code      Code
		ships     map[string][]string
		notes     map[string]Code   // headline code per candidate
		messages  map[string]string // substring of the headline message per candidate
		summary   string            // substring of the summary
		from, to  time.Time
		search    string
		shortages map[string]Code
	}{
		{
			name:  "nearest store with everything",
			order: ab,
			cands: []Candidate{
				loc("s-far", KindStore, 2.0, all(5, "a", "b")),
				loc("s-near", KindStore, 1.2, all(5, "a", "b")),
				loc("fw", KindFrontWarehouse, 0.5, all(5, "a", "b")),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"s-near": {"1:a×2", "2:b×3"}},
			notes:    map[string]Code{"s-near": CodeChosen, "s-far": CodeRankedLower, "fw": CodeRankedLower},
			messages: map[string]string{"s-far": "is farther (2 km, chosen 1.2 km)", "fw": "promises later"},
			summary:  "chosen: nearest store with everything, 1.2 km",
			from:     at10(10, 0), to: at10(11, 0),
		},
		{
			name:  "equal promise and kind: nearer wins, then cheaper",
			order: ab,
			cands: []Candidate{
				loc("s1", KindStore, 1.0, all(5, "a", "b"), costs(900, 0)),
				loc("s2", KindStore, 1.0, all(5, "a", "b"), costs(300, 0)),
				loc("s3", KindStore, 1.5, all(5, "a", "b"), costs(0, 0)),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"s2": {"1:a×2", "2:b×3"}},
			notes:    map[string]Code{"s1": CodeRankedLower, "s3": CodeRankedLower},
			messages: map[string]string{"s1": "costs more (¥9.00, chosen ¥3.00)", "s3": "is farther (1.5 km, chosen 1 km)"},
		},
		{
			name:  "store out of radius: front warehouse",
			order: ab,
			cands: []Candidate{
				loc("s", KindStore, 4.2, all(5, "a", "b")),
				loc("fw", KindFrontWarehouse, 5, all(5, "a", "b")),
				loc("w", KindWarehouse, 1, all(5, "a", "b")),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"fw": {"1:a×2", "2:b×3"}},
			notes:    map[string]Code{"s": CodeOutOfRadius, "fw": CodeChosen, "w": CodeRankedLower},
			messages: map[string]string{"s": "out of radius: 4.2 km > 3 km"},
			summary:  "chosen: nearest front warehouse with everything, 5 km; promise 12-07 11:00–14:00; no store in reach has everything",
			from:     at10(11, 0), to: at10(14, 0),
		},
		{
			name:  "candidate radius overrides the default",
			order: ab,
			cands: []Candidate{
				loc("s", KindStore, 4.2, all(5, "a", "b"), radius(5)),
				loc("fw", KindFrontWarehouse, 5, all(5, "a", "b")),
			},
			code:  CodeSingle,
			ships: map[string][]string{"s": {"1:a×2", "2:b×3"}},
		},
		{
			name:  "configured store radius",
			order: ab,
			opts:  Options{StoreRadiusKm: 5},
			cands: []Candidate{
				loc("s", KindStore, 4.2, all(5, "a", "b")),
				loc("fw", KindFrontWarehouse, 5, all(5, "a", "b")),
			},
			code:  CodeSingle,
			ships: map[string][]string{"s": {"1:a×2", "2:b×3"}},
		},
		{
			name:  "store lacks a SKU",
			order: ab,
			cands: []Candidate{
				loc("s", KindStore, 1, map[string]int64{"a": 5, "b": 1}),
				loc("fw", KindFrontWarehouse, 5, all(5, "a", "b")),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"fw": {"1:a×2", "2:b×3"}},
			notes:    map[string]Code{"s": CodeLacksStock},
			messages: map[string]string{"s": "lacks SKU b (has 1 of 3)"},
		},
		{
			name:  "store at capacity; unlimited store is not",
			order: ab,
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a", "b"), capacity(0)),
				loc("s2", KindStore, 2, all(5, "a", "b"), capacity(-1)),
				loc("s3", KindStore, 2.5, all(5, "a", "b"), unlimited()),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"s3": {"1:a×2", "2:b×3"}},
			notes:    map[string]Code{"s1": CodeAtCapacity, "s2": CodeAtCapacity, "s3": CodeChosen},
			messages: map[string]string{"s1": "at capacity"},
		},
		{
			name:  "front warehouse out of radius: warehouse",
			order: ab,
			cands: []Candidate{
				loc("fw", KindFrontWarehouse, 12, all(5, "a", "b")),
				loc("w", KindWarehouse, 30, all(5, "a", "b")),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"w": {"1:a×2", "2:b×3"}},
			notes:    map[string]Code{"fw": CodeOutOfRadius},
			messages: map[string]string{"fw": "out of radius: 12 km > 10 km"},
			summary:  "promise 12-07 14:00–12-08 10:00; no store in reach has everything; no front warehouse in reach has everything",
			from:     at10(14, 0), to: at10(10, 0).Add(24 * time.Hour),
		},
		{
			name:      "warehouse radius when configured",
			order:     ab,
			opts:      Options{WarehouseRadiusKm: 20},
			cands:     []Candidate{loc("w", KindWarehouse, 30, all(5, "a", "b"))},
			code:      CodeInsufficientStock,
			notes:     map[string]Code{"w": CodeOutOfRadius},
			shortages: map[string]Code{"a": CodeInsufficientStock, "b": CodeInsufficientStock},
		},
		{
			name:  "store past cut-off loses to a front warehouse open now",
			order: late,
			cands: []Candidate{
				loc("s", KindStore, 1, all(5, "a")),
				loc("fw", KindFrontWarehouse, 5, all(5, "a"), hours(Hours{})),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"fw": {"1:a×1"}},
			notes:    map[string]Code{"s": CodeRankedLower},
			messages: map[string]string{"s": "promises later (by 12-08 09:00, chosen by 12-08 01:30)"},
			summary:  "; the stores with everything promise later",
			from:     at10(22, 30), to: at10(21, 30).Add(4 * time.Hour),
		},
		{
			name:  "store past cut-off still beats a warehouse's day",
			order: late,
			cands: []Candidate{
				loc("s", KindStore, 1, all(5, "a")),
				loc("w", KindWarehouse, 5, all(5, "a"), hours(Hours{})),
			},
			code:  CodeSingle,
			ships: map[string][]string{"s": {"1:a×1"}},
			from:  at10(8, 0).Add(24 * time.Hour), to: at10(9, 0).Add(24 * time.Hour),
		},
		{
			name:  "split across two stores",
			order: abc,
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a", "b")),
				loc("s2", KindStore, 2, all(5, "c")),
				loc("s3", KindStore, 2.5, nil),
			},
			code:     CodeSplit,
			ships:    map[string][]string{"s1": {"1:a×1", "2:b×1"}, "s2": {"3:c×1"}},
			notes:    map[string]Code{"s1": CodeSplitMember, "s2": CodeSplitMember, "s3": CodeNoStock},
			messages: map[string]string{"s1": "ships a×1, b×1"},
			summary:  "split into 2 shipments",
			search:   "exact",
			from:     at10(10, 0), to: at10(11, 0),
		},
		{
			name:  "split takes fewest locations over earlier promise",
			order: abc,
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a")),
				loc("s2", KindStore, 1, all(5, "b")),
				loc("s3", KindStore, 1, all(5, "c")),
				loc("fw", KindFrontWarehouse, 4, all(5, "a", "b")),
			},
			code:     CodeSplit,
			ships:    map[string][]string{"fw": {"1:a×1", "2:b×1"}, "s3": {"3:c×1"}},
			notes:    map[string]Code{"s1": CodeNotNeeded, "s2": CodeNotNeeded},
			messages: map[string]string{"s1": "not needed in the split: lacks SKU b (has 0 of 1); lacks SKU c (has 0 of 1)"},
			to:       at10(14, 0),
		},
		{
			name:  "split prefers earlier completion",
			order: abc,
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a", "b")),
				loc("w", KindWarehouse, 3, all(5, "c"), costs(0, 0)),
				loc("s2", KindStore, 2, all(5, "c")),
			},
			code:  CodeSplit,
			ships: map[string][]string{"s1": {"1:a×1", "2:b×1"}, "s2": {"3:c×1"}},
		},
		{
			name:  "split then prefers lower cost",
			order: abc,
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a", "b")),
				loc("s2", KindStore, 1, all(5, "c"), costs(900, 0)),
				loc("s3", KindStore, 2, all(5, "c"), costs(100, 0)),
			},
			code:  CodeSplit,
			ships: map[string][]string{"s1": {"1:a×1", "2:b×1"}, "s3": {"3:c×1"}},
		},
		{
			name:  "a line splits only when no one location has it all",
			order: deliver(line("1", "a", 5), line("2", "b", 1)),
			cands: []Candidate{
				loc("s1", KindStore, 1, map[string]int64{"a": 3, "b": 1}),
				loc("s2", KindStore, 2, map[string]int64{"a": 2}),
			},
			code:  CodeSplit,
			ships: map[string][]string{"s1": {"1:a×3", "2:b×1"}, "s2": {"1:a×2"}},
		},
		{
			name:  "a whole line goes to the best member that holds it all",
			order: deliver(line("1", "a", 2), line("2", "b", 1)),
			cands: []Candidate{
				loc("s1", KindStore, 1, map[string]int64{"a": 1}),
				loc("s2", KindStore, 2, map[string]int64{"a": 2, "c": 1}),
				loc("s3", KindStore, 2.5, map[string]int64{"b": 1}),
			},
			code:  CodeSplit,
			ships: map[string][]string{"s2": {"1:a×2"}, "s3": {"2:b×1"}},
		},
		{
			name:  "two lines of one SKU share its stock",
			order: deliver(line("1", "a", 2), line("2", "a", 2)),
			cands: []Candidate{
				loc("s1", KindStore, 1, map[string]int64{"a": 3}),
				loc("s2", KindStore, 2, map[string]int64{"a": 1}),
			},
			code:  CodeSplit,
			ships: map[string][]string{"s1": {"1:a×2", "2:a×1"}, "s2": {"2:a×1"}},
		},
		{
			name:  "weighed line in grams",
			order: deliver(line("1", "pork", 500)),
			cands: []Candidate{
				loc("s1", KindStore, 1, map[string]int64{"pork": 400}),
				loc("s2", KindStore, 2, map[string]int64{"pork": 800}),
			},
			code:     CodeSingle,
			ships:    map[string][]string{"s2": {"1:pork×500"}},
			messages: map[string]string{"s1": "lacks SKU pork (has 400 of 500)"},
		},
		{
			name:  "greedy when exact is off",
			order: abc,
			opts:  Options{ExactLimit: -1},
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a")),
				loc("s2", KindStore, 1.5, all(5, "b", "c")),
			},
			code:   CodeSplit,
			ships:  map[string][]string{"s1": {"1:a×1"}, "s2": {"2:b×1", "3:c×1"}},
			search: "greedy",
		},
		{
			name:  "exact finds the 2-way split greedy misses",
			order: deliver(line("1", "a", 1), line("2", "b", 1), line("3", "c", 1), line("4", "d", 1), line("5", "e", 1), line("6", "f", 1)),
			cands: []Candidate{
				loc("x", KindStore, 1, all(1, "a", "b", "c", "d")),
				loc("y", KindStore, 2, all(1, "a", "b", "e")),
				loc("z", KindStore, 2.5, all(1, "c", "d", "f")),
			},
			code:   CodeSplit,
			ships:  map[string][]string{"y": {"1:a×1", "2:b×1", "5:e×1"}, "z": {"3:c×1", "4:d×1", "6:f×1"}},
			notes:  map[string]Code{"x": CodeNotNeeded},
			search: "exact",
		},
		{
			name:  "greedy past the exact limit: more shipments, says so",
			order: deliver(line("1", "a", 1), line("2", "b", 1), line("3", "c", 1), line("4", "d", 1), line("5", "e", 1), line("6", "f", 1)),
			opts:  Options{ExactLimit: 3}, // C(3,2)+C(3,3) = 4 combinations
			cands: []Candidate{
				loc("x", KindStore, 1, all(1, "a", "b", "c", "d")),
				loc("y", KindStore, 2, all(1, "a", "b", "e")),
				loc("z", KindStore, 2.5, all(1, "c", "d", "f")),
			},
			code:    CodeSplit,
			ships:   map[string][]string{"x": {"1:a×1", "2:b×1", "3:c×1", "4:d×1"}, "y": {"5:e×1"}, "z": {"6:f×1"}},
			search:  "greedy",
			summary: "greedy search over 3 locations",
		},
		{
			name:  "pickup store closed: ready at opening",
			order: Order{Lines: []Line{line("1", "a", 1)}, Fulfilment: Pickup, PickupLocationID: "s", At: at10(6, 30)},
			cands: []Candidate{loc("s", KindStore, 0, all(5, "a"))},
			code:  CodeSingle,
			ships: map[string][]string{"s": {"1:a×1"}},
			from:  at10(8, 0), to: at10(9, 0),
		},
		{
			name:  "max shipments 1 forbids a split",
			order: abc,
			opts:  Options{MaxShipments: 1},
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a", "b")),
				loc("s2", KindStore, 2, all(5, "c")),
			},
			code:      CodeTooManyShipments,
			notes:     map[string]Code{"s1": CodeLacksStock, "s2": CodeLacksStock},
			shortages: map[string]Code{"c": CodeTooManyShipments},
		},
		{
			name:  "too many shipments",
			order: abc,
			opts:  Options{MaxShipments: 2},
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a")),
				loc("s2", KindStore, 1, all(5, "b")),
				loc("s3", KindStore, 1, all(5, "c")),
			},
			code:      CodeTooManyShipments,
			summary:   "more than 2 locations",
			shortages: map[string]Code{"c": CodeTooManyShipments},
		},
		{
			name:  "not enough stock within reach",
			order: ab,
			cands: []Candidate{
				loc("s1", KindStore, 1, map[string]int64{"a": 1, "b": 3}),
				loc("s2", KindStore, 4, all(9, "a", "b")),
			},
			code:      CodeInsufficientStock,
			notes:     map[string]Code{"s1": CodeLacksStock, "s2": CodeOutOfRadius},
			shortages: map[string]Code{"a": CodeInsufficientStock},
			summary:   "not enough stock within reach of a",
		},
		{
			name:      "no candidates at all",
			order:     ab,
			code:      CodeInsufficientStock,
			shortages: map[string]Code{"a": CodeInsufficientStock, "b": CodeInsufficientStock},
		},
		{
			name:  "ship: warehouses only, courier window",
			order: Order{Lines: []Line{line("1", "a", 1)}, Fulfilment: Ship, At: at10(10, 0)},
			cands: []Candidate{
				loc("s", KindStore, 1, all(5, "a")),
				loc("fw", KindFrontWarehouse, 1, all(5, "a")),
				loc("w", KindWarehouse, 900, all(5, "a")),
			},
			code:  CodeSingle,
			ships: map[string][]string{"w": {"1:a×1"}},
			notes: map[string]Code{"s": CodeKindNotAllowed, "fw": CodeRankedLower},
			from:  at10(10, 0).Add(24 * time.Hour), to: at10(10, 0).Add(72 * time.Hour),
		},
		{
			name:  "ship from stores when allowed",
			order: Order{Lines: []Line{line("1", "a", 1)}, Fulfilment: Ship, At: at10(10, 0)},
			opts:  Options{ShipFromStores: true},
			cands: []Candidate{loc("s", KindStore, 1, all(5, "a"))},
			code:  CodeSingle,
			ships: map[string][]string{"s": {"1:a×1"}},
		},
		{
			name:  "pickup at a store that has everything",
			order: Order{Lines: []Line{line("1", "a", 1)}, Fulfilment: Pickup, PickupLocationID: "s2", At: at10(10, 0)},
			cands: []Candidate{
				loc("s1", KindStore, 1, all(5, "a")),
				loc("s2", KindStore, 9, all(5, "a")),
			},
			code:    CodeSingle,
			ships:   map[string][]string{"s2": {"1:a×1"}},
			notes:   map[string]Code{"s1": CodeNotPickupStore, "s2": CodeChosen},
			summary: "pickup at s2",
			from:    at10(10, 0), to: at10(11, 0),
		},
		{
			name:  "pickup store lacks a SKU: transfer suggested",
			order: Order{Lines: []Line{line("1", "a", 3), line("2", "b", 1)}, Fulfilment: Pickup, PickupLocationID: "s", At: at10(10, 0)},
			cands: []Candidate{
				loc("s", KindStore, 0, map[string]int64{"a": 1, "b": 1}),
				loc("far", KindWarehouse, 20, all(9, "a")),
				loc("near", KindStore, 2, all(9, "a")),
				loc("tiny", KindStore, 1, all(1, "a")),
			},
			code:      CodePickupStoreLacks,
			notes:     map[string]Code{"s": CodeLacksStock, "far": CodeNotPickupStore},
			shortages: map[string]Code{"a": CodePickupStoreLacks},
			summary:   "transfer stock or offer delivery",
		},
		{
			name:      "pickup store at capacity",
			order:     Order{Lines: []Line{line("1", "a", 1)}, Fulfilment: Pickup, PickupLocationID: "s", At: at10(10, 0)},
			cands:     []Candidate{loc("s", KindStore, 0, all(5, "a"), capacity(0))},
			code:      CodePickupStoreFull,
			notes:     map[string]Code{"s": CodeAtCapacity},
			shortages: map[string]Code{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Route(tt.order, tt.cands, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d.Code != tt.code {
				t.Fatalf("code %q, want %q (%s)", d.Code, tt.code, d.Summary)
			}
			if d.Fulfillable != (tt.code == CodeSingle || tt.code == CodeSplit) {
				t.Errorf("fulfillable %v with code %q", d.Fulfillable, d.Code)
			}
			if tt.ships == nil {
				tt.ships = map[string][]string{}
			}
			if diff := cmp.Diff(tt.ships, shipped(d)); diff != "" {
				t.Errorf("shipments (-want +got):\n%s", diff)
			}
			for id, code := range tt.notes {
				if n := noteOf(d, id); n.Code != code {
					t.Errorf("candidate %s: %q (%s), want %q", id, n.Code, n.Message, code)
				}
			}
			for id, msg := range tt.messages {
				if n := noteOf(d, id); !strings.Contains(n.Message, msg) {
					t.Errorf("candidate %s: message %q lacks %q", id, n.Message, msg)
				}
			}
			if !strings.Contains(d.Summary, tt.summary) {
				t.Errorf("summary %q lacks %q", d.Summary, tt.summary)
			}
			if !tt.from.IsZero() && !d.From.Equal(tt.from) {
				t.Errorf("from %v, want %v", d.From, tt.from)
			}
			if !tt.to.IsZero() && !d.To.Equal(tt.to) {
				t.Errorf("to %v, want %v", d.To, tt.to)
			}
			if d.Search != tt.search && tt.search != "" {
				t.Errorf("search %q, want %q", d.Search, tt.search)
			}
			if tt.shortages != nil {
				got := map[string]Code{}
				for _, s := range d.Shortages {
					got[s.SKUID] = s.Code
				}
				if diff := cmp.Diff(tt.shortages, got); diff != "" {
					t.Errorf("shortages (-want +got):\n%s", diff)
				}
			}
			if len(d.Candidates) != len(tt.cands) {
				t.Errorf("%d notes for %d candidates", len(d.Candidates), len(tt.cands))
			}
			var cost int64
			for _, s := range d.Shipments {
				cost += s.Cost
			}
			if cost != d.Cost {
				t.Errorf("cost %d, shipments sum to %d", d.Cost, cost)
			}
		})
	}
}

func TestRoutePickupTransfer(t *testing.T) {
	t.Parallel()
	order := Order{Lines: []Line{line("1", "a", 3), line("2", "b", 1)}, Fulfilment: Pickup, PickupLocationID: "s", At: at10(10, 0)}
	d, err := Route(order, []Candidate{
		loc("s", KindStore, 0, map[string]int64{"a": 1, "b": 1}),
		loc("far", KindWarehouse, 20, all(9, "a")),
		loc("near", KindStore, 2, all(9, "a")),
		loc("tiny", KindStore, 1, all(1, "a")),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Shortage{{SKUID: "a", Ordered: 3, Available: 1, Code: CodePickupStoreLacks,
		Message:      "pickup store lacks SKU a (has 1 of 3); near could transfer 2",
		TransferFrom: []string{"near", "far"}}}
	if diff := cmp.Diff(want, d.Shortages); diff != "" {
		t.Errorf("shortages (-want +got):\n%s", diff)
	}
}

func TestRouteCost(t *testing.T) {
	t.Parallel()
	d, err := Route(deliver(line("1", "a", 1)), []Candidate{loc("s", KindStore, 2.5, all(1, "a"), costs(500, 120))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 500 + 120 × 2.5 km = 800 fen
	if d.Cost != 800 || d.Shipments[0].Cost != 800 {
		t.Errorf("cost %d / %d, want 800", d.Cost, d.Shipments[0].Cost)
	}
	if got := d.Shipments[0].DistanceKm; got < 2.4999 || got > 2.5001 {
		t.Errorf("distance %v, want 2.5", got)
	}
}

func TestRouteDetails(t *testing.T) {
	t.Parallel()
	order := deliver(line("1", "a", 3))
	order.At = at10(21, 30)
	d, err := Route(order, []Candidate{
		loc("s", KindStore, 4.2, all(1, "a"), capacity(0)),
		loc("w", KindWarehouse, 10, all(3, "a")),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var codes []Code
	for _, dt := range noteOf(d, "s").Details {
		codes = append(codes, dt.Code)
	}
	want := []Code{CodeOutOfRadius, CodeAtCapacity, CodeLacksStock, CodePastCutOff}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	if m := noteOf(d, "s").Details[3].Message; m != "past cut-off 21:00; promise starts at next opening 12-08 08:00" {
		t.Errorf("cut-off message %q", m)
	}
}

func TestDecisionJSON(t *testing.T) {
	t.Parallel()
	d, err := Route(deliver(line("1", "a", 5), line("2", "b", 1)), []Candidate{
		loc("s1", KindStore, 1, map[string]int64{"a": 3, "b": 1}),
		loc("s2", KindStore, 2, map[string]int64{"a": 2}),
		loc("s3", KindStore, 5, nil),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Decision
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	for _, key := range []string{`"fulfillable":true`, `"code":"split"`, `"location_id":"s3"`, `"code":"out_of_radius"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
}

func TestRouteInvalid(t *testing.T) {
	t.Parallel()
	ok := deliver(line("1", "a", 1))
	c := loc("s", KindStore, 1, all(1, "a"))
	tests := []struct {
		name  string
		order func(*Order)
		cands []Candidate
		opts  Options
		field string
	}{
		{name: "no lines", order: func(o *Order) { o.Lines = nil }, field: "lines"},
		{name: "duplicate line", order: func(o *Order) { o.Lines = append(o.Lines, line("1", "b", 1)) }, field: "lines"},
		{name: "zero qty", order: func(o *Order) { o.Lines[0].Qty = 0 }, field: "lines"},
		{name: "no sku", order: func(o *Order) { o.Lines[0].SKUID = "" }, field: "lines"},
		{name: "no time", order: func(o *Order) { o.At = time.Time{} }, field: "at"},
		{name: "delivery without point", order: func(o *Order) { o.To = nil }, field: "to"},
		{name: "bad point", order: func(o *Order) { o.To = &Point{Lat: 91} }, field: "to"},
		{name: "bad fulfilment", order: func(o *Order) { o.Fulfilment = "drone" }, field: "fulfilment"},
		{name: "pickup without store", order: func(o *Order) { o.Fulfilment = Pickup }, field: "pickup_location_id"},
		{name: "pickup store not a candidate", order: func(o *Order) { o.Fulfilment, o.PickupLocationID = Pickup, "x" }, field: "pickup_location_id"},
		{name: "duplicate candidate", cands: []Candidate{c, c}, field: "candidates"},
		{name: "candidate kind", cands: []Candidate{{ID: "x", Kind: "shop"}}, field: "kind"},
		{name: "candidate without id", cands: []Candidate{{Kind: KindStore}}, field: "id"},
		{name: "candidate hours", cands: []Candidate{{ID: "x", Kind: KindStore, Hours: Hours{Close: 25 * time.Hour}}}, field: "hours"},
		{name: "candidate radius", cands: []Candidate{{ID: "x", Kind: KindStore, RadiusKm: -1}}, field: "radius_km"},
		{name: "candidate cost too high", cands: []Candidate{{ID: "x", Kind: KindStore, CostPerKm: MaxCost + 1}}, field: "cost"},
		{name: "candidate cost", cands: []Candidate{{ID: "x", Kind: KindStore, CostPerKm: -1}}, field: "cost"},
		{name: "options radius", opts: Options{StoreRadiusKm: -3}, field: "store_radius_km"},
		{name: "options max shipments", opts: Options{MaxShipments: -1}, field: "max_shipments"},
		{name: "options promise", opts: Options{StorePromise: Promise{Min: 2 * time.Hour, Max: time.Hour}}, field: "store_promise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := ok
			o.Lines = append([]Line(nil), ok.Lines...)
			if tt.order != nil {
				tt.order(&o)
			}
			_, err := Route(o, tt.cands, tt.opts)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("err %v, want invalid", err)
			}
			var e *errs.Error
			if !asErr(err, &e) || e.Field != tt.field {
				t.Errorf("err %v, want field %q", err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), "routing: route: ") {
				t.Errorf("err %q lacks the operation", err)
			}
		})
	}
}
