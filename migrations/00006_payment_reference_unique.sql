-- One payment pays one order: a Stripe PaymentIntent or PayPal order id may
-- stand on only one live order (a failed or cancelled order frees it, so the
-- customer can retry with the same payment).

-- +goose Up
DROP INDEX orders_payment_ref_idx;
CREATE UNIQUE INDEX orders_payment_ref_key ON orders (payment_provider, payment_reference)
    WHERE payment_reference <> '' AND status NOT IN ('payment_failed', 'cancelled');
CREATE INDEX orders_payment_ref_idx ON orders (payment_provider, payment_reference) WHERE payment_reference <> '';

-- +goose Down
DROP INDEX orders_payment_ref_key;
