-- The customers list (issue 16 item 4, docs/identity.md "Customer list"): a paged,
-- filtered list of live customers, newest first.
--
-- customers_live walks the live customers (merged ones redirect) of a tenant in list
-- order, so a page reads as many rows as it shows plus those a filter drops; the
-- profile indexes serve the registration-period, channel and preferred-store filters
-- when the planner prefers them to the walk.

-- +goose Up
CREATE INDEX customers_live ON customers (tenant_id, created_at, id) WHERE merged_into IS NULL;
CREATE INDEX customer_profiles_registered ON customer_profiles (tenant_id, registered_at);
CREATE INDEX customer_profiles_channel ON customer_profiles (tenant_id, registration_channel);
CREATE INDEX customer_profiles_store ON customer_profiles (tenant_id, preferred_store_id);

-- +goose Down
DROP INDEX customer_profiles_store;
DROP INDEX customer_profiles_channel;
DROP INDEX customer_profiles_registered;
DROP INDEX customers_live;
