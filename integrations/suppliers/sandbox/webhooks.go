package sandbox

import (
	"context"
	"encoding/json"
	"time"

	"dropship/integrations/webhooks/standardwebhooks"
)

// StockUpdated is the body of the sandbox's stock webhook (see the package doc).
type StockUpdated struct {
	Type string `json:"type"` // always "stock.updated"
	Data struct {
		Items []StockUpdate `json:"items"`
	} `json:"data"`
}

// StockUpdate is one SKU's new quantity and when it became true.
type StockUpdate struct {
	SKU        string    `json:"sku"`
	Quantity   int64     `json:"quantity"`
	ObservedAt time.Time `json:"observed_at"` // RFC 3339 with nanoseconds, UTC
}

// webhookBody renders the stock.updated message for the changed items.
func webhookBody(items []Item) []byte {
	msg := StockUpdated{Type: "stock.updated"}
	msg.Data.Items = make([]StockUpdate, len(items))
	for i, it := range items {
		msg.Data.Items[i] = StockUpdate{SKU: it.SKU, Quantity: it.Quantity, ObservedAt: it.UpdatedAt.UTC()}
	}
	b, _ := json.Marshal(msg) // plain structs always marshal
	return b
}

// sendWebhooks delivers queued changes one at a time, in order, each with its
// own webhook-id, retried with backoff until the receiver answers 2xx.
func (s *Supplier) sendWebhooks(ctx context.Context) {
	sender := &standardwebhooks.Sender{Secret: s.cfg.WebhookSecret, Backoff: s.cfg.WebhookBackoff, Attempts: 6}
	if s.cfg.Faults.WrongSignature {
		sender.Secret = standardwebhooks.NewSecret()
	}
	if s.cfg.Faults.StaleTimestamp {
		sender.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	}
	for {
		select {
		case <-ctx.Done():
			return
		case items := <-s.hooks:
			d, err := sender.Send(ctx, s.cfg.WebhookURL, webhookBody(items))
			if err != nil {
				s.log.Warn("sandbox: webhook not delivered", "id", d.ID, "attempts", d.Attempts, "err", err)
				continue
			}
			s.log.Info("sandbox: webhook delivered", "id", d.ID, "items", len(items), "attempts", d.Attempts)
		}
	}
}
