-- Checkout: storefront API keys, orders and their lines, stock reservations,
-- the order timeline, idempotency keys, webhook deliveries seen, the
-- notification outbox and the shipping zones that give delivery estimates.

-- +goose Up
CREATE TABLE api_keys (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 100),
    -- The first characters of the key, shown in lists so people can tell keys apart.
    prefix       TEXT NOT NULL,
    -- SHA-256 of the whole key: keys are long random strings, so a plain hash is enough.
    key_hash     BYTEA NOT NULL UNIQUE,
    created_by   BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE SEQUENCE order_numbers START WITH 1001;

CREATE TABLE orders (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id         TEXT NOT NULL UNIQUE,
    number            BIGINT NOT NULL UNIQUE DEFAULT nextval('order_numbers'),
    api_key_id        BIGINT REFERENCES api_keys (id),
    external_id       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('pending_payment', 'payment_failed', 'on_hold', 'paid', 'routed',
                          'sent_to_supplier', 'accepted', 'backordered', 'partially_shipped', 'shipped', 'delivered',
                          'completed', 'cancelled', 'refunded')),
    customer_email    TEXT NOT NULL,
    customer_name     TEXT NOT NULL DEFAULT '',
    customer_phone    TEXT NOT NULL DEFAULT '',
    ship_name         TEXT NOT NULL DEFAULT '',
    ship_line1        TEXT NOT NULL DEFAULT '',
    ship_line2        TEXT NOT NULL DEFAULT '',
    ship_city         TEXT NOT NULL DEFAULT '',
    ship_region       TEXT NOT NULL DEFAULT '',
    ship_postal_code  TEXT NOT NULL DEFAULT '',
    ship_country      TEXT NOT NULL CHECK (ship_country ~ '^[A-Z]{2}$'),
    currency          TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal_cents    BIGINT NOT NULL CHECK (subtotal_cents >= 0),
    shipping_cents    BIGINT NOT NULL CHECK (shipping_cents >= 0),
    total_cents       BIGINT NOT NULL CHECK (total_cents >= 0),
    payment_provider  TEXT NOT NULL CHECK (payment_provider IN ('stripe', 'paypal', 'manual')),
    payment_reference TEXT NOT NULL DEFAULT '',
    -- The charge (Stripe) or capture (PayPal) id: refunds and disputes name the payment by it.
    payment_transaction TEXT NOT NULL DEFAULT '',
    payment_status    TEXT NOT NULL DEFAULT 'pending'
                          CHECK (payment_status IN ('pending', 'authorized', 'captured', 'failed', 'refunded', 'disputed')),
    payment_failure   TEXT NOT NULL DEFAULT '',
    card_fingerprint  TEXT NOT NULL DEFAULT '',
    card_country      TEXT NOT NULL DEFAULT '',
    risk_score        INTEGER NOT NULL DEFAULT 0,
    risk_reasons      JSONB NOT NULL DEFAULT '[]',
    notify_email      BOOLEAN NOT NULL DEFAULT true,
    notify_sms        BOOLEAN NOT NULL DEFAULT false,
    -- Reservations of a pending_payment order are released at this time.
    hold_expires_at   TIMESTAMPTZ,
    -- Set when a person must look at the order (failed payment, dispute, ...).
    attention_reason  TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX orders_external_idx ON orders (api_key_id, external_id) WHERE external_id <> '';
CREATE INDEX orders_status_idx ON orders (status, id DESC);
CREATE INDEX orders_created_idx ON orders (id DESC);
CREATE INDEX orders_email_idx ON orders (customer_email, created_at);
CREATE INDEX orders_address_idx ON orders (ship_country, ship_postal_code, lower(ship_line1), created_at);
CREATE INDEX orders_card_idx ON orders (card_fingerprint, created_at) WHERE card_fingerprint <> '';
CREATE INDEX orders_attention_idx ON orders (id DESC) WHERE attention_reason <> '';
CREATE INDEX orders_payment_ref_idx ON orders (payment_provider, payment_reference) WHERE payment_reference <> '';
CREATE INDEX orders_payment_tx_idx ON orders (payment_provider, payment_transaction) WHERE payment_transaction <> '';

CREATE TABLE order_lines (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    variant_id       BIGINT NOT NULL REFERENCES variants (id),
    sku              TEXT NOT NULL,
    title            TEXT NOT NULL,
    options          JSONB NOT NULL DEFAULT '{}',
    quantity         INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0),
    status           TEXT NOT NULL DEFAULT 'reserved'
                         CHECK (status IN ('reserved', 'released', 'backordered', 'routed', 'shipped', 'cancelled')),
    UNIQUE (order_id, line_no)
);
CREATE INDEX order_lines_variant_idx ON order_lines (variant_id);

-- A reservation holds a line's quantity in the variant's pool (variant_stock.reserved)
-- from checkout until it is released (cancel, failed payment, expired hold) or
-- settled: the supplier accepted the purchase order and a stock snapshot of that
-- supplier newer than the acceptance arrived, so its own count carries the deduction.
CREATE TABLE reservations (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id             BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    order_line_id        BIGINT NOT NULL UNIQUE REFERENCES order_lines (id) ON DELETE CASCADE,
    variant_id           BIGINT NOT NULL REFERENCES variants (id),
    quantity             BIGINT NOT NULL CHECK (quantity > 0),
    status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released', 'settled')),
    expires_at           TIMESTAMPTZ,
    supplier_id          BIGINT REFERENCES suppliers (id),
    supplier_accepted_at TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at            TIMESTAMPTZ,
    close_reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reservations_expiry_idx ON reservations (expires_at) WHERE status = 'open' AND expires_at IS NOT NULL;
CREATE INDEX reservations_accepted_idx ON reservations (supplier_id, supplier_accepted_at) WHERE status = 'open' AND supplier_accepted_at IS NOT NULL;
CREATE INDEX reservations_order_idx ON reservations (order_id);

-- reserve_stock adds quantities[i] to the reservation of variant_ids[i], each
-- only if the pool can cover it, locking the pool rows in variant id order so
-- that concurrent orders can't deadlock. It returns the variant ids it could
-- not cover; when that is not empty the caller rolls back. One round trip keeps
-- the row locks short: they are held from here to the caller's COMMIT.
-- +goose StatementBegin
CREATE FUNCTION reserve_stock(variant_ids BIGINT[], quantities BIGINT[]) RETURNS BIGINT[]
LANGUAGE plpgsql AS $$
DECLARE
    short BIGINT[] := '{}';
    r RECORD;
BEGIN
    FOR r IN SELECT v, q FROM unnest(variant_ids, quantities) AS t(v, q) ORDER BY v LOOP
        UPDATE variant_stock SET reserved = reserved + r.q, updated_at = now()
        WHERE variant_id = r.v AND supply - reserved >= r.q;
        IF NOT FOUND THEN
            short := short || r.v;
        END IF;
    END LOOP;
    RETURN short;
END;
$$;
-- +goose StatementEnd

-- reserve_stock_or_fail is reserve_stock for a whole order placed in one
-- statement: when any line can't be covered it raises SQLSTATE DS409 with the
-- short variant ids in DETAIL, so the statement (and everything it inserted)
-- is undone.
-- +goose StatementBegin
CREATE FUNCTION reserve_stock_or_fail(variant_ids BIGINT[], quantities BIGINT[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    short BIGINT[];
BEGIN
    short := reserve_stock(variant_ids, quantities);
    IF cardinality(short) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'DS409', MESSAGE = 'insufficient stock', DETAIL = array_to_string(short, ',');
    END IF;
END;
$$;
-- +goose StatementEnd

-- release_stock gives back quantities[i] of variant_ids[i], in the same
-- variant id order as reserve_stock.
-- +goose StatementBegin
CREATE FUNCTION release_stock(variant_ids BIGINT[], quantities BIGINT[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN SELECT v, sum(q) AS q FROM unnest(variant_ids, quantities) AS t(v, q) GROUP BY v ORDER BY v LOOP
        UPDATE variant_stock SET reserved = GREATEST(reserved - r.q, 0), updated_at = now() WHERE variant_id = r.v;
    END LOOP;
END;
$$;
-- +goose StatementEnd

CREATE TABLE order_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT 'system',
    message     TEXT NOT NULL DEFAULT '',
    data        JSONB
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);

-- One row per Idempotency-Key of an API key: the request's hash, and once
-- finished the first response, replayed to every retry.
CREATE TABLE idempotency_keys (
    api_key_id      BIGINT NOT NULL REFERENCES api_keys (id),
    key             TEXT NOT NULL,
    request_hash    BYTEA NOT NULL,
    state           TEXT NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'done')),
    -- A request in progress whose lock passed was cut short (crash): the next retry finishes it.
    locked_until    TIMESTAMPTZ NOT NULL,
    order_id        BIGINT REFERENCES orders (id),
    response_status INTEGER,
    response_body   BYTEA,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Webhook deliveries already processed, by provider and event id.
CREATE TABLE webhook_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- The notification outbox: a row per message to send, written in the same
-- transaction as what caused it; a job sends and retries.
CREATE TABLE notifications (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    template        TEXT NOT NULL,
    payload         JSONB NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT NOT NULL DEFAULT '',
    -- Keeps one message per cause (e.g. "order:42:confirmation") however often the cause is seen.
    dedupe_key      TEXT UNIQUE,
    order_id        BIGINT REFERENCES orders (id) ON DELETE SET NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_order_idx ON notifications (order_id);

-- Transit days between where a supplier ships from and where the customer is.
-- from_country/to_country are ISO codes or '*' (any); the most specific row wins,
-- and a row with to_country '=' applies when both countries are the same.
CREATE TABLE shipping_zones (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_country     TEXT NOT NULL CHECK (from_country ~ '^([A-Z]{2}|\*)$'),
    to_country       TEXT NOT NULL CHECK (to_country ~ '^([A-Z]{2}|\*|=)$'),
    transit_min_days INTEGER NOT NULL CHECK (transit_min_days >= 0),
    transit_max_days INTEGER NOT NULL CHECK (transit_max_days >= transit_min_days),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (from_country, to_country)
);
INSERT INTO shipping_zones (from_country, to_country, transit_min_days, transit_max_days) VALUES
    ('*', '=', 2, 5),   -- domestic
    ('*', '*', 7, 14),  -- international, by default
    ('US', 'CA', 4, 8), ('CA', 'US', 4, 8), ('US', 'MX', 5, 10),
    ('DE', 'FR', 2, 4), ('FR', 'DE', 2, 4), ('DE', 'NL', 2, 3), ('NL', 'DE', 2, 3),
    ('DE', 'GB', 3, 6), ('GB', 'DE', 3, 6), ('GB', 'FR', 3, 5),
    ('DE', 'US', 5, 10), ('GB', 'US', 5, 9), ('US', 'GB', 5, 9),
    ('CN', 'US', 8, 18), ('CN', 'GB', 9, 20), ('CN', 'DE', 9, 20), ('CN', '*', 10, 25);

-- +goose Down
DROP TABLE shipping_zones;
DROP TABLE notifications;
DROP TABLE webhook_events;
DROP TABLE idempotency_keys;
DROP TABLE order_events;
DROP FUNCTION release_stock(BIGINT[], BIGINT[]);
DROP FUNCTION reserve_stock_or_fail(BIGINT[], BIGINT[]);
DROP FUNCTION reserve_stock(BIGINT[], BIGINT[]);
DROP TABLE reservations;
DROP TABLE order_lines;
DROP TABLE orders;
DROP SEQUENCE order_numbers;
DROP TABLE api_keys;
