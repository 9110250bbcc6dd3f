-- Growth and points per customer action (issue 13 item 1, docs/loyalty.md "Actions"):
-- a program's action_rules (JSON: action, growth, points, per_day, lifetime) say
-- what a sign-in, a review or a completed profile is worth; loyalty_action_credits
-- holds one row per credited action. The unique index on (program, customer,
-- action, reference) makes a replayed action credit once (a sign-in's reference can
-- be its date: it is the member's own); the member index is what the
-- per-day and lifetime caps count, under the member's row lock. The tier moves'
-- member index serves a member's tier history (GET …/members/{id}/tier-moves).

-- +goose Up
ALTER TABLE loyalty_programs ADD COLUMN action_rules TEXT NOT NULL DEFAULT '[]';
CREATE TABLE loyalty_action_credits (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    program_id  TEXT NOT NULL REFERENCES loyalty_programs (id),
    customer_id TEXT NOT NULL,
    action      TEXT NOT NULL,
    reference   TEXT NOT NULL,
    day         TEXT NOT NULL,
    growth      BIGINT NOT NULL CHECK (growth >= 0),
    points      BIGINT NOT NULL CHECK (points >= 0),
    entry_id    TEXT NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX loyalty_action_credits_reference ON loyalty_action_credits (program_id, customer_id, action, reference);
CREATE INDEX loyalty_action_credits_member ON loyalty_action_credits (program_id, customer_id, action, day);
CREATE INDEX loyalty_tier_moves_member ON loyalty_tier_moves (program_id, customer_id, moved_at);

-- +goose Down
DROP INDEX loyalty_tier_moves_member;
DROP INDEX loyalty_action_credits_member;
DROP INDEX loyalty_action_credits_reference;
DROP TABLE loyalty_action_credits;
ALTER TABLE loyalty_programs DROP COLUMN action_rules;
