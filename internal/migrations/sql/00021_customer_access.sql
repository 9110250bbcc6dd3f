-- Customer data scopes and the customer access log (issue 10, findings 5 and 6;
-- decision 0017).
--
-- customer_store_visits_store serves "the customers of these stores": a store-,
-- brand- or region-scoped principal's lists (identity reviews) start from the stores
-- of its scope instead of scanning the tenant's customers. The check of one
-- customer uses the primary key (tenant_id, customer_id, store_id) and
-- customers_merged_into.
--
-- customer_access_log records who read or acted on which customer's personal data:
-- the principal (kind, id, name), the customer id, the action (view, lookup,
-- search_hit, timeline, consent_history, consent_record, merge, unmerge, export,
-- erase), whether values were shown full, masked or not at all (shown), the identifier type
-- a search or look-up matched (matched; never the query text), the request id and the client
-- address. It holds no personal data of the customer, so erasure keeps it. at is
-- Unix milliseconds (UTC); lists run newest first on (at, id), which each index ends with.

-- +goose Up
CREATE INDEX customer_store_visits_store ON customer_store_visits (tenant_id, store_id, customer_id);

CREATE TABLE customer_access_log (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    at             BIGINT NOT NULL,
    principal_kind TEXT NOT NULL,
    principal_id   TEXT NOT NULL,
    principal_name TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    action         TEXT NOT NULL,
    shown          TEXT NOT NULL CHECK (shown IN ('full', 'masked', 'none')),
    matched        TEXT NOT NULL DEFAULT '',
    request_id     TEXT NOT NULL DEFAULT '',
    client_ip      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customer_access_log_at ON customer_access_log (tenant_id, at, id);
CREATE INDEX customer_access_log_customer ON customer_access_log (tenant_id, customer_id, at, id);
CREATE INDEX customer_access_log_principal ON customer_access_log (tenant_id, principal_id, at, id);

-- +goose Down
DROP TABLE customer_access_log;
DROP INDEX customer_store_visits_store;
