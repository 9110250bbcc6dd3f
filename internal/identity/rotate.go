package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/clock"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/pii"
)

// ErrOtherKey reports personal data sealed under a key that is not held: a key
// rotation was interrupted, or the key given is not the one that sealed the data.
var ErrOtherKey = errors.New("identity: personal data is sealed under a key not held")

// sealedTable is a table holding sealed columns, as key checks and rotation see it.
// Every column is TEXT.
type sealedTable struct {
	name   string
	key    []string // primary key columns
	sealed []string // sealed columns
	// context is the sealing context of sealed[col] in the row with primary key key.
	context func(key []string, col int) string
	// rewrite stores a row under the new key of r: plain holds its sealed columns
	// opened. It also recomputes the blind indexes derived from them.
	rewrite func(ctx context.Context, tx *sql.Tx, r *rotation, key, plain []string) error
}

// sealedTables lists every table of the identity domain that holds sealed values or
// blind indexes. customer_merge_items holds blind indexes of identifiers only: they
// are rewritten with the customer_identifiers row they derive from (erasure deletes
// those of identifiers it deletes, so every one has its row).
func sealedTables() []sealedTable {
	return []sealedTable{
		{name: "customer_identifiers", key: []string{"tenant_id", "type", "value_index"}, sealed: []string{"value_sealed"},
			context: func(key []string, _ int) string { return identifierContext(key[1]) },
			rewrite: rewriteIdentifier},
		{name: "customer_profiles", key: []string{"tenant_id", "customer_id"}, sealed: []string{"name", "birthday", "address", "masked_phone"},
			context: func(_ []string, col int) string {
				return []string{sealName, sealBirthday, sealAddress, sealMaskedPhone}[col]
			},
			rewrite: rewriteProfile},
		{name: "events", key: []string{"tenant_id", "touchpoint_id", "id"}, sealed: []string{"identifiers", "properties"},
			context: func(_ []string, col int) string {
				return []string{eventIdentifiersContext, eventPropertiesContext}[col]
			},
			rewrite: rewriteEvent},
		// The order center's personal data and secrets (internal/order): re-sealed
		// as they are, no blind index derives from them.
		resealed("orders", []string{"id"}, []string{"buyer_sealed", "receiver_sealed"}, []string{"orders.buyer", "orders.receiver"}),
		resealed("order_inbox", []string{"id"}, []string{"payload"}, []string{"order_inbox.payload"}),
		resealed("order_channel_apps", []string{"platform", "app_id"}, []string{"secret_sealed"}, []string{"order_channel_apps.secret"}),
	}
}

// resealed is a table whose sealed columns (with their sealing contexts) are
// rewritten under the new key as they are.
func resealed(name string, key, sealed, contexts []string) sealedTable {
	return sealedTable{name: name, key: key, sealed: sealed,
		context: func(_ []string, col int) string { return contexts[col] },
		rewrite: func(ctx context.Context, tx *sql.Tx, r *rotation, k, plain []string) error {
			var set, where []string
			var args []any
			for i, c := range sealed {
				args = append(args, r.to.Seal(plain[i], contexts[i]))
				set = append(set, fmt.Sprintf("%s = $%d", c, len(args)))
			}
			for i, c := range key {
				args = append(args, k[i])
				where = append(where, fmt.Sprintf("%s = $%d", c, len(args)))
			}
			// name and columns are the constants above, never input.
			_, err := tx.ExecContext(ctx, `UPDATE `+name+` SET `+strings.Join(set, ", ")+` WHERE `+strings.Join(where, " AND "), args...)
			return err
		}}
}

// columns lists the primary key and sealed columns of t, in that order.
func (t sealedTable) columns() string {
	return strings.Join(append(slices.Clone(t.key), t.sealed...), ", ")
}

// rewriteIdentifier re-seals an identifier, recomputes its blind index and the blind
// index that merge records keep of it, in the same transaction so that a resumed
// rotation, which skips the identifier, never meets its merge records again.
func rewriteIdentifier(ctx context.Context, tx *sql.Tx, r *rotation, key, plain []string) error {
	tenantID, typ, oldIndex, value := key[0], key[1], key[2], plain[0]
	if r.from.Index(typ, value) != oldIndex {
		return fmt.Errorf("customer_identifiers %s/%s: the blind index is not under the old key", tenantID, typ)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customer_identifiers SET value_index = $4, value_sealed = $5
		WHERE tenant_id = $1 AND type = $2 AND value_index = $3`,
		tenantID, typ, oldIndex, r.to.Index(typ, value), r.to.Seal(value, identifierContext(typ))); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE customer_merge_items SET item = $3 WHERE tenant_id = $1 AND kind = 'identifier' AND item = $2`,
		tenantID, identifierItem(r.from, typ, value), identifierItem(r.to, typ, value))
	return err
}

func rewriteProfile(ctx context.Context, tx *sql.Tx, r *rotation, key, plain []string) error {
	name, birthday, address, masked := plain[0], plain[1], plain[2], plain[3]
	nameIndex := ""
	if name != "" {
		nameIndex = r.to.Index(indexName, normaliseName(name))
	}
	_, err := tx.ExecContext(ctx, `UPDATE customer_profiles SET name = $3, name_index = $4, birthday = $5, address = $6, masked_phone = $7
		WHERE tenant_id = $1 AND customer_id = $2`, key[0], key[1],
		r.to.Seal(name, sealName), nameIndex, r.to.Seal(birthday, sealBirthday), r.to.Seal(address, sealAddress), r.to.Seal(masked, sealMaskedPhone))
	return err
}

func rewriteEvent(ctx context.Context, tx *sql.Tx, r *rotation, key, plain []string) error {
	_, err := tx.ExecContext(ctx, `UPDATE events SET identifiers = $4, properties = $5 WHERE tenant_id = $1 AND touchpoint_id = $2 AND id = $3`,
		key[0], key[1], key[2], r.to.Seal(plain[0], eventIdentifiersContext), r.to.Seal(plain[1], eventPropertiesContext))
	return err
}

// notUnder returns the condition that one of cols holds a value sealed under none
// of the key ids, appending the ids to args. substr, not LIKE: it is exact on both
// engines.
func notUnder(cols, keyIDs []string, args *[]any) string {
	var or []string
	for _, c := range cols {
		and := []string{c + " <> ''"}
		for _, id := range keyIDs {
			*args = append(*args, id+":")
			and = append(and, fmt.Sprintf("substr(%s, 1, %d) <> $%d", c, len(id)+1, len(*args)))
		}
		or = append(or, "("+strings.Join(and, " AND ")+")")
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// scanText scans a row of TEXT columns.
func scanText(rows *sql.Rows, n int) ([]string, error) {
	vals := make([]string, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, rows.Scan(ptrs...)
}

// CheckKeys returns ErrOtherKey when the database's personal data is not sealed under
// the service's key: a rotation was interrupted (finish it), or the key given is not
// the one that sealed the data. It reads the recorded key state (pii_key_state), one
// row. A database without one — made before it existed, or never started — is checked
// once by opening its sealed values (checkKeys), and its key is recorded.
func (s *Service) CheckKeys(ctx context.Context) error {
	st, ok, err := readKeyState(ctx, s.db.Reader())
	if err != nil {
		return fmt.Errorf("identity: check keys: %w", err)
	}
	if !ok {
		if err := checkKeys(ctx, s.db.Reader(), s.pii); err != nil {
			return err
		}
		_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO pii_key_state (singleton, key_id, updated_at) VALUES (1, $1, $2)
			ON CONFLICT (singleton) DO NOTHING`, s.pii.ID(), clock.Millis(s.clock.Now()))
		if err != nil {
			return fmt.Errorf("identity: record key state: %w", err)
		}
		return s.CheckKeys(ctx) // a concurrent start may have recorded another key
	}
	if st.rotatingTo != "" {
		return fmt.Errorf("%w: a rotation from key %q to key %q was interrupted", ErrOtherKey, st.keyID, st.rotatingTo)
	}
	if st.keyID != s.pii.ID() {
		return fmt.Errorf("%w: the data is sealed under key %q, the key given is %q", ErrOtherKey, st.keyID, s.pii.ID())
	}
	return nil
}

// keyState is the pii_key_state row.
type keyState struct {
	keyID      string
	rotatingTo string // empty unless a rotation runs or was interrupted
}

func readKeyState(ctx context.Context, q db.Querier) (keyState, bool, error) {
	var st keyState
	var to sql.NullString
	err := q.QueryRowContext(ctx, `SELECT key_id, rotating_to FROM pii_key_state WHERE singleton = 1`).Scan(&st.keyID, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return keyState{}, false, nil
	}
	if err != nil {
		return keyState{}, false, err
	}
	st.rotatingTo = to.String
	return st, true, nil
}

// writeKeyState records that the data is sealed under keyID, rotating to rotatingTo
// (empty: no rotation runs).
func writeKeyState(ctx context.Context, q db.Querier, keyID, rotatingTo string, now int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO pii_key_state (singleton, key_id, rotating_to, updated_at) VALUES (1, $1, $2, $3)
		ON CONFLICT (singleton) DO UPDATE SET key_id = excluded.key_id, rotating_to = excluded.rotating_to, updated_at = excluded.updated_at`,
		keyID, nullable(rotatingTo), now)
	if err != nil {
		return fmt.Errorf("record key state: %w", err)
	}
	return nil
}

// checkKeys returns ErrOtherKey when a sealed value opens under none of keys. Values
// carrying the id of a current key are taken as opening; of every other key id
// found, one value is opened to tell whether a held key sealed them (legacy "k1"
// values, previous keys) — one suffices, as an id names one key.
func checkKeys(ctx context.Context, q db.Querier, keys ...*pii.Keys) error {
	for _, t := range sealedTables() {
		var held []string
		for _, k := range keys {
			held = append(held, k.ID())
		}
		for {
			var args []any
			var found []string
			err := db.EachRow(ctx, q, `SELECT `+t.columns()+` FROM `+t.name+` WHERE `+notUnder(t.sealed, held, &args)+` LIMIT 1`, args,
				func(rs *sql.Rows) (err error) {
					found, err = scanText(rs, len(t.key)+len(t.sealed))
					return err
				})
			if err != nil {
				return fmt.Errorf("identity: check keys: %s: %w", t.name, err)
			}
			if found == nil {
				break
			}
			id, err := unheldKey(keys, t, found[:len(t.key)], found[len(t.key):], held)
			if err != nil {
				return err
			}
			held = append(held, id)
		}
	}
	return nil
}

// unheldKey returns the key id of the first sealed value of a row whose id is not
// in held when one of keys opens it, else ErrOtherKey.
func unheldKey(keys []*pii.Keys, t sealedTable, key, sealed, held []string) (string, error) {
	for col, v := range sealed {
		id := pii.KeyID(v)
		if v == "" || slices.Contains(held, id) {
			continue
		}
		for _, k := range keys {
			if _, err := k.Open(v, t.context(key, col)); err == nil {
				return id, nil
			}
		}
		return "", fmt.Errorf("%w: %s.%s holds values under key %q", ErrOtherKey, t.name, t.sealed[col], id)
	}
	return "", fmt.Errorf("identity: check keys: %s: no value outside the held keys in the row found", t.name)
}

// storedResponsesTable names the HTTP platform's stored replay responses in a
// RotateReport and in progress reports.
const storedResponsesTable = "idempotency_keys"

// RotateOptions tune RotateKeys.
type RotateOptions struct {
	// BatchSize is the number of rows converted per transaction (500 when zero).
	BatchSize int
	// Progress, when set, is told how far each table is (stage: the table name).
	Progress func(stage string, done, total int)
}

// RotateReport is the outcome of RotateKeys.
type RotateReport struct {
	Rows map[string]int // rows converted, by table
}

// rotation is one run of RotateKeys.
type rotation struct {
	d        *db.DB
	from, to *pii.Keys
	batch    int
	progress func(stage string, done, total int)
}

// RotateKeys re-seals every sealed value and recomputes every blind index of every
// tenant under to, the new key; from holds the old key (its current key made the
// blind indexes stored). Rows already under to are skipped, so a rotation that was
// interrupted (ctx cancelled: a transaction of BatchSize rows is rolled back whole)
// finishes when run again with the same keys. The service must not run meanwhile.
// Errors: ErrOtherKey (values under a key that is neither from nor to; nothing is
// converted), the context's error when cancelled.
func RotateKeys(ctx context.Context, d *db.DB, from, to *pii.Keys, opt RotateOptions) (RotateReport, error) {
	st, recorded, err := readKeyState(ctx, d.Reader())
	if err != nil {
		return RotateReport{}, fmt.Errorf("identity: rotate keys: %w", err)
	}
	switch {
	case recorded && st.rotatingTo != "" && st.rotatingTo != to.ID():
		return RotateReport{}, fmt.Errorf("%w: a rotation to key %q was interrupted; finish it with that key first", ErrOtherKey, st.rotatingTo)
	case recorded && st.rotatingTo == "" && st.keyID == to.ID():
		return RotateReport{Rows: map[string]int{}}, nil // rotated already
	case recorded && st.keyID != from.ID():
		return RotateReport{}, fmt.Errorf("%w: the data is sealed under key %q, not the old key given (%q)", ErrOtherKey, st.keyID, from.ID())
	}
	if err := checkKeys(ctx, d.Reader(), from, to); err != nil {
		return RotateReport{}, err
	}
	if err := writeKeyState(ctx, d.Writer(), from.ID(), to.ID(), time.Now().UnixMilli()); err != nil {
		return RotateReport{}, fmt.Errorf("identity: rotate keys: %w", err)
	}
	r := &rotation{d: d, from: from, to: to, batch: opt.BatchSize, progress: opt.Progress}
	if r.batch <= 0 {
		r.batch = 500
	}
	if r.progress == nil {
		r.progress = func(string, int, int) {}
	}
	rep := RotateReport{Rows: map[string]int{}}
	for _, t := range sealedTables() {
		n, err := r.table(ctx, t)
		rep.Rows[t.name] = n
		if err != nil {
			return rep, fmt.Errorf("identity: rotate keys: %s: %w", t.name, err)
		}
	}
	// The HTTP platform's stored replay responses are sealed with the same key; the
	// platform re-seals them (a rotation interrupted here finishes them when run again).
	n, err := httpapi.ResealStoredResponses(ctx, d, from, to, r.batch)
	rep.Rows[storedResponsesTable] = n
	r.progress(storedResponsesTable, n, n)
	if err != nil {
		return rep, fmt.Errorf("identity: rotate keys: %w", err)
	}
	if err := resetIdentityMaps(ctx, d, time.Now().UnixMilli()); err != nil {
		return rep, fmt.Errorf("identity: rotate keys: %w", err)
	}
	if err := writeKeyState(ctx, d.Writer(), to.ID(), "", time.Now().UnixMilli()); err != nil {
		return rep, fmt.Errorf("identity: rotate keys: %w", err)
	}
	return rep, nil
}

// table converts the rows of t not under the new key, in primary-key order, one
// transaction per batch, and returns how many it converted.
func (r *rotation) table(ctx context.Context, t sealedTable) (int, error) {
	var args []any
	var total int
	if err := r.d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name+` WHERE `+notUnder(t.sealed, []string{r.to.ID()}, &args),
		args...).Scan(&total); err != nil {
		return 0, err
	}
	r.progress(t.name, 0, total)
	done := 0
	var cursor []string
	for {
		n, last, err := r.batchOf(ctx, t, cursor)
		done += n
		if err != nil {
			return done, err
		}
		r.progress(t.name, min(done, total), total)
		if n < r.batch {
			return done, nil
		}
		cursor = last
	}
}

// batchOf converts the next batch of rows of t after cursor (a primary key; nil
// for the first) in one transaction and returns how many and the last key.
func (r *rotation) batchOf(ctx context.Context, t sealedTable, cursor []string) (int, []string, error) {
	var n int
	var last []string
	err := r.d.Tx(ctx, func(tx *sql.Tx) error {
		n, last = 0, nil
		var args []any
		where := notUnder(t.sealed, []string{r.to.ID()}, &args)
		if cursor != nil {
			var ph []string
			for _, v := range cursor {
				args = append(args, v)
				ph = append(ph, fmt.Sprintf("$%d", len(args)))
			}
			where += " AND (" + strings.Join(t.key, ", ") + ") > (" + strings.Join(ph, ", ") + ")"
		}
		args = append(args, r.batch)
		var rows [][]string
		err := db.EachRow(ctx, tx, `SELECT `+t.columns()+` FROM `+t.name+
			` WHERE `+where+` ORDER BY `+strings.Join(t.key, ", ")+fmt.Sprintf(" LIMIT $%d", len(args)), args, func(rs *sql.Rows) error {
			row, err := scanText(rs, len(t.key)+len(t.sealed))
			rows = append(rows, row)
			return err
		})
		if err != nil {
			return err
		}
		for _, row := range rows {
			key, sealed := row[:len(t.key)], row[len(t.key):]
			plain, err := r.open(t, key, sealed)
			if err != nil {
				return err
			}
			if err := t.rewrite(ctx, tx, r, key, plain); err != nil {
				return err
			}
		}
		n = len(rows)
		if n > 0 {
			last = rows[n-1][:len(t.key)]
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return n, last, nil
}

// open opens the sealed values of a row: with the new key those already under it
// (a row is converted whole, but the check is cheap), else with the old keys.
func (r *rotation) open(t sealedTable, key, sealed []string) ([]string, error) {
	plain := make([]string, len(sealed))
	for i, v := range sealed {
		k := r.from
		if pii.KeyID(v) == r.to.ID() {
			k = r.to
		}
		p, err := k.Open(v, t.context(key, i))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", t.sealed[i], strings.Join(key, "/"), err)
		}
		plain[i] = p
	}
	return plain, nil
}

// resetIdentityMaps logs a reset in the identity map of every tenant that has one:
// the export's identifier hashes and snapshot keys (blind indexes) changed with the
// key, so its consumers start again from a snapshot.
func resetIdentityMaps(ctx context.Context, d *db.DB, at int64) error {
	tenants, err := queryStrings(ctx, d.Reader(), `SELECT tenant_id FROM identity_map_seqs UNION SELECT DISTINCT tenant_id FROM customer_identifiers`)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return appendMapLog(ctx, tx, t, at, []mapEntry{{kind: mapReset}}) }); err != nil {
			return fmt.Errorf("reset the identity map of %s: %w", t, err)
		}
	}
	return nil
}
