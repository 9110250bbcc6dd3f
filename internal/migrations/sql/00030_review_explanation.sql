-- Identity (issue 11): a fuzzy review keeps the explanation of its score — the
-- comparison weights, in bits, that sum to it (JSON array of
-- {"comparison","level","weight"}); NULL for deterministic reviews and for fuzzy
-- reviews queued before this migration.

-- +goose Up
ALTER TABLE identity_reviews ADD COLUMN explanation TEXT;

-- +goose Down
ALTER TABLE identity_reviews DROP COLUMN explanation;
