package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// PayPal's webhook signature headers.
const (
	HeaderPayPalTransmissionID   = "Paypal-Transmission-Id"
	HeaderPayPalTransmissionTime = "Paypal-Transmission-Time"
	HeaderPayPalTransmissionSig  = "Paypal-Transmission-Sig"
	HeaderPayPalCertURL          = "Paypal-Cert-Url"
	HeaderPayPalAuthAlgo         = "Paypal-Auth-Algo"
)

// ParseWebhook verifies a PayPal delivery (body exactly as received and its
// headers) with PayPal's verify-webhook-signature API and reduces it to an
// Event. Missing headers, a transmission time more than WebhookTolerance away
// or a FAILURE verdict are ErrInvalidSignature (answer 401); PayPal being
// unreachable is a *TemporaryError (answer 503 so PayPal delivers again); a
// verified body that isn't a usable event is another error (400).
func (p *PayPal) ParseWebhook(ctx context.Context, header http.Header, body []byte) (Event, error) {
	names := []string{HeaderPayPalTransmissionID, HeaderPayPalTransmissionTime, HeaderPayPalTransmissionSig,
		HeaderPayPalCertURL, HeaderPayPalAuthAlgo}
	values := make(map[string]string, len(names))
	for _, name := range names {
		v := header.Get(name)
		if v == "" {
			return Event{}, fmt.Errorf("%w: header %s missing", ErrInvalidSignature, name)
		}
		values[name] = v
	}
	sent, err := time.Parse(time.RFC3339, values[HeaderPayPalTransmissionTime])
	if err != nil {
		return Event{}, fmt.Errorf("%w: transmission time %q: %v", ErrInvalidSignature, values[HeaderPayPalTransmissionTime], err)
	}
	if d := p.now().Sub(sent); d > WebhookTolerance || d < -WebhookTolerance {
		return Event{}, fmt.Errorf("%w: transmission time %s is more than %s away", ErrInvalidSignature, sent.UTC().Format(time.RFC3339), WebhookTolerance)
	}
	if !json.Valid(body) {
		return Event{}, fmt.Errorf("%w: body is not JSON", ErrInvalidSignature)
	}

	// PayPal checks the signature over a CRC32 of the event's bytes, so the
	// event goes back byte for byte: json.Marshal would compact and re-escape it.
	var req bytes.Buffer
	req.WriteByte('{')
	for _, f := range []struct{ key, value string }{
		{"auth_algo", values[HeaderPayPalAuthAlgo]},
		{"cert_url", values[HeaderPayPalCertURL]},
		{"transmission_id", values[HeaderPayPalTransmissionID]},
		{"transmission_sig", values[HeaderPayPalTransmissionSig]},
		{"transmission_time", values[HeaderPayPalTransmissionTime]},
		{"webhook_id", p.cfg.WebhookID},
	} {
		k, _ := json.Marshal(f.key)
		v, _ := json.Marshal(f.value)
		req.Write(k)
		req.WriteByte(':')
		req.Write(v)
		req.WriteByte(',')
	}
	req.WriteString(`"webhook_event":`)
	req.Write(body)
	req.WriteByte('}')

	var verdict struct {
		VerificationStatus string `json:"verification_status"`
	}
	if err := p.call(ctx, http.MethodPost, "/v1/notifications/verify-webhook-signature", req.Bytes(), "", &verdict); err != nil {
		return Event{}, p.apiError("verify webhook signature", values[HeaderPayPalTransmissionID], err)
	}
	if verdict.VerificationStatus != "SUCCESS" {
		return Event{}, fmt.Errorf("%w: PayPal says %s", ErrInvalidSignature, verdict.VerificationStatus)
	}
	return parsePayPalEvent(body)
}

// paypalEvent is a webhook event envelope; resource depends on the type.
type paypalEvent struct {
	ID           string          `json:"id"`
	EventType    string          `json:"event_type"`
	ResourceType string          `json:"resource_type"`
	CreateTime   time.Time       `json:"create_time"`
	Resource     json.RawMessage `json:"resource"`
}

// paypalResource holds the fields we use of captures, refunds, disputes and orders.
type paypalResource struct {
	ID                string               `json:"id"`
	Status            string               `json:"status"`
	Amount            *paypalAmount        `json:"amount"`
	StatusDetails     *paypalStatusDetails `json:"status_details"`
	SupplementaryData *struct {
		RelatedIDs struct {
			OrderID   string `json:"order_id"`
			CaptureID string `json:"capture_id"`
		} `json:"related_ids"`
	} `json:"supplementary_data"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
	// disputes
	DisputeID            string        `json:"dispute_id"`
	Reason               string        `json:"reason"`
	DisputeAmount        *paypalAmount `json:"dispute_amount"`
	DisputedTransactions []struct {
		SellerTransactionID string `json:"seller_transaction_id"`
	} `json:"disputed_transactions"`
	// orders
	PurchaseUnits []struct {
		Amount paypalAmount `json:"amount"`
	} `json:"purchase_units"`
}

func parsePayPalEvent(body []byte) (Event, error) {
	var e paypalEvent
	if err := json.Unmarshal(body, &e); err != nil {
		return Event{}, fmt.Errorf("payments: paypal webhook: %w", err)
	}
	if e.ID == "" || e.EventType == "" {
		return Event{}, fmt.Errorf("payments: paypal webhook: event without id or event_type")
	}
	ev := Event{Provider: ProviderPayPal, ID: e.ID, ProviderType: e.EventType, Kind: KindOther, CreatedAt: e.CreateTime.UTC()}
	var r paypalResource
	if len(e.Resource) > 0 {
		if err := json.Unmarshal(e.Resource, &r); err != nil {
			return Event{}, fmt.Errorf("payments: paypal webhook %s: resource: %w", e.ID, err)
		}
	}
	ev.ObjectID = r.ID
	var amount *paypalAmount
	switch e.EventType {
	case "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED":
		ev.Kind = KindPaymentSucceeded
		if e.EventType == "PAYMENT.CAPTURE.DENIED" {
			ev.Kind = KindPaymentFailed
			if r.StatusDetails != nil {
				ev.Reason = r.StatusDetails.Reason
			}
		}
		ev.TransactionID = r.ID
		if r.SupplementaryData != nil {
			ev.Reference = r.SupplementaryData.RelatedIDs.OrderID
		}
		amount = r.Amount
	case "PAYMENT.CAPTURE.REFUNDED":
		ev.Kind = KindRefunded
		if r.SupplementaryData != nil {
			ev.Reference = r.SupplementaryData.RelatedIDs.OrderID
			ev.TransactionID = r.SupplementaryData.RelatedIDs.CaptureID
		}
		if ev.TransactionID == "" {
			ev.TransactionID = captureIDFromLinks(r)
		}
		amount = r.Amount
	case "CUSTOMER.DISPUTE.CREATED":
		ev.Kind, ev.ObjectID, ev.Reason = KindDisputeCreated, r.DisputeID, r.Reason
		if len(r.DisputedTransactions) > 0 {
			ev.TransactionID = r.DisputedTransactions[0].SellerTransactionID
		}
		amount = r.DisputeAmount
	case "CHECKOUT.ORDER.APPROVED":
		ev.Kind, ev.Reference = KindOrderApproved, r.ID
		var sum int64
		for i, pu := range r.PurchaseUnits {
			n, err := ParseAmount(pu.Amount.Value, pu.Amount.CurrencyCode)
			if err != nil || (i > 0 && pu.Amount.CurrencyCode != r.PurchaseUnits[0].Amount.CurrencyCode) {
				return Event{}, fmt.Errorf("payments: paypal webhook %s: purchase unit %d amount %+v: %v", e.ID, i, pu.Amount, err)
			}
			sum += n
		}
		if len(r.PurchaseUnits) > 0 {
			ev.Amount = Money{AmountCents: sum, Currency: r.PurchaseUnits[0].Amount.CurrencyCode}
		}
	default:
		return ev, nil
	}
	if ev.ObjectID == "" {
		return Event{}, fmt.Errorf("payments: paypal webhook %s: %s without a resource id", e.ID, e.EventType)
	}
	if amount != nil {
		n, err := ParseAmount(amount.Value, amount.CurrencyCode)
		if err != nil {
			return Event{}, fmt.Errorf("payments: paypal webhook %s: %w", e.ID, err)
		}
		ev.Amount = Money{AmountCents: n, Currency: amount.CurrencyCode}
	}
	return ev, nil
}

// captureIDFromLinks finds the capture a refund belongs to in its "up" link
// (.../v2/payments/captures/{id}).
func captureIDFromLinks(r paypalResource) string {
	for _, l := range r.Links {
		if l.Rel != "up" {
			continue
		}
		if _, id, ok := strings.Cut(l.Href, "/v2/payments/captures/"); ok && id != "" && !strings.Contains(id, "/") {
			return id
		}
	}
	return ""
}
