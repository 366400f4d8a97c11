package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Reservation statuses.
const (
	ReservationOpen     = "open"
	ReservationReleased = "released"
	ReservationSettled  = "settled"
)

// Reservation holds an order line's quantity in its variant's pool.
type Reservation struct {
	ID                 int64
	OrderID            int64
	OrderLineID        int64
	VariantID          int64
	Quantity           int64
	Status             string
	ExpiresAt          *time.Time
	SupplierID         *int64
	SupplierAcceptedAt *time.Time
	CreatedAt          time.Time
	ClosedAt           *time.Time
	CloseReason        string
}

// closedReservation is what closing a reservation hands back to the pool.
type closedReservation struct {
	VariantID int64
	Quantity  int64
}

// closeReservations marks the open reservations matching where as status
// and takes their quantities out of variant_stock.reserved, in variant id order.
func closeReservations(tx *gorm.DB, status, reason, where string, args ...any) ([]closedReservation, error) {
	var closed []closedReservation
	err := tx.Raw(`UPDATE reservations SET status = ?, closed_at = now(), close_reason = ?
		WHERE status = 'open' AND `+where+` RETURNING variant_id, quantity`, append([]any{status, reason}, args...)...).
		Scan(&closed).Error
	if err != nil {
		return nil, fmt.Errorf("models: close reservations: %w", err)
	}
	if len(closed) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(closed))
	qtys := make([]int64, len(closed))
	for i, c := range closed {
		ids[i], qtys[i] = c.VariantID, c.Quantity
	}
	if err := tx.Exec("SELECT release_stock(?::bigint[], ?::bigint[])", int64Array(ids), int64Array(qtys)).Error; err != nil {
		return nil, fmt.Errorf("models: release stock: %w", err)
	}
	return closed, nil
}

// releaseOrderStock gives an order's open reservations back to the pool and
// marks its reserved lines released.
func releaseOrderStock(tx *gorm.DB, orderID int64, reason string) error {
	closed, err := closeReservations(tx, ReservationReleased, reason, "order_id = ?", orderID)
	if err != nil || len(closed) == 0 {
		return err
	}
	if err := tx.Exec("UPDATE order_lines SET status = 'released' WHERE order_id = ? AND status = 'reserved'", orderID).Error; err != nil {
		return fmt.Errorf("models: release order lines: %w", err)
	}
	var units int64
	for _, c := range closed {
		units += c.Quantity
	}
	return addOrderEvent(tx, OrderEvent{OrderID: orderID, Kind: "stock_released", Message: fmt.Sprintf("%d units released: %s", units, reason)})
}

// ExpireHolds releases the reservations of unpaid orders whose hold time has
// passed, up to limit orders per call; several instances may run it at once
// (orders are claimed with SKIP LOCKED). It returns how many orders it released.
func ExpireHolds(ctx context.Context, db *gorm.DB, limit int) (int, error) {
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT DISTINCT order_id FROM reservations
		WHERE status = 'open' AND expires_at < now() LIMIT ?`, limit).Scan(&ids).Error
	if err != nil {
		return 0, fmt.Errorf("models: expire holds: %w", err)
	}
	released := 0
	for _, id := range ids {
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var o Order
			res := tx.Raw("SELECT * FROM orders WHERE id = ? FOR UPDATE SKIP LOCKED", id).Scan(&o)
			if res.Error != nil {
				return fmt.Errorf("models: expire hold of order %d: %w", id, res.Error)
			}
			if res.RowsAffected == 0 {
				return nil // another instance has it
			}
			closed, err := closeReservations(tx, ReservationReleased, "the payment hold expired", "order_id = ? AND expires_at < now()", id)
			if err != nil || len(closed) == 0 {
				return err
			}
			if err := tx.Exec("UPDATE order_lines SET status = 'released' WHERE order_id = ? AND status = 'reserved'", id).Error; err != nil {
				return fmt.Errorf("models: expire hold lines: %w", err)
			}
			released++
			return addOrderEvent(tx, OrderEvent{OrderID: id, Kind: "hold_expired",
				Message: "no payment within the hold time: the stock went back to the pool"})
		})
		if err != nil {
			return released, err
		}
	}
	return released, nil
}

// MarkReservationsAccepted records that supplierID accepted the purchase
// order for these order lines at acceptedAt; the reservations stay open until
// that supplier's stock reflects the sale (see SettleReservations).
func MarkReservationsAccepted(ctx context.Context, tx *gorm.DB, orderLineIDs []int64, supplierID int64, acceptedAt time.Time) error {
	err := tx.WithContext(ctx).Exec(`UPDATE reservations SET supplier_id = ?, supplier_accepted_at = ?, expires_at = NULL
		WHERE order_line_id = ANY (?) AND status = 'open'`, supplierID, acceptedAt, int64Array(orderLineIDs)).Error
	if err != nil {
		return fmt.Errorf("models: mark reservations accepted: %w", err)
	}
	return nil
}

// SettleReservations applies the rule that ends a reservation: once the
// supplier that accepted a line's purchase order sends a stock snapshot taken
// after that acceptance, the supplier's own count already carries the sale,
// so keeping the reservation would count it twice. The sync engine calls this
// in the transaction that applies each snapshot. It returns how many units
// it handed back.
func SettleReservations(ctx context.Context, tx *gorm.DB, supplierID int64, snapshotAt time.Time) (int64, error) {
	closed, err := closeReservations(tx.WithContext(ctx), ReservationSettled, "the supplier's stock now carries the sale",
		"supplier_id = ? AND supplier_accepted_at < ?", supplierID, snapshotAt)
	if err != nil {
		return 0, err
	}
	var units int64
	for _, c := range closed {
		units += c.Quantity
	}
	return units, nil
}
