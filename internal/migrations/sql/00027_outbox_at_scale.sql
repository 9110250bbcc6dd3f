-- Platform: an outbox for millions of events (issue 17). The dispatcher claims due
-- events in batches, delivered events are deleted after a retention, and the lag
-- (backlog, oldest undelivered event) is read on every metrics scrape and console
-- visit. Each of these reads one partial index that holds only the rows it is about,
-- so none of them grows with the delivered events kept for the retention:
-- - outbox_events_pending (next_attempt_at, id) of pending events: the claim, in the
--   order it delivers; it replaces outbox_events_due (status, next_attempt_at), which
--   also held every delivered event;
-- - outbox_events_backlog (tenant_id, created_at) of pending events: backlog and
--   oldest undelivered event, per tenant and in all;
-- - outbox_events_dead (tenant_id) of dead events: how many need attention;
-- - outbox_events_delivered (delivered_at, id) of delivered events: retention deletes
--   the oldest first.
-- outbox_events_type (tenant_id, type, id): the domain-event list filtered by type,
--   newest first (by status it already has outbox_events_tenant).
-- processed_events_event (event_id): a subscriber's record that it processed an
-- event is deleted together with the event.

-- +goose Up
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_events_backlog ON outbox_events (tenant_id, created_at) WHERE status = 'pending';
CREATE INDEX outbox_events_dead ON outbox_events (tenant_id) WHERE status = 'dead';
CREATE INDEX outbox_events_delivered ON outbox_events (delivered_at, id) WHERE status = 'delivered';
CREATE INDEX outbox_events_type ON outbox_events (tenant_id, type, id);
CREATE INDEX processed_events_event ON processed_events (event_id);
DROP INDEX outbox_events_due;

-- +goose Down
CREATE INDEX outbox_events_due ON outbox_events (status, next_attempt_at);
DROP INDEX processed_events_event;
DROP INDEX outbox_events_type;
DROP INDEX outbox_events_delivered;
DROP INDEX outbox_events_dead;
DROP INDEX outbox_events_backlog;
DROP INDEX outbox_events_pending;
