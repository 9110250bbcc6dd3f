package identity

import (
	"testing"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/errs"
)

func ptr[T any](v T) *T { return &v }

func TestTouchpointCRUD(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		tp, err := e.svc.CreateTouchpoint(ctx, NewTouchpoint{Code: " POS-01 ", Name: "Front till", Type: TypeOffline, Channel: "pos", StoreID: storeA1})
		if err != nil {
			t.Fatal(err)
		}
		if tp.Code != "POS-01" || tp.Status != StatusActive || tp.StoreID != storeA1 {
			t.Fatalf("created = %+v", tp)
		}
		got, err := e.svc.FindTouchpointByID(ctx, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Code != "POS-01" || got.Name != "Front till" || got.Health.EventsToday != 0 || got.Health.LastSeenAt != nil {
			t.Fatalf("found = %+v", got)
		}

		up, err := e.svc.UpdateTouchpoint(ctx, tp.ID, TouchpointUpdate{Name: ptr("Till 1"), Status: ptr(StatusDisabled), StoreID: ptr("")})
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "Till 1" || up.Status != StatusDisabled || up.StoreID != "" || up.Code != "POS-01" {
			t.Fatalf("updated = %+v", up)
		}

		mkTouchpoint(t, e, ctx, "MINI")
		mkTouchpoint(t, e, ctx, "APP")
		page, err := e.svc.FindTouchpoints(ctx, TouchpointFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 2 || page.NextCursor == "" {
			t.Fatalf("first page = %d items, cursor %q", len(page.Items), page.NextCursor)
		}
		rest, err := e.svc.FindTouchpoints(ctx, TouchpointFilter{Limit: 2, Cursor: page.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(rest.Items) != 1 || rest.NextCursor != "" {
			t.Fatalf("second page = %d items, cursor %q", len(rest.Items), rest.NextCursor)
		}
		disabled, err := e.svc.FindTouchpoints(ctx, TouchpointFilter{Status: StatusDisabled})
		if err != nil {
			t.Fatal(err)
		}
		if len(disabled.Items) != 1 || disabled.Items[0].ID != tp.ID {
			t.Fatalf("disabled = %+v", disabled.Items)
		}

		var audits, outbox int
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND resource_type = 'touchpoint'`, tenantA).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_events WHERE tenant_id = $1 AND type LIKE 'identity.touchpoint.%'`, tenantA).Scan(&outbox); err != nil {
			t.Fatal(err)
		}
		if audits != 4 || outbox != 4 {
			t.Fatalf("audit entries %d, outbox events %d, want 4 and 4", audits, outbox)
		}
	})
}

func TestTouchpointValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := admin(tenantA)
		existing := mkTouchpoint(t, e, ctx, "TAKEN")
		other := mkTouchpoint(t, e, ctx, "OTHER")
		ok := NewTouchpoint{Code: "X", Name: "x", Type: TypeOnline, Channel: "app"}
		with := func(f func(*NewTouchpoint)) NewTouchpoint { n := ok; f(&n); return n }
		cases := []struct {
			name  string
			in    NewTouchpoint
			code  errs.Code
			field string
		}{
			{"missing code", with(func(n *NewTouchpoint) { n.Code = "" }), errs.Invalid, "body.code"},
			{"bad code", with(func(n *NewTouchpoint) { n.Code = "a b" }), errs.Invalid, "body.code"},
			{"missing name", with(func(n *NewTouchpoint) { n.Name = "  " }), errs.Invalid, "body.name"},
			{"bad type", with(func(n *NewTouchpoint) { n.Type = "virtual" }), errs.Invalid, "body.type"},
			{"bad channel", with(func(n *NewTouchpoint) { n.Channel = "fax" }), errs.Invalid, "body.channel"},
			{"bad status", with(func(n *NewTouchpoint) { n.Status = "gone" }), errs.Invalid, "body.status"},
			{"unknown store", with(func(n *NewTouchpoint) { n.StoreID = "nope" }), errs.Invalid, "body.store_id"},
			{"store of another tenant", with(func(n *NewTouchpoint) { n.StoreID = storeB1 }), errs.Invalid, "body.store_id"},
			{"duplicate code", with(func(n *NewTouchpoint) { n.Code = "TAKEN" }), errs.Conflict, "body.code"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateTouchpoint(ctx, tc.in)
				wantCode(t, err, tc.code, tc.field)
			})
		}

		updates := []struct {
			name  string
			in    TouchpointUpdate
			code  errs.Code
			field string
		}{
			{"empty name", TouchpointUpdate{Name: ptr("")}, errs.Invalid, "body.name"},
			{"bad channel", TouchpointUpdate{Channel: ptr(Channel("fax"))}, errs.Invalid, "body.channel"},
			{"unknown store", TouchpointUpdate{StoreID: ptr("nope")}, errs.Invalid, "body.store_id"},
			{"code taken", TouchpointUpdate{Code: ptr(existing.Code)}, errs.Conflict, "body.code"},
		}
		for _, tc := range updates {
			t.Run("update "+tc.name, func(t *testing.T) {
				_, err := e.svc.UpdateTouchpoint(ctx, other.ID, tc.in)
				wantCode(t, err, tc.code, tc.field)
			})
		}

		_, err := e.svc.FindTouchpoints(ctx, TouchpointFilter{Channel: "fax"})
		wantCode(t, err, errs.Invalid, "query.channel")
	})
}

func TestTouchpointAccess(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		tp := mkTouchpoint(t, e, admin(tenantA), "POS")
		cases := []struct {
			name string
			run  func() error
			code errs.Code
		}{
			{"other tenant get", func() error { _, err := e.svc.FindTouchpointByID(admin(tenantB), tp.ID); return err }, errs.NotFound},
			{"other tenant update", func() error {
				_, err := e.svc.UpdateTouchpoint(admin(tenantB), tp.ID, TouchpointUpdate{Name: ptr("x")})
				return err
			}, errs.NotFound},
			{"unknown id", func() error { _, err := e.svc.FindTouchpointByID(admin(tenantA), "nope"); return err }, errs.NotFound},
			{"integrator may not write", func() error {
				_, err := e.svc.CreateTouchpoint(as(tenantA, auth.Integrator), NewTouchpoint{Code: "Y", Name: "y", Type: TypeOnline, Channel: "app"})
				return err
			}, errs.Forbidden},
			{"marketer may not read", func() error {
				_, err := e.svc.FindTouchpoints(as(tenantA, auth.Marketer), TouchpointFilter{})
				return err
			}, errs.Forbidden},
			{"no principal", func() error { _, err := e.svc.FindTouchpointByID(t.Context(), tp.ID); return err }, errs.Unauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.run(); !errs.Is(err, tc.code) {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
			})
		}
		page, err := e.svc.FindTouchpoints(admin(tenantB), TouchpointFilter{})
		if err != nil || len(page.Items) != 0 {
			t.Fatalf("tenant B sees %d touchpoints (err %v)", len(page.Items), err)
		}
		if _, err := e.svc.FindTouchpointByID(as(tenantA, auth.Integrator), tp.ID); err != nil {
			t.Fatalf("integrator read: %v", err)
		}
	})
}
