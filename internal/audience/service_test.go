package audience

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/sheet"
)

func TestTagDefinitionsValidate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, shopper("c1", "上海", 3, 5000, "DAIRY"))
		ctx := as(auth.Marketer)
		cases := []struct {
			name  string
			in    TagInput
			field string
		}{
			{"code with a space", TagInput{Code: "a b", Name: "x", Kind: TagManual, ValueType: ValueBoolean}, "body.code"},
			{"enum without values", TagInput{Code: "e", Name: "x", Kind: TagImported, ValueType: ValueEnum}, "body.enum_values"},
			{"rule that is not boolean", TagInput{Code: "r", Name: "x", Kind: TagRule, ValueType: ValueNumber, Expression: "orders(30d) >= 1"}, "body.value_type"},
			{"rule that does not parse", TagInput{Code: "r", Name: "x", Kind: TagRule, ValueType: ValueBoolean, Expression: "orders(30d) >="}, "body.expression"},
			{"rule over an unknown field", TagInput{Code: "r", Name: "x", Kind: TagRule, ValueType: ValueBoolean, Expression: "shoe_size > 40"}, "body.expression"},
		}
		for _, tc := range cases {
			_, err := f.s.CreateTag(ctx, tc.in)
			var e *errs.Error
			if !errors.As(err, &e) || e.Field != tc.field {
				t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
			}
		}
		if _, err := f.s.CreateTag(as(auth.Analyst), TagInput{Code: "vip", Name: "VIP", Kind: TagManual, ValueType: ValueBoolean}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("an analyst defined a tag: %v", err)
		}
		if _, err := f.s.CreateTag(ctx, TagInput{Code: "vip", Name: "VIP", Kind: TagManual, ValueType: ValueBoolean}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateTag(ctx, TagInput{Code: "VIP", Name: "again", Kind: TagManual, ValueType: ValueBoolean}); !errs.Is(err, errs.Invalid) {
			t.Errorf("a second tag VIP: %v, want invalid (codes are unique whatever the case)", err)
		}
	})
}

// TestImportReportsRows imports a file with good and bad rows: the good ones are
// written, each bad one is reported with its line and column, and a value removed
// by an empty cell is gone.
func TestImportReportsRows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, shopper("c1", "上海", 3, 5000), shopper("c2", "北京", 40, 9000), shopper("c3", "上海", -1, 0))
		ctx := as(auth.Marketer)
		noErr(f.s.CreateTag(ctx, TagInput{Code: "wine_club", Name: "酒友会", Kind: TagImported, ValueType: ValueEnum, EnumValues: []string{"银", "金"}}))(t)
		noErr(f.s.CreateTag(ctx, TagInput{Code: "score", Name: "积分卡", Kind: TagImported, ValueType: ValueNumber}))(t)
		noErr(f.s.CreateTag(ctx, TagInput{Code: "heavy", Name: "大户", Kind: TagRule, ValueType: ValueBoolean, Expression: "spend(all) >= 60"}))(t)
		file := "customer_id,tag,value\n" +
			"c1,wine_club,金\n" + // line 2: set
			"c2,wine_club,铜\n" + // line 3: not a value of the tag
			"nobody,score,1\n" + // line 4: unknown customer
			"c2,score,12.5\n" + // line 5: set
			"c3,heavy,true\n" + // line 6: a rule tag
			"c1,unknown,1\n" // line 7: unknown tag
		rep, err := f.s.ImportTagValues(ctx, strings.NewReader(file), "text/csv")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 6 || rep.Set != 2 || len(rep.Errors) != 4 {
			t.Fatalf("report %+v, want 6 rows, 2 set, 4 errors", rep)
		}
		want := map[int]string{3: "value", 4: "customer_id", 6: "tag", 7: "tag"}
		for _, e := range rep.Errors {
			if want[e.Line] != e.Field {
				t.Errorf("error %+v, want line %d on %s", e, e.Line, want[e.Line])
			}
		}
		tags, err := f.s.FindCustomerTags(ctx, "c1")
		if err != nil || len(tags) != 1 || tags[0].Value != "金" || tags[0].Source != "import" {
			t.Fatalf("c1's tags %+v (%v)", tags, err)
		}
		rep, err = f.s.ImportTagValues(ctx, strings.NewReader("customer_id,tag,value\nc1,wine_club,\n"), "")
		if err != nil || rep.Removed != 1 {
			t.Fatalf("removing: %+v %v", rep, err)
		}
		if _, err := f.s.ImportTagValues(ctx, strings.NewReader("customer,tag\nc1,x\n"), ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("a header without the columns: %v", err)
		}
	})
}

// noErr returns v, failing the test on err: noErr(call())(t).
func noErr[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestSegmentsFollowChanges saves a nested segment over behaviour, a rule tag and
// another segment, checks its members, then changes members: entered and exited
// events follow each change exactly once, and a snapshot keeps what it froze.
func TestSegmentsFollowChanges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d,
			shopper("ann", "上海", 2, 30000, "INFANT", "DAIRY"),
			shopper("bob", "上海", 60, 50000, "INFANT"),
			shopper("cat", "北京", 5, 12000, "INFANT"),
			shopper("dan", "上海", -1, 0))
		ctx := as(auth.Marketer)
		noErr(f.s.CreateTag(ctx, TagInput{Code: "big_basket", Name: "大单", Kind: TagRule, ValueType: ValueBoolean,
			Expression: "avg_basket_fen:all >= 20000"}))(t)
		shanghai := noErr(f.s.CreateSegment(ctx, SegmentInput{Code: "sh", Name: "上海", Text: `city = "上海"`}))(t)
		if shanghai.Count != 3 {
			t.Fatalf("Shanghai holds %d, want 3", shanghai.Count)
		}
		text := `in_segment("sh") and bought("INFANT", 90d) and (tag("big_basket") or not did("order", 30d))`
		g := noErr(f.s.CreateSegment(ctx, SegmentInput{Code: "infant_sh", Name: "上海母婴", Text: text}))(t)
		if g.Count != 2 { // ann (big basket) and bob (no order for 30 days)
			t.Fatalf("infant_sh holds %d, want 2", g.Count)
		}
		if _, err := f.s.UpdateSegment(ctx, shanghai.ID, SegmentUpdate{Text: ptr(`in_segment("infant_sh")`)}); !errs.Is(err, errs.Invalid) ||
			!strings.Contains(err.Error(), "cycle") {
			t.Errorf("a cycle was saved: %v", err)
		}
		snap := noErr(f.s.TakeSnapshot(ctx, g.ID, "三月活动"))(t)
		// cat moves to Shanghai and is a big spender now; ann is merged into dan.
		cat := shopper("cat", "上海", 1, 30000, "INFANT")
		f.people.put(cat)
		if err := f.s.refreshCustomers(ctx, tenantA, []string{"cat"}); err != nil {
			t.Fatal(err)
		}
		f.people.merge("ann", "dan")
		if err := f.s.refreshCustomers(ctx, tenantA, []string{"ann", "dan"}); err != nil {
			t.Fatal(err)
		}
		members := noErr(f.s.FindSegmentMembers(ctx, g.ID, 10, ""))(t)
		var got []string
		for _, m := range members.Items {
			got = append(got, m.CustomerID)
		}
		if strings.Join(got, ",") != "bob,cat" {
			t.Fatalf("members now %v, want bob and cat", got)
		}
		frozen := noErr(f.s.FindSnapshotMembers(ctx, snap.ID, 10, ""))(t)
		got = got[:0]
		for _, m := range frozen.Items {
			got = append(got, m.CustomerID)
		}
		if strings.Join(got, ",") != "ann,bob" {
			t.Fatalf("the snapshot holds %v, want ann and bob as frozen", got)
		}
		entered, exited := segmentEvents(t, d, g.ID)
		if strings.Join(entered, ",") != "ann,bob,cat" || strings.Join(exited, ",") != "ann" {
			t.Fatalf("entered %v exited %v, want ann,bob,cat and ann", entered, exited)
		}
		// A restart (a new service on the same database) rebuilds and announces nothing new.
		again := NewService(d, f.s.outbox, f.s.audit, f.clock, f.s.deps)
		if n := noErr(again.FindSegmentByID(ctx, g.ID))(t).Count; n != 2 {
			t.Fatalf("after a restart the segment holds %d, want 2", n)
		}
		entered2, exited2 := segmentEvents(t, d, g.ID)
		if len(entered2) != len(entered) || len(exited2) != len(exited) {
			t.Fatalf("a restart announced again: entered %v exited %v", entered2, exited2)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func segmentEvents(t *testing.T, d *db.DB, segmentID string) (entered, exited []string) {
	t.Helper()
	rows, err := d.Reader().Query(`SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY id`, segmentID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, payload string
		if err := rows.Scan(&typ, &payload); err != nil {
			t.Fatal(err)
		}
		var e SegmentEvent
		if err := json.Unmarshal([]byte(payload), &e); err != nil {
			t.Fatal(err)
		}
		if typ == EventSegmentEntered {
			entered = append(entered, e.CustomerID)
		} else {
			exited = append(exited, e.CustomerID)
		}
	}
	slices.Sort(entered)
	slices.Sort(exited)
	return entered, exited
}

// TestPortraitIndex checks the portrait against a count by hand: two of the three
// Shanghai members are women, in a base where two of four are.
func TestPortraitIndex(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		man := shopper("m1", "上海", 3, 100)
		man.Gender = "male"
		other := shopper("m2", "北京", 3, 100)
		other.Gender = "male"
		f := setup(t, d, shopper("w1", "上海", 3, 100), shopper("w2", "上海", 3, 100), man, other)
		p, err := f.s.PreviewPortrait(as(auth.Analyst), nil, `city = "上海"`)
		if err != nil {
			t.Fatal(err)
		}
		if p.Segment != 3 || p.Base != 4 {
			t.Fatalf("portrait of %d in %d, want 3 in 4", p.Segment, p.Base)
		}
		for _, dim := range p.Dimensions {
			if dim.Field != fieldGender {
				continue
			}
			for _, b := range dim.Buckets {
				// women: 2/3 of the segment, 2/4 of the base → index 133.3
				if b.Value == "female" && (b.Segment != 2 || b.Base != 2 || b.Index != 133.3) {
					t.Fatalf("female bucket %+v, want 2 of 2, index 133.3", b)
				}
			}
			return
		}
		t.Fatal("no gender dimension")
	})
}

// TestParallelRefreshes refreshes the same members from many goroutines: the
// recorded membership and the events stay exact.
func TestParallelRefreshes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, shopper("a", "上海", 1, 100), shopper("b", "上海", 1, 100))
		ctx := as(auth.Marketer)
		g := noErr(f.s.CreateSegment(ctx, SegmentInput{Code: "sh", Name: "上海", Text: `city = "上海"`}))(t)
		f.people.put(shopper("c", "上海", 1, 100))
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc <- f.s.refreshCustomers(context.WithoutCancel(ctx), tenantA, []string{"c"})
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := noErr(f.s.FindSegmentByID(ctx, g.ID))(t).Count; n != 3 {
			t.Fatalf("count %d, want 3", n)
		}
		entered, _ := segmentEvents(t, d, g.ID)
		if strings.Join(entered, ",") != "a,b,c" {
			t.Fatalf("entered %v, want a, b and c once each", entered)
		}
	})
}

// TestModelJob runs the customer models as a job over a base with repeat buyers:
// every member gets a lifecycle stage, every buyer an RFM layer, repeat buyers a
// churn risk and a one-year value, and the computed tags are usable in segments. A
// job interrupted after its first batch resumes from its progress.
func TestModelJob(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var ms []Member
		for i := range 60 {
			m := shopper(fmt.Sprintf("c%02d", i), "上海", i%50, int64(1000+100*i), "DAIRY")
			if i%3 != 0 && i < 50 { // repeat buyers: a first order a while before
				first := testNow.Add(-time.Duration(100+i) * 24 * time.Hour)
				m.FirstOrderAt, m.LifetimeOrders, m.LifetimeSpendFen = first, int64(2+i%5), m.LifetimeSpendFen*int64(2+i%5)
			}
			if i >= 50 {
				m = shopper(fmt.Sprintf("c%02d", i), "上海", -1, 0) // prospects
			}
			ms = append(ms, m)
		}
		f := setup(t, d, ms...)
		ctx := as(auth.Marketer)
		if _, err := f.s.StartJob(as(auth.Analyst), JobModels); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an analyst started a job: %v", err)
		}
		j := noErr(f.s.StartJob(ctx, JobModels))(t)
		if _, err := f.s.StartJob(ctx, JobModels); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a second run while one is going: %v", err)
		}
		if n := noErr(f.s.RunDueJobs(context.Background()))(t); n != 1 {
			t.Fatalf("ran %d jobs, want 1", n)
		}
		j = noErr(f.s.FindJobByID(ctx, j.ID))(t)
		if j.Status != JobDone || j.Done != j.Total || j.Total == 0 {
			t.Fatalf("job %+v", j)
		}
		if _, ok := j.Result["bgnbd"]; !ok {
			t.Fatalf("no BG/NBD fit in %v", j.Result)
		}
		prospects := noErr(f.s.PreviewSegment(ctx, nil, `tag:lifecycle_stage = "潜在客户"`))(t)
		if prospects.Count != 10 {
			t.Fatalf("%d prospects, want 10", prospects.Count)
		}
		layered := noErr(f.s.PreviewSegment(ctx, nil, `tag:rfm_layer exists`))(t)
		if layered.Count != 50 {
			t.Fatalf("%d members with an RFM layer, want the 50 buyers", layered.Count)
		}
		risk := noErr(f.s.PreviewSegment(ctx, nil, `tag:churn_risk between 0 and 100`))(t)
		if risk.Count == 0 || risk.Count > 50 {
			t.Fatalf("%d members with a churn risk, want some of the repeat buyers", risk.Count)
		}
		// An interrupted run: progress says 1,000 values were written, the claim lapsed.
		j2 := noErr(f.s.StartJob(ctx, JobModels))(t)
		if _, err := d.Writer().Exec(`UPDATE audience_jobs SET done = 100 WHERE id = $1`, j2.ID); err != nil {
			t.Fatal(err)
		}
		noErr(f.s.RunDueJobs(context.Background()))(t)
		j2 = noErr(f.s.FindJobByID(ctx, j2.ID))(t)
		if j2.Status != JobDone || j2.Total != j.Total {
			t.Fatalf("resumed job %+v, want done with the same %d values", j2, j.Total)
		}
		if again := noErr(f.s.PreviewSegment(ctx, nil, `tag:rfm_layer exists`))(t); again.Count != 50 {
			t.Fatalf("after the resumed run %d members have a layer, want 50", again.Count)
		}
	})
}

// TestImportXLSX imports tag values from an Excel workbook like from CSV.
func TestImportXLSX(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, shopper("c1", "上海", 3, 5000), shopper("c2", "北京", 3, 5000))
		ctx := as(auth.Marketer)
		noErr(f.s.CreateTag(ctx, TagInput{Code: "club", Name: "俱乐部", Kind: TagImported, ValueType: ValueEnum, EnumValues: []string{"金"}}))(t)
		var buf bytes.Buffer
		w, err := sheet.NewWriter(&buf, sheet.XLSX)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range [][]string{{"customer_id", "tag", "value"}, {"c1", "club", "金"}, {"c2", "club", "银"}} {
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rep := noErr(f.s.ImportTagValues(ctx, &buf, sheet.MediaXLSX))(t)
		if rep.Rows != 2 || rep.Set != 1 || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Field != "value" {
			t.Fatalf("report %+v, want c1 set and row 3's value rejected", rep)
		}
	})
}

// TestRuleValuesFollowBuilds: a rule tag's stored values (what the 360 page shows)
// follow the members through a full build — set for who matches now, removed from
// who matched before — and through a refresh of one member.
func TestRuleValuesFollowBuilds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, shopper("c1", "上海", 3, 30000), shopper("c2", "北京", 3, 5000), shopper("c3", "上海", -1, 0))
		ctx := as(auth.Marketer)
		noErr(f.s.CreateTag(ctx, TagInput{Code: "heavy", Name: "大户", Kind: TagRule, ValueType: ValueBoolean, Expression: "spend(all) >= 100"}))(t)
		g := noErr(f.s.CreateSegment(ctx, SegmentInput{Code: "heavy", Name: "大户", Text: `tag("heavy")`}))(t)
		holders := func(s *Service) string {
			t.Helper()
			noErr(s.FindSegmentByID(ctx, g.ID))(t) // builds the index when s has none
			var out []string
			for _, id := range []string{"c1", "c2", "c3"} {
				for _, v := range noErr(s.FindCustomerTags(ctx, id))(t) {
					if v.TagCode == "heavy" && v.Value == "true" && v.Source == "rule" {
						out = append(out, id)
					}
				}
			}
			return strings.Join(out, ",")
		}
		if got := holders(f.s); got != "c1" {
			t.Fatalf("rule values %q, want c1", got)
		}
		// While no node ran, c1 spent less and c2 more: a new node's full build moves the value.
		f.people.put(shopper("c1", "上海", 3, 5000))
		f.people.put(shopper("c2", "北京", 3, 30000))
		again := NewService(d, f.s.outbox, f.s.audit, f.clock, f.s.deps)
		if got := holders(again); got != "c2" {
			t.Fatalf("after a full build rule values %q, want c2", got)
		}
		f.people.put(shopper("c3", "上海", 1, 20000))
		if err := again.refreshCustomers(ctx, tenantA, []string{"c3"}); err != nil {
			t.Fatal(err)
		}
		if got := holders(again); got != "c2,c3" {
			t.Fatalf("after refreshing c3 rule values %q, want c2,c3", got)
		}
	})
}
