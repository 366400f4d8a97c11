package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dropship/integrations/payments"
	"dropship/models"
)

const stripeWebhookSecret = "whsec_test_secret"

// signStripe builds a Stripe-Signature header as Stripe documents it:
// t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<payload>")).
func signStripe(payload []byte, at time.Time, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", at.Unix(), payload)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

func stripeEvent(id, typ string, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2024-06-20", "created": time.Now().Unix(),
		"type": typ, "data": map[string]any{"object": object}})
	return b
}

// pendingOrder places a Stripe order that waits for the provider's answer.
func pendingOrder(t *testing.T, a *testApp, ref string) *models.Order {
	t.Helper()
	ctx := context.Background()
	p, v := createVariantFor(t, a, "Webhook tee "+ref)
	_ = p
	sup, err := models.CreateSupplier(ctx, a.DB, testSecretBox(t), nil, models.SupplierInput{Code: "H" + strings.ToUpper(randomWord()[:6]), Name: "Hook supply",
		ConnectionKind: models.KindEmail, Connection: models.Connection{Email: "po@hook.example"}, HandlingDays: 1, ShipsFromCountry: "US",
		Currency: "USD", FeedGuardPct: 50, AllowedLagMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateOffer(ctx, a.DB, nil, models.OfferInput{SupplierID: sup.ID, VariantID: v.ID, SupplierSKU: "H-" + ref,
		ReportedQuantity: 10, UnitCostCents: 100, MinQuantity: 1}); err != nil {
		t.Fatal(err)
	}
	req := models.CheckoutRequest{Customer: models.Customer{Email: "ada@example.com", Name: "Ada"},
		ShipTo:          models.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", Country: "US"},
		Lines:           []models.CheckoutLine{{SKU: v.SKU, Quantity: 2}},
		PaymentProvider: "stripe", PaymentReference: ref, NotifyEmail: true}
	req.Normalize()
	o, err := models.PlaceOrder(ctx, a.DB, req, models.PlaceOptions{}, models.DefaultStoreSettings())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func testSecretBox(t testing.TB) *models.SecretBox {
	box, err := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func postWebhook(t *testing.T, a *testApp, path string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, sb.String()
}

func TestStripeWebhooks(t *testing.T) {
	t.Parallel()
	stripe, err := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_x", WebhookSecret: stripeWebhookSecret, APIURL: "http://127.0.0.1:9"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAppWith(t, testOptions{Deps: func(d *Deps) { d.StripeHooks = stripe }})
	ctx := context.Background()
	o := pendingOrder(t, a, "pi_hook0001")
	status := func() models.OrderStatus {
		got, _ := models.GetOrder(ctx, a.DB, o.ID)
		return got.Status
	}

	paid := stripeEvent("evt_1", "payment_intent.succeeded", map[string]any{"id": "pi_hook0001", "object": "payment_intent",
		"amount": o.TotalCents, "amount_received": o.TotalCents, "currency": "usd", "status": "succeeded", "latest_charge": "ch_1"})

	// Refused deliveries change nothing.
	for name, sig := range map[string]string{
		"no signature":    "",
		"wrong secret":    signStripe(paid, time.Now(), "whsec_other"),
		"stale timestamp": signStripe(paid, time.Now().Add(-6*time.Minute), stripeWebhookSecret),
		"from the future": signStripe(paid, time.Now().Add(6*time.Minute), stripeWebhookSecret),
	} {
		if code, body := postWebhook(t, a, "/webhooks/stripe", paid, map[string]string{"Stripe-Signature": sig}); code != 401 {
			t.Errorf("%s: %d %s, want 401", name, code, body)
		}
	}
	tampered := []byte(strings.Replace(string(paid), `"amount_received":`, `"amount_received":1`, 1))
	if code, _ := postWebhook(t, a, "/webhooks/stripe", tampered, map[string]string{"Stripe-Signature": signStripe(paid, time.Now(), stripeWebhookSecret)}); code != 401 {
		t.Errorf("tampered body: %d, want 401", code)
	}
	if s := status(); s != models.OrderPendingPayment {
		t.Fatalf("a refused delivery moved the order to %s", s)
	}

	code, body := postWebhook(t, a, "/webhooks/stripe", paid, map[string]string{"Stripe-Signature": signStripe(paid, time.Now(), stripeWebhookSecret)})
	if code != 200 || status() != models.OrderPaid {
		t.Fatalf("payment_intent.succeeded: %d %s, order %s", code, body, status())
	}
	// The same delivery again: 200, nothing happens twice.
	code, body = postWebhook(t, a, "/webhooks/stripe", paid, map[string]string{"Stripe-Signature": signStripe(paid, time.Now(), stripeWebhookSecret)})
	if code != 200 || !strings.Contains(body, `"duplicate":true`) {
		t.Errorf("redelivery: %d %s", code, body)
	}
	var confirmations int64
	a.DB.Raw("SELECT count(*) FROM notifications WHERE order_id = ? AND template = 'order_confirmation'", o.ID).Scan(&confirmations)
	if confirmations != 1 {
		t.Errorf("%d confirmation messages queued, want 1", confirmations)
	}

	dispute := stripeEvent("evt_2", "charge.dispute.created", map[string]any{"id": "dp_1", "object": "dispute", "amount": o.TotalCents,
		"currency": "usd", "reason": "fraudulent", "charge": "ch_1", "payment_intent": "pi_hook0001"})
	code, _ = postWebhook(t, a, "/webhooks/stripe", dispute, map[string]string{"Stripe-Signature": signStripe(dispute, time.Now(), stripeWebhookSecret)})
	got, _ := models.GetOrder(ctx, a.DB, o.ID)
	if code != 200 || got.Status != models.OrderOnHold || got.PaymentStatus != models.PaymentDisputed || !strings.Contains(got.AttentionReason, "fraudulent") {
		t.Errorf("dispute: %d, order %s %s %q", code, got.Status, got.PaymentStatus, got.AttentionReason)
	}

	failedOrder := pendingOrder(t, a, "pi_hook0002")
	failed := stripeEvent("evt_3", "payment_intent.payment_failed", map[string]any{"id": "pi_hook0002", "object": "payment_intent",
		"amount": failedOrder.TotalCents, "currency": "usd", "status": "requires_payment_method",
		"last_payment_error": map[string]any{"message": "Your card was declined.", "decline_code": "insufficient_funds"}})
	postWebhook(t, a, "/webhooks/stripe", failed, map[string]string{"Stripe-Signature": signStripe(failed, time.Now(), stripeWebhookSecret)})
	got, _ = models.GetOrder(ctx, a.DB, failedOrder.ID)
	if got.Status != models.OrderPaymentFailed || got.PaymentFailure != "Your card was declined. (insufficient_funds)" {
		t.Errorf("payment_failed: %s %q", got.Status, got.PaymentFailure)
	}
}

// fakePayPalVerifier is PayPal's OAuth token and verify-webhook-signature
// endpoints, answering SUCCESS only for the transmission id it was told.
type fakePayPalVerifier struct {
	good  string
	calls atomic.Int64
}

func (f *fakePayPalVerifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/oauth2/token":
		fmt.Fprint(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	case "/v1/notifications/verify-webhook-signature":
		f.calls.Add(1)
		var body struct {
			TransmissionID string `json:"transmission_id"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		status := "FAILURE"
		if body.TransmissionID == f.good {
			status = "SUCCESS"
		}
		fmt.Fprintf(w, `{"verification_status":%q}`, status)
	default:
		http.NotFound(w, r)
	}
}

func TestPayPalWebhooks(t *testing.T) {
	t.Parallel()
	fake := &fakePayPalVerifier{good: "tx-good"}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	pp, err := payments.NewPayPal(payments.PayPalConfig{ClientID: "id", ClientSecret: "secret", WebhookID: "WH-1", Environment: "sandbox", APIURL: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAppWith(t, testOptions{Deps: func(d *Deps) { d.PayPalHooks = pp }})
	ctx := context.Background()
	o := pendingOrder(t, a, "pi_hook0003")
	a.DB.Exec("UPDATE orders SET payment_provider = 'paypal', payment_reference = '5O190127TN364715T' WHERE id = ?", o.ID)

	body, _ := json.Marshal(map[string]any{"id": "WH-EVT-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "create_time": time.Now().UTC().Format(time.RFC3339),
		"resource": map[string]any{"id": "CAP-1", "status": "COMPLETED", "amount": map[string]any{"currency_code": "USD", "value": models.FormatCents(o.TotalCents)},
			"supplementary_data": map[string]any{"related_ids": map[string]any{"order_id": "5O190127TN364715T"}}}})
	headers := func(tx string) map[string]string {
		return map[string]string{"PAYPAL-TRANSMISSION-ID": tx, "PAYPAL-TRANSMISSION-TIME": time.Now().UTC().Format(time.RFC3339),
			"PAYPAL-TRANSMISSION-SIG": "c2ln", "PAYPAL-CERT-URL": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1",
			"PAYPAL-AUTH-ALGO": "SHA256withRSA"}
	}
	if code, resp := postWebhook(t, a, "/webhooks/paypal", body, headers("tx-forged")); code != 401 {
		t.Errorf("PayPal says FAILURE: %d %s, want 401", code, resp)
	}
	if got, _ := models.GetOrder(ctx, a.DB, o.ID); got.Status != models.OrderPendingPayment {
		t.Fatalf("a refused delivery moved the order to %s", got.Status)
	}
	code, resp := postWebhook(t, a, "/webhooks/paypal", body, headers("tx-good"))
	got, _ := models.GetOrder(ctx, a.DB, o.ID)
	if code != 200 || got.Status != models.OrderPaid || got.PaymentTransaction != "CAP-1" {
		t.Errorf("capture completed: %d %s, order %s tx %q", code, resp, got.Status, got.PaymentTransaction)
	}
	if fake.calls.Load() != 2 {
		t.Errorf("PayPal was asked %d times, want once per delivery", fake.calls.Load())
	}
}
