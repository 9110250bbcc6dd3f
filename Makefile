# OneRetail — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/oneretail
WEB_DEPS := web/node_modules/.package-lock.json
# Twice as many test binaries as cores: the suites wait on PostgreSQL, child processes
# and timers much of the time, and at one per core the cores sat half idle.
GO_TEST_P ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) * 2 )))
GO_TEST_FLAGS ?= -count=1 -timeout 20m -p $(GO_TEST_P)

.DEFAULT_GOAL := help

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

run: build ## Build everything and serve on :8080 with the demo chain (embedded SQLite in ./data)
	$(BIN) serve --demo small

build: web ## Build the binary with the console embedded (bin/oneretail)
	$(GO) build -tags console -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/oneretail

build-go: ## Build the binary without the console (no npm needed)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/oneretail

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --engine-strict --no-audit --no-fund --loglevel=error
	@touch $@

web: $(WEB_DEPS) ## Build the console (web/dist)
	cd web && npm run build --silent

test: test-deps test-go test-upgrade test-web ## Run every test: Go (SQLite, and PostgreSQL when ONERETAIL_TEST_PG is set), the upgrade from the previous release, and the console
	@echo "make test: all tests passed"

# The Debian packages the browser tests need: the chromium Playwright drives
# (/usr/bin/chromium) and a CJK font, so Chinese pages render and measure right.
BROWSER_PACKAGES ?= chromium fonts-wqy-microhei

test-deps: ## Install the browser tests' Debian packages when missing (as root), else stop at once with the command to run
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done | xargs); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	install="apt-get update && apt-get install -y --no-install-recommends $$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make: the browser tests need $$missing. Install them, then run make again:"; \
		echo "  sudo sh -c '$$install'"; exit 1; \
	fi; \
	echo "make: installing $$missing"; DEBIAN_FRONTEND=noninteractive sh -c "$$install"

test-go: ## Run the Go tests
	$(GO) test $(GO_TEST_FLAGS) ./...

# The release before this commit: the newest commit listed in RELEASES that is an
# ancestor of HEAD's parent (so a release commit upgrades from the release before it).
# "none" when there is none (a shallow clone lacks the history: git fetch --unshallow).
PREVIOUS_RELEASE ?= $(or $(shell awk '$$2 ~ /^[0-9a-f]+$$/ {print $$2}' RELEASES | while read c; do git merge-base --is-ancestor "$$c" HEAD^ 2>/dev/null && echo "$$c"; done | tail -n1),none)

test-upgrade: ## Build PREVIOUS_RELEASE (default: the newest release in RELEASES before HEAD), make its demo database, migrate it with this code and compare the API's answers (SQLite, and PostgreSQL when ONERETAIL_TEST_PG is set)
	@echo "test-upgrade: upgrading from $(PREVIOUS_RELEASE) ($(or $(shell grep -m1 '$(PREVIOUS_RELEASE)' RELEASES | cut -d' ' -f1),not in RELEASES))"
	set -o pipefail; ONERETAIL_UPGRADE_FROM='$(PREVIOUS_RELEASE)' $(GO) test -count=1 -timeout 15m -run '^TestUpgrade03_FromPreviousRelease$$' -v ./cmd/oneretail | grep -v '^=== '

test-race: ## Run the Go tests with the race detector (slower; run before touching concurrency)
	$(GO) test $(GO_TEST_FLAGS) -race ./...

# RACE_PACKAGES move money, points, coupons, stock or identity; RACE_TESTS names their
# concurrency tests (parallel redemptions, exactly-once jobs, racing replays). The
# ingestion contention test is left out: it measures time limits, which the race
# detector's slowdown breaks by design.
RACE_PACKAGES = ./internal/loyalty/... ./internal/coupon/... ./internal/inventory/... ./internal/order/... ./internal/identity/... ./internal/promotion/...
RACE_TESTS = Parallel|Concurren|Once|Race|Racing|Oversell|Exactly|Replays

test-race-money: ## Run the concurrency tests of the packages that move money or identity with the race detector (CI runs this)
	$(GO) test -count=1 -p $(GO_TEST_P) -race -run '$(RACE_TESTS)' -skip 'ConcurrentIngestionNever500' $(RACE_PACKAGES)

test-web: test-deps build ## Run the console's unit tests and browser tests (headless Debian chromium)
	cd web && npm test --silent
	cd web && npm run e2e --silent

# SCALE_CACHE keeps the large demo between runs of test-scale (outside the repository).
SCALE_CACHE ?= $(HOME)/.cache/oneretail/large-demo

test-scale: test-deps build ## Browser test on the large demo: no page makes more than a handful of API calls or downloads more than 300 kB (generates the demo once into SCALE_CACHE, ~5 min on SQLite; serves a copy)
	@mkdir -p $(SCALE_CACHE)
	@test -f $(SCALE_CACHE)/oneretail.db || ./bin/oneretail demo --scale large --db $(SCALE_CACHE)/oneretail.db --sqlite-sync normal --admin-password e2e-admin-pass
	rm -rf web/e2e/.data && mkdir -p web/e2e/.data/scale
	cp $(SCALE_CACHE)/oneretail.db $(SCALE_CACHE)/pii.key web/e2e/.data/scale/
	cd web && ONERETAIL_E2E_SCALE=1 ONERETAIL_E2E_DB="$$PWD/e2e/.data/scale/oneretail.db" npx playwright test e2e/scale.spec.ts

BENCH_PG ?= $(ONERETAIL_TEST_PG)

bench: ## Run the benchmarks in bench/ (needs wrk; set BENCH_PG to a PostgreSQL DSN to include it; see docs/benchmarks.md)
	$(GO) run ./bench/demotime --scales small,medium,large $(if $(BENCH_PG),--pg '$(BENCH_PG)')
	$(GO) run ./bench/apiload
	$(if $(BENCH_PG),$(GO) run ./bench/apiload --db '$(BENCH_PG)')
	$(GO) run ./bench/promotion -n 20000
	$(GO) run ./bench/pricingload
	$(if $(BENCH_PG),$(GO) run ./bench/pricingload --db '$(BENCH_PG)')
	$(GO) run ./bench/ingest -events 20000 -batch 500
	$(if $(BENCH_PG),$(GO) run ./bench/ingest -events 20000 -batch 500 --db '$(BENCH_PG)')
	$(GO) run ./bench/ingest -contention -clients 16 -events 16000 -batch 500
	$(if $(BENCH_PG),$(GO) run ./bench/ingest -contention -clients 16 -events 16000 -batch 500 --db '$(BENCH_PG)')
	$(GO) run ./bench/identity -links 10000000 -runs 3 -procs 1
	$(GO) run ./bench/flashsale
	$(if $(BENCH_PG),$(GO) run ./bench/flashsale -db '$(BENCH_PG)')
	$(GO) run ./bench/orders
	$(if $(BENCH_PG),$(GO) run ./bench/orders -db '$(BENCH_PG)')
	$(GO) run ./bench/tickets
	$(if $(BENCH_PG),$(GO) run ./bench/tickets -db '$(BENCH_PG)')
	$(GO) run ./bench/durability -events 20000 -redemptions 4000
	$(GO) run ./bench/outbox
	$(if $(BENCH_PG),$(GO) run ./bench/outbox -db '$(BENCH_PG)')

soak: ## Run the mixed-load soak for SOAK_DURATION (default 30m) on SQLite, and on PostgreSQL when BENCH_PG is set (see docs/benchmarks.md)
	$(GO) run ./bench/soak -duration $(or $(SOAK_DURATION),30m)
	$(if $(BENCH_PG),$(GO) run ./bench/soak -duration $(or $(SOAK_DURATION),30m) -db '$(BENCH_PG)')

# MAX_TRACKED_BYTES bounds every file in git (5 MB): binaries and data belong in
# releases and .gitignore, not in the repository.
MAX_TRACKED_BYTES ?= 5242880

lint: lint-clients ## go vet, gofmt, staticcheck, no dead code, no tracked file over 5 MB, and clients generated from the contract compile
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@dead=$$($(GO) tool deadcode -test ./...); if [ -n "$$dead" ]; then echo "unreachable code (deadcode -test; delete it):"; echo "$$dead"; exit 1; fi
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@big=$$(git ls-files -z | xargs -0 -r stat -c '%s %n' 2>/dev/null | awk '$$1 > $(MAX_TRACKED_BYTES)'); \
	if [ -n "$$big" ]; then echo "tracked files over $(MAX_TRACKED_BYTES) bytes (git rm --cached them and add them to .gitignore):"; echo "$$big"; exit 1; fi

# Integrators generate clients from the contract: oapi-codegen (the common Go generator,
# a tool dependency in go.mod) reads the OpenAPI 3.0 document, and its client must
# compile; the console's TypeScript types (openapi-typescript) compile with the console.
lint-clients: build-go $(WEB_DEPS) ## Generate a Go client from the OpenAPI 3.0 document with oapi-codegen and a TypeScript one with openapi-typescript, and compile both
	@dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; set -e; \
	$(BIN) openapi --version 3.0 > "$$dir/openapi.json"; \
	$(GO) tool oapi-codegen -generate types,client -package client -o "$$dir/client.gen.go" "$$dir/openapi.json"; \
	(cd "$$dir" && $(GO) mod init example.com/client >/dev/null 2>&1 && $(GO) mod tidy >/dev/null 2>&1 && $(GO) build ./...); \
	$(BIN) openapi > "$$dir/openapi31.json"; \
	(cd web && npx openapi-typescript "$$dir/openapi31.json" -o "$$dir/schema.d.ts" >/dev/null && npx tsc --noEmit --strict --skipLibCheck false "$$dir/schema.d.ts"); \
	echo "lint-clients: the Go (oapi-codegen) and TypeScript (openapi-typescript) clients compile"

generate: build-go $(WEB_DEPS) ## Regenerate the OpenAPI document (api/) and the console's TypeScript types
	$(BIN) openapi > api/openapi.json
	cd web && npx openapi-typescript ../api/openapi.json -o src/api/schema.d.ts

verify: generate ## Check that generated files are up to date
	git diff --exit-code api/ web/src/api/schema.d.ts

clean: ## Remove build output
	rm -rf bin web/dist

.PHONY: help run build build-go web test test-deps test-go test-upgrade test-race test-race-money test-web test-scale bench soak lint lint-clients generate verify clean
