package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Order queues of the back office.
const (
	QueueAll           = ""
	QueueAttention     = "attention"
	QueueOnHold        = "on_hold"
	QueueAwaitPayment  = "pending_payment"
	QueuePaymentFailed = "payment_failed"
	QueueBackordered   = "backordered"
)

// OrderQueues lists the queues in the order the orders page shows them.
var OrderQueues = []string{QueueAll, QueueAttention, QueueOnHold, QueueAwaitPayment, QueuePaymentFailed, QueueBackordered}

// OrderFilter narrows the orders list.
type OrderFilter struct {
	Queue    string
	Search   string // order number, email, external id or payment reference
	BeforeID int64  // keyset: orders with a smaller id
	Limit    int
}

func (f OrderFilter) apply(q *gorm.DB) *gorm.DB {
	switch f.Queue {
	case QueueAttention:
		q = q.Where("attention_reason <> ''")
	case QueueOnHold, QueueAwaitPayment, QueuePaymentFailed, QueueBackordered:
		q = q.Where("status = ?", f.Queue)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		if n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil {
			q = q.Where("number = ?", n)
		} else {
			q = q.Where("customer_email = ? OR external_id = ? OR public_id = ? OR payment_reference = ?", NormalizeEmail(s), s, s, s)
		}
	}
	return q
}

// ListOrders returns orders newest first, one more than Limit so callers know there is a next page.
func ListOrders(ctx context.Context, db *gorm.DB, f OrderFilter) ([]Order, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := f.apply(db.WithContext(ctx).Model(&Order{})).Preload("Lines", orderLinesInOrder).Order("id DESC").Limit(f.Limit + 1)
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []Order
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list orders: %w", err)
	}
	return out, nil
}

// OrderQueueCounts counts the orders in each queue (but "all").
func OrderQueueCounts(ctx context.Context, db *gorm.DB) (map[string]int64, error) {
	var row struct {
		Attention, OnHold, PendingPayment, PaymentFailed, Backordered int64
	}
	err := db.WithContext(ctx).Raw(`SELECT
		count(*) FILTER (WHERE attention_reason <> '') AS attention,
		count(*) FILTER (WHERE status = 'on_hold') AS on_hold,
		count(*) FILTER (WHERE status = 'pending_payment') AS pending_payment,
		count(*) FILTER (WHERE status = 'payment_failed') AS payment_failed,
		count(*) FILTER (WHERE status = 'backordered') AS backordered
		FROM orders WHERE status IN ('on_hold', 'pending_payment', 'payment_failed', 'backordered') OR attention_reason <> ''`).Scan(&row).Error
	if err != nil {
		return nil, fmt.Errorf("models: order queue counts: %w", err)
	}
	return map[string]int64{QueueAttention: row.Attention, QueueOnHold: row.OnHold, QueueAwaitPayment: row.PendingPayment,
		QueuePaymentFailed: row.PaymentFailed, QueueBackordered: row.Backordered}, nil
}

// ReleaseHold lets an order held for review go on to fulfilment: a CS
// decision, with its reason in the timeline and the audit log.
func ReleaseHold(ctx context.Context, db *gorm.DB, actor *User, orderID int64, reason string) (*Order, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, FieldErrors{"reason": "say why the order may go ahead"}
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var o Order
		if err := tx.Clauses(forUpdate).First(&o, orderID).Error; err != nil {
			return notFound(err, fmt.Sprintf("release hold of order %d", orderID))
		}
		if o.Status != OrderOnHold {
			return fmt.Errorf("models: order %d is %s, not on hold: %w", o.Number, o.Status, ErrInvalidTransition)
		}
		if o.PaymentStatus != PaymentAuthorized && o.PaymentStatus != PaymentCaptured {
			// A held chargeback, or a payment that failed, is not for a CS rep to wave through.
			return FieldErrors{"reason": "the payment is " + o.PaymentStatus + ": resolve that first (refund, or wait for the dispute)"}
		}
		if err := transitionOrder(tx, &o, OrderPaid, actor.Email, "hold released: "+reason); err != nil {
			return err
		}
		if err := tx.Model(&Order{}).Where("id = ?", o.ID).Update("attention_reason", "").Error; err != nil {
			return fmt.Errorf("models: release hold: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "order.release_hold", EntityType: "order",
			EntityID: fmt.Sprint(o.Number), Reason: reason, Before: map[string]any{"status": OrderOnHold}, After: map[string]any{"status": OrderPaid}})
	})
	if err != nil {
		return nil, err
	}
	return GetOrder(ctx, db, orderID)
}

// ResolveAttention takes an order out of the needs-attention queue with a note of what was done.
func ResolveAttention(ctx context.Context, db *gorm.DB, actor *User, orderID int64, note string) (*Order, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, FieldErrors{"note": "say what was done"}
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var o Order
		if err := tx.Clauses(forUpdate).First(&o, orderID).Error; err != nil {
			return notFound(err, fmt.Sprintf("resolve order %d", orderID))
		}
		if o.AttentionReason == "" {
			return nil
		}
		if err := tx.Model(&Order{}).Where("id = ?", o.ID).Update("attention_reason", "").Error; err != nil {
			return fmt.Errorf("models: resolve attention: %w", err)
		}
		if err := addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "attention_resolved", Actor: actor.Email,
			Message: fmt.Sprintf("%s — resolved: %s", o.AttentionReason, note)}); err != nil {
			return err
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "order.resolve", EntityType: "order",
			EntityID: fmt.Sprint(o.Number), Reason: note, Before: map[string]any{"attention": o.AttentionReason}, After: map[string]any{"attention": ""}})
	})
	if err != nil {
		return nil, err
	}
	return GetOrder(ctx, db, orderID)
}

// CancelOrderBy is a person's cancellation: the reason is required and audited.
func CancelOrderBy(ctx context.Context, db *gorm.DB, actor *User, orderID int64, reason string) (*Order, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, FieldErrors{"reason": "say why the order is cancelled"}
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		was, number, err := cancelOrder(tx, orderID, actor.Email, reason)
		if err != nil || was == OrderCancelled {
			return err
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "order.cancel", EntityType: "order",
			EntityID: fmt.Sprint(number), Reason: reason, Before: map[string]any{"status": was}, After: map[string]any{"status": OrderCancelled}})
	})
	if err != nil {
		return nil, err
	}
	return GetOrder(ctx, db, orderID)
}
