-- Identity (C2/C3): customer_profiles.masked_phone keeps the newest masked phone
-- (138****1234; sealed) among a customer's events — delivery and marketplace orders
-- carry no full phone — so that the fuzzy pass reads its matching profiles from this
-- table instead of opening every event. Profiles written before it have none until
-- their customer sends another event with one.

-- +goose Up
ALTER TABLE customer_profiles ADD COLUMN masked_phone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE customer_profiles DROP COLUMN masked_phone;
