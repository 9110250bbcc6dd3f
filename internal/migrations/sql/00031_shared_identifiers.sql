-- Identity (issue 11): an identifier (a store kiosk's or a household tablet's device
-- id) seen with two customers whose strong identifiers conflict — two different
-- phones — is shared: it stays on the customer that first held it but no longer
-- links events, so an anonymous session on a kiosk no longer joins the kiosk's first
-- user. Existing identifiers start unshared.

-- +goose Up
ALTER TABLE customer_identifiers ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE customer_identifiers DROP COLUMN shared;
