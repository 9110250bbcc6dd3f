package graph

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The fuzzy score is a Fellegi–Sunter model: each comparison of two records lands in
// one level (name exact, fold, homophone…; phone digits; birthday; address bands;
// city; gender), and each level adds log2(m/u) bits of evidence, where m is how often
// one person's two records land there and u how often two people's do. A missing
// value adds nothing. u is estimated on random pairs of the tenant's records (nearly
// all of two different people), m and the share of matches by expectation–
// maximisation on the tenant's candidate pairs ([FitModel]). An exact name match is
// adjusted by the name's frequency: 张伟 in one city is weak evidence, a rare name
// strong.

// Comparison is one compared field and its levels, most alike first.
type Comparison struct {
	Name   string
	Levels []string
}

// Comparisons are the model's comparisons, in the order of Gamma and of the m and
// u tables.
var Comparisons = []Comparison{
	{"name", []string{"exact", "fold", "homophone", "close", "surname", "surname differs", "differs"}},
	{"phone", []string{"7+ digits equal", "4-6 digits equal", "differs"}},
	{"birthday", []string{"exact", "typo", "within 60 days", "differs"}},
	{"address", []string{"dice ≥ 0.85", "dice ≥ 0.6", "dice ≥ 0.4", "dice < 0.4"}},
	{"city", []string{"equal", "differs"}},
	{"gender", []string{"equal", "differs"}},
}

const (
	cmpName = iota
	cmpPhone
	cmpBirthday
	cmpAddress
	cmpCity
	cmpGender
	numComparisons
)

// name levels that a term frequency adjusts.
const (
	nameExact = 0
	nameFold  = 1
)

// Gamma is a pair's comparison vector: the level of each comparison, -1 when either
// record lacks the field.
type Gamma [numComparisons]int8

// Levels compares a and b.
func Levels(a, b *Features) Gamma {
	g := Gamma{-1, -1, -1, -1, -1, -1}
	if k := nameLevel(a, b); k >= 0 {
		g[cmpName] = int8(k)
	}
	if a.PhoneMask != "" && b.PhoneMask != "" {
		switch n, differ := phoneAgreement(a.PhoneMask, b.PhoneMask); {
		case differ:
			g[cmpPhone] = 2
		case n >= 6: // the leading 1 is not counted: 138****5678 knows 6 more
			g[cmpPhone] = 0
		default:
			g[cmpPhone] = 1
		}
	}
	if a.Birthday != "" && b.Birthday != "" {
		switch {
		case a.Birthday == b.Birthday:
			g[cmpBirthday] = 0
		case birthdayTypo(a.Birthday, b.Birthday):
			g[cmpBirthday] = 1
		case daysApart(a.Birthday, b.Birthday) <= 60:
			g[cmpBirthday] = 2
		default:
			g[cmpBirthday] = 3
		}
	}
	if a.Address != "" && b.Address != "" {
		switch d := dice.Compare(a.Address, b.Address); {
		case d >= 0.85:
			g[cmpAddress] = 0
		case d >= 0.6:
			g[cmpAddress] = 1
		case d >= 0.4:
			g[cmpAddress] = 2
		default:
			g[cmpAddress] = 3
		}
	}
	if a.City != "" && b.City != "" {
		g[cmpCity] = 1
		if a.City == b.City {
			g[cmpCity] = 0
		}
	}
	if a.Gender != "" && b.Gender != "" {
		g[cmpGender] = 1
		if a.Gender == b.Gender {
			g[cmpGender] = 0
		}
	}
	return g
}

// nameLevel is the name comparison's level, -1 when either name is missing.
func nameLevel(a, b *Features) int {
	k := nameAgreement(a, b)
	if k == "differ" && (a.SurnameOnly || b.SurnameOnly) {
		return 5
	}
	return map[string]int{"": -1, "exact": 0, "fold": 1, "homophone": 2, "close": 3, "surname": 4, "differ": 6}[k]
}

// daysApart is the distance in days of two YYYY-MM-DD dates.
func daysApart(a, b string) float64 {
	x, err1 := time.Parse(time.DateOnly, a)
	y, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return math.Inf(1)
	}
	return math.Abs(x.Sub(y).Hours() / 24)
}

// Model is a fitted Fellegi–Sunter model.
type Model struct {
	// Lambda is the share of candidate pairs that are one person; Random the
	// probability that two records drawn at random are (the prior of every score:
	// the evidence of each comparison, the blocked-on ones included, comes on top).
	Lambda, Random float64
	// M and U are, per comparison and level, the probability of the level between
	// two records of one person (M) and of two people (U).
	M, U [numComparisons][]float64
	// NameFreq is the share of records bearing each folded full name; an exact or
	// folded name match adds log2(u / freq), where u is the chance that two people's
	// folded names agree (exact and fold together), to its level's log2(m / u).
	NameFreq map[string]float64
	// Fitting: candidate pairs, random pairs sampled for u, EM iterations, and
	// whether EM converged.
	Pairs, Sampled, Iterations int
	Converged                  bool
}

// DefaultModel returns the starting point of [FitModel]: plausible m and u
// probabilities that EM replaces with the tenant's. It is also the model of a tenant
// with too few candidate pairs to learn from.
func DefaultModel() Model {
	return Model{
		Lambda: 0.05, Random: 1e-4,
		M: [numComparisons][]float64{
			{0.55, 0.1, 0.08, 0.07, 0.15, 0.01, 0.04},
			{0.9, 0.05, 0.05},
			{0.8, 0.06, 0.06, 0.08},
			{0.55, 0.2, 0.1, 0.15},
			{0.95, 0.05},
			{0.97, 0.03},
		},
		U: [numComparisons][]float64{
			{0.001, 0.0002, 0.0005, 0.02, 0.05, 0.3, 0.63},
			{0.0005, 0.005, 0.9945},
			{0.0003, 0.003, 0.01, 0.9867},
			{0.001, 0.003, 0.02, 0.976},
			{0.4, 0.6},
			{0.5, 0.5},
		},
	}
}

// Term is one comparison's share of a pair's score, in bits.
type Term struct {
	Comparison string  `json:"comparison"`
	Level      string  `json:"level"`
	Weight     float64 `json:"weight"`
}

// Explanation is a pair's score as the sum of its terms: the prior, one term per
// comparison both records have, and the name's term-frequency adjustment. Bits is
// the sum of the terms' weights; Probability is 1/(1+2^−Bits).
type Explanation struct {
	Terms       []Term
	Bits        float64
	Probability float64
}

// String lists the terms: "prior −4.2, name fold +9.1, …".
func (e Explanation) String() string { return strings.Join(reasons(e), ", ") }

// probability limits keep every weight finite.
const (
	minProb = 1e-6
	maxProb = 1 - 1e-6
)

func clampProb(p float64) float64 { return min(max(p, minProb), maxProb) }

// weight is the level's log2(m/u).
func (m *Model) weight(c, l int) float64 {
	return math.Log2(clampProb(m.M[c][l]) / clampProb(m.U[c][l]))
}

// Prior is log2 of the odds that two records drawn at random are one person.
func (m *Model) Prior() float64 {
	r := min(max(m.Random, 1e-12), maxProb)
	return math.Log2(r / (1 - r))
}

// Explain scores a and b.
func (m *Model) Explain(a, b *Features) Explanation {
	return m.explain(a, b, Levels(a, b))
}

func (m *Model) explain(a, b *Features, g Gamma) Explanation {
	e := Explanation{Terms: []Term{{Comparison: "prior", Weight: m.Prior()}}}
	for c, l := range g {
		if l < 0 {
			continue
		}
		e.Terms = append(e.Terms, Term{Comparison: Comparisons[c].Name, Level: Comparisons[c].Levels[l], Weight: m.weight(c, int(l))})
	}
	if l := g[cmpName]; (l == nameExact || l == nameFold) && m.NameFreq != nil {
		if f, ok := m.NameFreq[a.Name]; ok && a.Name == b.Name {
			// The chance that two people's folded names agree (u of exact and fold
			// together) is, for this name, its frequency. The level keeps its own
			// weight: how much likelier one person's two spellings of a name are to
			// differ only in their form (陳靜/陈静) than two namesakes' are. Adjusting
			// the fold level against its own u instead would cancel that weight: a
			// folded match would weigh log2(m_fold / freq), below an exact match's
			// log2(m_exact / freq), because most of one person's records spell the
			// name alike.
			adj := math.Log2(clampProb(m.U[cmpName][nameExact]+m.U[cmpName][nameFold]) / clampProb(f))
			e.Terms = append(e.Terms, Term{Comparison: "name", Level: "term frequency", Weight: adj})
		}
	}
	for _, t := range e.Terms {
		e.Bits += t.Weight
	}
	e.Probability = 1 / (1 + math.Exp2(-e.Bits))
	return e
}

// Weight is one level's fitted probabilities and weight, for reports.
type Weight struct {
	Comparison, Level string
	M, U, Bits        float64
}

// Weights lists every level's m, u and weight in the order of Comparisons.
func (m *Model) Weights() []Weight {
	var out []Weight
	for c, cmp := range Comparisons {
		for l, name := range cmp.Levels {
			out = append(out, Weight{Comparison: cmp.Name, Level: name, M: m.M[c][l], U: m.U[c][l], Bits: m.weight(c, l)})
		}
	}
	return out
}

// FitOptions tune FitModel; the zero value means the defaults.
type FitOptions struct {
	// Sample is how many random pairs estimate u (default 200,000, at most every pair).
	Sample int
	// MaxIterations bounds EM (default 100); it stops earlier when no probability
	// moves by more than 1e-6.
	MaxIterations int
	// Seed seeds the sampling, so that a fit is reproducible (default 1).
	Seed uint64
}

// minFitPairs is the fewest candidate pairs EM learns m from, and minSamplePairs
// the fewest pairs of records u is estimated on; below them the default
// probabilities stand.
const (
	minFitPairs    = 30
	minSamplePairs = 1000
)

// FitModel estimates a model from the tenant's records and its candidate pairs
// (indexes into recs, as blocking produced them): the name frequencies from recs, u
// from random pairs of recs (the phone's 7+ digits level from the numbers'
// frequencies, [phoneChance]), m and Lambda by expectation–maximisation over the
// candidate pairs with u fixed. Each level's m is smoothed towards the default by a
// pseudo-count of one pair, so a level no candidate pair reaches keeps a finite,
// plausible weight.
func FitModel(recs []Features, pairs [][2]int, opt FitOptions) Model {
	gammas := make([]Gamma, len(pairs))
	blocked := make([]uint8, len(pairs))
	for i, p := range pairs {
		gammas[i] = Levels(&recs[p[0]], &recs[p[1]])
		blocked[i] = blockedOn(&recs[p[0]], &recs[p[1]])
	}
	return fitGammas(recs, gammas, blocked, [numComparisons]int8{-1, -1, -1, -1, -1, -1}, opt)
}

// fitGammas is FitModel with the candidate pairs already compared; blocked[i] has
// bit c set when pair i was selected for agreeing on comparison c. enumerated[c] is
// a level of comparison c whose every pair of records is among the candidates (-1
// for none): its u is counted over all pairs of records rather than sampled
// ([Model.em]).
func fitGammas(recs []Features, gammas []Gamma, blocked []uint8, enumerated [numComparisons]int8, opt FitOptions) Model {
	m := DefaultModel()
	m.Pairs = len(gammas)
	all := float64(len(recs)) * float64(len(recs)-1) / 2
	if all < minSamplePairs || len(gammas) < minFitPairs {
		// Too few records to tell agreement by chance from agreement by identity,
		// or a name's frequency from its bearers' own duplicates: the defaults stand.
		return m
	}
	m.NameFreq = nameFrequencies(recs)
	random := sampleLevels(recs, cmp.Or(opt.Sample, 200_000), cmp.Or(opt.Seed, 1))
	m.Sampled = random.pairs
	for c := range m.U {
		m.U[c] = smooth(random.counts[c], m.U[c], 1)
	}
	{
		var with [numComparisons]float64
		for c := range with {
			n := 0.0
			for i := range recs {
				if hasField(&recs[i], c) {
					n++
				}
			}
			with[c] = n * (n - 1) / 2
		}
		exact := enumeratedU{levels: enumerated, pairs: with}
		if u := phoneChance(recs); u > 0 {
			exact.levels[cmpPhone], exact.chance[cmpPhone] = 0, u
		}
		m.em(gammas, blocked, random, float64(random.pairs)/all, exact, cmp.Or(opt.MaxIterations, 100))
	}
	if all > 0 {
		m.Random = m.Lambda * float64(len(gammas)) / all
	}
	return m
}

// hasField reports whether f has what comparison c compares (Levels gives the pair
// a level only when both records have it).
func hasField(f *Features, c int) bool {
	switch c {
	case cmpName:
		return f.Name != ""
	case cmpPhone:
		return f.PhoneMask != ""
	case cmpBirthday:
		return f.Birthday != ""
	case cmpAddress:
		return f.Address != ""
	case cmpCity:
		return f.City != ""
	default:
		return f.Gender != ""
	}
}

// enumeratedU says which levels EM counts u for over all pairs: levels[c] is a
// level of comparison c that blocking enumerates completely (-1 for none), pairs[c]
// the number of pairs of records that both have comparison c's field.
type enumeratedU struct {
	levels [numComparisons]int8
	pairs  [numComparisons]float64
	// chance, when positive, is the level's u computed from the fields'
	// frequencies (phoneChance) and replaces the count.
	chance [numComparisons]float64
}

// phoneChance is the probability that two people's phones agree at six or more
// digits besides the leading 1, from the frequencies of the records' phones rather
// than from any pair's match probability: such a pair has a masked number on one side
// (two full numbers that agree are one number, one customer), so it agrees on digits
// 2–3, counted over the records that show them, and by chance on the last four, whose
// collision probability is estimated without bias on the full numbers (at least 1e-4,
// the uniform digits' value, so a small tenant is not trusted with less). It returns
// 0 when no record shows a masked number's digits 2–3.
func phoneChance(recs []Features) float64 {
	prefix, full := map[string]float64{}, map[string]float64{}
	suffix := map[string]float64{}
	var nFull, withPhone float64
	for i := range recs {
		p := recs[i].PhoneMask
		if p == "" {
			continue
		}
		withPhone++
		if p[1] != '*' && p[2] != '*' {
			prefix[p[1:3]]++
		}
		if !strings.Contains(p, "*") {
			full[p[1:3]]++
			suffix[p[7:]]++
			nFull++
		}
	}
	pairs := 0.0
	for k, n := range prefix {
		f := full[k]
		pairs += n*(n-1)/2 - f*(f-1)/2
	}
	if pairs == 0 || withPhone < 2 {
		return 0
	}
	q := 1e-4
	if nFull > 1 {
		sq := 0.0
		for _, c := range suffix {
			sq += c * c
		}
		q = max(q, (sq-nFull)/(nFull*(nFull-1)))
	}
	return pairs * q / (withPhone * (withPhone - 1) / 2)
}

// blockedOn returns the comparisons (bit c for comparison c) on which a and b
// share a blocking key: a pair is a candidate because it agrees there, so that
// agreement says nothing about it among candidates.
func blockedOn(a, b *Features) uint8 {
	var bits uint8
	bk := b.BlockingKeys()
	for _, k := range a.BlockingKeys() {
		if !slices.Contains(bk, k) {
			continue
		}
		switch k[0] {
		case 'b':
			bits |= 1 << cmpBirthday
		case 'n':
			bits |= 1 << cmpName
		case 's':
			bits |= 1<<cmpName | 1<<cmpPhone
		case 'm':
			bits |= 1 << cmpPhone
		}
	}
	return bits
}

// nameFrequencies returns each full (not surname-only) folded name's share of the
// records with one.
func nameFrequencies(recs []Features) map[string]float64 {
	counts := map[string]int{}
	n := 0
	for i := range recs {
		if recs[i].Name != "" && !recs[i].SurnameOnly {
			counts[recs[i].Name]++
			n++
		}
	}
	out := make(map[string]float64, len(counts))
	for k, c := range counts {
		out[k] = float64(c) / float64(n)
	}
	return out
}

// levelCounts are the levels of a sample of random pairs.
type levelCounts struct {
	counts [numComparisons][]float64
	pairs  int
}

// sampleLevels counts the levels of random pairs of records: every pair when there
// are at most sample of them.
func sampleLevels(recs []Features, sample int, seed uint64) levelCounts {
	var lc levelCounts
	for c := range lc.counts {
		lc.counts[c] = make([]float64, len(Comparisons[c].Levels))
	}
	n := len(recs)
	visit := func(i, j int) {
		for c, l := range Levels(&recs[i], &recs[j]) {
			if l >= 0 {
				lc.counts[c][l]++
			}
		}
		lc.pairs++
	}
	if n*(n-1)/2 <= sample {
		for i := range n {
			for j := i + 1; j < n; j++ {
				visit(i, j)
			}
		}
		return lc
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for lc.pairs < sample {
		if i, j := r.IntN(n), r.IntN(n); i != j {
			visit(i, j)
		}
	}
	return lc
}

// smooth turns counts into probabilities with pseudo pseudo-counts spread as prior.
func smooth(counts, prior []float64, pseudo float64) []float64 {
	total := pseudo
	for _, v := range counts {
		total += v
	}
	out := make([]float64, len(counts))
	for l, v := range counts {
		out[l] = (v + pseudo*prior[l]) / total
	}
	return out
}

// em estimates M and Lambda from the candidate pairs' comparison vectors by
// expectation–maximisation. A pair's blocked-on comparisons are left out of its
// likelihood (among candidates they agree by construction) but count towards m. U
// comes from the random pairs, less the share of this iteration's expected matches
// the sample holds (frac of all pairs): in a small tenant, random pairs include
// matches, which would make agreement look common between two people. A level that
// blocking enumerates (exact) is counted instead of sampled: its u is the candidate
// pairs at that level less this iteration's expected matches among them, over every
// pair of records with the field — a sample of a few hundred thousand pairs cannot
// tell a u of one in a million (a masked phone agreeing with another person's
// number) from one in a hundred thousand; the other levels share the rest in the
// sample's proportions.
func (m *Model) em(gammas []Gamma, blocked []uint8, random levelCounts, frac float64, exact enumeratedU, maxIter int) {
	prior, uPrior := m.M, m.U
	type pattern struct {
		g       Gamma
		blocked uint8
	}
	// Identical patterns share their expectation: count the distinct ones.
	patterns := map[pattern]float64{}
	for i, g := range gammas {
		patterns[pattern{g, blocked[i]}]++
	}
	keys := slices.Collect(maps.Keys(patterns))
	slices.SortFunc(keys, func(a, b pattern) int {
		return cmp.Or(slices.Compare(a.g[:], b.g[:]), cmp.Compare(a.blocked, b.blocked))
	})
	var atLevel [numComparisons]float64 // candidate pairs at each enumerated level
	for k, n := range patterns {
		for c, l := range k.g {
			if l >= 0 && l == exact.levels[c] {
				atLevel[c] += n
			}
		}
	}
	for it := 1; it <= maxIter; it++ {
		m.Iterations = it
		var counts [numComparisons][]float64
		for c := range counts {
			counts[c] = make([]float64, len(Comparisons[c].Levels))
		}
		matches := 0.0
		for _, k := range keys {
			pm, pu := clampProb(m.Lambda), 1-clampProb(m.Lambda)
			for c, l := range k.g {
				if l >= 0 && k.blocked&(1<<c) == 0 {
					pm *= clampProb(m.M[c][l])
					pu *= clampProb(m.U[c][l])
				}
			}
			p := pm / (pm + pu) * patterns[k]
			matches += p
			for c, l := range k.g {
				if l >= 0 {
					counts[c][l] += p
				}
			}
		}
		moved := math.Abs(matches/float64(len(gammas)) - m.Lambda)
		m.Lambda = matches / float64(len(gammas))
		for c := range counts {
			next := smooth(counts[c], prior[c], 1)
			nonMatch := make([]float64, len(counts[c]))
			for l := range next {
				moved = max(moved, math.Abs(next[l]-m.M[c][l]))
				nonMatch[l] = max(random.counts[c][l]-frac*counts[c][l], 0)
			}
			m.M[c] = next
			m.U[c] = smooth(nonMatch, uPrior[c], 1)
			if l := exact.levels[c]; l >= 0 && exact.pairs[c] > 0 {
				// One agreeing pair of two people is assumed on top of those
				// counted, so a small tenant that has seen none does not conclude
				// agreement is impossible between two people.
				u := (max(atLevel[c]-counts[c][l], 0) + 1) / (exact.pairs[c] + 1)
				if exact.chance[c] > 0 {
					u = exact.chance[c]
				}
				rest := 1 - m.U[c][l]
				for k := range m.U[c] {
					if k != int(l) && rest > 0 {
						m.U[c][k] *= (1 - u) / rest
					}
				}
				m.U[c][l] = u
			}
		}
		if moved < 1e-6 {
			m.Converged = true
			return
		}
	}
}

// Corroborated reports whether a pair has positive evidence from at least two of
// name, phone, birthday and address, or a phone agreeing at seven or more known
// digits (a masked 138****5678 and the full number) with no comparison against it.
// Automatic merges need it: a pair that shares only an address (a household), only
// a common name, or only a device (nothing a profile compares) is never merged
// without a person, however the weights came out. A phone is not shared that way:
// one number belongs to one person, and the chance that two people's numbers agree
// at the visible digits is what its u measures, so the threshold decides.
func Corroborated(e Explanation) bool {
	seen := map[string]bool{}
	phone, against := false, false
	for _, t := range e.Terms {
		if t.Comparison != "prior" && t.Weight < 0 {
			against = true
		}
		switch t.Comparison {
		case "name", "phone", "birthday", "address":
			if t.Weight > 0 && t.Level != "term frequency" {
				seen[t.Comparison] = true
			}
		}
		if t.Comparison == "phone" && t.Level == Comparisons[cmpPhone].Levels[0] && t.Weight > 0 {
			phone = true
		}
	}
	return len(seen) >= 2 || phone && !against
}

// ChooseThreshold returns the lowest match probability t such that the pairs scoring
// at least t have an expected precision (their mean probability) of at least target,
// never below 0.5 (a pair more likely two people than one is never merged), and that
// expected precision. With no pair above 0.5 it returns target and 1.
func ChooseThreshold(probs []float64, target float64) (threshold, expected float64) {
	ps := slices.Clone(probs)
	slices.SortFunc(ps, func(a, b float64) int { return cmp.Compare(b, a) })
	threshold, expected = max(target, 0.5), 1
	sum := 0.0
	for i, p := range ps {
		if p < 0.5 {
			break
		}
		sum += p
		if mean := sum / float64(i+1); mean >= target {
			threshold, expected = p, mean
		} else {
			break
		}
	}
	return threshold, expected
}
