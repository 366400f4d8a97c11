package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// PaymentCheck is what a payment provider said about an order's payment.
type PaymentCheck struct {
	// Status is PaymentAuthorized, PaymentCaptured, PaymentFailed, or
	// PaymentPending when the provider has not settled it yet (a PayPal eCheck).
	Status          string
	AmountCents     int64
	Currency        string
	CardFingerprint string
	CardCountry     string
	TransactionID   string // charge (Stripe) or capture (PayPal) id, once there is one
	FailureReason   string // why it failed, for the customer and CS
}

// OK reports whether the payment may go on to fulfilment.
func (c PaymentCheck) OK() bool {
	return c.Status == PaymentAuthorized || c.Status == PaymentCaptured
}

// PaymentVerifier asks a provider about a payment reference. A payment that
// is declined, unfinished or for another amount is a PaymentCheck with status
// failed and a reason; an error means the provider could not be asked.
type PaymentVerifier interface {
	VerifyPayment(ctx context.Context, provider, reference string, amountCents int64, currency string) (PaymentCheck, error)
}

// ApplyPayment records the provider's answer for a pending order: a good
// payment makes it paid (or on_hold when its risk score reaches the
// threshold); a failed one makes it payment_failed, releases its stock, tells
// the customer and puts it in the needs-attention queue. An order already past
// pending_payment is left as it is (the answer was applied before).
func ApplyPayment(ctx context.Context, db *gorm.DB, orderID int64, check PaymentCheck, s StoreSettings) (*Order, error) {
	var o Order
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).Preload("Lines", orderLinesInOrder).First(&o, orderID).Error; err != nil {
			return notFound(err, fmt.Sprintf("apply payment to order %d", orderID))
		}
		if o.Status != OrderPendingPayment {
			return nil
		}
		if check.Status == PaymentPending {
			return notePaymentPending(tx, &o)
		}
		// Trust the provider's figures only when they match the order exactly.
		if check.OK() && (check.AmountCents != o.TotalCents || check.Currency != o.Currency) {
			check = PaymentCheck{Status: PaymentFailed, FailureReason: fmt.Sprintf("the payment is for %s %s, the order totals %s %s",
				FormatCents(check.AmountCents), check.Currency, FormatCents(o.TotalCents), o.Currency)}
		}
		if !check.OK() {
			return failPayment(tx, &o, check.FailureReason)
		}
		return acceptPayment(ctx, tx, &o, check, "payment "+check.Status+" by "+o.PaymentProvider, s)
	})
	if err != nil {
		return nil, err
	}
	return GetOrder(ctx, db, orderID)
}

// acceptPayment marks a pending order's payment good and decides paid or on_hold by risk.
// A payment that already pays another order is refused (one payment, one order).
// Lines whose hold expired while the payment was on its way are reserved again
// when the pool allows; the others make the order backordered.
func acceptPayment(ctx context.Context, tx *gorm.DB, o *Order, check PaymentCheck, message string, s StoreSettings) error {
	if o.PaymentReference != "" {
		var other []int64
		err := tx.Raw(`SELECT number FROM orders WHERE payment_provider = ? AND payment_reference = ? AND id <> ?
			AND status NOT IN ('payment_failed', 'cancelled') LIMIT 1`, o.PaymentProvider, o.PaymentReference, o.ID).Scan(&other).Error
		if err != nil {
			return fmt.Errorf("models: accept payment of order %d: %w", o.Number, err)
		}
		if len(other) > 0 {
			return failPayment(tx, o, fmt.Sprintf("this payment already pays order %d", other[0]))
		}
	}
	backordered, err := rereserveReleasedLines(tx, o)
	if err != nil {
		return err
	}
	in := riskInputOf(o)
	in.CardFingerprint, in.CardCountry = check.CardFingerprint, check.CardCountry
	history, err := LoadRiskHistory(ctx, tx, in)
	if err != nil {
		return err
	}
	score, reasons := AssessRisk(in, history, s)
	o.PaymentStatus, o.CardFingerprint, o.CardCountry, o.RiskScore, o.RiskReasons = check.Status, check.CardFingerprint, check.CardCountry, score, reasons
	updates := map[string]any{"payment_status": check.Status, "card_fingerprint": check.CardFingerprint, "card_country": check.CardCountry,
		"payment_transaction": check.TransactionID,
		"risk_score":          score, "risk_reasons": reasons, "payment_failure": ""}
	to := OrderPaid
	if score >= s.RiskThreshold {
		to = OrderOnHold
		o.AttentionReason = fmt.Sprintf("risk score %d: %s", score, reasons.Summary())
		updates["attention_reason"] = o.AttentionReason
	}
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(updates).Error; err != nil {
		return fmt.Errorf("models: accept payment of order %d: %w", o.Number, err)
	}
	// The stock is now held until the supplier's count carries it, not until a deadline.
	if err := tx.Exec("UPDATE reservations SET expires_at = NULL WHERE order_id = ? AND status = 'open'", o.ID).Error; err != nil {
		return fmt.Errorf("models: accept payment of order %d: %w", o.Number, err)
	}
	if err := addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "payment_verified", Message: message}); err != nil {
		return err
	}
	msg := "payment verified"
	if to == OrderOnHold {
		msg = "held for review: " + o.AttentionReason
	}
	if err := transitionOrder(tx, o, to, "system", msg); err != nil {
		return err
	}
	if backordered > 0 && o.Status == OrderPaid {
		if err := transitionOrder(tx, o, OrderBackordered, "system", fmt.Sprintf("%s lost their stock while the payment was on its way", plural(backordered, "line"))); err != nil {
			return err
		}
	}
	return notifyCustomer(tx, o, TemplateOrderConfirmation)
}

// notePaymentPending records, once, that the provider has not settled the
// payment yet, and moves the order to the back of the recovery job's queue.
func notePaymentPending(tx *gorm.DB, o *Order) error {
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Update("updated_at", time.Now().UTC()).Error; err != nil {
		return fmt.Errorf("models: payment pending on order %d: %w", o.Number, err)
	}
	var last []string
	if err := tx.Raw("SELECT kind FROM order_events WHERE order_id = ? ORDER BY id DESC LIMIT 1", o.ID).Scan(&last).Error; err != nil {
		return fmt.Errorf("models: payment pending on order %d: %w", o.Number, err)
	}
	if len(last) == 1 && last[0] == "payment_pending" {
		return nil
	}
	return addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "payment_pending", Message: o.PaymentProvider + " has not settled the payment yet"})
}

// failPayment ends a pending order whose payment was refused.
func failPayment(tx *gorm.DB, o *Order, reason string) error {
	if reason == "" {
		reason = "the payment was declined"
	}
	o.PaymentStatus, o.PaymentFailure = PaymentFailed, reason
	o.AttentionReason = "payment failed: " + reason
	err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(map[string]any{"payment_status": PaymentFailed,
		"payment_failure": reason, "attention_reason": o.AttentionReason}).Error
	if err != nil {
		return fmt.Errorf("models: fail payment of order %d: %w", o.Number, err)
	}
	if err := transitionOrder(tx, o, OrderPaymentFailed, "system", reason); err != nil {
		return err
	}
	if err := releaseOrderStock(tx, o.ID, "the payment failed"); err != nil {
		return err
	}
	return notifyCustomer(tx, o, TemplatePaymentFailed)
}

func riskInputOf(o *Order) RiskInput {
	in := RiskInput{Email: o.CustomerEmail, ShipCountry: o.ShipCountry, ShipPostalCode: o.ShipPostalCode,
		ShipLine1: o.ShipLine1, TotalCents: o.TotalCents, ExcludeOrderID: o.ID}
	for _, l := range o.Lines {
		in.Quantities = append(in.Quantities, l.Quantity)
	}
	return in
}

// Summary joins the reasons' messages for one line of text.
func (r RiskReasons) Summary() string {
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = x.Message
	}
	return strings.Join(parts, "; ")
}

// MarkPaid records a manual payment a person received. Lines whose hold
// expired are reserved again when the pool allows; the others become
// backordered, and so does the order.
func MarkPaid(ctx context.Context, db *gorm.DB, actor *User, orderID int64, note string, s StoreSettings) (*Order, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var o Order
		if err := tx.Clauses(forUpdate).Preload("Lines", orderLinesInOrder).First(&o, orderID).Error; err != nil {
			return notFound(err, fmt.Sprintf("mark order %d paid", orderID))
		}
		if o.Status != OrderPendingPayment {
			return fmt.Errorf("models: order %d is %s, not awaiting payment: %w", o.Number, o.Status, ErrInvalidTransition)
		}
		if o.PaymentProvider != ProviderManual {
			// Stripe and PayPal payments are verified with the provider, never taken on someone's word.
			return fmt.Errorf("models: order %d is paid by %s, not by hand: %w", o.Number, o.PaymentProvider, ErrInvalidTransition)
		}
		msg := "manual payment received"
		if note = strings.TrimSpace(note); note != "" {
			msg += ": " + note
		}
		if err := acceptPayment(ctx, tx, &o, PaymentCheck{Status: PaymentCaptured}, msg+" (marked by "+actor.Email+")", s); err != nil {
			return err
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "order.mark_paid", EntityType: "order",
			EntityID: fmt.Sprint(o.Number), Reason: note, After: map[string]any{"status": o.Status}})
	})
	if err != nil {
		return nil, err
	}
	return GetOrder(ctx, db, orderID)
}

// rereserveReleasedLines reserves again the released lines of o (their hold
// expired), line by line all-or-nothing, with one reserve_stock call so the
// pool rows are locked in variant id order like every checkout; it returns how
// many lines it could not cover (now backordered).
func rereserveReleasedLines(tx *gorm.DB, o *Order) (int, error) {
	var ids, qtys int64Array
	var lines []int
	for i, l := range o.Lines {
		if l.Status == LineReleased {
			ids, qtys, lines = append(ids, l.VariantID), append(qtys, int64(l.Quantity)), append(lines, i)
		}
	}
	if len(lines) == 0 {
		return 0, nil
	}
	var short []int64
	if err := tx.Raw("SELECT unnest(reserve_stock(?::bigint[], ?::bigint[]))", ids, qtys).Scan(&short).Error; err != nil {
		return 0, fmt.Errorf("models: reserve again: %w", err)
	}
	isShort := map[int64]bool{}
	for _, v := range short {
		isShort[v] = true
	}
	backordered := 0
	for _, i := range lines {
		l := &o.Lines[i]
		status := LineReserved
		if isShort[l.VariantID] {
			status = LineBackordered
			backordered++
		} else if err := tx.Exec(`UPDATE reservations SET status = 'open', closed_at = NULL, close_reason = '', expires_at = NULL
			WHERE order_line_id = ?`, l.ID).Error; err != nil {
			return 0, fmt.Errorf("models: reserve again: %w", err)
		}
		if err := tx.Model(&OrderLine{}).Where("id = ?", l.ID).Update("status", status).Error; err != nil {
			return 0, fmt.Errorf("models: reserve again: %w", err)
		}
		l.Status = status
	}
	return backordered, nil
}

// CancelOrder cancels an order that has not shipped: its stock goes back to
// the pool and the customer is told. Cancelling a cancelled order is a no-op;
// a shipped one gives ErrNotCancellable. by names who asked (the storefront).
func CancelOrder(ctx context.Context, db *gorm.DB, orderID int64, by string, reason string) (*Order, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, _, err := cancelOrder(tx, orderID, by, reason)
		return err
	})
	if err != nil {
		return nil, err
	}
	return GetOrder(ctx, db, orderID)
}

// cancelOrder does CancelOrder inside tx and returns the status the order
// had and its number.
func cancelOrder(tx *gorm.DB, orderID int64, by, reason string) (was OrderStatus, number int64, err error) {
	var o Order
	if err := tx.Clauses(forUpdate).First(&o, orderID).Error; err != nil {
		return "", 0, notFound(err, fmt.Sprintf("cancel order %d", orderID))
	}
	was, number = o.Status, o.Number
	if o.Status == OrderCancelled {
		return was, number, nil
	}
	if !o.Status.Cancellable() {
		return was, number, fmt.Errorf("models: cancel order %d (%s): %w", o.Number, o.Status, ErrNotCancellable)
	}
	if err := transitionOrder(tx, &o, OrderCancelled, by, reason); err != nil {
		return was, number, err
	}
	if err := releaseOrderStock(tx, o.ID, "the order was cancelled"); err != nil {
		return was, number, err
	}
	if err := tx.Exec("UPDATE order_lines SET status = 'cancelled' WHERE order_id = ? AND status IN ('released', 'backordered', 'routed')", o.ID).Error; err != nil {
		return was, number, fmt.Errorf("models: cancel order lines: %w", err)
	}
	// Money taken must go back; an authorisation is simply never captured.
	if o.PaymentStatus == PaymentCaptured {
		o.AttentionReason = "cancelled after payment was captured: refund " + FormatCents(o.TotalCents) + " " + o.Currency
		if err := tx.Model(&Order{}).Where("id = ?", o.ID).Update("attention_reason", o.AttentionReason).Error; err != nil {
			return was, number, fmt.Errorf("models: cancel order: %w", err)
		}
	}
	return was, number, notifyCustomer(tx, &o, TemplateOrderCancelled)
}

// PaymentEvent is a provider's webhook about a payment, already verified.
type PaymentEvent struct {
	Provider        string
	EventID         string
	Kind            string // PaymentEventSucceeded, ...
	Reference       string // the PaymentIntent or PayPal order id the order carries
	TransactionID   string // the charge or capture id, for events that carry only it
	FullRefund      bool   // the whole payment is refunded (Stripe says so; else the amount tells)
	AmountCents     int64
	Currency        string
	CardFingerprint string
	CardCountry     string
	Reason          string
}

// Payment event kinds the checkout acts on.
const (
	PaymentEventSucceeded = "succeeded"
	PaymentEventFailed    = "failed"
	PaymentEventRefunded  = "refunded"
	PaymentEventDisputed  = "disputed"
)

// ApplyPaymentEvent acts on a provider's webhook once per event id: a
// delivery seen before changes nothing (applied is false).
func ApplyPaymentEvent(ctx context.Context, db *gorm.DB, ev PaymentEvent, s StoreSettings) (applied bool, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("INSERT INTO webhook_events (provider, event_id, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", ev.Provider, ev.EventID, ev.Kind)
		if res.Error != nil {
			return fmt.Errorf("models: payment event %s: %w", ev.EventID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		applied = true
		var o Order
		err := tx.Clauses(forUpdate).Preload("Lines", orderLinesInOrder).
			Where("payment_provider = ? AND ((payment_reference = ? AND payment_reference <> '') OR (payment_transaction = ? AND payment_transaction <> ''))",
				ev.Provider, ev.Reference, ev.TransactionID).Order("id DESC").First(&o).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // a payment of no order of ours (another shop on the same account)
		}
		if err != nil {
			return fmt.Errorf("models: payment event %s: %w", ev.EventID, err)
		}
		switch ev.Kind {
		case PaymentEventSucceeded:
			if o.Status == OrderPaymentFailed || o.Status == OrderCancelled {
				// Money arrived for an order we gave up on: a person refunds it or revives the order.
				reason := fmt.Sprintf("%s %s received by %s for a %s order: refund it or place the order again",
					FormatCents(ev.AmountCents), ev.Currency, ev.Provider, strings.ReplaceAll(string(o.Status), "_", " "))
				if err := tx.Model(&Order{}).Where("id = ?", o.ID).Update("attention_reason", reason).Error; err != nil {
					return fmt.Errorf("models: payment event %s: %w", ev.EventID, err)
				}
				return addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "late_payment", Actor: ev.Provider, Message: reason})
			}
			if o.Status != OrderPendingPayment {
				return nil
			}
			check := PaymentCheck{Status: PaymentCaptured, AmountCents: ev.AmountCents, Currency: ev.Currency,
				CardFingerprint: ev.CardFingerprint, CardCountry: ev.CardCountry, TransactionID: ev.TransactionID}
			if ev.AmountCents != o.TotalCents || ev.Currency != o.Currency {
				return failPayment(tx, &o, fmt.Sprintf("the payment is for %s %s, the order totals %s %s",
					FormatCents(ev.AmountCents), ev.Currency, FormatCents(o.TotalCents), o.Currency))
			}
			return acceptPayment(ctx, tx, &o, check, "payment confirmed by "+ev.Provider+" webhook", s)
		case PaymentEventFailed:
			if o.Status != OrderPendingPayment {
				return nil
			}
			return failPayment(tx, &o, ev.Reason)
		case PaymentEventRefunded:
			return refundOrder(tx, &o, ev)
		case PaymentEventDisputed:
			return disputeOrder(tx, &o, ev)
		}
		return nil
	})
	return applied, err
}

func refundOrder(tx *gorm.DB, o *Order, ev PaymentEvent) error {
	if !ev.FullRefund && ev.AmountCents < o.TotalCents {
		return addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "partial_refund", Actor: ev.Provider,
			Message: fmt.Sprintf("%s %s of %s %s refunded by %s", FormatCents(ev.AmountCents), ev.Currency, FormatCents(o.TotalCents), o.Currency, ev.Provider)})
	}
	updates := map[string]any{"payment_status": PaymentRefunded}
	if !o.Status.CanBecome(OrderRefunded) {
		updates["attention_reason"] = fmt.Sprintf("refunded by %s while %s: check the shipment", ev.Provider, o.Status)
	}
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(updates).Error; err != nil {
		return fmt.Errorf("models: refund order %d: %w", o.Number, err)
	}
	if !o.Status.CanBecome(OrderRefunded) {
		return addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "refunded", Message: "refunded by " + ev.Provider})
	}
	if err := transitionOrder(tx, o, OrderRefunded, ev.Provider, "refunded by "+ev.Provider); err != nil {
		return err
	}
	return releaseOrderStock(tx, o.ID, "the order was refunded")
}

func disputeOrder(tx *gorm.DB, o *Order, ev PaymentEvent) error {
	reason := "chargeback opened"
	if ev.Reason != "" {
		reason += ": " + ev.Reason
	}
	o.AttentionReason = reason
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(map[string]any{"payment_status": PaymentDisputed, "attention_reason": reason}).Error; err != nil {
		return fmt.Errorf("models: dispute on order %d: %w", o.Number, err)
	}
	if o.Status.CanBecome(OrderOnHold) {
		// Hold fulfilment while the dispute is open.
		return transitionOrder(tx, o, OrderOnHold, ev.Provider, reason)
	}
	return addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "disputed", Message: reason})
}

// PendingPaymentsToVerify lists orders waiting on a provider's answer for
// longer than olderThan (their checkout was cut short, or the provider has
// not settled), for the recovery job. Each order is asked again after a
// pause that grows with its age (a tenth of it, at most an hour); the least
// recently asked come first, so no order starves.
func PendingPaymentsToVerify(ctx context.Context, db *gorm.DB, olderThan time.Duration, limit int) ([]Order, error) {
	var out []Order
	err := db.WithContext(ctx).Where(`status = ? AND payment_provider <> ? AND created_at < ?
		AND updated_at < now() - LEAST(interval '1 hour', (now() - created_at) / 10)`,
		OrderPendingPayment, ProviderManual, time.Now().Add(-olderThan)).Order("updated_at").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: pending payments: %w", err)
	}
	return out, nil
}

// PaymentCapturer takes the money of an authorised payment; the idempotency
// key makes a repeated capture (a retry after a crash) take it once.
type PaymentCapturer interface {
	CapturePayment(ctx context.Context, provider, reference string, amountCents int64, currency, idempotencyKey string) (transactionID string, err error)
}

// CaptureIdempotencyKey is the key every capture of an order uses.
func CaptureIdempotencyKey(o *Order) string { return "capture-" + o.PublicID }

// OrdersToCapture lists orders whose payment is only authorised although the
// order has been routed to a supplier: the money is taken once the order is
// on its way to being fulfilled, not at checkout.
func OrdersToCapture(ctx context.Context, db *gorm.DB, limit int) ([]Order, error) {
	var out []Order
	err := db.WithContext(ctx).Where("payment_status = ? AND status IN ?", PaymentAuthorized,
		[]OrderStatus{OrderRouted, OrderSentToSupplier}).
		Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: orders to capture: %w", err)
	}
	return out, nil
}

// RecordCapture marks an order's payment captured (once; a second call changes nothing).
func RecordCapture(ctx context.Context, db *gorm.DB, orderID int64, transactionID string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Order{}).Where("id = ? AND payment_status = ?", orderID, PaymentAuthorized).
			Updates(map[string]any{"payment_status": PaymentCaptured, "payment_transaction": transactionID, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return fmt.Errorf("models: record capture of order %d: %w", orderID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return addOrderEvent(tx, OrderEvent{OrderID: orderID, Kind: "payment_captured", Message: "the authorised payment was captured"})
	})
}

// RecordCaptureFailure ends a payment the provider refused to capture (the
// authorisation lapsed or was voided): the payment is failed, the order is held
// where it can be, and a person decides what happens next. It is not retried.
func RecordCaptureFailure(ctx context.Context, db *gorm.DB, orderID int64, reason string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var o Order
		if err := tx.Clauses(forUpdate).First(&o, orderID).Error; err != nil {
			return notFound(err, fmt.Sprintf("record capture failure of order %d", orderID))
		}
		o.AttentionReason = "capture failed: " + reason
		err := tx.Model(&Order{}).Where("id = ?", orderID).Updates(map[string]any{"payment_status": PaymentFailed,
			"payment_failure": reason, "attention_reason": o.AttentionReason}).Error
		if err != nil {
			return fmt.Errorf("models: record capture failure: %w", err)
		}
		if err := addOrderEvent(tx, OrderEvent{OrderID: orderID, Kind: "capture_failed", Message: reason}); err != nil {
			return err
		}
		if o.Status.CanBecome(OrderOnHold) {
			return transitionOrder(tx, &o, OrderOnHold, "system", "the payment could not be captured: "+reason)
		}
		return nil
	})
}
