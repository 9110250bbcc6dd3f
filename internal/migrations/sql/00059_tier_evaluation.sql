-- Tier evaluation at the end of a period (issue 13 item 1, docs/loyalty.md "Tier
-- evaluation", decision 0043): retention (保级) and downgrade.
--
-- loyalty_programs: how a program evaluates its members' tiers: evaluation_kind
-- 'none' (the default, so existing programs behave as before), 'annual' (every
-- member on the same month/day at 00:00 in the program's zone) or 'rolling' (N
-- months from when the member reached its tier); max_drop (levels one evaluation
-- may take a member down, 0: as far as its growth says); growth_at_period_end
-- ('reset', 'keep_excess', 'keep_all'); growth_per_order (growth every order that
-- earns adds, on top of growth_per_yuan). loyalty_tiers.retention_threshold: the
-- growth of a period that keeps the tier (NULL: the tier's threshold).
--
-- loyalty_members: period_growth (growth earned since period_start; returns take it
-- back), tier_since (when the member reached its tier) and valid_until (the end of
-- its period, when it is evaluated; 0: never). The index is what the evaluation job
-- scans for due members.
--
-- loyalty_tier_moves gains reason ('upgrade', 'downgrade', 'retained') and
-- period_end: an evaluation records one row per member and period, and the unique
-- index on (program, customer, period_end) is what makes it exactly once across
-- restarts and concurrent nodes.

-- +goose Up
ALTER TABLE loyalty_programs ADD COLUMN evaluation_kind TEXT NOT NULL DEFAULT 'none'
    CHECK (evaluation_kind IN ('none', 'annual', 'rolling'));
ALTER TABLE loyalty_programs ADD COLUMN evaluation_month INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loyalty_programs ADD COLUMN evaluation_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loyalty_programs ADD COLUMN evaluation_months INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loyalty_programs ADD COLUMN max_drop INTEGER NOT NULL DEFAULT 0 CHECK (max_drop >= 0);
ALTER TABLE loyalty_programs ADD COLUMN growth_at_period_end TEXT NOT NULL DEFAULT 'reset'
    CHECK (growth_at_period_end IN ('reset', 'keep_excess', 'keep_all'));
ALTER TABLE loyalty_programs ADD COLUMN growth_per_order BIGINT NOT NULL DEFAULT 0 CHECK (growth_per_order >= 0);
ALTER TABLE loyalty_tiers ADD COLUMN retention_threshold BIGINT CHECK (retention_threshold >= 0);
ALTER TABLE loyalty_members ADD COLUMN period_growth BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loyalty_members ADD COLUMN period_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loyalty_members ADD COLUMN tier_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loyalty_members ADD COLUMN valid_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX loyalty_members_due ON loyalty_members (valid_until) WHERE valid_until > 0;
ALTER TABLE loyalty_tier_moves ADD COLUMN reason TEXT NOT NULL DEFAULT 'upgrade'
    CHECK (reason IN ('upgrade', 'downgrade', 'retained'));
ALTER TABLE loyalty_tier_moves ADD COLUMN period_end BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX loyalty_tier_moves_period ON loyalty_tier_moves (program_id, customer_id, period_end) WHERE period_end > 0;

-- +goose Down
DROP INDEX loyalty_tier_moves_period;
ALTER TABLE loyalty_tier_moves DROP COLUMN period_end;
ALTER TABLE loyalty_tier_moves DROP COLUMN reason;
DROP INDEX loyalty_members_due;
ALTER TABLE loyalty_members DROP COLUMN valid_until;
ALTER TABLE loyalty_members DROP COLUMN tier_since;
ALTER TABLE loyalty_members DROP COLUMN period_start;
ALTER TABLE loyalty_members DROP COLUMN period_growth;
ALTER TABLE loyalty_tiers DROP COLUMN retention_threshold;
ALTER TABLE loyalty_programs DROP COLUMN growth_per_order;
ALTER TABLE loyalty_programs DROP COLUMN growth_at_period_end;
ALTER TABLE loyalty_programs DROP COLUMN max_drop;
ALTER TABLE loyalty_programs DROP COLUMN evaluation_months;
ALTER TABLE loyalty_programs DROP COLUMN evaluation_day;
ALTER TABLE loyalty_programs DROP COLUMN evaluation_month;
ALTER TABLE loyalty_programs DROP COLUMN evaluation_kind;
