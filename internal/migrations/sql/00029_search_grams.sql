-- +goose Up
-- Substring search over SKU and product names and codes served by an index on both
-- engines (issue 17, docs/decisions/0020-scale-statistics-lists-search.md): every
-- pair of adjacent characters (bigram) of the name and of the code, ASCII letters
-- lower-cased, is a row here. A query of two or more characters walks the ids of its
-- rarest bigram in id order and checks the row with LIKE, so a two-character Chinese
-- substring is one index range, and a page stops as soon as it is full.
CREATE TABLE search_grams (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL,  -- sku or product
    id        TEXT NOT NULL,
    gram      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, id, gram)
);
CREATE INDEX search_grams_gram ON search_grams (tenant_id, kind, gram, id);

INSERT INTO search_grams (tenant_id, kind, id, gram)
WITH RECURSIVE texts (tenant_id, kind, id, t) AS (
    SELECT tenant_id, 'sku', id, lower(name) FROM skus
    UNION SELECT tenant_id, 'sku', id, lower(code) FROM skus
    UNION SELECT tenant_id, 'product', id, lower(name) FROM products
    UNION SELECT tenant_id, 'product', id, lower(code) FROM products
), grams (tenant_id, kind, id, t, i) AS (
    SELECT tenant_id, kind, id, t, 1 FROM texts WHERE length(t) >= 2
    UNION ALL
    SELECT tenant_id, kind, id, t, i + 1 FROM grams WHERE i + 2 <= length(t)
)
SELECT DISTINCT tenant_id, kind, id, substr(t, i, 2) FROM grams;

-- +goose Down
DROP TABLE search_grams;
