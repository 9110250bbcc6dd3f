-- Audiences: tags, segments and customer-model jobs (issue 14, docs/audiences.md,
-- decision 0036).
--
-- audience_members gives every customer of a tenant a dense member number, the id the
-- segment engine's bitmaps are built over. Numbers are never reused: a customer
-- merged away or erased keeps its row with left_at set and leaves the universe, so a
-- snapshot taken earlier still names the customers it held. changed_at is when a
-- node last refreshed the member after an event: every other node polls it and
-- refreshes the same members, so all nodes converge on the same counts.
--
-- audience_tag_definitions is the tag library: kind rule (an expression over member
-- fields, evaluated by the engine), computed (written by a model job), imported (a
-- file) or manual (set by a person); value_type boolean, enum, number or date.
-- audience_tag_values holds one value per (tag, customer) with where it came from;
-- a boolean tag's value is 'true' (false is the absence of the row). value_num is
-- the number (numbers, dates as a day number) so range conditions need no parsing.
--
-- audience_segments stores a segment's definition (the engine's JSON form) and its
-- last count; audience_segment_members its members at their last evaluation, one
-- row per member so that nodes changing different members never overwrite each
-- other, from which segment.entered / segment.exited are computed.
-- audience_segment_counts keeps the count per day, audience_snapshots a frozen
-- member list (a base64 portable roaring bitmap of member numbers) with the
-- definition and time.
-- audience_jobs records model runs with their progress: a node claims a running job
-- until claimed_until and extends the claim as it goes, so a job whose node died is
-- resumed by another from the progress recorded.

-- +goose Up
CREATE TABLE audience_members (
    tenant_id   TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    member_no   BIGINT NOT NULL,
    joined_at   BIGINT NOT NULL,
    left_at     BIGINT,
    changed_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, customer_id)
);
CREATE UNIQUE INDEX audience_members_no ON audience_members (tenant_id, member_no);
CREATE INDEX audience_members_changed ON audience_members (tenant_id, changed_at);

CREATE TABLE audience_tag_definitions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    group_name  TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('rule', 'computed', 'imported', 'manual')),
    value_type  TEXT NOT NULL CHECK (value_type IN ('boolean', 'enum', 'number', 'date')),
    enum_values TEXT NOT NULL DEFAULT '[]',
    expression  TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX audience_tag_definitions_code ON audience_tag_definitions (tenant_id, lower(code));
CREATE INDEX audience_tag_definitions_group ON audience_tag_definitions (tenant_id, group_name, code);

CREATE TABLE audience_tag_values (
    tenant_id   TEXT NOT NULL,
    tag_id      TEXT NOT NULL REFERENCES audience_tag_definitions (id),
    customer_id TEXT NOT NULL,
    value       TEXT NOT NULL,
    value_num   DOUBLE PRECISION,
    source      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, tag_id, customer_id)
);
CREATE INDEX audience_tag_values_customer ON audience_tag_values (tenant_id, customer_id);

CREATE TABLE audience_segments (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    definition  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    member_count BIGINT NOT NULL DEFAULT 0,
    counted_at  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX audience_segments_code ON audience_segments (tenant_id, lower(code));

CREATE TABLE audience_segment_members (
    segment_id TEXT NOT NULL REFERENCES audience_segments (id),
    member_no  BIGINT NOT NULL,
    PRIMARY KEY (segment_id, member_no)
);

CREATE TABLE audience_segment_counts (
    segment_id   TEXT NOT NULL REFERENCES audience_segments (id),
    day          TEXT NOT NULL,
    member_count BIGINT NOT NULL,
    PRIMARY KEY (segment_id, day)
);

CREATE TABLE audience_snapshots (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    segment_id   TEXT NOT NULL REFERENCES audience_segments (id),
    name         TEXT NOT NULL DEFAULT '',
    definition   TEXT NOT NULL,
    members      TEXT NOT NULL,
    member_count BIGINT NOT NULL,
    taken_at     BIGINT NOT NULL
);
CREATE INDEX audience_snapshots_segment ON audience_snapshots (tenant_id, segment_id, taken_at);

CREATE TABLE audience_jobs (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    done        BIGINT NOT NULL DEFAULT 0,
    total       BIGINT NOT NULL DEFAULT 0,
    params      TEXT NOT NULL DEFAULT '{}',
    result      TEXT NOT NULL DEFAULT '{}',
    error       TEXT NOT NULL DEFAULT '',
    claimed_until BIGINT NOT NULL DEFAULT 0,
    started_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX audience_jobs_tenant ON audience_jobs (tenant_id, started_at);

-- +goose Down
DROP TABLE audience_jobs;
DROP TABLE audience_snapshots;
DROP TABLE audience_segment_counts;
DROP TABLE audience_segment_members;
DROP TABLE audience_segments;
DROP TABLE audience_tag_values;
DROP TABLE audience_tag_definitions;
DROP TABLE audience_members;
