package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oneretail/oneretail/bench/benchdb"
)

// baseline is the PostgreSQL schema a competent engineer would give the question:
// one wide row per member with the attributes and the behaviour aggregates the
// service keeps (zero when none), categories bought in 90 days as a text[] with a
// GIN index, segment membership in its own table keyed (segment, member), and
// B-tree indexes on the selective attribute pair and the counters. The 200 tags
// are left out: the question does not read them and a narrower table only helps
// PostgreSQL.
const baseline = `
CREATE TABLE seg_member (
	id              integer PRIMARY KEY,
	tier            text    NOT NULL,
	city            text    NOT NULL,
	gender          text    NOT NULL,
	age             integer NOT NULL,
	orders_30d      integer NOT NULL,
	wechat_open_30d integer NOT NULL,
	orders_90d      integer NOT NULL,
	spend_fen_90d   bigint  NOT NULL,
	last_order_day  integer,
	bought_90d      text[]  NOT NULL
);
CREATE TABLE seg_segment_member (
	segment   text    NOT NULL,
	member_id integer NOT NULL,
	PRIMARY KEY (segment, member_id)
);`

const baselineIndexes = `
CREATE INDEX seg_member_city_tier ON seg_member (city, tier);
CREATE INDEX seg_member_bought_90d ON seg_member USING gin (bought_90d);
CREATE INDEX seg_member_orders_30d ON seg_member (orders_30d);
CREATE INDEX seg_member_wechat_open_30d ON seg_member (wechat_open_30d);
ANALYZE seg_member;
ANALYZE seg_segment_member;`

// pgQuestion is the audience in SQL: "not did(order, 30d)" is a zero
// counter and "not in_segment" an anti-join.
const pgQuestion = `
SELECT count(*) FROM seg_member m
WHERE m.tier IN ('gold', 'platinum') AND m.city = '上海'
  AND m.bought_90d @> ARRAY['infant_formula']
  AND m.orders_30d < 1 AND m.wechat_open_30d >= 1
  AND NOT EXISTS (SELECT 1 FROM seg_segment_member s WHERE s.segment = 'low_churn' AND s.member_id = m.id)`

// postgres loads n generated members into a fresh schema and times pgQuestion
// runs times with parallel query off (one core, as the engine).
func postgres(ctx context.Context, dsn string, g gen, n, runs int) (uint64, stats, time.Duration, error) {
	fresh, drop, err := benchdb.Fresh(dsn, "bench_segment")
	if err != nil {
		return 0, stats{}, 0, err
	}
	defer drop()
	conn, err := pgx.Connect(ctx, fresh)
	if err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, baseline); err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: schema: %w", err)
	}
	start := time.Now()
	p := progress("COPY members", n)
	i := 0
	var seg []uint32
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"seg_member"},
		[]string{"id", "tier", "city", "gender", "age", "orders_30d", "wechat_open_30d", "orders_90d", "spend_fen_90d", "last_order_day", "bought_90d"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			m := uint32(i)
			x := g.member(m)
			i++
			if i%65536 == 0 {
				p(i)
			}
			if x.lowChurn {
				seg = append(seg, m)
			}
			var last any
			if x.lastOrderDay != 0 {
				last = x.lastOrderDay
			}
			bought := x.bought
			if bought == nil {
				bought = []string{}
			}
			return []any{int32(m), x.tier, x.city, x.gender, x.age, x.orders30, x.wechat30, x.orders90, x.spend90, last, bought}, nil
		}))
	if err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: copy members: %w", err)
	}
	p(n)
	j := 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"seg_segment_member"}, []string{"segment", "member_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if j == len(seg) {
				return nil, nil
			}
			j++
			return []any{"low_churn", int32(seg[j-1])}, nil
		}))
	if err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: copy segment: %w", err)
	}
	fmt.Fprintln(os.Stderr, "  PostgreSQL: building indexes and statistics")
	if _, err := conn.Exec(ctx, baselineIndexes); err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: indexes: %w", err)
	}
	if _, err := conn.Exec(ctx, "SET max_parallel_workers_per_gather = 0"); err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: %w", err)
	}
	load := time.Since(start)
	var plan []string
	rows, err := conn.Query(ctx, "EXPLAIN "+pgQuestion)
	if err == nil {
		for rows.Next() {
			var line string
			if rows.Scan(&line) == nil {
				plan = append(plan, line)
			}
		}
		rows.Close()
	}
	fmt.Fprintln(os.Stderr, "  PostgreSQL plan:")
	for _, l := range plan {
		fmt.Fprintln(os.Stderr, "    "+l)
	}
	var count int64
	s := measure(runs, func() {
		if e := conn.QueryRow(ctx, pgQuestion).Scan(&count); e != nil && err == nil {
			err = e
		}
	})
	if err != nil {
		return 0, stats{}, 0, fmt.Errorf("postgres: question: %w", err)
	}
	return uint64(count), s, load, nil
}
