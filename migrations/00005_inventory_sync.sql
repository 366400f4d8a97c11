-- Inventory sync: what each feed pull, poll, upload or webhook batch did
-- (sync runs), per-supplier sync state (validators, last good sync), feeds
-- held by the guard with their rows and diff summary, the stock history of
-- every quantity change, and low-stock alerts (one per crossing).

-- +goose Up
-- A supplier may say a SKU is discontinued; its quantity is then taken as 0.
ALTER TABLE offers ADD COLUMN discontinued BOOLEAN NOT NULL DEFAULT false;
-- Syncs rewrite offers in place all day; room on each page lets those
-- updates stay on the page (HOT) without touching the offers' indexes.
ALTER TABLE offers SET (fillfactor = 80);

CREATE TABLE sync_runs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id    BIGINT NOT NULL REFERENCES suppliers (id),
    -- Where the figures came from.
    source         TEXT NOT NULL CHECK (source IN ('rest', 'feed', 'x12', 'upload', 'webhook', 'approval')),
    -- What started it.
    trigger        TEXT NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual', 'webhook', 'approval')),
    requested_by   BIGINT REFERENCES users (id),
    instance       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'succeeded', 'not_modified', 'held', 'failed')),
    -- While running: connecting, reading, checking, applying.
    phase          TEXT NOT NULL DEFAULT 'connecting',
    file_name      TEXT NOT NULL DEFAULT '',
    bytes_total    BIGINT NOT NULL DEFAULT 0,
    bytes_read     BIGINT NOT NULL DEFAULT 0,
    -- Rows the last full snapshot had: the progress bar's scale when the size is unknown.
    rows_expected  BIGINT NOT NULL DEFAULT 0,
    rows_read      BIGINT NOT NULL DEFAULT 0,
    rows_changed   BIGINT NOT NULL DEFAULT 0,
    rows_unchanged BIGINT NOT NULL DEFAULT 0,
    rows_unmapped  BIGINT NOT NULL DEFAULT 0,
    rows_rejected  BIGINT NOT NULL DEFAULT 0,
    rows_duplicate BIGINT NOT NULL DEFAULT 0, -- earlier rows of a SKU listed twice (the last one wins)
    rows_stale     BIGINT NOT NULL DEFAULT 0, -- older than what was stored for the offer: ignored
    rows_missing   BIGINT NOT NULL DEFAULT 0, -- offers not in a full feed, set to 0 by the supplier's policy
    units_before   BIGINT NOT NULL DEFAULT 0,
    units_after    BIGINT NOT NULL DEFAULT 0,
    reservations_settled BIGINT NOT NULL DEFAULT 0,
    -- When the figures were true (the file's time, the poll's start, the webhook's items).
    snapshot_at    TIMESTAMPTZ,
    error          TEXT NOT NULL DEFAULT '',
    -- The first rejected rows: [{"line": 12, "reason": "..."}].
    first_errors   JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(first_errors) = 'array'),
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ
);
CREATE INDEX sync_runs_supplier_idx ON sync_runs (supplier_id, id DESC);
CREATE INDEX sync_runs_recent_idx ON sync_runs (id DESC);
CREATE INDEX sync_runs_running_idx ON sync_runs (supplier_id) WHERE status = 'running';

-- One row per supplier that has synced: what to send next time and how fresh it is.
CREATE TABLE supplier_sync_state (
    supplier_id       BIGINT PRIMARY KEY REFERENCES suppliers (id) ON DELETE CASCADE,
    etag              TEXT NOT NULL DEFAULT '',
    last_modified     TEXT NOT NULL DEFAULT '',
    last_run_at       TIMESTAMPTZ,
    last_good_sync_at TIMESTAMPTZ, -- the last snapshot applied (or found unchanged), or webhook batch
    -- The newest full snapshot applied: a pushed update older than it is stale.
    last_snapshot_at  TIMESTAMPTZ,
    last_push_at      TIMESTAMPTZ, -- the last webhook batch that changed an offer
    last_sku_count    BIGINT,      -- SKUs the last full snapshot listed (the guard compares)
    last_error        TEXT NOT NULL DEFAULT '',
    failures          INTEGER NOT NULL DEFAULT 0, -- consecutive failed runs
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A feed the guard held: nothing of it applied until a person approves it.
CREATE TABLE held_feeds (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id    BIGINT NOT NULL REFERENCES suppliers (id),
    sync_run_id    BIGINT NOT NULL REFERENCES sync_runs (id),
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
    reason         TEXT NOT NULL,
    source         TEXT NOT NULL,
    summary        JSONB NOT NULL DEFAULT '{}',
    snapshot_at    TIMESTAMPTZ NOT NULL,
    decided_by     BIGINT REFERENCES users (id),
    decided_at     TIMESTAMPTZ,
    decision_note  TEXT NOT NULL DEFAULT '',
    applied_run_id BIGINT REFERENCES sync_runs (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX held_feeds_pending_key ON held_feeds (supplier_id) WHERE status = 'pending';
CREATE INDEX held_feeds_supplier_idx ON held_feeds (supplier_id, id DESC);

-- The rows of a held feed, as staged (deduplicated, checked), kept until it is decided.
CREATE TABLE held_feed_rows (
    held_feed_id   BIGINT NOT NULL REFERENCES held_feeds (id) ON DELETE CASCADE,
    line           INTEGER NOT NULL,
    sku            TEXT NOT NULL,
    quantity       BIGINT NOT NULL,
    cost_cents     BIGINT,
    currency       TEXT NOT NULL DEFAULT '',
    lead_time_days INTEGER,
    discontinued   BOOLEAN NOT NULL DEFAULT false,
    barcode        TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    observed_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX held_feed_rows_feed_idx ON held_feed_rows (held_feed_id);

-- Every change of an offer's reported quantity. An append-only log written
-- by the hundred thousand per sync: no foreign keys (their per-row checks
-- would dominate the apply), rows are purged after their retention instead.
CREATE TABLE stock_history (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id     BIGINT NOT NULL,
    variant_id   BIGINT NOT NULL,
    supplier_id  BIGINT NOT NULL,
    sync_run_id  BIGINT,
    source       TEXT NOT NULL,
    old_quantity BIGINT NOT NULL,
    new_quantity BIGINT NOT NULL,
    observed_at  TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_history_offer_idx ON stock_history (offer_id, observed_at);
CREATE INDEX stock_history_recorded_idx ON stock_history (recorded_at);

-- A variant's available stock fell to its low-stock threshold: one row per
-- crossing, open until stock rises above the threshold again.
CREATE TABLE low_stock_alerts (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    variant_id           BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    threshold            INTEGER NOT NULL,
    available_at_open    BIGINT NOT NULL,
    opened_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at          TIMESTAMPTZ,
    available_at_resolve BIGINT
);
CREATE UNIQUE INDEX low_stock_alerts_open_key ON low_stock_alerts (variant_id) WHERE resolved_at IS NULL;
CREATE INDEX low_stock_alerts_recent_idx ON low_stock_alerts (opened_at DESC);

-- The pool trigger on offers, as 00002 wrote it, but planned on every call.
-- PL/pgSQL caches the plan of its join of new_rows and old_rows with the row
-- estimate of the first statement the session ran: after a one-row update
-- (a webhook, a manual edit) that plan is a nested loop, and a sync updating
-- 150,000 offers on the same pooled connection ran for many minutes instead
-- of seconds. EXECUTE plans the same query with the real sizes each time.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION offers_supply_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    SELECT refresh_variant_supply(ARRAY(
        SELECT DISTINCT x.variant_id FROM (
            SELECT n.variant_id AS new_variant, o.variant_id AS old_variant
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.reported_quantity, n.active, n.variant_id, n.supplier_id)
                  IS DISTINCT FROM (o.reported_quantity, o.active, o.variant_id, o.supplier_id)
        ) AS changed
        CROSS JOIN LATERAL (VALUES (changed.new_variant), (changed.old_variant)) AS x(variant_id)))
    $q$;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION offers_supply_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_variant_supply(ARRAY(
        SELECT DISTINCT x.variant_id FROM (
            SELECT n.variant_id AS new_variant, o.variant_id AS old_variant
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.reported_quantity, n.active, n.variant_id, n.supplier_id)
                  IS DISTINCT FROM (o.reported_quantity, o.active, o.variant_id, o.supplier_id)
        ) AS changed
        CROSS JOIN LATERAL (VALUES (changed.new_variant), (changed.old_variant)) AS x(variant_id)));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TABLE low_stock_alerts;
DROP TABLE stock_history;
DROP TABLE held_feed_rows;
DROP TABLE held_feeds;
DROP TABLE supplier_sync_state;
DROP TABLE sync_runs;
ALTER TABLE offers RESET (fillfactor);
ALTER TABLE offers DROP COLUMN discontinued;
