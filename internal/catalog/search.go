package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/oneretail/oneretail/internal/platform/db"
)

// Name and code search. Every pair of adjacent characters (bigram) of a SKU's or a
// product's name and code is a row of search_grams (migration 00029); a query of
// two or more characters walks the ids holding its rarest bigram, in id order, and
// checks each row with LIKE, so the page stops once full and a two-character
// Chinese substring is one index range. docs/decisions/0020 says why bigrams rather
// than FTS5 trigrams or pg_trgm.

// The kinds of search_grams rows.
const (
	gramSKU     = "sku"
	gramProduct = "product"
)

// bigrams returns the distinct bigrams of the texts, lower-cased.
func bigrams(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		r := []rune(strings.ToLower(t))
		for i := 0; i+1 < len(r); i++ {
			if g := string(r[i : i+2]); !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// indexNames makes the bigrams of name and code the search rows of the item.
func indexNames(ctx context.Context, q db.Querier, d db.Dialect, tenantID, kind, id, name, code string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM search_grams WHERE tenant_id = $1 AND kind = $2 AND id = $3`, tenantID, kind, id); err != nil {
		return err
	}
	w := db.Rows{Head: `INSERT INTO search_grams (tenant_id, kind, id, gram)`, Lead: "$1, $2, $3", Fixed: []any{tenantID, kind, id}}
	return db.WriteRows(ctx, q, d, w, bigrams(name, code), func(g string) []any { return []any{g} }, nil)
}

// searchable reports whether q is long enough for the bigram index.
func searchable(q string) bool { return len([]rune(q)) >= 2 }

// countCap bounds how many index entries rarestGrams reads per bigram.
const countCap = 200

// rarestGrams returns the bigrams of query, those held by the fewest items of the
// kind first (one held by none makes the walk empty; counts stop at countCap).
// Counting reads only the index.
func rarestGrams(ctx context.Context, q db.Querier, tenantID, kind, query string) ([]string, error) {
	grams := bigrams(query)
	if len(grams) == 1 {
		return grams, nil
	}
	// Each count stops at countCap: a common bigram costs no more than a rare one.
	args := []any{tenantID, kind}
	parts := make([]string, len(grams))
	for i, g := range grams {
		args = append(args, g)
		ph := "$" + strconv.Itoa(len(args))
		parts[i] = `SELECT CAST(` + ph + ` AS TEXT), COUNT(*) FROM (SELECT 1 FROM search_grams
			WHERE tenant_id = $1 AND kind = $2 AND gram = ` + ph + ` LIMIT ` + strconv.Itoa(countCap) + `) AS c` + strconv.Itoa(i)
	}
	counts := map[string]int64{}
	err := db.EachRow(ctx, q, strings.Join(parts, " UNION ALL "), args, func(r *sql.Rows) error {
		var g string
		var n int64
		if err := r.Scan(&g, &n); err != nil {
			return err
		}
		counts[g] = n
		return nil
	})
	slices.SortStableFunc(grams, func(a, b string) int { return cmp.Compare(counts[a], counts[b]) })
	return grams, err
}

// gramWalk adds to c the walk of query's rarest bigram over the items of kind (the
// table joined as g), each also holding the second rarest: an index probe that drops
// most rows before the item itself is read.
func gramWalk(ctx context.Context, q db.Querier, c *conds, tenant, tenantID, kind, query string) error {
	grams, err := rarestGrams(ctx, q, tenantID, kind, query)
	if err != nil {
		return err
	}
	c.add("g.tenant_id = " + tenant + " AND g.kind = '" + kind + "' AND g.gram = " + c.arg(grams[0]))
	if len(grams) > 1 {
		c.add("EXISTS (SELECT 1 FROM search_grams g2 WHERE g2.tenant_id = g.tenant_id AND g2.kind = g.kind AND g2.id = g.id AND g2.gram = " +
			c.arg(grams[1]) + ")")
	}
	return nil
}
