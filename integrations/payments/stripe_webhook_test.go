package payments

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

const testWebhookSecret = "whsec_test"

// stripeEvent renders an event envelope as Stripe sends it.
func stripeEvent(id, typ, apiVersion, object string) []byte {
	return []byte(fmt.Sprintf(`{
  "id": %q,
  "object": "event",
  "api_version": %q,
  "created": 1767225600,
  "data": {"object": %s},
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": null, "idempotency_key": null},
  "type": %q
}`, id, apiVersion, object, typ))
}

func signStripe(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

func TestStripeWebhookEvents(t *testing.T) {
	t.Parallel()
	s := newTestStripe(t, "http://127.0.0.1:1", "sk_test_x", 0)
	for _, tc := range []struct {
		name, typ, object string
		want              Event
	}{
		{
			name: "payment succeeded", typ: "payment_intent.succeeded",
			object: `{"id": "pi_3Ok", "object": "payment_intent", "amount": 1999, "amount_received": 1999, "currency": "usd",
				"status": "succeeded", "latest_charge": "ch_3Ok", "last_payment_error": null}`,
			want: Event{Kind: KindPaymentSucceeded, Reference: "pi_3Ok", TransactionID: "ch_3Ok", ObjectID: "pi_3Ok", Amount: Money{1999, "USD"}},
		},
		{
			name: "payment failed", typ: "payment_intent.payment_failed",
			object: `{"id": "pi_3No", "object": "payment_intent", "amount": 5000, "amount_received": 0, "currency": "eur",
				"status": "requires_payment_method", "latest_charge": "ch_3No",
				"last_payment_error": {"type": "card_error", "code": "card_declined", "decline_code": "stolen_card", "message": "Your card was declined."}}`,
			want: Event{Kind: KindPaymentFailed, Reference: "pi_3No", TransactionID: "ch_3No", ObjectID: "pi_3No", Amount: Money{5000, "EUR"},
				Reason: "Your card was declined. (stolen_card)"},
		},
		{
			name: "charge refunded in part", typ: "charge.refunded",
			object: `{"id": "ch_3Rf", "object": "charge", "amount": 5000, "amount_captured": 5000, "amount_refunded": 2000,
				"currency": "jpy", "refunded": false, "payment_intent": "pi_3Rf"}`,
			want: Event{Kind: KindRefunded, Reference: "pi_3Rf", TransactionID: "ch_3Rf", ObjectID: "ch_3Rf", Amount: Money{2000, "JPY"}},
		},
		{
			name: "charge refunded in full", typ: "charge.refunded",
			object: `{"id": "ch_3Rf", "object": "charge", "amount": 5000, "amount_refunded": 5000, "currency": "usd",
				"refunded": true, "payment_intent": {"id": "pi_3Rf", "object": "payment_intent"}}`,
			want: Event{Kind: KindRefunded, Reference: "pi_3Rf", TransactionID: "ch_3Rf", ObjectID: "ch_3Rf", Amount: Money{5000, "USD"}, FullyRefunded: true},
		},
		{
			name: "dispute created", typ: "charge.dispute.created",
			object: `{"id": "dp_1Dp", "object": "dispute", "amount": 1999, "currency": "usd", "charge": "ch_3Ok",
				"payment_intent": "pi_3Ok", "reason": "fraudulent", "status": "needs_response"}`,
			want: Event{Kind: KindDisputeCreated, Reference: "pi_3Ok", TransactionID: "ch_3Ok", ObjectID: "dp_1Dp", Amount: Money{1999, "USD"}, Reason: "fraudulent"},
		},
		{
			name: "unhandled type", typ: "customer.created",
			object: `{"id": "cus_1", "object": "customer", "email": "ada@example.com"}`,
			want:   Event{Kind: KindOther, ObjectID: "cus_1"},
		},
	} {
		payload := stripeEvent("evt_"+strings.ReplaceAll(tc.name, " ", "_"), tc.typ, stripe.APIVersion, tc.object)
		got, err := s.ParseWebhook(payload, signStripe(payload, testWebhookSecret, time.Now()))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := tc.want
		want.Provider, want.ID, want.ProviderType = ProviderStripe, "evt_"+strings.ReplaceAll(tc.name, " ", "_"), tc.typ
		want.CreatedAt, want.APIVersion = time.Unix(1767225600, 0).UTC(), stripe.APIVersion
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, want)
		}
	}
}

func TestStripeWebhookSignatures(t *testing.T) {
	t.Parallel()
	s := newTestStripe(t, "http://127.0.0.1:1", "sk_test_x", 0)
	payload := stripeEvent("evt_sig", "payment_intent.succeeded", stripe.APIVersion,
		`{"id": "pi_1", "object": "payment_intent", "amount": 100, "amount_received": 100, "currency": "usd", "latest_charge": null}`)
	now := time.Now()

	// Stripe's documented scheme by hand: v1 = hex(HMAC-SHA256(secret, "<t>.<body>")).
	mac := hmac.New(sha256.New, []byte(testWebhookSecret))
	fmt.Fprintf(mac, "%d.%s", now.Unix(), payload)
	byHand := fmt.Sprintf("t=%d,v1=%s", now.Unix(), hex.EncodeToString(mac.Sum(nil)))
	if ev, err := s.ParseWebhook(payload, byHand); err != nil || ev.ID != "evt_sig" {
		t.Fatalf("hand-signed delivery refused: %+v, %v", ev, err)
	}
	// During a secret roll Stripe sends one signature per secret.
	rolled := signStripe(payload, "whsec_old", now) + ",v1=" + hex.EncodeToString(webhook.ComputeSignature(now, payload, testWebhookSecret))
	if _, err := s.ParseWebhook(payload, rolled); err != nil {
		t.Errorf("header with an old and a current signature refused: %v", err)
	}

	tampered := []byte(strings.Replace(string(payload), `"amount": 100`, `"amount": 1`, 1))
	for name, tc := range map[string]struct {
		body   []byte
		header string
	}{
		"tampered body":        {tampered, signStripe(payload, testWebhookSecret, now)},
		"wrong secret":         {payload, signStripe(payload, "whsec_other", now)},
		"stale timestamp":      {payload, signStripe(payload, testWebhookSecret, now.Add(-6*time.Minute))},
		"future timestamp":     {payload, signStripe(payload, testWebhookSecret, now.Add(6*time.Minute))},
		"missing header":       {payload, ""},
		"garbage header":       {payload, "sha256=abc"},
		"v0 signature only":    {payload, fmt.Sprintf("t=%d,v0=%s", now.Unix(), hex.EncodeToString(webhook.ComputeSignature(now, payload, testWebhookSecret)))},
		"re-signed other time": {payload, strings.Replace(signStripe(payload, testWebhookSecret, now), fmt.Sprint(now.Unix()), fmt.Sprint(now.Unix()-1), 1)},
	} {
		_, err := s.ParseWebhook(tc.body, tc.header)
		if !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("%s: error = %v, want ErrInvalidSignature", name, err)
		}
	}
	// Four minutes old is still inside the tolerance.
	if _, err := s.ParseWebhook(payload, signStripe(payload, testWebhookSecret, now.Add(-4*time.Minute))); err != nil {
		t.Errorf("4-minute-old delivery refused: %v", err)
	}
}

func TestStripeWebhookOtherAPIVersionIsAccepted(t *testing.T) {
	t.Parallel()
	s := newTestStripe(t, "http://127.0.0.1:1", "sk_test_x", 0)
	payload := stripeEvent("evt_old", "charge.refunded", "2020-08-27",
		`{"id": "ch_1", "object": "charge", "amount": 700, "amount_refunded": 700, "currency": "gbp", "refunded": true,
		  "payment_intent": "pi_1", "refunds": {"object": "list", "data": [{"id": "re_1", "amount": 700}]}}`)
	ev, err := s.ParseWebhook(payload, signStripe(payload, testWebhookSecret, time.Now()))
	if err != nil {
		t.Fatalf("event of an older API version refused: %v", err)
	}
	if ev.APIVersion != "2020-08-27" || ev.Kind != KindRefunded || ev.Amount != (Money{700, "GBP"}) || !ev.FullyRefunded {
		t.Errorf("event = %+v", ev)
	}
}

func TestStripeWebhookSignedButUnusable(t *testing.T) {
	t.Parallel()
	s := newTestStripe(t, "http://127.0.0.1:1", "sk_test_x", 0)
	for name, payload := range map[string][]byte{
		"not json":          []byte(`{"id": "evt_1", "object": "event"`),
		"not an event":      []byte(`{"id": "pi_1", "object": "payment_intent"}`),
		"no id":             stripeEvent("", "payment_intent.succeeded", stripe.APIVersion, `{"id": "pi_1", "object": "payment_intent", "currency": "usd"}`),
		"wrong object":      stripeEvent("evt_2", "payment_intent.succeeded", stripe.APIVersion, `{"id": "ch_1", "object": "charge", "currency": "usd"}`),
		"unknown currency":  stripeEvent("evt_3", "payment_intent.succeeded", stripe.APIVersion, `{"id": "pi_1", "object": "payment_intent", "amount_received": 5, "currency": "xyz"}`),
		"object is a array": stripeEvent("evt_4", "charge.refunded", stripe.APIVersion, `[1, 2]`),
	} {
		_, err := s.ParseWebhook(payload, signStripe(payload, testWebhookSecret, time.Now()))
		if err == nil || errors.Is(err, ErrInvalidSignature) {
			t.Errorf("%s: error = %v, want a parse error (400), not a signature error", name, err)
		}
	}
}
