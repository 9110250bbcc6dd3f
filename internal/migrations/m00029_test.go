package migrations_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

// TestMigration00029IndexesNames: 00029 writes the bigrams of the names and codes of
// the SKUs and products already there, ASCII lower-cased, once each.
func TestMigration00029IndexesNames(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openEmpty(t, dialect)
			if err := migrations.MigrateTo(ctx, d, 28); err != nil {
				t.Fatal(err)
			}
			w := d.Writer()
			for _, q := range []string{
				`INSERT INTO categories (id, tenant_id, code, name, level, created_at, updated_at) VALUES ('c', 't', 'C', '食品', 1, 0, 0)`,
				`INSERT INTO products (id, tenant_id, category_id, code, name, unit, status, created_at, updated_at)
					VALUES ('p', 't', 'c', 'AB', '可口可乐', 'each', 'active', 0, 0)`,
				`INSERT INTO skus (id, tenant_id, product_id, code, name, unit, list_price_fen, status, created_at, updated_at)
					VALUES ('s', 't', 'p', 'x1', '可乐', 'each', 300, 'active', 0, 0), ('s2', 't', 'p', '7', '水', 'each', 100, 'active', 0, 0)`,
			} {
				if _, err := w.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := migrations.MigrateTo(ctx, d, 29); err != nil {
				t.Fatal(err)
			}
			var got []string
			err := db.EachRow(ctx, w, `SELECT kind, id, gram FROM search_grams WHERE tenant_id = 't' ORDER BY kind, id, gram`, nil,
				func(r *sql.Rows) error {
					var k, id, g string
					if err := r.Scan(&k, &id, &g); err != nil {
						return err
					}
					got = append(got, k+"/"+id+"/"+g)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"product/p/ab", "product/p/口可", "product/p/可乐", "product/p/可口", "sku/s/x1", "sku/s/可乐"}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("grams = %s, want %s", strings.Join(got, " "), strings.Join(want, " "))
			}
		})
	}
}
