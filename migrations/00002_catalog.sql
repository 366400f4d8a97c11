-- Catalog: categories, products, variants; suppliers and their offers (the
-- SKU variant mapping); the unmapped supplier SKU queue; the stock pool that
-- checkout reserves from; catalog CSV imports.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 100),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX categories_name_key ON categories (lower(name));

CREATE TABLE products (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle       TEXT NOT NULL CHECK (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(handle) <= 200),
    title        TEXT NOT NULL CHECK (btrim(title) <> ''),
    description  TEXT NOT NULL DEFAULT '',
    vendor       TEXT NOT NULL DEFAULT '',
    category_id  BIGINT REFERENCES categories (id),
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draft', 'archived')),
    -- The names of the options its variants choose, in order: ["Size", "Colour"].
    option_names JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(option_names) = 'array'),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_handle_key ON products (handle);
CREATE INDEX products_title_trgm ON products USING gin (title gin_trgm_ops);
CREATE INDEX products_title_idx ON products (title, id);
CREATE INDEX products_category_idx ON products (category_id);

CREATE TABLE variants (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id             BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku                    TEXT NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' AND length(sku) <= 64),
    -- Option name -> value, e.g. {"Size": "M", "Colour": "Navy"}; {} for a product's only variant.
    options                JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
    price_cents            BIGINT NOT NULL CHECK (price_cents >= 0),
    compare_at_price_cents BIGINT CHECK (compare_at_price_cents >= 0),
    currency               TEXT NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    barcode                TEXT NOT NULL DEFAULT '',
    weight_grams           INTEGER NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
    low_stock_threshold    INTEGER CHECK (low_stock_threshold >= 0), -- NULL: the store default
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    position               INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX variants_sku_key ON variants (sku);
-- Two variants of one product must differ in their options.
CREATE UNIQUE INDEX variants_product_options_key ON variants (product_id, options);
CREATE INDEX variants_product_idx ON variants (product_id, position, id);
CREATE INDEX variants_sku_trgm ON variants USING gin (sku gin_trgm_ops);
CREATE INDEX variants_barcode_idx ON variants (barcode) WHERE barcode <> '';
CREATE INDEX variants_price_idx ON variants (price_cents, id);
CREATE INDEX variants_updated_idx ON variants (updated_at, id);

CREATE TABLE suppliers (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                TEXT NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,19}$'),
    name                TEXT NOT NULL CHECK (btrim(name) <> ''),
    contact_name        TEXT NOT NULL DEFAULT '',
    contact_email       TEXT NOT NULL DEFAULT '',
    contact_phone       TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'deactivated')),
    connection_kind     TEXT NOT NULL CHECK (connection_kind IN ('rest', 'feed_http', 'feed_sftp', 'feed_ftp', 'webhook', 'x12_sftp', 'email')),
    -- The kind's settings; every secret in it is sealed with the app's SECRET_KEY (models.SecretBox).
    connection          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(connection) = 'object'),
    schedule            TEXT NOT NULL DEFAULT '', -- "15m" (an interval), a 5-field cron line, or '' (manual)
    handling_days       INTEGER NOT NULL DEFAULT 1 CHECK (handling_days BETWEEN 0 AND 60),
    ships_from_country  TEXT NOT NULL CHECK (ships_from_country ~ '^[A-Z]{2}$'),
    currency            TEXT NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    safety_buffer       INTEGER NOT NULL DEFAULT 0 CHECK (safety_buffer >= 0),
    feed_guard_pct      INTEGER NOT NULL DEFAULT 50 CHECK (feed_guard_pct BETWEEN 1 AND 100),
    missing_sku_policy  TEXT NOT NULL DEFAULT 'zero' CHECK (missing_sku_policy IN ('zero', 'keep')),
    allowed_lag_minutes INTEGER NOT NULL DEFAULT 1440 CHECK (allowed_lag_minutes > 0),
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX suppliers_code_key ON suppliers (code);

-- An offer is one supplier's SKU for one of our variants: the SKU variant mapping.
CREATE TABLE offers (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id         BIGINT NOT NULL REFERENCES suppliers (id),
    variant_id          BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    supplier_sku        TEXT NOT NULL CHECK (btrim(supplier_sku) <> '' AND length(supplier_sku) <= 100),
    unit_cost_cents     BIGINT NOT NULL DEFAULT 0 CHECK (unit_cost_cents >= 0),
    shipping_cost_cents BIGINT NOT NULL DEFAULT 0 CHECK (shipping_cost_cents >= 0),
    currency            TEXT NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    reported_quantity   BIGINT NOT NULL DEFAULT 0 CHECK (reported_quantity >= 0),
    lead_time_days      INTEGER NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    min_quantity        INTEGER NOT NULL DEFAULT 1 CHECK (min_quantity >= 1),
    active              BOOLEAN NOT NULL DEFAULT true,
    last_seen_at        TIMESTAMPTZ,
    source              TEXT NOT NULL DEFAULT 'manual', -- manual, csv, feed, rest, webhook, x12 ...
    -- When the supplier says reported_quantity was true; older updates are ignored.
    observed_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX offers_supplier_sku_key ON offers (supplier_id, supplier_sku);
CREATE UNIQUE INDEX offers_supplier_variant_key ON offers (supplier_id, variant_id);
CREATE INDEX offers_variant_idx ON offers (variant_id);

-- Supplier SKUs seen in a feed that no offer maps yet.
CREATE TABLE unmapped_supplier_skus (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id       BIGINT NOT NULL REFERENCES suppliers (id),
    supplier_sku      TEXT NOT NULL,
    title             TEXT NOT NULL DEFAULT '',
    barcode           TEXT NOT NULL DEFAULT '',
    reported_quantity BIGINT NOT NULL DEFAULT 0 CHECK (reported_quantity >= 0),
    unit_cost_cents   BIGINT CHECK (unit_cost_cents >= 0),
    currency          TEXT NOT NULL DEFAULT '',
    lead_time_days    INTEGER CHECK (lead_time_days >= 0),
    first_seen_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ignored', 'mapped')),
    mapped_variant_id BIGINT REFERENCES variants (id) ON DELETE SET NULL,
    resolved_at       TIMESTAMPTZ
);
CREATE UNIQUE INDEX unmapped_supplier_sku_key ON unmapped_supplier_skus (supplier_id, supplier_sku);
CREATE INDEX unmapped_pending_idx ON unmapped_supplier_skus (status, last_seen_at DESC);

-- The pool: per variant, what active offers of active suppliers can supply
-- (kept by the triggers below) and what open reservations hold (checkout).
-- Checkout reserves with one conditional UPDATE on this row.
CREATE TABLE variant_stock (
    variant_id BIGINT PRIMARY KEY REFERENCES variants (id) ON DELETE CASCADE,
    supply     BIGINT NOT NULL DEFAULT 0 CHECK (supply >= 0),
    reserved   BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    offers     INTEGER NOT NULL DEFAULT 0, -- active offers of suppliers not deactivated
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX variant_stock_available_idx ON variant_stock ((GREATEST(supply - reserved, 0)), variant_id);

-- The one definition every reader uses.
CREATE VIEW variant_pool AS
SELECT variant_id, supply, reserved, GREATEST(supply - reserved, 0) AS available, offers
FROM variant_stock;

-- refresh_variant_supply recomputes supply and offers for the given variants
-- from scratch. It locks their pool rows in variant id order first (the order
-- checkout locks in, so the two can't deadlock), and only then reads the
-- offers in a new statement: a concurrent transaction that changed another
-- offer of the same variant has committed by then and is counted.
-- +goose StatementBegin
CREATE FUNCTION refresh_variant_supply(ids BIGINT[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM variant_stock WHERE variant_id = ANY (ids) ORDER BY variant_id FOR NO KEY UPDATE;
    UPDATE variant_stock vs
    SET supply = fresh.supply, offers = fresh.offers, updated_at = now()
    FROM (
        SELECT o.variant_id,
               COALESCE(sum(GREATEST(o.reported_quantity - s.safety_buffer, 0))
                        FILTER (WHERE o.active AND s.status = 'active'), 0) AS supply,
               count(*) FILTER (WHERE o.active AND s.status <> 'deactivated') AS offers
        FROM offers o JOIN suppliers s ON s.id = o.supplier_id
        WHERE o.variant_id = ANY (ids)
        GROUP BY o.variant_id
        UNION ALL
        SELECT id, 0, 0 FROM unnest(ids) AS u(id)
        WHERE NOT EXISTS (SELECT 1 FROM offers o WHERE o.variant_id = u.id)
    ) AS fresh
    WHERE vs.variant_id = fresh.variant_id
      AND (vs.supply, vs.offers) IS DISTINCT FROM (fresh.supply, fresh.offers);
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION offers_supply_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_variant_supply(ARRAY(SELECT DISTINCT variant_id FROM new_rows));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Only changes that move the pool count: last_seen_at or cost updates don't.
-- +goose StatementBegin
CREATE FUNCTION offers_supply_after_update() RETURNS trigger
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

-- +goose StatementBegin
CREATE FUNCTION offers_supply_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_variant_supply(ARRAY(SELECT DISTINCT variant_id FROM old_rows));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION suppliers_supply_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_variant_supply(ARRAY(
        SELECT DISTINCT o.variant_id
        FROM new_rows n JOIN old_rows p ON p.id = n.id JOIN offers o ON o.supplier_id = n.id
        WHERE (n.status, n.safety_buffer) IS DISTINCT FROM (p.status, p.safety_buffer)));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION variants_stock_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO variant_stock (variant_id) SELECT id FROM new_rows;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER offers_supply_insert AFTER INSERT ON offers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION offers_supply_after_insert();
CREATE TRIGGER offers_supply_update AFTER UPDATE ON offers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION offers_supply_after_update();
CREATE TRIGGER offers_supply_delete AFTER DELETE ON offers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION offers_supply_after_delete();
CREATE TRIGGER suppliers_supply_update AFTER UPDATE ON suppliers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION suppliers_supply_after_update();
CREATE TRIGGER variants_stock_insert AFTER INSERT ON variants
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION variants_stock_after_insert();

-- A catalog CSV import: the upload (in chunks), its progress, and per-row outcomes.
CREATE TABLE catalog_imports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by   BIGINT REFERENCES users (id),
    filename     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'uploaded'
                 CHECK (status IN ('uploaded', 'parsing', 'previewed', 'applying', 'applied', 'failed')),
    total_bytes  BIGINT NOT NULL DEFAULT 0,
    read_bytes   BIGINT NOT NULL DEFAULT 0,
    rows_total   INTEGER NOT NULL DEFAULT 0,
    rows_create  INTEGER NOT NULL DEFAULT 0,
    rows_update  INTEGER NOT NULL DEFAULT 0,
    rows_error   INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    header       JSONB NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ
);

CREATE TABLE catalog_import_chunks (
    import_id BIGINT NOT NULL REFERENCES catalog_imports (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    data      BYTEA NOT NULL,
    PRIMARY KEY (import_id, seq)
);

CREATE TABLE catalog_import_rows (
    import_id              BIGINT NOT NULL REFERENCES catalog_imports (id) ON DELETE CASCADE,
    line                   INTEGER NOT NULL,
    handle                 TEXT NOT NULL,
    title                  TEXT NOT NULL DEFAULT '',
    description            TEXT NOT NULL DEFAULT '',
    vendor                 TEXT NOT NULL DEFAULT '',
    category               TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL DEFAULT '',
    option_names           JSONB NOT NULL DEFAULT '[]',
    options                JSONB NOT NULL DEFAULT '{}',
    sku                    TEXT NOT NULL DEFAULT '',
    price_cents            BIGINT,
    compare_at_price_cents BIGINT,
    barcode                TEXT NOT NULL DEFAULT '',
    weight_grams           INTEGER,
    action                 TEXT NOT NULL DEFAULT 'create' CHECK (action IN ('create', 'update', 'error')),
    reason                 TEXT NOT NULL DEFAULT '',
    raw                    JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (import_id, line)
);
CREATE INDEX catalog_import_rows_sku_idx ON catalog_import_rows (import_id, sku);
CREATE INDEX catalog_import_rows_handle_idx ON catalog_import_rows (import_id, handle, line);

-- +goose Down
DROP TABLE catalog_import_rows;
DROP TABLE catalog_import_chunks;
DROP TABLE catalog_imports;
DROP VIEW variant_pool;
DROP TABLE variant_stock;
DROP TABLE unmapped_supplier_skus;
DROP TABLE offers;
DROP TABLE suppliers;
DROP TABLE variants;
DROP TABLE products;
DROP TABLE categories;
DROP FUNCTION variants_stock_after_insert();
DROP FUNCTION suppliers_supply_after_update();
DROP FUNCTION offers_supply_after_delete();
DROP FUNCTION offers_supply_after_update();
DROP FUNCTION offers_supply_after_insert();
DROP FUNCTION refresh_variant_supply(BIGINT[]);
