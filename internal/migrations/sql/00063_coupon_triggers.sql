-- Event-triggered coupon issuance (issue 13 item 4, docs/loyalty.md "Triggered
-- issuance"): coupon_templates.triggers lists, comma-separated, the events that issue
-- the template by themselves — registration (a member enrols in a loyalty program),
-- birthday (the daily job, members whose birthday is today in the tenant's time
-- zone) and first_order (a customer's first completed order). Each triggered coupon
-- carries the source key trigger:<trigger>:<template>:<period>:<customer> in the
-- existing unique index coupons_source (tenant_id, source_key), so a redelivered
-- event or a job run again issues it once per template, customer, trigger and
-- period (the year for a birthday, none for the others).

-- +goose Up
ALTER TABLE coupon_templates ADD COLUMN triggers TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE coupon_templates DROP COLUMN triggers;
