package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// OrderStatus is where an order is in its life (see DESIGN.md, "Order lifecycle").
type OrderStatus string

// The order statuses, as the storefront API names them.
const (
	OrderPendingPayment   OrderStatus = "pending_payment"
	OrderPaymentFailed    OrderStatus = "payment_failed"
	OrderOnHold           OrderStatus = "on_hold"
	OrderPaid             OrderStatus = "paid"
	OrderRouted           OrderStatus = "routed"
	OrderSentToSupplier   OrderStatus = "sent_to_supplier"
	OrderAccepted         OrderStatus = "accepted"
	OrderBackordered      OrderStatus = "backordered"
	OrderPartiallyShipped OrderStatus = "partially_shipped"
	OrderShipped          OrderStatus = "shipped"
	OrderDelivered        OrderStatus = "delivered"
	OrderCompleted        OrderStatus = "completed"
	OrderCancelled        OrderStatus = "cancelled"
	OrderRefunded         OrderStatus = "refunded"
)

// orderTransitions is the lifecycle: from each status, where an order may go.
// Cancel and refund are possible from every status before shipment.
var orderTransitions = map[OrderStatus][]OrderStatus{
	OrderPendingPayment:   {OrderPaid, OrderOnHold, OrderPaymentFailed, OrderCancelled},
	OrderPaymentFailed:    {OrderCancelled},
	OrderOnHold:           {OrderPaid, OrderCancelled, OrderRefunded},
	OrderPaid:             {OrderRouted, OrderOnHold, OrderBackordered, OrderCancelled, OrderRefunded},
	OrderRouted:           {OrderSentToSupplier, OrderBackordered, OrderPaid, OrderCancelled, OrderRefunded},
	OrderSentToSupplier:   {OrderAccepted, OrderRouted, OrderBackordered, OrderCancelled, OrderRefunded},
	OrderAccepted:         {OrderPartiallyShipped, OrderShipped, OrderRouted, OrderCancelled, OrderRefunded},
	OrderBackordered:      {OrderRouted, OrderCancelled, OrderRefunded},
	OrderPartiallyShipped: {OrderShipped},
	OrderShipped:          {OrderDelivered},
	OrderDelivered:        {OrderCompleted},
}

// CanBecome reports whether an order in status s may move to status to.
func (s OrderStatus) CanBecome(to OrderStatus) bool {
	return slices.Contains(orderTransitions[s], to)
}

// Cancellable reports whether an order in status s may still be cancelled.
func (s OrderStatus) Cancellable() bool { return s.CanBecome(OrderCancelled) }

// Label is the status in words for pages.
func (s OrderStatus) Label() string {
	switch s {
	case OrderPendingPayment:
		return "Awaiting payment"
	case OrderPaymentFailed:
		return "Payment failed"
	case OrderOnHold:
		return "On hold"
	case OrderSentToSupplier:
		return "Sent to supplier"
	case OrderPartiallyShipped:
		return "Partially shipped"
	}
	s2 := string(s)
	return string(s2[0]-32) + s2[1:]
}

// Payment statuses of an order.
const (
	PaymentPending    = "pending"
	PaymentAuthorized = "authorized"
	PaymentCaptured   = "captured"
	PaymentFailed     = "failed"
	PaymentRefunded   = "refunded"
	PaymentDisputed   = "disputed"
)

// Payment providers the checkout accepts.
const (
	ProviderStripe = "stripe"
	ProviderPayPal = "paypal"
	ProviderManual = "manual"
)

// Order is a customer's purchase, from checkout to delivery.
type Order struct {
	ID                 int64
	PublicID           string
	Number             int64 `gorm:"->"` // from the order_numbers sequence
	APIKeyID           *int64
	ExternalID         string
	Status             OrderStatus
	CustomerEmail      string
	CustomerName       string
	CustomerPhone      string
	ShipName           string
	ShipLine1          string `gorm:"column:ship_line1"`
	ShipLine2          string `gorm:"column:ship_line2"`
	ShipCity           string
	ShipRegion         string
	ShipPostalCode     string
	ShipCountry        string
	Currency           string
	SubtotalCents      int64
	ShippingCents      int64
	TotalCents         int64
	PaymentProvider    string
	PaymentReference   string
	PaymentTransaction string
	PaymentStatus      string
	PaymentFailure     string
	CardFingerprint    string
	CardCountry        string
	RiskScore          int
	RiskReasons        RiskReasons
	NotifyEmail        bool
	NotifySMS          bool `gorm:"column:notify_sms"`
	AttentionReason    string
	CreatedAt          time.Time
	UpdatedAt          time.Time

	Lines []OrderLine `gorm:"foreignKey:OrderID"`
}

// Order line statuses.
const (
	LineReserved    = "reserved"
	LineReleased    = "released"
	LineBackordered = "backordered"
	LineRouted      = "routed"
	LineShipped     = "shipped"
	LineCancelled   = "cancelled"
)

// OrderLine is one SKU of an order, priced at checkout time.
type OrderLine struct {
	ID             int64
	OrderID        int64
	LineNo         int
	VariantID      int64
	SKU            string `gorm:"column:sku"`
	Title          string
	Options        Options
	Quantity       int
	UnitPriceCents int64
	Status         string
}

// OrderEvent is one entry of an order's timeline.
type OrderEvent struct {
	ID         int64
	OrderID    int64
	At         time.Time
	Kind       string
	FromStatus string
	ToStatus   string
	Actor      string
	Message    string
	Data       JSON
}

// ErrNotCancellable refuses to cancel an order that has shipped.
var ErrNotCancellable = errors.New("the order has shipped and can no longer be cancelled")

// addOrderEvent appends an entry to the order's timeline inside tx.
func addOrderEvent(tx *gorm.DB, e OrderEvent) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("models: order %d event %s: %w", e.OrderID, e.Kind, err)
	}
	return nil
}

// transitionOrder moves o to status to inside tx: it checks the lifecycle,
// updates the row only if nobody moved it meanwhile, and records the event.
func transitionOrder(tx *gorm.DB, o *Order, to OrderStatus, actor, message string) error {
	from := o.Status
	if !from.CanBecome(to) {
		return fmt.Errorf("models: order %d from %s to %s: %w", o.Number, from, to, ErrInvalidTransition)
	}
	res := tx.Model(&Order{}).Where("id = ? AND status = ?", o.ID, from).
		Updates(map[string]any{"status": to, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("models: order %d to %s: %w", o.Number, to, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("models: order %d changed meanwhile (wanted %s -> %s): %w", o.Number, from, to, ErrInvalidTransition)
	}
	o.Status = to
	return addOrderEvent(tx, OrderEvent{OrderID: o.ID, Kind: "status", FromStatus: string(from), ToStatus: string(to), Actor: actor, Message: message})
}

// GetOrder loads an order with its lines by internal id.
func GetOrder(ctx context.Context, db *gorm.DB, id int64) (*Order, error) {
	var o Order
	if err := db.WithContext(ctx).Preload("Lines", orderLinesInOrder).First(&o, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get order %d", id))
	}
	return &o, nil
}

// GetOrderByPublicID loads an order by its API id, only when apiKeyID placed it
// (an order of another key is "not found", not "forbidden": ids don't leak).
func GetOrderByPublicID(ctx context.Context, db *gorm.DB, apiKeyID int64, publicID string) (*Order, error) {
	var o Order
	err := db.WithContext(ctx).Preload("Lines", orderLinesInOrder).
		Where("public_id = ? AND api_key_id = ?", publicID, apiKeyID).First(&o).Error
	if err != nil {
		return nil, notFound(err, "get order "+publicID)
	}
	return &o, nil
}

// ListOrdersByExternalID returns the key's orders with that external id,
// newest first, older than beforeID when it is set; one more than limit so
// callers know whether a next page follows.
func ListOrdersByExternalID(ctx context.Context, db *gorm.DB, apiKeyID int64, externalID string, beforeID int64, limit int) ([]Order, error) {
	var out []Order
	q := db.WithContext(ctx).Preload("Lines", orderLinesInOrder).
		Where("api_key_id = ? AND external_id = ?", apiKeyID, externalID)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	err := q.Order("id DESC").Limit(limit + 1).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list orders by external id: %w", err)
	}
	return out, nil
}

// OrderEvents returns the order's timeline, oldest first.
func OrderEvents(ctx context.Context, db *gorm.DB, orderID int64) ([]OrderEvent, error) {
	var out []OrderEvent
	if err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: order events: %w", err)
	}
	return out, nil
}

func orderLinesInOrder(db *gorm.DB) *gorm.DB { return db.Order("line_no") }
