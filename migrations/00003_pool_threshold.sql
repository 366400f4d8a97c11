-- The pool row carries its variant's low-stock threshold, so the catalog's
-- stock counts and filters read variant_stock alone. Import rows keep their
-- option values by position, for files that update variants without naming
-- the product's options.

-- +goose Up
ALTER TABLE catalog_import_rows ADD COLUMN option_values JSONB NOT NULL DEFAULT '[]';
ALTER TABLE variant_stock ADD COLUMN low_stock_threshold INTEGER;
UPDATE variant_stock vs SET low_stock_threshold = v.low_stock_threshold
FROM variants v WHERE v.id = vs.variant_id AND v.low_stock_threshold IS NOT NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION variants_stock_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO variant_stock (variant_id, low_stock_threshold) SELECT id, low_stock_threshold FROM new_rows;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION variants_threshold_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE variant_stock SET low_stock_threshold = NEW.low_stock_threshold WHERE variant_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER variants_threshold_update AFTER UPDATE OF low_stock_threshold ON variants
    FOR EACH ROW WHEN (OLD.low_stock_threshold IS DISTINCT FROM NEW.low_stock_threshold)
    EXECUTE FUNCTION variants_threshold_after_update();

-- +goose Down
DROP TRIGGER variants_threshold_update ON variants;
DROP FUNCTION variants_threshold_after_update();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION variants_stock_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO variant_stock (variant_id) SELECT id FROM new_rows;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
ALTER TABLE variant_stock DROP COLUMN low_stock_threshold;
ALTER TABLE catalog_import_rows DROP COLUMN option_values;
