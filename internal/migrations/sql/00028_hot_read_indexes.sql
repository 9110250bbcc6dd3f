-- +goose Up
-- Indexes that leave the planner no wrong choice for the hot reads and for what the
-- lists filter by (issue 17). Each list orders by id, so each index ends with id:
-- the filter and the keyset page are one range scan.

-- A SKU's barcodes (every SKU read, the POS price look-up): the primary key
-- (tenant_id, barcode) also matches tenant_id, and SQLite without statistics took it.
CREATE INDEX sku_barcodes_tenant_sku ON sku_barcodes (tenant_id, sku_id, barcode);

-- Customer search by exact normalised name, in customer order.
DROP INDEX customer_profiles_name;
CREATE INDEX customer_profiles_name ON customer_profiles (tenant_id, name_index, customer_id);

-- The domain-events list: newest first (by type is 00027's outbox_events_type, by
-- status outbox_events_tenant).
CREATE INDEX outbox_events_tenant_id ON outbox_events (tenant_id, id);

-- The audit trail: newest first, by action, by actor, by resource type or resource.
CREATE INDEX audit_events_action ON audit_events (tenant_id, action, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, id);
CREATE INDEX audit_events_resource_type ON audit_events (tenant_id, resource_type, id);
DROP INDEX audit_events_resource;
CREATE INDEX audit_events_resource ON audit_events (tenant_id, resource_type, resource_id, id);

-- +goose Down
DROP INDEX audit_events_resource;
CREATE INDEX audit_events_resource ON audit_events (tenant_id, resource_type, resource_id);
DROP INDEX audit_events_resource_type;
DROP INDEX audit_events_actor;
DROP INDEX audit_events_action;
DROP INDEX outbox_events_tenant_id;
DROP INDEX customer_profiles_name;
CREATE INDEX customer_profiles_name ON customer_profiles (tenant_id, name_index);
DROP INDEX sku_barcodes_tenant_sku;
