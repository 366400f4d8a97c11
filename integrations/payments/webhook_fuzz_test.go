package payments

import (
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// FuzzParsePayPalEvent feeds arbitrary (already verified) bodies to the PayPal
// event parser: it must not panic, and whatever it accepts must carry an id,
// a known kind and, when it has an amount, a known currency.
func FuzzParsePayPalEvent(f *testing.F) {
	for _, body := range paypalEventBodies {
		f.Add([]byte(body))
	}
	f.Add([]byte(`{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "C", "amount": {"currency_code": "KWD", "value": "1.234"}}}`))
	f.Add([]byte(`{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := parsePayPalEvent(body)
		if err != nil {
			return
		}
		checkFuzzedEvent(t, ev)
	})
}

// FuzzStripeWebhook signs arbitrary bodies correctly and parses them: past
// the signature, any body must give an error or a sound Event, never a panic.
func FuzzStripeWebhook(f *testing.F) {
	f.Add(stripeEvent("evt_1", "payment_intent.succeeded", stripe.APIVersion,
		`{"id": "pi_1", "object": "payment_intent", "amount_received": 1999, "currency": "usd", "latest_charge": {"id": "ch_1"}}`))
	f.Add(stripeEvent("evt_2", "charge.dispute.created", "2020-08-27",
		`{"id": "dp_1", "object": "dispute", "amount": 100, "currency": "jpy", "charge": "ch_1", "payment_intent": null, "reason": "fraudulent"}`))
	f.Add(stripeEvent("evt_3", "charge.refunded", stripe.APIVersion, `{"id": "ch_1", "object": "charge", "amount_refunded": 5, "currency": "isk"}`))
	f.Add([]byte(`{"object": "event"}`))
	s, err := NewStripe(StripeConfig{SecretKey: "sk_test_fuzz", WebhookSecret: testWebhookSecret, APIURL: "http://127.0.0.1:1"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := s.ParseWebhook(body, signStripe(body, testWebhookSecret, time.Now()))
		if err != nil {
			return
		}
		checkFuzzedEvent(t, ev)
	})
}

func checkFuzzedEvent(t *testing.T, ev Event) {
	t.Helper()
	if ev.ID == "" || ev.ProviderType == "" {
		t.Fatalf("accepted an event without id or type: %+v", ev)
	}
	switch ev.Kind {
	case KindPaymentSucceeded, KindPaymentFailed, KindRefunded, KindDisputeCreated, KindOrderApproved:
		if ev.ObjectID == "" {
			t.Fatalf("accepted a %s event without an object id: %+v", ev.Kind, ev)
		}
	case KindOther:
	default:
		t.Fatalf("unknown kind %q", ev.Kind)
	}
	if ev.Amount != (Money{}) {
		if _, err := MinorUnits(ev.Amount.Currency); err != nil {
			t.Fatalf("accepted an amount in %q: %+v", ev.Amount.Currency, ev)
		}
	}
}
