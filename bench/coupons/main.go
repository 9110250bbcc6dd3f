// Command coupons measures bulk coupon issuance (issue 13): -n coupons of one
// template issued through coupon.Service.Issue as the API issues a list — requests of
// coupon.MaxBulk customers, each in batches of coupon.BatchSize, every batch one
// transaction that locks the template, counts the batch's members' coupons against
// the per-member limit, draws the unique random codes with their check character,
// writes the coupons, raises the template's count, records the progress and publishes
// coupon.issued — against the baseline, a plain multi-row INSERT of the same rows
// (ids, codes, customers, validity) into the same coupons table with the same
// indexes, one transaction per batch of the same size.
//
// Each design gets a fresh database of the same engine. Customers resolve to
// themselves (One ID is not part of what is measured). It prints progress on stderr,
// coupons/s of both and the ratio (issue / baseline), and a last line in the form of
// docs/benchmarks.md's table; it checks afterwards that every coupon was issued once
// with a distinct code and exits 1 when a check fails. Ctrl-C stops it.
//
//	go run ./bench/coupons [-n 1000000] [-db DIR | -db postgres://…] [-cpuprofile f]
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/oneretail/oneretail/bench/benchdb"
	"github.com/oneretail/oneretail/internal/coupon"
	"github.com/oneretail/oneretail/internal/migrations"
	"github.com/oneretail/oneretail/internal/platform/audit"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/events"
	"github.com/oneretail/oneretail/internal/platform/ids"
	"github.com/oneretail/oneretail/internal/promotion"
	"github.com/oneretail/oneretail/internal/promotion/engine"
)

const tenant = "bench"

func main() {
	n := flag.Int("n", 1_000_000, "coupons to issue (one customer each)")
	where := flag.String("db", os.TempDir(), "directory for the SQLite files, or a PostgreSQL DSN (two schemas are made and dropped there)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, *where, *n); err != nil {
		pprof.StopCPUProfile()
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "coupons:", err)
	os.Exit(1)
}

func run(ctx context.Context, where string, n int) error {
	if n < 1 {
		return errors.New("-n must be at least 1")
	}
	customers := make([]string, n)
	for i := range customers {
		customers[i] = fmt.Sprintf("m%08d", i)
	}
	subject, err := open(ctx, where, "coupons_issue")
	if err != nil {
		return err
	}
	defer subject.close()
	baseline, err := open(ctx, where, "coupons_plain")
	if err != nil {
		return err
	}
	defer baseline.close()
	engine := subject.db.Dialect
	fmt.Printf("coupons: %s, %d coupons, requests of %d customers, batches of %d\n", engine, n, coupon.MaxBulk, coupon.BatchSize)

	svc, templateID, err := issuer(ctx, subject.db)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := issueAll(ctx, svc, templateID, customers, progress("issue", n)); err != nil {
		return fmt.Errorf("issue: %w", err)
	}
	issued := time.Since(start)
	fmt.Printf("issue: %s coupons/s (%d in %s)\n", perSecond(n, issued), n, issued.Round(time.Millisecond))
	if err := check(ctx, subject.db, n); err != nil {
		return fmt.Errorf("issue: %w", err)
	}

	plainTemplate, err := plainSetup(ctx, baseline.db)
	if err != nil {
		return err
	}
	start = time.Now()
	if err := insertAll(ctx, baseline.db, plainTemplate, customers, progress("plain insert", n)); err != nil {
		return fmt.Errorf("plain insert: %w", err)
	}
	plain := time.Since(start)
	fmt.Printf("plain insert: %s coupons/s (%d in %s)\n", perSecond(n, plain), n, plain.Round(time.Millisecond))
	if err := check(ctx, baseline.db, n); err != nil {
		return fmt.Errorf("plain insert: %w", err)
	}
	ratio := plain.Seconds() / issued.Seconds()
	fmt.Printf("ratio issue/plain: %.2f\n", ratio)
	fmt.Printf("| %s | %s | %s | %d | %s | %s | **%.2f** |\n", time.Now().Format(time.DateOnly), engine, thousands(int64(n)),
		coupon.BatchSize, perSecond(n, issued), perSecond(n, plain), ratio)
	return nil
}

// target is one fresh, migrated database with the bench tenant.
type target struct {
	db    *db.DB
	close func()
}

func open(ctx context.Context, where, name string) (*target, error) {
	dsn, drop, err := benchdb.Fresh(where, name)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, dsn, db.Options{Sync: db.SyncNormal})
	if err != nil {
		drop()
		return nil, err
	}
	_, err = migrations.Up(ctx, d, migrations.Options{})
	if err == nil {
		_, err = d.Writer().ExecContext(ctx, `INSERT INTO tenants (id, code, name, created_at) VALUES ($1, 'bench', 'Bench', 0)`, tenant)
	}
	if err != nil {
		d.Close()
		drop()
		return nil, err
	}
	return &target{db: d, close: func() { d.Close(); drop() }}, nil
}

// selfCustomers knows every customer id as a live customer.
type selfCustomers struct{}

func (selfCustomers) FindCustomerCluster(_ context.Context, id string) (string, []string, error) {
	return id, nil, nil
}

type anyStore struct{}

func (anyStore) StoreExists(context.Context, string) error { return nil }

// issuer returns the coupon service over the real promotion service and a template of
// ¥5 off, valid 30 days from issue, one per member.
func issuer(ctx context.Context, d *db.DB) (*coupon.Service, string, error) {
	c := clock.System{}
	outbox := events.NewOutbox(c)
	promo := promotion.NewService(d, outbox, audit.New(d, c), c, promotion.Config{Customers: selfCustomers{},
		TokenKey: []byte("bench-coupons-token-key-0123456789abcdef")})
	svc := coupon.NewService(d, outbox, audit.New(d, c), c, coupon.Deps{Promotions: promo, Customers: selfCustomers{}, Stores: anyStore{}}, coupon.Config{})
	t, err := svc.CreateTemplate(operator(ctx), coupon.TemplateInput{Code: "BENCH", Name: "¥5 off", ValidDays: 30, PerMemberLimit: 1,
		Discount: engine.Promotion{Kind: engine.KindAmountOff, Scope: engine.Scope{All: true},
			Conditions: engine.Conditions{MinSpend: 3000}, AmountOff: &engine.AmountOff{Amount: 500}}})
	if err != nil {
		return nil, "", fmt.Errorf("create template: %w", err)
	}
	return svc, t.ID, nil
}

func operator(ctx context.Context) context.Context {
	return auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.UserPrincipal, ID: "bench", Name: "bench", TenantID: tenant,
		Role: auth.Marketer, Scopes: auth.RoleScopes(auth.Marketer), DataScope: auth.TenantScope})
}

// issueAll issues one coupon to each customer in requests of coupon.MaxBulk, as a
// client of POST /coupon-templates/{id}/issue would.
func issueAll(ctx context.Context, svc *coupon.Service, templateID string, customers []string, progress func(int)) error {
	done := 0
	for from := 0; from < len(customers); from += coupon.MaxBulk {
		list := customers[from:min(from+coupon.MaxBulk, len(customers))]
		is, err := svc.Issue(operator(ctx), templateID, coupon.IssueRequest{Key: "bench-" + strconv.Itoa(from), CustomerIDs: list})
		if err != nil {
			return err
		}
		if is.Issued != int64(len(list)) {
			return fmt.Errorf("request at %d issued %d of %d", from, is.Issued, len(list))
		}
		done += len(list)
		progress(done)
	}
	return nil
}

// plainSetup makes the template row the baseline's coupons refer to (no promotion:
// the baseline writes rows, nothing prices them).
func plainSetup(ctx context.Context, d *db.DB) (string, error) {
	id := ids.New()
	now := clock.Millis(time.Now())
	_, err := d.Writer().ExecContext(ctx, `INSERT INTO coupon_templates (id, tenant_id, code, name, status, promotion_id, promo_code,
		discount, valid_days, per_member_limit, refund_policy, created_at, updated_at)
		VALUES ($1, $2, 'BENCH', '¥5 off', 'active', 'none', $3, '{}', 30, 1, 'keep', $4, $4)`, id, tenant, "plain-"+id, now)
	return id, err
}

// plainCols are the columns the baseline writes: the ones Issue sets, the rest left
// to their defaults.
const plainCols = `id, tenant_id, template_id, code, customer_id, status, valid_from, expires_at, issue_id, source_key, issued_by, issued_at, updated_at`

// insertAll is the baseline: the same rows — a fresh id, a random code with its check
// character, the customer, 30 days' validity, a source key — written with one
// multi-row INSERT per batch of coupon.BatchSize, one transaction per batch.
func insertAll(ctx context.Context, d *db.DB, templateID string, customers []string, progress func(int)) error {
	ncols := strings.Count(plainCols, ",") + 1
	issueID := ids.New()
	for from := 0; from < len(customers); from += coupon.BatchSize {
		batch := customers[from:min(from+coupon.BatchSize, len(customers))]
		now := time.Now()
		issued, expires := clock.Millis(now), clock.Millis(now.AddDate(0, 0, 30))
		var q strings.Builder
		q.WriteString(`INSERT INTO coupons (` + plainCols + `) VALUES `)
		args := make([]any, 0, len(batch)*ncols)
		for i, c := range batch {
			code, err := coupon.NewCode()
			if err != nil {
				return err
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j := range ncols {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(placeholder(d.Dialect, len(args)+j+1))
			}
			q.WriteString(")")
			args = append(args, ids.New(), tenant, templateID, code, c, "issued", issued, expires, issueID,
				issueID+":"+strconv.Itoa(from+i), "bench", issued, issued)
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, q.String(), args...)
			return err
		})
		if err != nil {
			return err
		}
		progress(from + len(batch))
	}
	return nil
}

// placeholder is parameter i of a statement: anonymous on SQLite, where a named
// $N costs a search of the statement's parameters (docs/benchmarks.md, Outbox), so
// the baseline is the fastest plain statement of each engine.
func placeholder(d db.Dialect, i int) string {
	if d == db.SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(i)
}

// check counts the coupons and their distinct codes and customers.
func check(ctx context.Context, d *db.DB, n int) error {
	var rows, codes, customers int
	err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT code), COUNT(DISTINCT customer_id) FROM coupons`).
		Scan(&rows, &codes, &customers)
	if err != nil {
		return err
	}
	if rows != n || codes != n || customers != n {
		return fmt.Errorf("%d coupons, %d distinct codes, %d customers; want %d of each", rows, codes, customers, n)
	}
	return nil
}

func perSecond(n int, d time.Duration) string { return thousands(int64(float64(n) / d.Seconds())) }

// progress returns a function that reports how many of total are done on stderr,
// at most every two seconds.
func progress(what string, total int) func(int) {
	last := time.Now()
	start := last
	return func(done int) {
		if time.Since(last) < 2*time.Second && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "  %s: %s/%s (%d%%), %s/s\n", what, thousands(int64(done)), thousands(int64(total)),
			done*100/max(total, 1), thousands(int64(float64(done)/time.Since(start).Seconds())))
	}
}

func thousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
