-- The hold of an unpaid order lives on its reservations (expires_at), which
-- the expiry job reads; orders.hold_expires_at was a copy nothing read.

-- +goose Up
ALTER TABLE orders DROP COLUMN hold_expires_at;

-- +goose Down
ALTER TABLE orders ADD COLUMN hold_expires_at TIMESTAMPTZ;
