-- Platform: installation has one row once the installation's first tenant was created
-- by `oneretail init` or the console's first-run page (org.Service.Setup). Its key,
-- always 1, makes the first run race-safe on both engines: of two set-ups at the same
-- moment one inserts the row and the other fails on the key and is refused, so one
-- tenant is created. Tenants a platform operator adds later (`oneretail tenant
-- create`) and the demo do not write it.

-- +goose Up
CREATE TABLE installation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    tenant_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE installation;
