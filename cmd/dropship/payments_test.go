package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"dropship/integrations/payments"
	"dropship/models"
)

// stripeIntents is a minimal stand-in for Stripe's GET /v1/payment_intents/{id}
// (the full stateful fake and stripe-mock checks live with the Stripe client).
func stripeIntents(t *testing.T, intents map[string]string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Path[len("/v1/payment_intents/"):]
		body, ok := intents[id]
		if !ok {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestVerifyPaymentMapsStripeStates(t *testing.T) {
	t.Parallel()
	intent := func(id, status string) string {
		return fmt.Sprintf(`{"id":%q,"object":"payment_intent","amount":2599,"amount_received":2599,"amount_capturable":2599,"currency":"usd","status":%q,
			"latest_charge":{"id":"ch_%s","object":"charge","amount_refunded":0,"payment_method_details":{"card":{"fingerprint":"fp1","country":"DE"}}}}`, id, status, id)
	}
	url := stripeIntents(t, map[string]string{
		"pi_ok": intent("pi_ok", "succeeded"), "pi_auth": intent("pi_auth", "requires_capture"),
		"pi_proc": intent("pi_proc", "processing"), "pi_3ds": intent("pi_3ds", "requires_action"),
		"pi_nopay": intent("pi_nopay", "requires_payment_method"),
	})
	s, err := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_x", WebhookSecret: "whsec_x", APIURL: url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := paymentGateways{payments.ProviderStripe: s}
	for ref, want := range map[string]string{"pi_ok": models.PaymentCaptured, "pi_auth": models.PaymentAuthorized,
		"pi_proc": models.PaymentPending, "pi_3ds": models.PaymentPending, "pi_nopay": models.PaymentFailed, "pi_missing": models.PaymentFailed} {
		check, err := g.VerifyPayment(context.Background(), "stripe", ref, 2599, "USD")
		if err != nil || check.Status != want {
			t.Errorf("%s: %s (%v), want %s", ref, check.Status, err, want)
		}
		if ref == "pi_ok" && (check.CardCountry != "DE" || check.TransactionID != "ch_pi_ok") {
			t.Errorf("card country %q, transaction %q", check.CardCountry, check.TransactionID)
		}
	}
	if _, err := g.VerifyPayment(context.Background(), "paypal", "X", 1, "USD"); err == nil {
		t.Error("a provider without an account verified a payment")
	}
}
