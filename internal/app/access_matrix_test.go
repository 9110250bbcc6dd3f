package app_test

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db/dbtest"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// updateMatrix rewrites the access matrix in docs/api.md from accessRules:
//
//	go test ./internal/app -run TestAccessMatrixDocumented -update-access-matrix
var updateMatrix = flag.Bool("update-access-matrix", false, "rewrite the access matrix in docs/api.md")

// reach is how an operation treats the caller's data scope (brand, region or store).
type reach string

const (
	// public needs no credential.
	public reach = "public"
	// self is any authenticated caller acting on its own session or account.
	self reach = "self"
	// shared is a chain-wide definition (catalogue, promotions, identity rules): every
	// data scope may use it with the operation's scopes.
	shared reach = "shared"
	// tenantOnly needs the whole tenant: a narrower data scope answers 403.
	tenantOnly reach = "tenant"
	// scoped follows the data scope: a resource outside it answers 404 (never 403, so
	// ids cannot be probed) and lists leave it out.
	scoped reach = "scoped"
)

// request is one call of an operation.
type request struct {
	path        string // with its parameters filled
	contentType string
	body        string
	token       string // instead of the principal's own token when set
}

// accessRule says how one operation is reached and how to call it on a target inside
// (side 0) or outside (side 1) the scoped principals' data scope.
type accessRule struct {
	reach reach
	call  func(w *world, p *matrixPrincipal, side int) request
	// note is shown in the documented matrix.
	note string
	// expect overrides the general rule for the outcome class (see outcome).
	expect func(p *matrixPrincipal, side int) string
}

// Outcome classes of a call: the status of a refusal, or "ok" for any answer that is
// not an authentication or authorisation refusal (2xx, or a 409/422 about the data).
const ok = "ok"

func get(path string) func(*world, *matrixPrincipal, int) request {
	return func(*world, *matrixPrincipal, int) request { return request{path: path} }
}

func jsonCall(path, body string) func(*world, *matrixPrincipal, int) request {
	return func(*world, *matrixPrincipal, int) request {
		return request{path: path, contentType: "application/json", body: body}
	}
}

// accessRules is the access matrix: every operation of the OpenAPI document, by id.
// docs/api.md's matrix is generated from it and the test below checks the server
// against it for every role at every data scope and every API key scope set.
var accessRules = map[string]accessRule{
	// --- sign-in and one's own account ---
	"login": {reach: public, call: func(w *world, _ *matrixPrincipal, _ int) request {
		// A new login name each time: the throttle would answer 429 after five.
		return jsonReq("/api/v1/auth/login", `{"login":"nobody-%d","password":"not the password"}`, w.next())
	},
		expect: func(*matrixPrincipal, int) string { return "401" }},
	"healthz":   {reach: public, call: get("/healthz")},
	"readyz":    {reach: public, call: get("/readyz")},
	"get-setup": {reach: public, call: get("/api/v1/setup")},
	"setup": {reach: public, note: "only with the setup token, while no tenant exists",
		call:   jsonCall("/api/v1/setup", `{"token":"not the token","tenant_name":"X","admin_login":"x","admin_password":"correct horse battery"}`),
		expect: func(*matrixPrincipal, int) string { return "403" }},
	"logout": {reach: self, call: func(w *world, p *matrixPrincipal, _ int) request {
		if p.key || p.role == "" {
			return request{path: "/api/v1/auth/logout"}
		}
		// A fresh session of the same user: logging the matrix's own one out would end
		// every later call of this principal.
		return request{path: "/api/v1/auth/logout", token: w.session(p)}
	}},
	"get-me":               {reach: self, call: get("/api/v1/me")},
	"render-import-report": {reach: self, note: "renders the errors it is sent", call: jsonCall("/api/v1/import-reports?file_format=csv", `{"errors":[{"line":2,"field":"sku_code","reason":"=bad"}]}`)},
	"list-sessions":        {reach: self, call: get("/api/v1/sessions")},
	"revoke-session": {reach: self, note: "own sessions; any session with users:write over the tenant",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/sessions/" + w.freshSession(side)}
		},
		expect: func(p *matrixPrincipal, _ int) string {
			switch {
			case !p.has(auth.UsersWrite) || p.dataScope != auth.TenantScope:
				return "404"
			case !holdsRole(p, auth.Associate):
				return "403" // ending another user's sessions needs every scope of their role
			}
			return ok
		}},
	"change-my-password": {reach: self, note: "users only",
		call: func(w *world, p *matrixPrincipal, _ int) request {
			current := p.password
			if current == "" {
				current = "a key has no password"
			}
			return request{path: "/api/v1/me/password", contentType: "application/json",
				body: fmt.Sprintf(`{"current_password":%q,"new_password":"Fresh-Matrix-Pass-%d"}`, current, w.next())}
		},
		expect: func(p *matrixPrincipal, _ int) string {
			if p.key {
				return "403"
			}
			return ok
		}},

	// --- users and API keys ---
	"list-users": {reach: scoped, call: get("/api/v1/users")},
	"get-user": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/users/" + w.freshUser(side)}
	}},
	"create-user": {reach: tenantOnly, note: "granting only roles whose scopes the caller holds",
		call: func(w *world, _ *matrixPrincipal, _ int) request {
			return request{path: "/api/v1/users", contentType: "application/json",
				body: fmt.Sprintf(`{"login":"new%d","name":"New","password":%q,"role":"associate","scope_type":"store","scope_id":%q}`, w.next(), matrixPassword, w.store[0])}
		},
		expect: func(p *matrixPrincipal, _ int) string {
			switch {
			case p.dataScope != auth.TenantScope, !holdsRole(p, auth.Associate):
				return "403"
			}
			return ok
		}},
	"update-user": {reach: tenantOnly, note: "and every scope of the user's role; hq_admin accounts only by an hq_admin user",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/users/" + w.freshUser(side), contentType: "application/json", body: `{"name":"Renamed"}`}
		},
		expect: func(p *matrixPrincipal, side int) string {
			switch {
			case p.dataScope != auth.TenantScope && side == 1 && p.has(auth.UsersRead):
				return "404" // the user is not even visible
			case p.dataScope != auth.TenantScope, !holdsRole(p, auth.Associate):
				return "403"
			}
			return ok
		}},
	"list-api-keys": {reach: tenantOnly, call: get("/api/v1/api-keys")},
	"create-api-key": {reach: tenantOnly, note: "granting only scopes the caller holds",
		call: jsonCall("/api/v1/api-keys", `{"name":"matrix","scopes":["api_keys:write"]}`)},
	"revoke-api-key": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/api-keys/" + w.freshKey()}
	}},

	// --- organisation ---
	"list-brands": {reach: scoped, call: get("/api/v1/brands")},
	"get-brand": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/brands/" + w.brand[side]}
	}},
	"create-brand": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/brands", `{"code":"NB%d","name":"New"}`, w.next())
	}},
	"update-brand": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/brands/"+w.brand[side], `{"name":"Brand %d"}`, w.next())
	}},
	"list-regions": {reach: scoped, call: get("/api/v1/regions")},
	"get-region": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/regions/" + w.region[side]}
	}},
	"create-region": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/regions", `{"code":"NR%d","name":"New"}`, w.next())
	}},
	"update-region": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/regions/"+w.region[side], `{"name":"Region %d"}`, w.next())
	}},
	// The world's regions, categories and zones are in use, so a permitted delete answers 409.
	"delete-region": {reach: tenantOnly, note: "only a region without stores or users scoped to it",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/regions/" + w.region[side]}
		}},
	// --- inventory ---
	"list-stock-locations": {reach: scoped, call: get("/api/v1/stock-locations")},
	"create-stock-location": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/stock-locations", `{"code":"NL%d","name":"New","kind":"warehouse"}`, w.next())
	}},
	"get-stock-location": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side]}
	}},
	"get-stock-balance": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/balances/" + w.sku}
	}},
	"list-stock-balances": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/balances?status=all&limit=5"}
	}},
	"list-stock-movements": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/balances/" + w.sku + "/movements?limit=5"}
	}},
	"get-stock-batches": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/balances/" + w.sku + "/batches"}
	}},
	"list-expiring-stock-batches": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/expiring-batches?within_days=3"}
	}},
	"get-stock-quotas": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/balances/" + w.sku + "/quotas"}
	}},
	"set-stock-quotas": {reach: scoped, note: "at the locations of the caller's stores",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/stock-locations/"+w.stockLocation[side]+"/balances/"+w.sku+"/quotas", `{"quotas":[]}`)
		}},
	"record-stock-change": {reach: scoped, note: "at the locations of the caller's stores",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/stock-locations/"+w.stockLocation[side]+"/changes", `{"sku_id":%q,"kind":"receipt","qty":1}`, w.sku)
		}},
	"transfer-stock": {reach: scoped, note: "between locations of the caller's stores",
		call: func(w *world, _ *matrixPrincipal, _ int) request {
			return jsonReq("/api/v1/stock-transfers", `{"from_location_id":%q,"to_location_id":%q,"sku_id":%q,"qty":1}`, w.stockLocation[0], w.stockLocation[1], w.sku)
		},
		expect: func(p *matrixPrincipal, _ int) string {
			if p.dataScope != auth.TenantScope {
				return "404" // the destination is another store's
			}
			return ok
		}},
	"get-location-fulfilment": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stock-locations/" + w.stockLocation[side] + "/fulfilment"}
	}},
	"put-location-fulfilment": {reach: scoped, note: "the locations of the caller's stores",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/stock-locations/"+w.stockLocation[side]+"/fulfilment", `{"orders_per_hour":30,"cut_off":"21:00"}`)
		}},
	"reserve-stock": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/stock-reservations", `{"reference":"R%d","lines":[{"location_id":%q,"sku_id":%q,"qty":1}]}`, w.next(), w.stockLocation[0], w.sku)
	}},
	"get-stock-reservation": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/stock-reservations/" + w.reservation}
	}},
	"commit-stock-reservation": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/stock-reservations/" + w.freshReservation() + "/commit"}
	}},
	"release-stock-reservation": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/stock-reservations/"+w.freshReservation()+"/release", `{"reason":"cancelled"}`)
	}},
	// --- orders ---
	"list-orders": {reach: scoped, call: get("/api/v1/orders")},
	"get-pick-list": {reach: scoped, note: "lines of the caller's stores' orders only", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/pick-lists?location_id=" + w.stockLocation[0]}
	}},
	"get-order-daily-sales": {reach: scoped, call: get("/api/v1/order-daily-sales?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")},
	"create-order": {reach: scoped, note: "at a store in the caller's data scope",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/orders", `{"channel":"app","store_id":%q,"fulfilment":"pickup","lines":[{"sku_id":%q,"qty":1}]}`, w.store[side], w.sku)
		}},
	"get-order": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/orders/" + w.orderAt[side]}
	}},
	"record-pos-ticket": {reach: scoped, note: "at a store in the caller's data scope",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/pos-tickets", contentType: "application/json", body: w.ticket(side)}
		}},
	"record-pos-tickets": {reach: shared, note: "each ticket's store must be in the caller's data scope; the others are refused in their result",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/pos-tickets/batch", contentType: "application/json", body: `{"tickets":[` + w.ticket(side) + `]}`}
		}},
	"pay-order": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		id, payable := w.freshOrder(side, false)
		return jsonReq("/api/v1/orders/"+id+"/pay", `{"method":"cash","amount_fen":%d}`, payable)
	}},
	"transition-order": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		id, _ := w.freshOrder(side, true)
		return jsonReq("/api/v1/orders/"+id+"/transitions", `{"action":"allocate"}`)
	}},
	"cancel-order": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		id, _ := w.freshOrder(side, false)
		return jsonReq("/api/v1/orders/"+id+"/cancel", `{"reason":"顾客取消"}`)
	}},
	"preview-order-change": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/orders/"+w.orderAt[side]+"/changes/preview", `{"kind":"return","lines":[{"line_id":"L1","qty":1}]}`)
	}},
	"confirm-order-change": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/orders/"+w.freshTicket(side)+"/changes", `{"kind":"return","lines":[{"line_id":"L1","qty":1}]}`)
	}},
	"open-order-complaint": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/orders/"+w.orderAt[side]+"/complaints", `{"kind":"late","description":"送晚了"}`)
	}},
	"save-order-channel-app": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: fmt.Sprintf("/api/v1/order-channel-apps/eleme/%d", w.next()), contentType: "application/json", body: `{"secret":"s3cret"}`}
	}},
	"list-order-channel-apps": {reach: shared, call: get("/api/v1/order-channel-apps")},
	"list-order-inbox":        {reach: tenantOnly, call: get("/api/v1/order-inbox")},
	"receive-meituan-notification": {reach: public, note: "authenticated by the push's signature",
		call: func(*world, *matrixPrincipal, int) request {
			return request{path: "/api/v1/channel-notifications/meituan/0/new", contentType: "application/x-www-form-urlencoded", body: "app_id=0"}
		},
		expect: func(*matrixPrincipal, int) string { return "401" }},
	"receive-eleme-notification": {reach: public, note: "authenticated by the push's signature",
		call:   jsonCall("/api/v1/channel-notifications/eleme/0", "{}"),
		expect: func(*matrixPrincipal, int) string { return "401" }},
	"update-order-complaint": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/order-complaints/"+w.complaint[side], `{"status":"responded","resolution":"已联系顾客"}`)
	}},

	"list-stores":   {reach: scoped, call: get("/api/v1/stores")},
	"export-stores": {reach: scoped, note: "the list's rows as a file", call: get("/api/v1/stores/export?file_format=csv")},
	"import-stores": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/imports/stores", contentType: "text/csv", body: fmt.Sprintf("code,name\nIMPS%d,导入店\n", w.next())}
	}},
	"get-store-summary": {reach: scoped, call: get("/api/v1/store-summary")},
	"get-store-map":     {reach: scoped, call: get("/api/v1/store-map")},
	"list-store-names": {reach: scoped, note: "a list: stores outside the data scope are left out of the answer", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/store-names?ids=" + w.store[0] + "," + w.store[1]}
	}},
	"get-store": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/stores/" + w.store[side]}
	}},
	"create-store": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/stores", `{"brand_id":%q,"region_id":%q,"code":"NS%d","name":"New","format":"supermarket","city":"上海"}`, w.brand[0], w.region[0], w.next())
	}},
	"update-store": {reach: scoped, note: "narrower scopes may not move a store or change its code",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/stores/"+w.store[side], `{"name":"Store %d"}`, w.next())
		}},

	// --- catalogue ---
	"get-catalog-summary": {reach: shared, call: get("/api/v1/catalog-summary")},
	"list-categories":     {reach: shared, call: get("/api/v1/categories")},
	"get-category": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/categories/" + w.category}
	}},
	"create-category": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/categories", `{"code":"NC%d","name":"New"}`, w.next())
	}},
	"update-category": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/categories/"+w.category, `{"name":"乳品 %d"}`, w.next())
	}},
	"delete-category": {reach: tenantOnly, note: "only a category without sub-categories or products",
		call: func(w *world, _ *matrixPrincipal, _ int) request {
			return request{path: "/api/v1/categories/" + w.category}
		}},
	"list-products": {reach: shared, call: get("/api/v1/products")},
	"get-product": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/products/" + w.product}
	}},
	"create-product": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/products", `{"category_id":%q,"code":"NP%d","name":"New"}`, w.category, w.next())
	}},
	"update-product": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/products/"+w.product, `{"name":"牛奶 %d"}`, w.next())
	}},
	"list-skus":   {reach: shared, call: get("/api/v1/skus")},
	"export-skus": {reach: shared, call: get("/api/v1/skus/export?file_format=csv")},
	"get-sku":     {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request { return request{path: "/api/v1/skus/" + w.sku} }},
	"create-sku": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/skus", `{"product_id":%q,"code":"NK%d","name":"New","list_price_fen":100}`, w.product, w.next())
	}},
	"update-sku": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/skus/"+w.sku, `{"name":"牛奶 %d"}`, w.next())
	}},
	"get-sku-effective-price": {reach: scoped, note: "a store outside the scope answers 404",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/skus/" + w.sku + "/price?store_id=" + w.store[side]}
		}},
	"list-sku-prices": {reach: shared, note: "overrides of stores outside the scope are left out",
		call: func(w *world, _ *matrixPrincipal, _ int) request {
			return request{path: "/api/v1/skus/" + w.sku + "/prices"}
		}},
	"set-sku-price": {reach: scoped, note: "a store override in the scope; zone prices need the whole tenant",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/skus/"+w.sku+"/prices/store/"+w.store[side], `{"price_fen":%d}`, 1000+w.next())
		}},
	"delete-sku-price": {reach: scoped, note: "a store override in the scope; zone prices need the whole tenant",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			path := "/api/v1/skus/" + w.sku + "/prices/store/" + w.store[side]
			w.admin("PUT", path, "", `{"price_fen":1290}`)
			return request{path: path}
		}},
	"list-price-zones": {reach: shared, call: get("/api/v1/price-zones")},
	"get-price-zone": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/price-zones/" + w.zone}
	}},
	"create-price-zone": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/price-zones", `{"code":"NZ%d","name":"New"}`, w.next())
	}},
	"update-price-zone": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/price-zones/"+w.zone, `{"name":"Zone %d"}`, w.next())
	}},
	"delete-price-zone": {reach: tenantOnly, note: "only a zone without stores or prices",
		call: func(w *world, _ *matrixPrincipal, _ int) request {
			return request{path: "/api/v1/price-zones/" + w.zone}
		}},
	"set-price-zone-stores": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/price-zones/"+w.zone+"/stores", `{"store_ids":[%q]}`, w.store[0])
	}},
	"import-skus": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/imports/skus", contentType: "text/csv",
			body: fmt.Sprintf("sku_code,product_code,sku_name,list_price\nIMP%d,MILKP,导入,9.90\n", w.next())}
	}},

	// --- touchpoints and events ---
	"list-touchpoints":    {reach: tenantOnly, call: get("/api/v1/touchpoints")},
	"touchpoint-maturity": {reach: tenantOnly, call: get("/api/v1/touchpoints/maturity")},
	"count-touchpoints":   {reach: tenantOnly, call: get("/api/v1/touchpoint-counts")},
	"get-touchpoint": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/touchpoints/" + w.touchpoint[side]}
	}},
	"create-touchpoint": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/touchpoints", `{"code":"tp%d","name":"New","type":"online","channel":"app"}`, w.next())
	}},
	"update-touchpoint": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/touchpoints/"+w.touchpoint[side], `{"name":"POS %d"}`, w.next())
	}},
	"issue-touchpoint-key": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/touchpoints/"+w.touchpoint[side]+"/api-keys", `{"name":"key %d"}`, w.next())
	}},
	"ingest-events": {reach: tenantOnly, note: "a touchpoint's own key sends for that touchpoint only",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/events", `{"touchpoint":%q,"events":[{"id":"m%d","type":"visit","occurred_at":"2026-01-02T00:00:00Z"}]}`, w.touchpointCode[side], w.next())
		}},
	"export-identity-map": {reach: tenantOnly, note: "identifier values masked and hashed without customers:pii",
		call: get("/api/v1/identity-map?limit=10")},
	"list-domain-events":   {reach: tenantOnly, call: get("/api/v1/domain-events")},
	"get-domain-event-lag": {reach: tenantOnly, call: get("/api/v1/domain-events/lag")},
	"retry-domain-event": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/domain-events/" + w.domainEvent + "/retry"}
	}},
	"list-audit-events":    {reach: tenantOnly, call: get("/api/v1/audit-events")},
	"export-audit-events":  {reach: tenantOnly, call: get("/api/v1/audit-events/export?file_format=csv")},
	"list-customer-access": {reach: tenantOnly, call: get("/api/v1/customer-access-log")},

	// --- customers ---
	"find-customer-by-identifier": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/customers?identifier=" + url.QueryEscape("phone:"+w.phone[side])}
	}},
	"search-customers":              {reach: scoped, note: "hits outside the scope are left out", call: get("/api/v1/customers/search?q=13900000001")},
	"export-customer-search":        {reach: scoped, note: "the search's hits, masked as in the search", call: get("/api/v1/customers/search/export?q=13900000001&file_format=csv")},
	"list-customers":                {reach: scoped, note: "customers outside the scope are left out", call: get("/api/v1/customers/list?limit=5")},
	"get-customer":                  {reach: scoped, call: customerPath("")},
	"list-customer-events":          {reach: scoped, call: customerPath("/events")},
	"list-customer-consent-history": {reach: scoped, call: customerPath("/consents/history")},
	"list-customer-merges":          {reach: scoped, call: customerPath("/merges")},
	"export-customer":               {reach: scoped, call: customerPath("/export")},
	"record-customer-consent": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/customers/" + w.customer[side] + "/consents", contentType: "application/json",
			body: `{"purpose":"marketing","channel":"sms","granted":true,"source":"console"}`}
	}},
	"erase-customer": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/customers/" + w.freshCustomer(side) + "/erase"}
	}},
	"merge-customers": {reach: scoped, note: "every customer involved in the scope", call: func(w *world, _ *matrixPrincipal, side int) request {
		a, b := w.freshCustomer(side), w.freshCardHolder(side)
		return request{path: "/api/v1/customers/" + a + "/merge", contentType: "application/json", body: `{"customer_ids":["` + b + `"]}`}
	}},
	"unmerge-customer": {reach: scoped, note: "both customers, once separated, in the scope", call: func(w *world, _ *matrixPrincipal, side int) request {
		a, b := w.freshMerge(side)
		return request{path: "/api/v1/customers/" + a + "/unmerge", contentType: "application/json", body: `{"customer_id":"` + b + `"}`}
	}},
	"list-identity-reviews":  {reach: scoped, note: "reviews naming a customer outside the scope are left out", call: get("/api/v1/identity-reviews")},
	"count-identity-reviews": {reach: scoped, note: "counts only the reviews whose customers are all inside the scope", call: get("/api/v1/identity-review-counts")},
	"resolve-identity-review": {reach: scoped, call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/identity-reviews/" + w.freshReview(side) + "/resolve", contentType: "application/json", body: `{"action":"separate"}`}
	}},
	"resolve-identity-reviews": {reach: scoped, note: "reviews naming a customer outside the scope are reported not_found", call: func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/identity-reviews/resolve", contentType: "application/json", body: `{"action":"separate","review_ids":["` + w.freshReview(side) + `"]}`}
	}},
	"get-identity-rules":    {reach: shared, call: get("/api/v1/identity-rules")},
	"update-identity-rules": {reach: tenantOnly, call: jsonCall("/api/v1/identity-rules", `{"max_cluster_size":50}`)},
	"reset-identity-rules":  {reach: tenantOnly, call: get("/api/v1/identity-rules")},
	"get-event-schema":      {reach: shared, call: get("/api/v1/event-schema")},
	"update-event-schema":   {reach: tenantOnly, call: jsonCall("/api/v1/event-schema", `{"non_personal":["amount_fen","sku"]}`)},
	"reset-event-schema":    {reach: tenantOnly, call: get("/api/v1/event-schema")},

	// --- promotions and pricing ---
	"list-promotions":    {reach: shared, call: get("/api/v1/promotions")},
	"export-promotions":  {reach: shared, call: get("/api/v1/promotions/export?file_format=csv")},
	"promotion-calendar": {reach: shared, call: get("/api/v1/promotions/calendar?month=2026-01")},
	"get-promotion": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotions/" + w.promotion}
	}},
	"create-promotion": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/promotions", `{"code":"NEW%d","name":"New","definition":{"kind":"amount_off","scope":{"skus":["MILK"]},"amount_off":{"amount":10}}}`, w.next())
	}},
	"update-promotion": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/promotions/"+w.promotion, `{"name":"¥1 off milk %d"}`, w.next())
	}},
	"activate-promotion": {reach: tenantOnly, call: promotionAction("activate")},
	"pause-promotion":    {reach: tenantOnly, call: promotionAction("pause")},
	"end-promotion":      {reach: tenantOnly, call: promotionAction("end")},
	"preview-promotion": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotions/" + w.promotion + "/preview", contentType: "application/json", body: w.cart(0)}
	}},
	"list-basket-sets": {reach: shared, call: get("/api/v1/basket-sets")},
	"get-basket-set": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/basket-sets/" + w.basketSet}
	}},
	"create-basket-set": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: fmt.Sprintf("/api/v1/basket-sets?name=m%d", w.next()), contentType: "text/csv",
			body: "order_id,ordered_at,sku_id,quantity,unit_price_fen\nO1,2026-01-01 10:00:00,MILK,1,1490\n"}
	}},
	"create-promotion-simulation": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotion-simulations", contentType: "application/json",
			body: `{"basket_set_id":"` + w.basketSet + `","promotion_id":"` + w.promotion + `"}`}
	}},
	"get-promotion-simulation": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotion-simulations/" + w.simulate}
	}},
	"get-pricing-settings": {reach: shared, call: get("/api/v1/pricing-settings")},
	"update-pricing-settings": {reach: tenantOnly, call: func(*world, *matrixPrincipal, int) request {
		return jsonReq("/api/v1/pricing-settings", `{"item_stacking":"one_per_unit"}`)
	}},
	"price-cart": {reach: shared, note: "chain-wide promotions; committing an order needs the whole tenant",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return request{path: "/api/v1/carts/price", contentType: "application/json", body: w.cart(side)}
		}},
	"quote-cart-return": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/carts/return-quote", contentType: "application/json", body: `{"order_id":"` + w.order + `","returned":{"1":1}}`}
	}},
	"commit-promotion-redemption": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotion-redemptions", contentType: "application/json",
			body: fmt.Sprintf(`{"order_id":"M%d","payable":2880,"cart":%s}`, w.next(), w.cart(0))}
	}},
	"get-promotion-redemption": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotion-redemptions/" + w.order}
	}},
	"cancel-promotion-redemption": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotion-redemptions/" + w.commitOrder() + "/cancel"}
	}},

	// --- loyalty ---
	"list-loyalty-programs": {reach: shared, call: get("/api/v1/loyalty/programs")},
	"create-loyalty-program": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/programs", `{"code":"P%d","name":"p","status":"inactive","points_per_yuan":1,"growth_per_yuan":1}`, w.next())
	}},
	"get-loyalty-program": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/loyalty/programs/" + w.loyaltyProgram}
	}},
	"replace-loyalty-program": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/programs/"+w.loyaltyProgram, `{"code":"CLUB","name":"Club","points_per_yuan":1,"growth_per_yuan":1,"action_rules":[{"action":"review","growth":1,"points":1}]}`)
	}},
	"create-loyalty-tier": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		n := w.next()
		return jsonReq("/api/v1/loyalty/programs/"+w.loyaltyProgram+"/tiers", `{"code":"T%d","name":"t","threshold":%d}`, n, 100000+n)
	}},
	"replace-loyalty-tier": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/programs/"+w.loyaltyProgram+"/tiers/"+w.loyaltyTier, `{"code":"GOLD","name":"Gold","threshold":1000}`)
	}},
	"delete-loyalty-tier": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		n := w.next()
		id := w.id(w.admin("POST", "/api/v1/loyalty/programs/"+w.loyaltyProgram+"/tiers", "", fmt.Sprintf(`{"code":"D%d","name":"d","threshold":%d}`, n, 100000+n)))
		return request{path: "/api/v1/loyalty/programs/" + w.loyaltyProgram + "/tiers/" + id}
	}},
	"enrol-loyalty-member": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/programs/"+w.loyaltyProgram+"/members", `{"customer_id":%q}`, w.customer[0])
	}},
	"list-loyalty-balances": {reach: shared, note: "points carry no personal data and are spent chain-wide", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/loyalty/customers/" + w.customer[0]}
	}},
	"get-loyalty-balance": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request { return request{path: w.loyaltyMember("")} }},
	"list-loyalty-lots":   {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request { return request{path: w.loyaltyMember("/lots")} }},
	"list-loyalty-entries": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: w.loyaltyMember("/entries")}
	}},
	"redeem-loyalty-points": {reach: scoped, note: "at a store in the caller's data scope (store_id required below the tenant)", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq(w.loyaltyMember("/redemptions"), `{"points":1,"store_id":%q}`, w.store[side])
	}},
	"credit-loyalty-action": {reach: shared, note: "like enrolment: a till or app reports a member's action chain-wide", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq(w.loyaltyMember("/actions"), `{"action":"review","reference":"r%d"}`, w.next())
	}},
	"list-loyalty-actions": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request { return request{path: w.loyaltyMember("/actions")} }},
	"list-loyalty-tier-moves": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: w.loyaltyMember("/tier-moves")}
	}},
	"adjust-loyalty-points": {reach: shared, note: "audited", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq(w.loyaltyMember("/adjustments"), `{"points":1,"reason":"goodwill"}`)
	}},
	// --- stored value, gift cards, paid membership ---
	"get-stored-value": {reach: shared, note: "stored value is spent chain-wide", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/loyalty/customers/" + w.customer[0] + "/stored-value"}
	}},
	"top-up-stored-value": {reach: scoped, note: "at a store in the caller's data scope; up to the registered cap", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/loyalty/customers/"+w.customer[0]+"/stored-value/top-ups", `{"amount_fen":1,"reference":"t%d","store_id":%q}`, w.next(), w.store[side])
	}},
	"spend-stored-value": {reach: scoped, note: "at a store in the caller's data scope", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/loyalty/customers/"+w.customer[0]+"/stored-value/spends", `{"amount_fen":1,"reference":"s%d","store_id":%q}`, w.next(), w.store[side])
	}},
	"refund-stored-value": {reach: shared, note: "audited in the ledger", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/customers/"+w.customer[0]+"/stored-value/refunds", `{"amount_fen":1,"reference":"r%d"}`, w.next())
	}},
	"adjust-stored-value": {reach: shared, note: "audited", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/customers/"+w.customer[0]+"/stored-value/adjustments", `{"amount_fen":1,"reason":"goodwill"}`)
	}},
	"list-customer-gift-cards": {reach: shared, note: "codes masked", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/loyalty/customers/" + w.customer[0] + "/gift-cards"}
	}},
	"get-paid-membership": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/loyalty/customers/" + w.customer[0] + "/membership"}
	}},
	"purchase-paid-membership": {reach: scoped, note: "sold at a store in the caller's data scope", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/loyalty/customers/"+w.customer[0]+"/memberships", `{"plan_id":%q,"method":"cash","reference":"m%d","store_id":%q}`,
			w.membershipPlan, w.next(), w.store[side])
	}},
	"get-stored-value-settings":     {reach: shared, call: get("/api/v1/loyalty/stored-value/settings")},
	"replace-stored-value-settings": {reach: tenantOnly, call: jsonCall("/api/v1/loyalty/stored-value/settings", `{"anonymous_card_cap_fen":100000,"registered_cap_fen":500000}`)},
	"get-stored-value-liability":    {reach: tenantOnly, note: "a tenant-wide figure", call: get("/api/v1/loyalty/stored-value/liability")},
	"get-loyalty-points-report":     {reach: tenantOnly, note: "a tenant-wide figure", call: get("/api/v1/loyalty/reports/points?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")},
	"get-coupon-funnel-report":      {reach: tenantOnly, note: "a tenant-wide figure", call: get("/api/v1/loyalty/reports/coupons?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")},
	"list-gift-card-batches":        {reach: shared, call: get("/api/v1/loyalty/gift-card-batches")},
	"issue-gift-cards": {reach: tenantOnly, note: "codes and PINs in the response, once", call: jsonCall("/api/v1/loyalty/gift-card-batches",
		`{"name":"m","face_value_fen":100,"quantity":1}`)},
	"list-gift-cards": {reach: tenantOnly, note: "full codes, never PINs", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/loyalty/gift-card-batches/" + w.giftBatch + "/cards"}
	}},
	"activate-gift-card": {reach: scoped, note: "at a store in the caller's data scope", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/loyalty/gift-cards/activations", `{"code":%q,"reference":"world","store_id":%q}`, w.giftCode, w.store[side])
	}},
	"top-up-gift-card": {reach: scoped, note: "up to the card's cap", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/loyalty/gift-cards/top-ups", `{"code":%q,"amount_fen":1,"reference":"g%d","store_id":%q}`, w.giftCode, w.next(), w.store[side])
	}},
	"spend-gift-card": {reach: scoped, note: "with the PIN", call: func(w *world, _ *matrixPrincipal, side int) request {
		return jsonReq("/api/v1/loyalty/gift-cards/spends", `{"code":%q,"pin":%q,"amount_fen":1,"reference":"g%d","store_id":%q}`, w.giftCode, w.giftPIN, w.next(), w.store[side])
	}},
	"enquire-gift-card-balance": {reach: shared, note: "with the PIN; wrong PINs lock the card", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/gift-cards/balance-enquiries", `{"code":%q,"pin":%q}`, w.giftCode, w.giftPIN)
	}},
	"bind-gift-card": {reach: shared, note: "with the PIN", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/gift-cards/bindings", `{"code":%q,"pin":%q,"customer_id":%q}`, w.giftCode, w.giftPIN, w.customer[0])
	}},
	"list-membership-plans": {reach: shared, call: get("/api/v1/loyalty/membership-plans")},
	"create-membership-plan": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/membership-plans", `{"code":"P%d","name":"p","period":"month","fee_fen":100}`, w.next())
	}},
	"replace-membership-plan": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/loyalty/membership-plans/"+w.membershipPlan, `{"code":"PLUS","name":"Plus","period":"year","fee_fen":9900,"rebate_bp":200,"rebate_cap_fen":50000}`)
	}},
	// --- audiences (tags, segments): the whole customer base, so tenant-wide only ---
	"list-audience-tags": {reach: tenantOnly, call: get("/api/v1/audience-tags")},
	"create-audience-tag": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/audience-tags", `{"code":"t%d","name":"t","kind":"manual","value_type":"boolean"}`, w.next())
	}},
	"get-audience-tag": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-tags/" + w.audienceTag}
	}},
	"update-audience-tag": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/audience-tags/"+w.audienceTag, `{"description":"d%d"}`, w.next())
	}},
	"import-customer-tags": {reach: tenantOnly, note: "per-row errors; only imported and manual tags", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-tags/imports", contentType: "text/csv", body: "customer_id,tag,value\n" + w.customer[0] + ",vip,true\n"}
	}},
	"list-customer-tags": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/customers/" + w.customer[0] + "/tags"}
	}},
	"set-customer-tag": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/customers/"+w.customer[0]+"/tags/vip", `{"value":"true"}`)
	}},
	"remove-customer-tag": {reach: tenantOnly, note: "404 when the customer holds no value", call: func(w *world, _ *matrixPrincipal, _ int) request {
		c := w.freshCustomer(0)
		w.admin("PUT", "/api/v1/customers/"+c+"/tags/vip", "", `{"value":"true"}`)
		return request{path: "/api/v1/customers/" + c + "/tags/vip"}
	}},
	"list-audience-segments": {reach: tenantOnly, call: get("/api/v1/audience-segments")},
	"create-audience-segment": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/audience-segments", `{"code":"s%d","name":"s","text":"orders(30d) >= 1"}`, w.next())
	}},
	"preview-audience-segment":  {reach: tenantOnly, call: jsonCall("/api/v1/audience-segments/preview", `{"text":"tag(\"vip\")"}`)},
	"preview-audience-portrait": {reach: tenantOnly, call: jsonCall("/api/v1/audience-segments/preview/portrait", `{"text":"tag(\"vip\")"}`)},
	"get-audience-segment": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment}
	}},
	"update-audience-segment": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/audience-segments/"+w.audienceSegment, `{"description":"d%d"}`, w.next())
	}},
	"list-audience-segment-members": {reach: tenantOnly, note: "no personal data", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment + "/members"}
	}},
	"get-audience-segment-portrait": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment + "/portrait"}
	}},
	"list-audience-segment-counts": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment + "/counts"}
	}},
	"create-audience-snapshot": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/audience-segments/"+w.audienceSegment+"/snapshots", `{"name":"n%d"}`, w.next())
	}},
	"list-audience-snapshots": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment + "/snapshots"}
	}},
	"list-audience-snapshot-members": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-snapshots/" + w.snapshot + "/members"}
	}},
	"start-audience-job": {reach: tenantOnly, note: "409 while a run is going", call: jsonCall("/api/v1/audience-jobs", `{"kind":"models"}`)},
	"list-audience-jobs": {reach: tenantOnly, call: get("/api/v1/audience-jobs")},
	"get-audience-job": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-jobs/" + w.audienceJob}
	}},
	"export-audience-segment-members": {reach: tenantOnly, note: "no personal data", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment + "/members/export?file_format=csv"}
	}},
	"export-audience-ad-audience": {reach: tenantOnly, note: "hashed identifiers of members with the advertising consent; audited", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/audience-segments/" + w.audienceSegment + "/ad-audience"}
	}},
	"issue-coupons-to-audience-segment": {reach: tenantOnly, note: "needs loyalty:write too", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/audience-segments/"+w.audienceSegment+"/coupon-issues", `{"template_id":%q,"key":"k%d"}`, w.couponTemplate, w.next())
	}},
	// --- coupons ---
	"list-coupon-templates": {reach: shared, call: get("/api/v1/coupon-templates")},
	"create-coupon-template": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/coupon-templates", `{"code":"C%d","name":"c","valid_days":7,"discount":{"kind":"amount_off","scope":{"all":true},"amount_off":{"amount":100}}}`, w.next())
	}},
	"get-coupon-template": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/coupon-templates/" + w.couponTemplate}
	}},
	"set-coupon-template-status": {reach: tenantOnly, note: "pauses or activates the template's promotion too", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/coupon-templates/"+w.couponTemplate+"/status", `{"status":"active"}`)
	}},
	"set-coupon-template-triggers": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/coupon-templates/"+w.couponTemplate+"/triggers", `{"triggers":["birthday"]}`)
	}},
	"issue-coupons": {reach: scoped, note: "one customer at a store in the caller's data scope (store_id required below the tenant); a list needs loyalty:write over the whole tenant",
		call: func(w *world, _ *matrixPrincipal, side int) request {
			return jsonReq("/api/v1/coupon-templates/"+w.couponTemplate+"/issues", `{"customer_ids":[%q],"store_id":%q}`, w.customer[0], w.store[side])
		}},
	"get-coupon-issue": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/coupon-issues/" + w.couponIssue}
	}},
	"list-coupons": {reach: shared, note: "coupons carry no personal data and are used chain-wide", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/coupons?customer_id=" + w.customer[0]}
	}},
	"lock-coupon": {reach: shared, note: "of racing locks one wins (409 for the others)", call: func(w *world, _ *matrixPrincipal, _ int) request {
		_, code := w.freshCoupon()
		return jsonReq("/api/v1/coupons/"+code+"/lock", `{"customer_id":%q,"reference":"cart-%d"}`, w.customer[0], w.next())
	}},
	"release-coupon-lock": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		_, code := w.freshCoupon()
		ref := fmt.Sprintf("cart-%d", w.next())
		w.admin("POST", "/api/v1/coupons/"+code+"/lock", "", fmt.Sprintf(`{"customer_id":%q,"reference":%q}`, w.customer[0], ref))
		return request{path: "/api/v1/coupon-locks/" + ref}
	}},
	"list-coupon-velocity-rules": {reach: shared, call: get("/api/v1/coupon-velocity-rules")},
	"set-coupon-velocity-rule":   {reach: tenantOnly, call: jsonCall("/api/v1/coupon-velocity-rules", `{"dimension":"phone","window_seconds":86400,"threshold":50,"action":"flag"}`)},
	"delete-coupon-velocity-rule": {reach: tenantOnly, call: func(w *world, _ *matrixPrincipal, _ int) request {
		id := w.id(w.admin("PUT", "/api/v1/coupon-velocity-rules", "", fmt.Sprintf(`{"template_id":%q,"dimension":"address","window_seconds":60,"threshold":1,"action":"flag"}`, w.couponTemplate)))
		return request{path: "/api/v1/coupon-velocity-rules/" + id}
	}},
	"list-coupon-velocity-flags": {reach: shared, note: "flags carry keyed hashes, never the device, address, phone or account", call: get("/api/v1/coupon-velocity-flags?status=open")},
	"review-coupon-velocity-flag": {reach: tenantOnly, note: "confirm bars the customer from the template's coupons; audited", call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/coupon-velocity-flags/"+w.velocityFlag+"/review", `{"status":"confirmed"}`)
	}},
	"preview-coupon": {reach: shared, call: func(w *world, _ *matrixPrincipal, _ int) request {
		return jsonReq("/api/v1/coupons/"+w.couponCode+"/preview", `{"customer_id":%q,"lines":[{"id":"1","sku":"MILK","qty":2,"unit_price":1490}]}`, w.customer[0])
	}},
}

func jsonReq(path, format string, args ...any) request {
	return request{path: path, contentType: "application/json", body: fmt.Sprintf(format, args...)}
}

func customerPath(suffix string) func(*world, *matrixPrincipal, int) request {
	return func(w *world, _ *matrixPrincipal, side int) request {
		return request{path: "/api/v1/customers/" + w.customer[side] + suffix}
	}
}

func promotionAction(action string) func(*world, *matrixPrincipal, int) request {
	return func(w *world, _ *matrixPrincipal, _ int) request {
		return request{path: "/api/v1/promotions/" + w.promotion + "/" + action}
	}
}

// holdsRole reports whether p holds every scope of role r: what changing a user of
// that role (or granting it) takes.
func holdsRole(p *matrixPrincipal, r auth.Role) bool {
	for _, s := range auth.RoleScopes(r) {
		if !p.has(s) {
			return false
		}
	}
	return true
}

// satisfies reports whether p holds every scope of one of the operation's security
// requirements (alternatives), as the server's scope check decides it.
func satisfies(p *matrixPrincipal, security []map[string][]string) bool {
	return len(security) == 0 || httpapi.Allowed(&auth.Principal{Scopes: p.scopes}, security)
}

// outcome is what the access matrix says p gets from the operation on the target of
// side: "401", "403", "404" or ok.
func outcome(rule accessRule, security []map[string][]string, p *matrixPrincipal, side int) string {
	if rule.reach == public {
		if rule.expect != nil {
			return rule.expect(p, side)
		}
		return ok
	}
	if p.name == "nobody" {
		return "401"
	}
	if !satisfies(p, security) {
		return "403"
	}
	if rule.expect != nil {
		return rule.expect(p, side)
	}
	narrow := p.dataScope != auth.TenantScope
	switch {
	case rule.reach == tenantOnly && narrow:
		return "403"
	case rule.reach == scoped && narrow && side == 1:
		return "404"
	}
	return ok
}

// classify turns a status into an outcome class.
func classify(status int) string {
	switch status {
	case 401, 403, 404:
		return fmt.Sprint(status)
	}
	if status >= 500 {
		return fmt.Sprintf("%d (server error)", status)
	}
	return ok
}

// TestAccessMatrix walks the OpenAPI document and calls every operation as every
// role at every data scope (tenant, brand, region, store), as an API key of each
// single scope and of all scopes, and as nobody, on a target inside and outside the
// scoped principals' scope; every answer must be what accessRules (and so
// docs/api.md's matrix) says.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("calls every operation about 120 times")
	}
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, dialect)
			ops := documentedOperations(t, w.h)
			principals := w.principals()
			failures := 0
			for _, op := range ops {
				rule, found := accessRules[op.id]
				if !found {
					t.Errorf("%s (%s %s) has no entry in accessRules: say how it treats data scopes", op.id, op.method, op.path)
					continue
				}
				sides := []int{0}
				if rule.reach == scoped && strings.Contains(op.path, "{") || op.id == "get-sku-effective-price" ||
					op.id == "find-customer-by-identifier" {
					sides = []int{0, 1}
				}
				for _, p := range principals {
					for _, side := range sides {
						want := outcome(rule, op.security, p, side)
						req := rule.call(w, p, side)
						token := p.token
						if req.token != "" {
							token = req.token
						}
						status, _, body := w.h.do(t, op.method, req.path, token, req.contentType, req.body)
						if got := classify(status); got != want {
							failures++
							if failures <= 60 {
								t.Errorf("%s %s as %s (target %s): %d, want %s: %.200s", op.method, req.path, p.name, sideName(side), status, want, body)
							}
						}
					}
				}
			}
			if failures > 60 {
				t.Errorf("… and %d more mismatches", failures-60)
			}
			for id := range accessRules {
				if !slices.ContainsFunc(ops, func(o documentedOp) bool { return o.id == id }) {
					t.Errorf("accessRules names %s, which the OpenAPI document does not have", id)
				}
			}
		})
	}
}

func sideName(side int) string {
	if side == 0 {
		return "inside the scope"
	}
	return "outside the scope"
}

// documentedOp is an operation of the OpenAPI document.
type documentedOp struct {
	id, method, path string
	security         []map[string][]string
}

func documentedOperations(t *testing.T, h *harness) []documentedOp {
	t.Helper()
	var out []documentedOp
	for path, item := range h.app.API.OpenAPI().Paths {
		for method, op := range operationsOf(item) {
			out = append(out, documentedOp{id: op.OperationID, method: method, path: path, security: op.Security})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return out
}

func operationsOf(item *huma.PathItem) map[string]*huma.Operation {
	out := map[string]*huma.Operation{}
	for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
		if op != nil {
			out[method] = op
		}
	}
	return out
}

// TestAccessMatrixDocumented keeps docs/api.md's access matrix what accessRules says;
// -update-access-matrix rewrites it.
func TestAccessMatrixDocumented(t *testing.T) {
	t.Parallel()
	h := setup(t, dbtest.Dialects()[0])
	table := matrixMarkdown(documentedOperations(t, h))
	const path = "../../docs/api.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- access-matrix:begin -->\n", "<!-- access-matrix:end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("docs/api.md lacks the %q … %q markers", strings.TrimSpace(begin), end)
	}
	updated := string(doc[:i+len(begin)]) + table + string(doc[j:])
	if *updateMatrix {
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if updated != string(doc) {
		t.Fatal("docs/api.md's access matrix is out of date: go test ./internal/app -run TestAccessMatrixDocumented -update-access-matrix")
	}
}

// matrixMarkdown renders the access matrix: one row per operation, one column per
// role, and the API key scopes that reach it.
func matrixMarkdown(ops []documentedOp) string {
	var b strings.Builder
	roles := auth.Roles()
	b.WriteString("| operation | scope an API key needs |")
	for _, r := range roles {
		b.WriteString(" " + string(r) + " |")
	}
	b.WriteString(" notes |\n|---|---|")
	for range roles {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, op := range ops {
		rule := accessRules[op.id]
		fmt.Fprintf(&b, "| `%s %s` | %s |", op.method, op.path, keyScopes(op.security, rule))
		for _, r := range roles {
			b.WriteString(" " + roleCell(r, op.security, rule) + " |")
		}
		fmt.Fprintf(&b, " %s |\n", rule.note)
	}
	return b.String()
}

func keyScopes(security []map[string][]string, rule accessRule) string {
	if rule.reach == public {
		return "none (public)"
	}
	var alts []string
	for _, req := range security {
		for _, scopes := range req {
			if len(scopes) == 0 {
				alts = append(alts, "any")
				continue
			}
			alts = append(alts, "`"+strings.Join(scopes, "` + `")+"`")
		}
	}
	if len(alts) == 0 {
		return "any"
	}
	return strings.Join(alts, " or ")
}

// roleCell is a role's access to an operation: ✓ at any data scope, T only with the
// whole tenant as data scope, S inside its data scope (404 outside), — not at all.
func roleCell(r auth.Role, security []map[string][]string, rule accessRule) string {
	if rule.reach == public {
		return "✓"
	}
	p := &matrixPrincipal{role: r, scopes: auth.RoleScopes(r)}
	if !satisfies(p, security) {
		return "—"
	}
	switch rule.reach {
	case tenantOnly:
		return "T"
	case scoped:
		return "S"
	}
	return "✓"
}
