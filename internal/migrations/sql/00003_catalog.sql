-- Catalog (C19): the category tree, products (SPU), SKUs with barcodes, price zones
-- and price overrides per store or price zone. Money is BIGINT fen; instants are BIGINT
-- Unix milliseconds (UTC). Store ids come from the org domain and are not foreign keys:
-- a domain never references another domain's tables.
--
-- Units: 'each' counts pieces and its price is per piece; 'weight' means quantities are
-- grams and list_price_fen, cost_fen and every price override are per kilogram.

-- +goose Up
CREATE TABLE categories (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    parent_id  TEXT REFERENCES categories (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    sort       INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX categories_tenant ON categories (tenant_id, id);
CREATE INDEX categories_parent ON categories (tenant_id, parent_id);

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    category_id TEXT NOT NULL REFERENCES categories (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    brand_name  TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL CHECK (unit IN ('each', 'weight')),
    status      TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'discontinued')),
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX products_tenant ON products (tenant_id, id);
CREATE INDEX products_category ON products (tenant_id, category_id, id);
CREATE INDEX products_name ON products (tenant_id, name);
CREATE INDEX products_brand ON products (tenant_id, brand_name, id);
CREATE INDEX products_status ON products (tenant_id, status, id);

-- unit 'weight': quantities are grams and list_price_fen / cost_fen are per kilogram.
CREATE TABLE skus (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    product_id     TEXT NOT NULL REFERENCES products (id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    spec           TEXT NOT NULL DEFAULT '',
    unit           TEXT NOT NULL CHECK (unit IN ('each', 'weight')),
    list_price_fen BIGINT NOT NULL CHECK (list_price_fen > 0),
    cost_fen       BIGINT NOT NULL DEFAULT 0 CHECK (cost_fen >= 0),
    status         TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'discontinued')),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX skus_tenant ON skus (tenant_id, id);
CREATE INDEX skus_product ON skus (tenant_id, product_id, id);
CREATE INDEX skus_name ON skus (tenant_id, name);
CREATE INDEX skus_status ON skus (tenant_id, status, id);

CREATE TABLE sku_barcodes (
    tenant_id TEXT NOT NULL,
    barcode   TEXT NOT NULL,
    sku_id    TEXT NOT NULL REFERENCES skus (id),
    PRIMARY KEY (tenant_id, barcode)
);
CREATE INDEX sku_barcodes_sku ON sku_barcodes (sku_id);

CREATE TABLE price_zones (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX price_zones_tenant ON price_zones (tenant_id, id);

-- A store belongs to at most one price zone.
CREATE TABLE price_zone_stores (
    tenant_id TEXT NOT NULL,
    zone_id   TEXT NOT NULL REFERENCES price_zones (id),
    store_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, store_id)
);
CREATE INDEX price_zone_stores_zone ON price_zone_stores (zone_id, store_id);

-- A price override of one SKU for one store or one price zone; same unit rule as skus.
CREATE TABLE sku_prices (
    tenant_id  TEXT NOT NULL,
    sku_id     TEXT NOT NULL REFERENCES skus (id),
    scope_type TEXT NOT NULL CHECK (scope_type IN ('store', 'price_zone')),
    scope_id   TEXT NOT NULL,
    price_fen  BIGINT NOT NULL CHECK (price_fen > 0),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, sku_id, scope_type, scope_id)
);
CREATE INDEX sku_prices_scope ON sku_prices (tenant_id, scope_type, scope_id);

-- +goose Down
DROP TABLE sku_prices;
DROP TABLE price_zone_stores;
DROP TABLE price_zones;
DROP TABLE sku_barcodes;
DROP TABLE skus;
DROP TABLE products;
DROP TABLE categories;
