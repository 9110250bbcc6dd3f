package coupon

import (
	"database/sql"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// BenchmarkBulkIssue issues n coupons through Issue (batches of 500: template lock,
// per-member counts, codes, progress, event) and writes the same rows with a plain
// bulk insert in the same batches, on each engine, and reports the ratio of their
// rates (issue 13's target: ≥ 0.5). Run: go test -run XXX -bench BulkIssue
// ./internal/coupon/ (ONERETAIL_TEST_PG for PostgreSQL; -benchtime=1x).
func BenchmarkBulkIssue(b *testing.B) {
	const n = 20_000
	for _, dialect := range dbtest.Dialects() {
		b.Run(string(dialect), func(b *testing.B) {
			for b.Loop() {
				d := dbtest.Open(b, dialect)
				f := setup(b, d)
				in := amountOff("BENCH")
				in.PerMemberLimit = 1
				tm := f.template(b, in)
				customers := make([]string, n)
				for i := range customers {
					customers[i] = fmt.Sprintf("m%07d", i)
				}
				start := time.Now()
				is, err := f.s.Issue(as(auth.Marketer), tm.ID, IssueRequest{Key: "bench", CustomerIDs: customers})
				if err != nil || is.Issued != n {
					b.Fatalf("issue: %+v %v", is, err)
				}
				issue := time.Since(start)

				start = time.Now()
				now := f.s.now()
				for from := 0; from < n; from += BatchSize {
					rows := make([]Coupon, 0, BatchSize)
					keys := make([]string, 0, BatchSize)
					for i := from; i < min(from+BatchSize, n); i++ {
						code, _ := NewCode()
						rows = append(rows, Coupon{ID: ids.New(), TenantID: tenantA, TemplateID: tm.ID, Code: code, CustomerID: customers[i],
							Status: StatusIssued, ValidFrom: now, ExpiresAt: now.AddDate(0, 0, 30), IssuedBy: "bench", IssuedAt: now, UpdatedAt: now})
						keys = append(keys, "plain:"+strconv.Itoa(i))
					}
					if err := d.Tx(b.Context(), func(tx *sql.Tx) error { return insertCoupons(b.Context(), tx, d.Dialect, rows, keys) }); err != nil {
						b.Fatal(err)
					}
				}
				plain := time.Since(start)
				rate := func(d time.Duration) float64 { return float64(n) / d.Seconds() }
				b.ReportMetric(rate(issue), "issued/s")
				b.ReportMetric(rate(plain), "plain/s")
				b.ReportMetric(rate(issue)/rate(plain), "ratio")
				b.Logf("%s: %d coupons issued in %v (%.0f/s); the same rows bulk-inserted in %v (%.0f/s); ratio %.2f",
					d.Dialect, n, issue.Round(time.Millisecond), rate(issue), plain.Round(time.Millisecond), rate(plain), rate(issue)/rate(plain))
			}
		})
	}
}
