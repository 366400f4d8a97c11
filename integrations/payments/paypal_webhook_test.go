package payments

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// PayPal webhook bodies as PayPal renders them (pretty-printed, fields it sends
// that we don't use included), one per event type the checkout handles.
var paypalEventBodies = map[string]string{
	"PAYMENT.CAPTURE.COMPLETED": `{
  "id": "WH-58D329510W468432D-8HN650336L201105X",
  "create_time": "2026-11-27T10:01:02.000Z",
  "resource_type": "capture",
  "event_version": "1.0",
  "event_type": "PAYMENT.CAPTURE.COMPLETED",
  "summary": "Payment completed for $ 19.99 USD",
  "resource_version": "2.0",
  "resource": {
    "id": "42311647XV020574X",
    "status": "COMPLETED",
    "amount": {"currency_code": "USD", "value": "19.99"},
    "final_capture": true,
    "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"]},
    "seller_receivable_breakdown": {"gross_amount": {"currency_code": "USD", "value": "19.99"}, "paypal_fee": {"currency_code": "USD", "value": "0.88"}, "net_amount": {"currency_code": "USD", "value": "19.11"}},
    "supplementary_data": {"related_ids": {"order_id": "5O190127TN364715T"}},
    "create_time": "2026-11-27T10:01:00Z",
    "update_time": "2026-11-27T10:01:00Z",
    "links": [{"href": "https://api.sandbox.paypal.com/v2/payments/captures/42311647XV020574X", "rel": "self", "method": "GET"}]
  },
  "links": [{"href": "https://api.sandbox.paypal.com/v1/notifications/webhooks-events/WH-58D329510W468432D-8HN650336L201105X", "rel": "self", "method": "GET"}]
}`,
	"PAYMENT.CAPTURE.DENIED": `{
  "id": "WH-2WR32451HC0233532-67976317FL4543714",
  "create_time": "2026-11-27T10:02:00.000Z",
  "resource_type": "capture",
  "event_type": "PAYMENT.CAPTURE.DENIED",
  "summary": "A AUD 2.51 AUD capture payment was denied",
  "resource": {
    "id": "7NW873794T343360M",
    "status": "DECLINED",
    "status_details": {"reason": "DECLINED_BY_RISK_FRAUD_FILTERS"},
    "amount": {"currency_code": "AUD", "value": "2.51"},
    "supplementary_data": {"related_ids": {"order_id": "9LB68429NV434424B"}}
  }
}`,
	"PAYMENT.CAPTURE.REFUNDED": `{
  "id": "WH-1GE84257G0350133W-6RW800890C634293G",
  "create_time": "2026-11-27T10:03:00.000Z",
  "resource_type": "refund",
  "event_type": "PAYMENT.CAPTURE.REFUNDED",
  "summary": "A ¥1500 JPY capture payment was refunded",
  "resource": {
    "id": "1Y107995YT783435V",
    "status": "COMPLETED",
    "amount": {"currency_code": "JPY", "value": "1500"},
    "note_to_payer": "Sorry <3 & thanks",
    "links": [
      {"href": "https://api.sandbox.paypal.com/v2/payments/refunds/1Y107995YT783435V", "rel": "self", "method": "GET"},
      {"href": "https://api.sandbox.paypal.com/v2/payments/captures/0JF852973C016714D", "rel": "up", "method": "GET"}
    ]
  }
}`,
	"CUSTOMER.DISPUTE.CREATED": `{
  "id": "WH-4M0448861G563140B-9EX36365822141321",
  "create_time": "2026-11-27T10:04:00.000Z",
  "resource_type": "dispute",
  "event_type": "CUSTOMER.DISPUTE.CREATED",
  "summary": "A new dispute opened with Case # PP-000-042-663-135",
  "resource": {
    "dispute_id": "PP-000-042-663-135",
    "disputed_transactions": [{"seller_transaction_id": "42311647XV020574X", "seller": {"merchant_id": "RD465XN5VS364"}, "seller_protection_eligible": true}],
    "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
    "status": "OPEN",
    "dispute_amount": {"currency_code": "USD", "value": "19.99"},
    "dispute_life_cycle_stage": "INQUIRY",
    "dispute_channel": "INTERNAL"
  }
}`,
	"CHECKOUT.ORDER.APPROVED": `{
  "id": "WH-COC11055RA711503B-4YM959094A144403T",
  "create_time": "2026-11-27T10:00:00.000Z",
  "resource_type": "checkout-order",
  "event_type": "CHECKOUT.ORDER.APPROVED",
  "summary": "An order has been approved by buyer",
  "resource": {
    "id": "5O190127TN364715T",
    "intent": "CAPTURE",
    "status": "APPROVED",
    "purchase_units": [{"reference_id": "default", "amount": {"currency_code": "USD", "value": "19.99"}}],
    "payer": {"payer_id": "QYR5Z8XDVJNXQ", "email_address": "buyer@example.com"}
  }
}`,
	"BILLING.SUBSCRIPTION.CREATED": `{"id": "WH-OTHER", "create_time": "2026-11-27T10:05:00Z", "event_type": "BILLING.SUBSCRIPTION.CREATED", "resource": {"id": "I-BW452GLLEP1G"}}`,
}

func TestPayPalWebhookEvents(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for typ, want := range map[string]Event{
		"PAYMENT.CAPTURE.COMPLETED": {ID: "WH-58D329510W468432D-8HN650336L201105X", Kind: KindPaymentSucceeded,
			Reference: "5O190127TN364715T", TransactionID: "42311647XV020574X", ObjectID: "42311647XV020574X",
			Amount: Money{1999, "USD"}, CreatedAt: at("2026-11-27T10:01:02Z")},
		"PAYMENT.CAPTURE.DENIED": {ID: "WH-2WR32451HC0233532-67976317FL4543714", Kind: KindPaymentFailed,
			Reference: "9LB68429NV434424B", TransactionID: "7NW873794T343360M", ObjectID: "7NW873794T343360M",
			Amount: Money{251, "AUD"}, Reason: "DECLINED_BY_RISK_FRAUD_FILTERS", CreatedAt: at("2026-11-27T10:02:00Z")},
		"PAYMENT.CAPTURE.REFUNDED": {ID: "WH-1GE84257G0350133W-6RW800890C634293G", Kind: KindRefunded,
			TransactionID: "0JF852973C016714D", ObjectID: "1Y107995YT783435V", Amount: Money{1500, "JPY"},
			CreatedAt: at("2026-11-27T10:03:00Z")},
		"CUSTOMER.DISPUTE.CREATED": {ID: "WH-4M0448861G563140B-9EX36365822141321", Kind: KindDisputeCreated,
			TransactionID: "42311647XV020574X", ObjectID: "PP-000-042-663-135", Amount: Money{1999, "USD"},
			Reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", CreatedAt: at("2026-11-27T10:04:00Z")},
		"CHECKOUT.ORDER.APPROVED": {ID: "WH-COC11055RA711503B-4YM959094A144403T", Kind: KindOrderApproved,
			Reference: "5O190127TN364715T", ObjectID: "5O190127TN364715T", Amount: Money{1999, "USD"},
			CreatedAt: at("2026-11-27T10:00:00Z")},
		"BILLING.SUBSCRIPTION.CREATED": {ID: "WH-OTHER", Kind: KindOther, ObjectID: "I-BW452GLLEP1G", CreatedAt: at("2026-11-27T10:05:00Z")},
	} {
		body := []byte(paypalEventBodies[typ])
		got, err := p.ParseWebhook(ctx, f.signWebhook(body, "tx-"+typ, time.Now()), body)
		if err != nil {
			t.Errorf("%s: %v", typ, err)
			continue
		}
		want.Provider, want.ProviderType = ProviderPayPal, typ
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", typ, got, want)
		}
	}
	// The event went to PayPal byte for byte (pretty-printed, with its <, & and ¥),
	// which is what PayPal's CRC32 over the body needs.
	verifies := f.seen("POST", "/verify-webhook-signature")
	for _, v := range verifies {
		if strings.Contains(v.Body, "Sorry <3 & thanks") {
			if !strings.Contains(v.Body, `"webhook_event":`+paypalEventBodies["PAYMENT.CAPTURE.REFUNDED"]+"}") {
				t.Errorf("event was not forwarded verbatim:\n%s", v.Body)
			}
			return
		}
	}
	t.Error("no verification request carried the refund event")
}

func TestPayPalWebhookSignatures(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	body := []byte(paypalEventBodies["PAYMENT.CAPTURE.COMPLETED"])
	now := time.Now()

	if _, err := p.ParseWebhook(ctx, f.signWebhook(body, "tx-ok", now.Add(-4*time.Minute)), body); err != nil {
		t.Fatalf("genuine 4-minute-old delivery refused: %v", err)
	}
	verifiesBefore := len(f.seen("POST", "/verify-webhook-signature"))

	tampered := []byte(strings.Replace(string(body), `"value": "19.99"`, `"value": "1.99"`, 1))
	if _, err := p.ParseWebhook(ctx, f.signWebhook(body, "tx-1", now), tampered); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("tampered body: %v, want ErrInvalidSignature", err)
	}
	forged := f.signWebhook(body, "tx-2", now)
	forged.Set("PAYPAL-CERT-URL", "https://attacker.example/cert.pem")
	if _, err := p.ParseWebhook(ctx, forged, body); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("foreign cert URL: %v, want ErrInvalidSignature", err)
	}
	otherHook := f.config()
	otherHook.WebhookID = "9XY00000000000000"
	p2, _ := NewPayPal(otherHook, nil)
	if _, err := p2.ParseWebhook(ctx, f.signWebhook(body, "tx-3", now), body); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("delivery for another webhook id: %v, want ErrInvalidSignature", err)
	}
	if got := len(f.seen("POST", "/verify-webhook-signature")) - verifiesBefore; got != 3 {
		t.Errorf("%d verification requests for the three forgeries, want 3", got)
	}

	// Refused before asking PayPal.
	verifiesBefore = len(f.seen("POST", "/verify-webhook-signature"))
	for name, offset := range map[string]time.Duration{"stale": -6 * time.Minute, "future": 6 * time.Minute} {
		if _, err := p.ParseWebhook(ctx, f.signWebhook(body, "tx-"+name, now.Add(offset)), body); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("%s transmission time: %v, want ErrInvalidSignature", name, err)
		}
	}
	for _, name := range []string{HeaderPayPalTransmissionID, HeaderPayPalTransmissionTime, HeaderPayPalTransmissionSig, HeaderPayPalCertURL, HeaderPayPalAuthAlgo} {
		h := f.signWebhook(body, "tx-missing", now)
		h.Del(name)
		if _, err := p.ParseWebhook(ctx, h, body); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("without %s: %v, want ErrInvalidSignature", name, err)
		}
	}
	badTime := f.signWebhook(body, "tx-badtime", now)
	badTime.Set("PAYPAL-TRANSMISSION-TIME", "yesterday")
	if _, err := p.ParseWebhook(ctx, badTime, body); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("unparseable time: %v", err)
	}
	if _, err := p.ParseWebhook(ctx, f.signWebhook([]byte("not json"), "tx-nj", now), []byte("not json")); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("non-JSON body: %v", err)
	}
	if got := len(f.seen("POST", "/verify-webhook-signature")) - verifiesBefore; got != 0 {
		t.Errorf("%d verification requests for deliveries refused locally, want 0", got)
	}
}

func TestPayPalWebhookWhilePayPalIsDown(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	body := []byte(paypalEventBodies["CHECKOUT.ORDER.APPROVED"])
	f.fail("POST", "/verify-webhook-signature", 1)
	_, err := p.ParseWebhook(context.Background(), f.signWebhook(body, "tx-down", time.Now()), body)
	if !IsTemporary(err) || errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("error = %v, want temporary (answer 503 so PayPal delivers again)", err)
	}
}

func TestPayPalWebhookSignedButUnusable(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	for name, body := range map[string]string{
		"no id":          `{"event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "C1", "amount": {"currency_code": "USD", "value": "1.00"}}}`,
		"bad amount":     `{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "C1", "amount": {"currency_code": "USD", "value": "1.001"}}}`,
		"no resource id": `{"id": "WH-2", "event_type": "PAYMENT.CAPTURE.DENIED", "resource": {"amount": {"currency_code": "USD", "value": "1.00"}}}`,
		"resource array": `{"id": "WH-3", "event_type": "PAYMENT.CAPTURE.REFUNDED", "resource": []}`,
	} {
		_, err := p.ParseWebhook(context.Background(), f.signWebhook([]byte(body), "tx", time.Now()), []byte(body))
		if err == nil || errors.Is(err, ErrInvalidSignature) || IsTemporary(err) {
			t.Errorf("%s: error = %v, want a parse error (400)", name, err)
		}
	}
}
