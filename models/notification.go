package models

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notification channels.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Notification is one message in the outbox, sent and retried by a job.
type Notification struct {
	ID            int64
	Channel       string
	Recipient     string
	Template      string
	Payload       JSON
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	DedupeKey     *string
	OrderID       *int64
	CreatedAt     time.Time
	SentAt        *time.Time
}

// OutboxMessage is what a caller asks to send.
type OutboxMessage struct {
	Channel   string
	Recipient string
	Template  string
	Payload   any
	// DedupeKey makes the message once-only: a second enqueue with the same key is ignored.
	DedupeKey string
	OrderID   int64
}

// EnqueueNotification writes m to the outbox inside tx, so the message exists
// if and only if what caused it was committed.
func EnqueueNotification(tx *gorm.DB, m OutboxMessage) error {
	payload, err := json.Marshal(m.Payload)
	if err != nil {
		return fmt.Errorf("models: notification payload: %w", err)
	}
	n := Notification{Channel: m.Channel, Recipient: m.Recipient, Template: m.Template, Payload: payload,
		State: "pending", NextAttemptAt: time.Now().UTC(), CreatedAt: time.Now().UTC()}
	if m.DedupeKey != "" {
		n.DedupeKey = &m.DedupeKey
	}
	if m.OrderID != 0 {
		n.OrderID = &m.OrderID
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&n).Error; err != nil {
		return fmt.Errorf("models: enqueue %s %s: %w", m.Channel, m.Template, err)
	}
	return nil
}

// Customer message templates about orders.
const (
	TemplateOrderConfirmation = "order_confirmation"
	TemplateOrderReceived     = "order_received" // manual payment: waiting for it
	TemplatePaymentFailed     = "payment_failed"
	TemplateOrderCancelled    = "order_cancelled"
)

// notifyCustomer queues template for the order's customer on the channels
// they chose, once per order. The payload stays empty: the sender renders
// order messages from the order (order_id) as it is when the message goes out.
func notifyCustomer(tx *gorm.DB, o *Order, template string) error {
	payload := map[string]any{}
	if o.NotifyEmail {
		if err := EnqueueNotification(tx, OutboxMessage{Channel: ChannelEmail, Recipient: o.CustomerEmail, Template: template,
			Payload: payload, DedupeKey: fmt.Sprintf("order:%d:%s:email", o.ID, template), OrderID: o.ID}); err != nil {
			return err
		}
	}
	if o.NotifySMS && o.CustomerPhone != "" {
		if err := EnqueueNotification(tx, OutboxMessage{Channel: ChannelSMS, Recipient: o.CustomerPhone, Template: template,
			Payload: payload, DedupeKey: fmt.Sprintf("order:%d:%s:sms", o.ID, template), OrderID: o.ID}); err != nil {
			return err
		}
	}
	return nil
}
