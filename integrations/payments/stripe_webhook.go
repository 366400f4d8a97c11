package payments

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"
)

// WebhookTolerance is how far a webhook's signed timestamp may be from now,
// either way; older deliveries are refused as possible replays.
const WebhookTolerance = 5 * time.Minute

// ParseWebhook verifies a Stripe delivery (body exactly as received, and its
// Stripe-Signature header) and reduces it to an Event. A bad, missing, stale
// or future signature is ErrInvalidSignature; a signed body that isn't a
// usable event is another error (answer 400). Unhandled types come back as
// KindOther.
//
// API versions: the event is rendered in the webhook endpoint's API version,
// which need not be stripe-go's (2026-03-25.dahlia). stripe-go would refuse a
// mismatch because its typed objects might not fit; we read only fields that
// have been stable for years (ids, amount, currency, status, reason) from the
// raw object ourselves, so any version is accepted and reported in APIVersion.
func (s *Stripe) ParseWebhook(payload []byte, signatureHeader string) (Event, error) {
	if ts, ok := stripeSignatureTime(signatureHeader); ok && ts.After(time.Now().Add(WebhookTolerance)) {
		// stripe-go only refuses old timestamps; one from the future is as suspect.
		return Event{}, fmt.Errorf("%w: timestamp %s is in the future", ErrInvalidSignature, ts.UTC().Format(time.RFC3339))
	}
	e, err := webhook.ConstructEventWithOptions(payload, signatureHeader, s.webhookSecret,
		webhook.ConstructEventOptions{Tolerance: WebhookTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		for _, sigErr := range []error{webhook.ErrNotSigned, webhook.ErrInvalidHeader, webhook.ErrNoValidSignature, webhook.ErrTooOld} {
			if errors.Is(err, sigErr) {
				return Event{}, fmt.Errorf("%w: %v", ErrInvalidSignature, err)
			}
		}
		return Event{}, fmt.Errorf("payments: stripe webhook: %w", err)
	}
	if e.ID == "" || e.Type == "" || e.Data == nil {
		return Event{}, errors.New("payments: stripe webhook: event without id, type or data")
	}
	ev := Event{Provider: ProviderStripe, ID: e.ID, ProviderType: string(e.Type), Kind: KindOther,
		CreatedAt: time.Unix(e.Created, 0).UTC(), APIVersion: e.APIVersion}

	var obj stripeEventObject
	if err := json.Unmarshal(e.Data.Raw, &obj); err != nil {
		return Event{}, fmt.Errorf("payments: stripe webhook %s: data.object: %w", e.ID, err)
	}
	ev.ObjectID = obj.ID
	wantObject := map[string]string{
		"payment_intent.succeeded":      "payment_intent",
		"payment_intent.payment_failed": "payment_intent",
		"charge.refunded":               "charge",
		"charge.dispute.created":        "dispute",
	}[ev.ProviderType]
	if wantObject == "" {
		return ev, nil
	}
	if obj.Object != wantObject || obj.ID == "" {
		return Event{}, fmt.Errorf("payments: stripe webhook %s: %s carries a %q object, want %s", e.ID, ev.ProviderType, obj.Object, wantObject)
	}
	amount := obj.Amount
	switch ev.ProviderType {
	case "payment_intent.succeeded":
		ev.Kind, ev.Reference, ev.TransactionID = KindPaymentSucceeded, obj.ID, string(obj.LatestCharge)
		amount = obj.AmountReceived
	case "payment_intent.payment_failed":
		ev.Kind, ev.Reference, ev.TransactionID = KindPaymentFailed, obj.ID, string(obj.LatestCharge)
		if pe := obj.LastPaymentError; pe != nil {
			ev.Reason = pe.Message
			if code := firstNonEmpty(pe.DeclineCode, pe.Code); code != "" {
				ev.Reason += " (" + code + ")"
			}
		}
	case "charge.refunded":
		ev.Kind, ev.Reference, ev.TransactionID = KindRefunded, string(obj.PaymentIntent), obj.ID
		amount = obj.AmountRefunded
		ev.FullyRefunded = obj.Refunded
	case "charge.dispute.created":
		ev.Kind, ev.Reference, ev.TransactionID = KindDisputeCreated, string(obj.PaymentIntent), string(obj.Charge)
		ev.Reason = obj.Reason
	}
	m, err := fromStripeAmount(amount, obj.Currency)
	if err != nil {
		return Event{}, fmt.Errorf("payments: stripe webhook %s: %w", e.ID, err)
	}
	ev.Amount = m
	return ev, nil
}

// stripeEventObject holds the few fields of data.object the checkout needs,
// for intents, charges and disputes alike.
type stripeEventObject struct {
	ID               string   `json:"id"`
	Object           string   `json:"object"`
	Amount           int64    `json:"amount"`
	AmountReceived   int64    `json:"amount_received"`
	AmountRefunded   int64    `json:"amount_refunded"`
	Currency         string   `json:"currency"`
	Refunded         bool     `json:"refunded"`
	Reason           string   `json:"reason"`
	PaymentIntent    stripeID `json:"payment_intent"`
	Charge           stripeID `json:"charge"`
	LatestCharge     stripeID `json:"latest_charge"`
	LastPaymentError *struct {
		Message     string `json:"message"`
		Code        string `json:"code"`
		DeclineCode string `json:"decline_code"`
	} `json:"last_payment_error"`
}

// stripeID is a reference that Stripe sends as an id string or, expanded, as
// an object with an id.
type stripeID string

func (id *stripeID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = stripeID(s)
		return nil
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("want an id or an object with one: %w", err)
	}
	*id = stripeID(obj.ID)
	return nil
}

// stripeSignatureTime reads t= from a Stripe-Signature header.
func stripeSignatureTime(header string) (time.Time, bool) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(n, 0), true
		}
	}
	return time.Time{}, false
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
