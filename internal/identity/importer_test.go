package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
)

func TestImportCustomersCSV(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "CRM")
		file := "手机号,姓名,性别,生日,会员卡号,email,等级\n" +
			"138 0013 8000,王小明,男,1990/5/17,VIP-001,,金卡\n" +
			"010-12345678,李雷,女,,,,\n" +
			",韩梅梅,女,1992-01-02,,,\n" +
			"13900139000,赵四,,1990年13月1日,,,\n" +
			",,,,VIP-002,Lucy@Example.com,银卡\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(file)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := e.svc.ImportFile(admin(tenantA), ImportCustomers, FormatCSV, "CRM", []byte(gbk), nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rows != 5 || sum.Accepted != 2 || sum.Duplicates != 0 || len(sum.Errors) != 3 {
			t.Fatalf("summary %+v", sum)
		}
		want := []ImportRowError{{Line: 3, Field: "identifiers.phone"}, {Line: 4, Field: "identifiers"}, {Line: 5, Field: "birthday"}}
		for i, w := range want {
			if sum.Errors[i].Line != w.Line || sum.Errors[i].Field != w.Field || sum.Errors[i].Reason == "" {
				t.Fatalf("error %d = %+v, want line %d field %s", i, sum.Errors[i], w.Line, w.Field)
			}
		}
		if len(sum.ExtraColumns) != 1 || sum.ExtraColumns[0] != "等级" {
			t.Fatalf("extra columns %v", sum.ExtraColumns)
		}
		c, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "member_card:VIP-001")
		if err != nil {
			t.Fatal(err)
		}
		byPhone, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "phone:13800138000")
		if err != nil || byPhone.ID != c.ID {
			t.Fatalf("phone and card of one row are not one customer: %v", err)
		}
		page, err := e.svc.FindCustomerEvents(admin(tenantA), c.ID, CustomerEventFilter{})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("events: %v %+v", err, page)
		}
		props := page.Items[0].Properties
		if page.Items[0].Type != "customer_import" || props["gender"] != "male" || props["birthday"] != "1990-05-17" || props["等级"] != "金卡" {
			t.Fatalf("event %+v", page.Items[0])
		}

		again, err := e.svc.ImportFile(admin(tenantA), ImportCustomers, FormatCSV, "CRM", []byte(gbk), nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Accepted != 0 || again.Duplicates != 2 || countEvents(t, d, tenantA) != 2 {
			t.Fatalf("re-import %+v, %d events stored", again, countEvents(t, d, tenantA))
		}
		// Row-hash ids are de-duplicated per touchpoint, like every event id: the
		// same file imported as another touchpoint's is that touchpoint's events.
		mkTouchpoint(t, e, admin(tenantA), "CRM-2")
		other, err := e.svc.ImportFile(admin(tenantA), ImportCustomers, FormatCSV, "CRM-2", []byte(gbk), nil)
		if err != nil {
			t.Fatal(err)
		}
		if other.Accepted != 2 || other.Duplicates != 0 || countEvents(t, d, tenantA) != 4 {
			t.Fatalf("import as another touchpoint %+v, %d events stored", other, countEvents(t, d, tenantA))
		}
	})
}

func TestImportEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "POS")
		ndjson := `{"id":"n1","type":"order","occurred_at":"2026-02-01T10:00:00+08:00","identifiers":{"phone":"13800138000"}}` + "\n\n" +
			`{"id":"n2","type":"visit","occurred_at":"soon"}` + "\n" +
			`not json` + "\n"
		sum, err := e.svc.ImportFile(admin(tenantA), ImportEvents, FormatNDJSON, "POS", []byte(ndjson), nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rows != 3 || sum.Accepted != 1 || len(sum.Errors) != 2 || sum.Errors[0].Line != 3 || sum.Errors[0].Field != "occurred_at" || sum.Errors[1].Line != 4 {
			t.Fatalf("ndjson summary %+v", sum)
		}
		csv := "id,type,occurred_at,phone,properties,store_note\n" +
			`c1,order,2026-02-01T11:00:00+08:00,13800138000,"{""amount_fen"":1999}",窗口` + "\n" +
			`c2,order,2026-02-01T11:00:00+08:00,,"{broken",` + "\n"
		sum, err = e.svc.ImportFile(admin(tenantA), ImportEvents, FormatCSV, "POS", []byte(csv), nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Accepted != 1 || len(sum.Errors) != 1 || sum.Errors[0].Line != 3 || sum.Errors[0].Field != "properties" {
			t.Fatalf("csv summary %+v", sum)
		}
		c, err := e.svc.FindCustomerByIdentifier(admin(tenantA), "phone:13800138000")
		if err != nil || c.EventCount != 2 {
			t.Fatalf("customer %+v, %v", c, err)
		}
		// A file whose every event is refused by validation is reported row by row (the
		// API's 422 for such a batch is not an import failure).
		sum, err = e.svc.ImportFile(admin(tenantA), ImportEvents, FormatNDJSON, "POS", []byte(`{"id":"b1","type":"Order","occurred_at":"2026-02-01T10:00:00+08:00"}`+"\n"), nil)
		if err != nil || sum.Accepted != 0 || len(sum.Errors) != 1 || sum.Errors[0].Field != "type" {
			t.Fatalf("all-bad file: %+v %v", sum, err)
		}
		if _, err := e.svc.ImportFile(admin(tenantA), ImportCustomers, FormatNDJSON, "POS", []byte(ndjson), nil); err == nil {
			t.Fatal("a customer list in NDJSON was accepted")
		}
		if _, err := e.svc.ImportFile(admin(tenantA), ImportEvents, FormatCSV, "POS", []byte("id,type\n"), nil); err == nil || !strings.Contains(err.Error(), "occurred_at") {
			t.Fatalf("missing column: %v", err)
		}
	})
}

// An import cancelled part-way keeps whole transactions only, and running it again
// completes it without storing anything twice.
func TestImportInterruptedAndResumed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mkTouchpoint(t, e, admin(tenantA), "CRM")
		var b strings.Builder
		b.WriteString("phone,name\n")
		const rows = 2500
		for i := range rows {
			fmt.Fprintf(&b, "1390000%04d,顾客%d\n", i, i)
		}
		ctx, cancel := context.WithCancel(admin(tenantA))
		stored := 0
		progress := func(done, total int64) {
			if n := countEvents(t, d, tenantA); n > 0 && stored == 0 {
				stored = n
				cancel() // stop once the first transaction is in
			}
		}
		_, err := e.svc.ImportFile(ctx, ImportCustomers, FormatCSV, "CRM", []byte(b.String()), progress)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if n := countEvents(t, d, tenantA); n%MaxBatchEvents != 0 || n == 0 || n == rows {
			t.Fatalf("%d events after the interruption, want whole batches of %d", n, MaxBatchEvents)
		}
		before := countEvents(t, d, tenantA)
		sum, err := e.svc.ImportFile(admin(tenantA), ImportCustomers, FormatCSV, "CRM", []byte(b.String()), nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Duplicates != before || sum.Accepted != rows-before || countEvents(t, d, tenantA) != rows {
			t.Fatalf("resume %+v, %d stored before, %d now", sum, before, countEvents(t, d, tenantA))
		}
	})
}

func FuzzCustomerCSV(f *testing.F) {
	f.Add("phone,name\n13800138000,王\n")
	f.Add("手机号,生日,x\n1,1990/1/1,\"a\n")
	f.Add("email\n\xff\xfe\n")
	f.Fuzz(func(t *testing.T, file string) {
		var sum ImportSummary
		last := 0
		flush := func(rows []importRow) error {
			for _, r := range rows {
				if r.line < last {
					t.Fatalf("line %d after %d", r.line, last)
				}
				last = r.line
				if (r.err == nil) == (r.event == nil) {
					t.Fatalf("row %d has both or neither of an event and an error", r.line)
				}
				if r.event != nil {
					if _, field, reason := ParseEvent(r.event, testNow); reason != "" && !strings.HasPrefix(field, "identifiers.") && !strings.HasPrefix(field, "properties.") {
						t.Fatalf("row %d made an event the API refuses at %s: %s (%s)", r.line, field, reason, r.event)
					}
				}
			}
			return nil
		}
		_ = readCustomerCSV([]byte(file), testNow, &sum, func(int64, int64) {}, flush)
	})
}

var testNow = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
