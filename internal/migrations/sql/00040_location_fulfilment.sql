-- Fulfilment settings of stock locations and the shipments routing counts against
-- them (issue 12 scope 7, docs/routing.md "Location settings", decision 0027).
--
-- location_fulfilment: one row per stock location whose settings differ from the
-- defaults (no row = unlimited, no cut-off, the radius of its kind, no cost). It is
-- the order center's table: routing is what reads it. orders_per_hour caps the online
-- orders routed to the location in any rolling hour (NULL: no cap); cut_off is the
-- local time ('HH:MM', '' none) after which an order is promised from the next
-- opening; radius_km overrides the delivery radius of the location's kind (NULL:
-- the kind's); cost_per_order_fen and cost_per_km_fen price a shipment from here.
--
-- order_shipments: one row per online order and location fulfilling part of it,
-- written with the order. The load of a location (orders in the last hour, not
-- cancelled) is counted here through order_shipments_load, so routing reads at most
-- an hour of one location's rows instead of scanning order lines. Existing orders
-- still on their way are backfilled; finished ones never count again.

-- +goose Up
CREATE TABLE location_fulfilment (
    tenant_id          TEXT NOT NULL,
    location_id        TEXT PRIMARY KEY REFERENCES stock_locations (id),
    orders_per_hour    INTEGER CHECK (orders_per_hour >= 0),
    cut_off            TEXT NOT NULL DEFAULT '',
    radius_km          DOUBLE PRECISION CHECK (radius_km > 0),
    cost_per_order_fen BIGINT NOT NULL DEFAULT 0 CHECK (cost_per_order_fen >= 0),
    cost_per_km_fen    BIGINT NOT NULL DEFAULT 0 CHECK (cost_per_km_fen >= 0),
    updated_by         TEXT NOT NULL DEFAULT '',
    updated_at         BIGINT NOT NULL
);
CREATE INDEX location_fulfilment_tenant ON location_fulfilment (tenant_id);

CREATE TABLE order_shipments (
    tenant_id   TEXT NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    location_id TEXT NOT NULL,
    placed_at   BIGINT NOT NULL,
    PRIMARY KEY (order_id, location_id)
);
CREATE INDEX order_shipments_load ON order_shipments (tenant_id, location_id, placed_at);

INSERT INTO order_shipments (tenant_id, order_id, location_id, placed_at)
SELECT DISTINCT l.tenant_id, l.order_id, l.location_id, o.placed_at
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.fulfilment <> 'in_store' AND o.channel IN ('mini_program', 'app', 'web') AND l.location_id <> ''
  AND o.status IN ('created', 'paid', 'allocated', 'picking', 'ready', 'out_for_delivery');

-- +goose Down
DROP TABLE order_shipments;
DROP TABLE location_fulfilment;
