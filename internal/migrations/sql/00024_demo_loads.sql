-- Demo (synthetic data): demo_loads marks a demo tenant while it is being loaded, so
-- that a load is all or nothing on both engines. The row is written before the
-- tenant is created (tenant_id is filled in once it is) and deleted in the
-- transaction that ends the load; a row that remains names a load that was
-- interrupted (Ctrl-C, kill -9, a crash). `oneretail demo` and `serve --demo` remove
-- that tenant's rows and load it again; `serve` without --demo refuses to start on
-- it and says so.

-- +goose Up
CREATE TABLE demo_loads (
    tenant_code TEXT PRIMARY KEY,
    tenant_id   TEXT,
    scale       TEXT NOT NULL,
    seed        BIGINT NOT NULL,
    started_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE demo_loads;
