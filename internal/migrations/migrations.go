// Package migrations holds the versioned schema of OneRetail — one set of numbered
// `.sql` files that runs unchanged on SQLite and PostgreSQL — and applies it with goose.
//
// Two rules keep upgrades safe. A migration missing from a database's history
// (mainline builds once had 00011 and 00012 before 00007–00009 were merged) is applied
// out of order rather than refused. A migration that removes user data says so in a
// `-- oneretail:removes <table> …` line; Up refuses to apply it while those tables
// hold rows unless Options.AllowDataLoss is set, and names the counts it would
// remove (DataLossError).
package migrations

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/oneretail/oneretail/internal/platform/db"
)

//go:embed sql/*.sql
var files embed.FS

// Options tune Up.
type Options struct {
	// Log receives a line per applied migration; nil discards.
	Log *slog.Logger
	// AllowDataLoss lets a pending migration that removes user data run. Without it
	// Up applies nothing while such a migration would remove rows, and returns a
	// *DataLossError.
	AllowDataLoss bool
}

// Applied is one migration that Up applied.
type Applied struct {
	Version  int64
	File     string
	Duration time.Duration
	Removed  []Removal // the rows a destructive migration removed
}

// Removal counts the rows a destructive migration removes from one table.
type Removal struct {
	Table string
	Rows  int64
}

// Destructive is a pending migration that would remove user data.
type Destructive struct {
	Version int64
	File    string
	Why     string // the migration's own account of why (its `-- oneretail:why` line)
	Removes []Removal
}

// DataLossError is returned by Up when pending migrations would remove rows and
// Options.AllowDataLoss is not set. Nothing was applied.
type DataLossError struct {
	Steps []Destructive
}

func (e *DataLossError) Error() string {
	var b strings.Builder
	for i, s := range e.Steps {
		if i > 0 {
			b.WriteString("; ")
		}
		parts := make([]string, 0, len(s.Removes))
		for _, r := range s.Removes {
			if r.Rows > 0 {
				parts = append(parts, fmt.Sprintf("%d rows of %s", r.Rows, r.Table))
			}
		}
		fmt.Fprintf(&b, "migration %s would remove %s", s.File, strings.Join(parts, ", "))
		if s.Why != "" {
			fmt.Fprintf(&b, " (%s)", s.Why)
		}
	}
	b.WriteString(". Nothing was applied. Back up the database, then run `oneretail migrate --allow-data-loss` to apply it (docs/operations.md, Upgrades)")
	return "migrations: " + b.String()
}

// ErrDataLoss matches a *DataLossError with errors.Is.
var ErrDataLoss = errors.New("migrations: a pending migration would remove data")

// Is makes errors.Is(err, ErrDataLoss) true for a *DataLossError.
func (e *DataLossError) Is(target error) bool { return target == ErrDataLoss }

// Up applies every pending migration — those missing from the database's history
// first, in version order, then the new ones — and returns what it applied. On
// PostgreSQL a session advisory lock keeps nodes that start together from racing on
// DDL. It returns a *DataLossError, having applied nothing, when a pending migration
// would remove rows and opts.AllowDataLoss is false. After upgrading a database it
// refreshes the planner's statistics (db.DB.AnalyzeAll).
func Up(ctx context.Context, database *db.DB, opts Options) ([]Applied, error) {
	return up(ctx, database, opts, sqlFiles())
}

// Status returns the applied and pending versions.
func Status(ctx context.Context, database *db.DB) ([]*goose.MigrationStatus, error) {
	p, err := provider(ctx, database, sqlFiles())
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: status: %w", err)
	}
	return st, nil
}

// Pending returns the destructive migrations among the pending ones, with the rows
// each would remove now (none when its tables are empty or do not exist yet).
func Pending(ctx context.Context, database *db.DB) ([]Destructive, error) {
	return pendingDestructive(ctx, database, sqlFiles())
}

func sqlFiles() fs.FS {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

func up(ctx context.Context, database *db.DB, opts Options, fsys fs.FS) ([]Applied, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	steps, err := pendingDestructive(ctx, database, fsys)
	if err != nil {
		return nil, err
	}
	if err := caseConflicts(ctx, database, fsys); err != nil {
		return nil, err
	}
	if !opts.AllowDataLoss {
		var refuse []Destructive
		for _, s := range steps {
			if removesRows(s) {
				refuse = append(refuse, s)
			}
		}
		if len(refuse) > 0 {
			return nil, &DataLossError{Steps: refuse}
		}
	}
	before, err := appliedVersions(ctx, database)
	if err != nil {
		return nil, err
	}
	p, err := provider(ctx, database, fsys)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: up: %w", err)
	}
	byVersion := map[int64]Destructive{}
	for _, s := range steps {
		byVersion[s.Version] = s
	}
	applied := make([]Applied, 0, len(results))
	for _, r := range results {
		a := Applied{Version: r.Source.Version, File: path.Base(r.Source.Path), Duration: r.Duration}
		if s, ok := byVersion[a.Version]; ok && removesRows(s) {
			a.Removed = s.Removes
			attrs := []any{"version", a.Version, "file", a.File}
			for _, rm := range s.Removes {
				attrs = append(attrs, rm.Table, rm.Rows)
			}
			log.Warn("migration removed data (allowed with --allow-data-loss)", attrs...)
		}
		log.Info("migration applied", "version", a.Version, "file", a.File, "duration", a.Duration)
		applied = append(applied, a)
	}
	if len(applied) > 0 && len(before) > 0 {
		// An upgrade: a rebuilt or backfilled table or a new index has no statistics
		// yet, and without them the planner may choose the wrong index for the hot
		// reads. (A new database is empty: nothing to analyse.)
		if err := database.AnalyzeAll(ctx); err != nil {
			return applied, fmt.Errorf("migrations: %w", err)
		}
	}
	return applied, nil
}

func removesRows(s Destructive) bool {
	for _, r := range s.Removes {
		if r.Rows > 0 {
			return true
		}
	}
	return false
}

// pendingDestructive returns the pending migrations of fsys that declare removals,
// with the rows their tables hold now. A table that does not exist yet is created
// empty by an earlier pending migration, so it counts 0.
func pendingDestructive(ctx context.Context, database *db.DB, fsys fs.FS) ([]Destructive, error) {
	var out []Destructive
	err := eachPending(ctx, database, fsys, func(version int64, name string, decl declaration) error {
		if len(decl.removes) == 0 {
			return nil
		}
		d := Destructive{Version: version, File: name, Why: decl.why}
		for _, table := range decl.removes {
			n, err := countRows(ctx, database, table)
			if err != nil {
				return fmt.Errorf("migrations: count what %s would remove: %w", name, err)
			}
			d.Removes = append(d.Removes, Removal{Table: table, Rows: n})
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// eachPending calls fn with the declarations of every pending migration of fsys, in
// version order.
func eachPending(ctx context.Context, database *db.DB, fsys fs.FS, fn func(version int64, name string, decl declaration) error) error {
	p, err := provider(ctx, database, fsys)
	if err != nil {
		return err
	}
	// The versions table is read directly: Provider.Status takes PostgreSQL's
	// migration lock, which nodes (and test databases) of one server share.
	applied, err := appliedVersions(ctx, database)
	if err != nil {
		return err
	}
	for _, src := range p.ListSources() {
		if applied[src.Version] {
			continue
		}
		name := path.Base(src.Path)
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("migrations: read %s: %w", name, err)
		}
		if err := fn(src.Version, name, declarations(text)); err != nil {
			return err
		}
	}
	return nil
}

// appliedVersions reads goose's versions table (none when it does not exist yet):
// the last row of a version says whether it is applied.
func appliedVersions(ctx context.Context, database *db.DB) (map[int64]bool, error) {
	applied := map[int64]bool{}
	exists, err := database.TableExists(ctx, database.Writer(), "goose_db_version")
	if err != nil || !exists {
		return applied, err
	}
	rows, err := database.Writer().QueryContext(ctx, `SELECT version_id, is_applied FROM goose_db_version ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			v  int64
			ok bool
		)
		if err := rows.Scan(&v, &ok); err != nil {
			return nil, fmt.Errorf("migrations: read applied versions: %w", err)
		}
		applied[v] = ok
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	return applied, nil
}

func countRows(ctx context.Context, database *db.DB, table string) (int64, error) {
	exists, err := database.TableExists(ctx, database.Writer(), table)
	if err != nil || !exists {
		return 0, err
	}
	var n int64
	// table comes from the embedded migration files, never from input.
	err = database.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// declaration is what a migration file says about the data it touches:
//
//	-- oneretail:removes events customers   tables whose rows the Up section removes
//	-- oneretail:why <text>                  why, shown to the operator
//	-- oneretail:keeps events <text>         a DROP/DELETE that keeps the rows (a table rebuilt from a copy)
//	-- oneretail:unique-ignoring-case skus tenant_id code   the Up section makes the last column unique
//	                                         regardless of case within the others (checked first: caseConflicts)
type declaration struct {
	removes, keeps []string
	why            string
	ignoringCase   [][]string // table, then its columns
}

func declarations(src []byte) declaration {
	var d declaration
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "-- oneretail:")
		if !ok {
			continue
		}
		key, value, _ := strings.Cut(rest, " ")
		value = strings.TrimSpace(value)
		switch key {
		case "removes":
			d.removes = append(d.removes, strings.Fields(value)...)
		case "keeps":
			if f := strings.Fields(value); len(f) > 0 {
				d.keeps = append(d.keeps, f[0])
			}
		case "why":
			d.why = value
		case "unique-ignoring-case":
			if f := strings.Fields(value); len(f) >= 2 {
				d.ignoringCase = append(d.ignoringCase, f)
			}
		}
	}
	return d
}

func provider(ctx context.Context, database *db.DB, fsys fs.FS) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	// A database made by a build that had later migrations but not an earlier one
	// (mainline between the merges of 00011/00012 and 00007–00009) applies the
	// missing ones first; the migrations are written so that their order does not
	// matter (each touches its own tables or columns).
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if database.Dialect == db.Postgres {
		dialect = goose.DialectPostgres
		id, err := lockID(ctx, database)
		if err != nil {
			return nil, err
		}
		// Nodes starting together wait for the one migrating; a second between tries
		// (goose's default is five) keeps that wait short.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, database.Writer(), fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: provider: %w", err)
	}
	return p, nil
}

// lockID is the advisory lock that serialises migrations of the schema the database
// uses. PostgreSQL scopes advisory locks to a database, not a schema, so installations
// (and tests) that keep one schema each in a database would otherwise wait for each
// other. The public schema keeps goose's default lock, the one every earlier release
// takes, so that an old and a new node never migrate it at once.
func lockID(ctx context.Context, database *db.DB) (int64, error) {
	var schema string
	if err := database.Writer().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, fmt.Errorf("migrations: current schema: %w", err)
	}
	if schema == "public" {
		return lock.DefaultLockID, nil
	}
	h := fnv.New64a()
	h.Write([]byte(schema))
	return int64(h.Sum64() &^ (1 << 63)), nil
}

// Fingerprint identifies this build's set of migrations: the hash of every file's
// name and text. Tests key their pre-migrated template databases by it.
func Fingerprint() string {
	h := sha256.New()
	entries, err := fs.ReadDir(sqlFiles(), ".")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	for _, e := range entries {
		text, err := fs.ReadFile(sqlFiles(), e.Name())
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(text))
		h.Write(text)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
