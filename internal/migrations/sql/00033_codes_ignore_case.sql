-- Business codes are unique regardless of case (issue 16): a touchpoint, store, SKU …
-- code "pos-sh001" can no longer sit beside "POS-SH001" in one tenant, nor a tenant code
-- beside another that differs only in case. The exact-case constraints stay (lookups by
-- code still match exactly); these indexes add the case-blind rule on both engines.
--
-- A database that already holds such a pair is not merged or renamed silently: Up
-- refuses before applying anything and names the pairs (migrations.CaseConflictError),
-- so the operator renames one of each and starts again.
--
-- oneretail:unique-ignoring-case tenants code
-- oneretail:unique-ignoring-case brands tenant_id code
-- oneretail:unique-ignoring-case regions tenant_id code
-- oneretail:unique-ignoring-case stores tenant_id code
-- oneretail:unique-ignoring-case categories tenant_id code
-- oneretail:unique-ignoring-case products tenant_id code
-- oneretail:unique-ignoring-case skus tenant_id code
-- oneretail:unique-ignoring-case price_zones tenant_id code
-- oneretail:unique-ignoring-case touchpoints tenant_id code
-- oneretail:unique-ignoring-case promotions tenant_id code

-- +goose Up
CREATE UNIQUE INDEX tenants_code_ci ON tenants (lower(code));
CREATE UNIQUE INDEX brands_code_ci ON brands (tenant_id, lower(code));
CREATE UNIQUE INDEX regions_code_ci ON regions (tenant_id, lower(code));
CREATE UNIQUE INDEX stores_code_ci ON stores (tenant_id, lower(code));
CREATE UNIQUE INDEX categories_code_ci ON categories (tenant_id, lower(code));
CREATE UNIQUE INDEX products_code_ci ON products (tenant_id, lower(code));
CREATE UNIQUE INDEX skus_code_ci ON skus (tenant_id, lower(code));
CREATE UNIQUE INDEX price_zones_code_ci ON price_zones (tenant_id, lower(code));
CREATE UNIQUE INDEX touchpoints_code_ci ON touchpoints (tenant_id, lower(code));
CREATE UNIQUE INDEX promotions_code_ci ON promotions (tenant_id, lower(code));

-- +goose Down
DROP INDEX tenants_code_ci;
DROP INDEX brands_code_ci;
DROP INDEX regions_code_ci;
DROP INDEX stores_code_ci;
DROP INDEX categories_code_ci;
DROP INDEX products_code_ci;
DROP INDEX skus_code_ci;
DROP INDEX price_zones_code_ci;
DROP INDEX touchpoints_code_ci;
DROP INDEX promotions_code_ci;
