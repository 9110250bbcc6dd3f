-- Where a stock location is (issue 12 scope 7, docs/routing.md): routing measures the
-- distance from a delivery address to each location. A store location without its
-- own coordinates takes its store's; a warehouse needs them to deliver (a location
-- without coordinates only ships, where distance does not bound it).

-- +goose Up
ALTER TABLE stock_locations ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE stock_locations ADD COLUMN longitude DOUBLE PRECISION;

-- +goose Down
ALTER TABLE stock_locations DROP COLUMN longitude;
ALTER TABLE stock_locations DROP COLUMN latitude;
