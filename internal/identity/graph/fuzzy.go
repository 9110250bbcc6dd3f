package graph

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/adrg/strutil/metrics"
	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"
)

// Fuzzy matching compares the profiles of customers that no shared identifier joined
// (an offline registration typed from a paper form, a delivery order, a member). Each field that both sides have adds evidence in bits (log2
// of how much likelier the agreement is between one person's records than between two
// people's); a missing field adds nothing. The sum plus a prior is turned into a
// score in 0..1 with the logistic function. The weights are FuzzyWeights.

// Profile is the matching input of one record: the raw strings as sent in event
// properties, and a phone: full (+8613812345678), masked (138****5678) or only its
// last digits (*******5678, 5678).
type Profile struct {
	Name     string
	Gender   string // male, female, other, unknown or ""
	Birthday string // YYYY-MM-DD
	City     string
	Address  string
	Phone    string
}

// Features is a Profile normalised for comparison ([NewFeatures]).
type Features struct {
	RawName     string   // the name as sent, trimmed
	Name        string   // the name folded (FoldText), 先生/女士 dropped
	Syllables   []string // the first pinyin reading per Han character
	readings    [][]string
	Surname     string // the surname characters (compound surnames such as 欧阳 kept whole)
	SurnameOnly bool   // only a surname, with a title (张女士) or masked (郑**): the given name is unknown
	Gender      string
	Birthday    string
	City        string
	Address     string
	// PhoneMask is the 11-digit mobile number with '*' for unknown digits
	// ("*******5678" from a suffix); "" when there is none.
	PhoneMask string
}

// Empty reports whether f has nothing to match on (no name, birthday or phone).
func (f *Features) Empty() bool { return f.Name == "" && f.Birthday == "" && f.PhoneMask == "" }

var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "夏侯", "令狐", "宇文", "司徒", "澹台"}

// titles after a surname in delivery and form records, with the gender they imply.
var titles = []struct{ suffix, gender string }{{"先生", "male"}, {"女士", "female"}, {"小姐", "female"}}

// NormalizeName folds the name with [FoldText] (full-width forms, traditional
// characters, case; spaces, dots and other punctuation dropped: 張 偉, 张·伟 and
// 張．偉 are 张伟) and returns the name and the title's gender when the name is a
// surname with a title (张女士 → 张, female).
func NormalizeName(s string) (name string, titleGender string) {
	name, _, titleGender = parseName(s)
	return name, titleGender
}

// maskRunes stand for hidden characters in a masked name (郑**, 郑某, 郑××).
const maskRunes = "*×某"

// parseName is NormalizeName that also reports a surname-only name: a surname with
// a title (张女士) or with its given name masked as delivery platforms show it (郑**,
// 郑*, 欧阳**). The surname is at most two characters.
func parseName(s string) (name string, surnameOnly bool, titleGender string) {
	folded := FoldText(strings.Map(func(r rune) rune {
		if strings.ContainsRune(maskRunes, r) || r == '＊' {
			return '*'
		}
		return r
	}, s))
	if base := strings.TrimRight(folded, "*"); base != folded && base != "" && !strings.Contains(base, "*") && len([]rune(base)) <= 2 {
		return base, true, ""
	}
	name = strings.ReplaceAll(folded, "*", "")
	for _, t := range titles {
		if base, ok := strings.CutSuffix(name, t.suffix); ok && base != "" && len([]rune(base)) <= 2 {
			return base, true, t.gender
		}
	}
	return name, false, ""
}

// NormalizeAddress folds the address with [FoldText] (full-width forms, traditional
// characters, spaces and punctuation), and
// drops the province and city prefix (up to the last 省 or 市 in the first ten
// characters) and the administrative characters 区 and 县, so that
// "上海市徐汇区漕溪北路８８号" and "徐汇 漕溪北路88号" compare equal.
func NormalizeAddress(s string) string {
	rs := []rune(strings.ReplaceAll(FoldText(s), "*", ""))
	cut := -1
	for i, r := range rs {
		if i >= 10 {
			break
		}
		if r == '省' || r == '市' {
			cut = i
		}
	}
	rs = rs[cut+1:]
	return strings.Map(func(r rune) rune {
		if r == '区' || r == '县' {
			return -1
		}
		return r
	}, string(rs))
}

// normalizeCity drops the 市 suffix and folds width: 上海市 and 上海 are one city.
func normalizeCity(s string) string { return strings.TrimSuffix(FoldText(s), "市") }

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Heteronym = true
	return a
}()

// NewFeatures normalises p.
func NewFeatures(p Profile) Features {
	name, surnameOnly, titleGender := parseName(p.Name)
	f := Features{RawName: strings.TrimSpace(p.Name), Name: name, SurnameOnly: surnameOnly, Gender: p.Gender, City: normalizeCity(p.City), Address: NormalizeAddress(p.Address)}
	if titleGender != "" {
		if f.Gender == "" || f.Gender == "unknown" {
			f.Gender = titleGender
		}
	}
	if f.Gender == "unknown" || f.Gender == "other" {
		f.Gender = ""
	}
	if _, err := time.Parse(time.DateOnly, p.Birthday); err == nil {
		f.Birthday = p.Birthday
	}
	f.PhoneMask = phoneMask(p.Phone)
	if name != "" {
		f.readings = pinyin.Pinyin(name, pinyinArgs)
		for _, r := range f.readings {
			if len(r) > 0 {
				f.Syllables = append(f.Syllables, r[0])
			}
		}
		f.Surname = string([]rune(name)[:1])
		for _, c := range compoundSurnames {
			if strings.HasPrefix(name, c) {
				f.Surname = c
			}
		}
		if f.SurnameOnly {
			f.Surname = name
		}
	}
	return f
}

// phoneMask turns a full, masked or partial China mobile number into 11 characters of
// digits and '*', or "" when fewer than four trailing digits are known. A leading +86
// or 86 on a number longer than 11 is dropped; missing leading characters are unknown.
func phoneMask(s string) string {
	s = width.Fold.String(s)
	var b []byte
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*':
			b = append(b, byte(r))
		case r == '×' || r == 'x' || r == 'X':
			b = append(b, '*')
		}
	}
	if len(b) > 11 && string(b[:2]) == "86" {
		b = b[2:]
	}
	if len(b) > 11 {
		return ""
	}
	for len(b) < 11 {
		b = append([]byte{'*'}, b...)
	}
	for _, c := range b[7:] {
		if c == '*' {
			return ""
		}
	}
	return string(b)
}

// phoneAgreement compares two masks at the positions both know (the leading 1 of
// every mobile number excepted): the number of common known digits, and whether one
// of them differs.
func phoneAgreement(a, b string) (common int, differ bool) {
	for i := 1; i < 11; i++ {
		if a[i] == '*' || b[i] == '*' {
			continue
		}
		if a[i] != b[i] {
			return 0, true
		}
		common++
	}
	return common, false
}

// Thresholds split match probabilities: at or above High a corroborated pair
// merges automatically; at or above Review (and below High, or not corroborated) it
// goes to the review queue; below it is ignored.
type Thresholds struct {
	High, Review float64
}

// DefaultReview is the review threshold: a pair with at least one chance in five of
// being one person is worth a person's look.
const DefaultReview = 0.2

// DefaultTargetPrecision is the expected precision of automatic merges that
// [MatchFuzzy] chooses the high threshold for.
const DefaultTargetPrecision = 0.995

var dice = &metrics.SorensenDice{NgramSize: 2}

// nameAgreement classifies two names: "" when either is empty, exact, homophone (every character
// has a common pinyin reading: 张伟/章伟), close (Dice ≥ 0.5 on characters or on
// syllables: one character mistyped in a three-character name), surname (a
// surname-only record such as 张女士 and a full name with that surname), or differ.
func nameAgreement(a, b *Features) string {
	if a.Name == "" || b.Name == "" {
		return ""
	}
	if a.SurnameOnly || b.SurnameOnly {
		if a.Surname == b.Surname || homophone(a.readings[:min(len(a.readings), len([]rune(a.Surname)))], b.readings[:min(len(b.readings), len([]rune(b.Surname)))]) {
			return "surname"
		}
		return "differ"
	}
	if a.RawName == b.RawName {
		return "exact"
	}
	if a.Name == b.Name {
		return "fold"
	}
	if len(a.readings) == len([]rune(a.Name)) && len(b.readings) == len([]rune(b.Name)) && homophone(a.readings, b.readings) {
		return "homophone"
	}
	if dice.Compare(a.Name, b.Name) >= 0.5 || sliceDice(a.Syllables, b.Syllables) >= 0.5 {
		return "close"
	}
	return "differ"
}

// homophone reports whether two reading lists have the same length and share a
// reading at every position.
func homophone(a, b [][]string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if !slices.ContainsFunc(a[i], func(s string) bool { return slices.Contains(b[i], s) }) {
			return false
		}
	}
	return true
}

// sliceDice is the Dice coefficient of the bigrams of two token lists.
func sliceDice(a, b []string) float64 {
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	grams := map[string]int{}
	for i := 0; i+1 < len(a); i++ {
		grams[a[i]+" "+a[i+1]]++
	}
	common := 0
	for i := 0; i+1 < len(b); i++ {
		k := b[i] + " " + b[i+1]
		if grams[k] > 0 {
			grams[k]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)-1+len(b)-1)
}

// birthdayTypo reports two dates one keying error apart: month and day swapped, or a
// single differing digit.
func birthdayTypo(a, b string) bool {
	if len(a) != 10 || len(b) != 10 {
		return false
	}
	if a[:4] == b[:4] && a[5:7] == b[8:10] && a[8:10] == b[5:7] {
		return true
	}
	diff := 0
	for i := range len(a) {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff == 1
}

// BlockingKeys returns the keys under which f is compared with other records: the
// birthday, the full name's pinyin (homophones share it), the phone's last four
// digits with the surname's pinyin (a delivery record "张女士 *1234"), and the
// phone's second and third and last four digits (a masked 138****1234 and the full
// number). Records that share no key are never compared.
func (f *Features) BlockingKeys() []string {
	var keys []string
	if f.Birthday != "" {
		keys = append(keys, "b|"+f.Birthday)
	}
	if len(f.Syllables) > 0 && !f.SurnameOnly {
		keys = append(keys, "n|"+strings.Join(f.Syllables, " "))
	}
	if f.PhoneMask != "" && f.Surname != "" {
		sur := f.Surname
		if n := len([]rune(f.Surname)); len(f.Syllables) >= n {
			sur = strings.Join(f.Syllables[:n], " ")
		}
		keys = append(keys, "s|"+f.PhoneMask[7:]+"|"+sur)
	}
	if f.PhoneMask != "" && f.PhoneMask[1] != '*' && f.PhoneMask[2] != '*' {
		keys = append(keys, "m|"+f.PhoneMask[1:3]+"|"+f.PhoneMask[7:])
	}
	return keys
}

// enumeratedLevels returns, per comparison, the level whose every pair of records
// blocking made a candidate (-1 for none): birthday exact (the birthday key), unless
// a birthday block was too large to compare, and phone "7+ digits equal" (the key of
// digits 2–3 and the last four) when every phone either shows digits 2–3 or none
// of the first six — then two phones agreeing at six or more digits besides the
// leading 1 share that key — and no such block was skipped. skipped holds the kinds
// (the keys' first byte) of the blocks skipped.
func enumeratedLevels(recs []Features, skipped map[byte]bool) [numComparisons]int8 {
	out := [numComparisons]int8{-1, -1, -1, -1, -1, -1}
	if !skipped['b'] {
		out[cmpBirthday] = 0
	}
	if skipped['m'] {
		return out
	}
	for i := range recs {
		p := recs[i].PhoneMask
		if p == "" || p[1] != '*' && p[2] != '*' || strings.Trim(p[1:7], "*") == "" {
			continue
		}
		return out
	}
	out[cmpPhone] = 0
	return out
}

// FuzzyRecord is one customer in a fuzzy pass. Records are passed oldest first.
type FuzzyRecord struct {
	Features Features
	// Strong says the customer holds a strong identifier; a group keeps the oldest
	// strong record.
	Strong bool
	// Exclusive are the customer's identifiers of types limited to one per customer
	// (phone, unionid, member card…). Two records holding different values of one such
	// type are different people: they are never compared, and a group never joins them.
	Exclusive []Identifier
}

// conflict reports whether two exclusive sets hold different values of one type.
func conflict(a, b []Identifier) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Type == y.Type && x.Value != y.Value {
				return true
			}
		}
	}
	return false
}

// FuzzyPair is a compared pair of records (indexes, A < B) with its score.
type FuzzyPair struct {
	A, B    int
	Score   float64 // the match probability (Explanation.Probability)
	Reasons []string
	// Explanation is the score as the sum of comparison weights.
	Explanation Explanation
}

// FuzzyGroup is a set of records to merge into one customer: Survivor (the oldest
// strong record, else the oldest) absorbs Absorbed; Pairs are the matches that joined them.
type FuzzyGroup struct {
	Survivor int
	Absorbed []int
	Pairs    []FuzzyPair
}

// FuzzyResult is the outcome of [MatchFuzzy].
type FuzzyResult struct {
	Groups   []FuzzyGroup
	Reviews  []FuzzyPair // middle band, and high pairs refused because their groups' identifiers conflict
	Compared int         // pairs scored
	// Skipped counts blocks larger than MaxBlock that were not compared.
	Skipped int
	// Model is the model that scored the pairs (fitted unless given), Thresholds
	// the thresholds used and ExpectedPrecision the mean match probability of the
	// pairs at or above the high threshold.
	Model             Model
	Thresholds        Thresholds
	ExpectedPrecision float64
}

// FuzzyOptions tune MatchFuzzy; the zero value means the defaults.
type FuzzyOptions struct {
	// Model scores the pairs; nil fits one on recs and their candidate pairs
	// ([FitModel]).
	Model *Model
	// Thresholds, when set, replace the chosen ones.
	Thresholds *Thresholds
	// TargetPrecision is the expected precision the high threshold is chosen for
	// (default DefaultTargetPrecision).
	TargetPrecision float64
	// MaxBlock is the largest block compared pairwise (default 200): a bigger block
	// (a birthday such as 1990-01-01 used as a placeholder) carries no signal and
	// would make the pass quadratic.
	MaxBlock int
}

// MatchFuzzy blocks records, compares every pair that shares a block and whose
// exclusive identifiers do not conflict, fits a model on them unless opt.Model is
// given, and chooses the high threshold for the target precision. It groups the
// corroborated pairs at or above the high threshold with a union-find, best score
// first, that refuses a union whose groups' exclusive identifiers conflict (that pair
// goes to review instead). Pairs at or above the review threshold that are not merged
// are returned for review, one per pair of groups (the best), unless both records end
// up in one group anyway. Output order is deterministic.
func MatchFuzzy(recs []FuzzyRecord, opt FuzzyOptions) FuzzyResult {
	maxBlock := cmp.Or(opt.MaxBlock, 200)
	var res FuzzyResult

	blocks := map[string][]int{}
	for i := range recs {
		if recs[i].Features.Empty() {
			continue
		}
		for _, k := range recs[i].Features.BlockingKeys() {
			blocks[k] = append(blocks[k], i)
		}
	}
	seen := map[[2]int]bool{}
	var cands [][2]int
	skippedKind := map[byte]bool{}
	for _, k := range slices.Sorted(maps.Keys(blocks)) {
		members := blocks[k]
		if len(members) > maxBlock {
			res.Skipped++
			skippedKind[k[0]] = true
			continue
		}
		for x := 0; x < len(members); x++ {
			for y := x + 1; y < len(members); y++ {
				a, b := members[x], members[y]
				key := [2]int{min(a, b), max(a, b)}
				if seen[key] || conflict(recs[a].Exclusive, recs[b].Exclusive) {
					continue
				}
				seen[key] = true
				cands = append(cands, key)
			}
		}
	}
	res.Compared = len(cands)
	gammas := make([]Gamma, len(cands))
	for i, c := range cands {
		gammas[i] = Levels(&recs[c[0]].Features, &recs[c[1]].Features)
	}
	if opt.Model != nil {
		res.Model = *opt.Model
	} else {
		feats := make([]Features, len(recs))
		for i := range recs {
			feats[i] = recs[i].Features
		}
		blocked := make([]uint8, len(cands))
		for i, c := range cands {
			blocked[i] = blockedOn(&recs[c[0]].Features, &recs[c[1]].Features)
		}
		res.Model = fitGammas(feats, gammas, blocked, enumeratedLevels(feats, skippedKind), FitOptions{})
	}
	pairs := make([]FuzzyPair, len(cands))
	var autoProbs []float64
	for i, c := range cands {
		e := res.Model.explain(&recs[c[0]].Features, &recs[c[1]].Features, gammas[i])
		pairs[i] = FuzzyPair{A: c[0], B: c[1], Score: e.Probability, Explanation: e, Reasons: reasons(e)}
		if Corroborated(e) {
			autoProbs = append(autoProbs, e.Probability)
		}
	}
	target := cmp.Or(opt.TargetPrecision, DefaultTargetPrecision)
	res.Thresholds.High, res.ExpectedPrecision = ChooseThreshold(autoProbs, target)
	res.Thresholds.Review = min(DefaultReview, res.Thresholds.High)
	if opt.Thresholds != nil {
		res.Thresholds = *opt.Thresholds
		res.ExpectedPrecision = expectedPrecision(autoProbs, res.Thresholds.High)
	}
	th := res.Thresholds
	var high, mid []FuzzyPair
	for _, p := range pairs {
		switch {
		case p.Score >= th.High && Corroborated(p.Explanation):
			high = append(high, p)
		case p.Score >= th.Review:
			mid = append(mid, p)
		}
	}
	byScore := func(p, q FuzzyPair) int {
		return cmp.Or(cmp.Compare(q.Score, p.Score), cmp.Compare(p.A, q.A), cmp.Compare(p.B, q.B))
	}
	slices.SortFunc(high, byScore)
	slices.SortFunc(mid, byScore)

	parent := make([]int, len(recs))
	excl := make([][]Identifier, len(recs))
	for i := range parent {
		parent[i] = i
		excl[i] = recs[i].Exclusive
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	var joined []FuzzyPair
	for _, p := range high {
		ra, rb := find(p.A), find(p.B)
		if ra == rb {
			joined = append(joined, p)
			continue
		}
		if conflict(excl[ra], excl[rb]) {
			p.Reasons = append(p.Reasons, "would join customers with different identifiers of a one-per-customer type")
			res.Reviews = append(res.Reviews, p)
			continue
		}
		// The lower index (older) root survives; it inherits the identifiers.
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
		excl[ra] = append(slices.Clip(excl[ra]), excl[rb]...)
		joined = append(joined, p)
	}
	// One review per pair of groups: the best-scoring pair stands for the others.
	reviewed := map[[2]int]bool{}
	for _, p := range mid {
		ra, rb := find(p.A), find(p.B)
		k := [2]int{min(ra, rb), max(ra, rb)}
		if ra != rb && !reviewed[k] {
			reviewed[k] = true
			res.Reviews = append(res.Reviews, p)
		}
	}
	slices.SortFunc(res.Reviews, byScore)

	groups := map[int]*FuzzyGroup{}
	var roots []int
	for _, p := range joined {
		r := find(p.A)
		g := groups[r]
		if g == nil {
			g = &FuzzyGroup{}
			groups[r] = g
			roots = append(roots, r)
		}
		g.Pairs = append(g.Pairs, p)
	}
	for i := range recs {
		if g := groups[find(i)]; g != nil {
			g.Absorbed = append(g.Absorbed, i) // ascending: oldest first
		}
	}
	slices.Sort(roots)
	for _, r := range roots {
		g := groups[r]
		surv := g.Absorbed[0]
		for _, m := range g.Absorbed {
			if recs[m].Strong {
				surv = m
				break
			}
		}
		g.Survivor = surv
		g.Absorbed = slices.DeleteFunc(g.Absorbed, func(m int) bool { return m == surv })
		res.Groups = append(res.Groups, *g)
	}
	return res
}

// reasons words an explanation's terms for review reasons: "name fold +9.1".
func reasons(e Explanation) []string {
	out := make([]string, len(e.Terms))
	for i, t := range e.Terms {
		out[i] = strings.TrimSpace(t.Comparison+" "+t.Level) + fmt.Sprintf(" %+.1f", t.Weight)
	}
	return out
}

// expectedPrecision is the mean of the probabilities at or above t (1 with none).
func expectedPrecision(probs []float64, t float64) float64 {
	sum, n := 0.0, 0
	for _, p := range probs {
		if p >= t {
			sum += p
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}
