package payments

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestStripe(t *testing.T, baseURL, key string, retries int64) *Stripe {
	t.Helper()
	s, err := NewStripe(StripeConfig{SecretKey: key, WebhookSecret: "whsec_test", APIURL: baseURL, MaxNetworkRetries: &retries}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stripeAgainstFake is a Stripe gateway talking to a fresh fake, with no retries.
func stripeAgainstFake(t *testing.T) (*Stripe, *fakeStripe) {
	t.Helper()
	f, srv := newFakeStripe(t)
	return newTestStripe(t, srv.URL, f.key, 0), f
}

func wantDeclined(t *testing.T, err error, code string) *DeclinedError {
	t.Helper()
	var d *DeclinedError
	if !errors.As(err, &d) {
		t.Fatalf("error = %v (%T), want a *DeclinedError %s", err, err, code)
	}
	if d.Code != code {
		t.Fatalf("decline code = %s (%s), want %s", d.Code, d.Reason, code)
	}
	if IsTemporary(err) {
		t.Fatalf("a decline must not be retryable: %v", err)
	}
	return d
}

func TestStripeVerifySucceeded(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	f.addIntent(fakeIntent{ID: "pi_paid", Status: "succeeded", Amount: 1999, Currency: "usd", Fingerprint: "Xt5EWLLDS7FJjR1c"})

	p, err := s.Verify(context.Background(), "pi_paid", Money{1999, "USD"})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if p.Status != StatusCaptured || p.Amount != (Money{1999, "USD"}) || p.ProviderStatus != "succeeded" {
		t.Errorf("payment = %+v", p)
	}
	if p.Fingerprint != "Xt5EWLLDS7FJjR1c" || p.TransactionID != "ch_paid" {
		t.Errorf("card fingerprint %q / charge %q not taken from the expanded latest_charge", p.Fingerprint, p.TransactionID)
	}
	gets := f.seen("GET", "/v1/payment_intents/pi_paid")
	if len(gets) != 1 || gets[0].Form.Get("expand[0]") != "latest_charge" {
		t.Errorf("retrieve requests = %+v, want one expanding latest_charge", gets)
	}
}

func TestStripeAuthorizedThenCapture(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_auth", Status: "requires_capture", Amount: 4500, Currency: "eur"})
	total := Money{4500, "EUR"}

	p, err := s.Verify(ctx, "pi_auth", total)
	if err != nil || p.Status != StatusAuthorized {
		t.Fatalf("Verify = %+v, %v; want authorized", p, err)
	}
	p, err = s.Capture(ctx, "pi_auth", total, "capture-ord_1")
	if err != nil || p.Status != StatusCaptured || p.Amount != total {
		t.Fatalf("Capture = %+v, %v", p, err)
	}
	if got := f.intent("pi_auth"); got.Status != "succeeded" || got.Received != 4500 {
		t.Errorf("fake intent after capture = %+v", got)
	}
	posts := f.seen("POST", "/capture")
	if len(posts) != 1 || posts[0].IdempotencyKey != "capture-ord_1" || posts[0].Form.Get("amount_to_capture") != "4500" {
		t.Fatalf("capture requests = %+v", posts)
	}

	// The checkout retries after a lost answer: no second capture, same result.
	p, err = s.Capture(ctx, "pi_auth", total, "capture-ord_1")
	if err != nil || p.Status != StatusCaptured {
		t.Fatalf("second Capture = %+v, %v", p, err)
	}
	if n := len(f.seen("POST", "/capture")); n != 1 {
		t.Errorf("%d capture requests, want 1", n)
	}
	// Verify after capture still matches the order.
	if _, err := s.Verify(ctx, "pi_auth", total); err != nil {
		t.Errorf("Verify after capture: %v", err)
	}
	// Capturing again for another amount is a mismatch, not a silent success.
	_, err = s.Capture(ctx, "pi_auth", Money{4000, "EUR"}, "capture-ord_1-b")
	wantDeclined(t, err, CodeAmountMismatch)
}

func TestStripePartialCaptureAndOverCapture(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_part", Status: "requires_capture", Amount: 3000, Currency: "usd"})
	f.addIntent(fakeIntent{ID: "pi_over", Status: "requires_capture", Amount: 3000, Currency: "usd"})

	_, err := s.Capture(ctx, "pi_over", Money{3001, "USD"}, "k-over")
	wantDeclined(t, err, CodeAmountMismatch)
	if n := len(f.seen("POST", "/capture")); n != 0 {
		t.Errorf("an over-capture reached Stripe (%d requests)", n)
	}
	p, err := s.Capture(ctx, "pi_part", Money{2500, "USD"}, "k-part")
	if err != nil || p.Amount != (Money{2500, "USD"}) {
		t.Fatalf("partial Capture = %+v, %v", p, err)
	}
}

func TestStripeMismatches(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_usd", Status: "succeeded", Amount: 1999, Currency: "usd"})
	f.addIntent(fakeIntent{ID: "pi_eur", Status: "succeeded", Amount: 1999, Currency: "eur"})

	p, err := s.Verify(ctx, "pi_usd", Money{2999, "USD"})
	d := wantDeclined(t, err, CodeAmountMismatch)
	if !strings.Contains(d.Reason, "19.99 USD") || !strings.Contains(d.Reason, "29.99 USD") {
		t.Errorf("reason %q should name both amounts", d.Reason)
	}
	if p.Fingerprint == "" || p.Status != StatusCaptured {
		t.Errorf("a mismatched payment should still be described (fingerprint for velocity): %+v", p)
	}
	_, err = s.Verify(ctx, "pi_eur", Money{1999, "USD"})
	wantDeclined(t, err, CodeCurrencyMismatch)
	_, err = s.Capture(ctx, "pi_eur", Money{1999, "USD"}, "k1")
	wantDeclined(t, err, CodeCurrencyMismatch)
	_, err = s.Refund(ctx, "pi_eur", Money{1999, "USD"}, "k2")
	wantDeclined(t, err, CodeCurrencyMismatch)
	if n := len(f.seen("POST", "")); n != 0 {
		t.Errorf("%d POSTs reached Stripe for mismatched currencies", n)
	}
}

func TestStripeUnpaidStates(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_declined", Status: "requires_payment_method", Amount: 1999, Currency: "usd",
		ErrCode: "card_declined", DeclineCode: "insufficient_funds", ErrMessage: "Your card has insufficient funds."})
	f.addIntent(fakeIntent{ID: "pi_fresh", Status: "requires_payment_method", Amount: 1999, Currency: "usd"})
	f.addIntent(fakeIntent{ID: "pi_3ds", Status: "requires_action", Amount: 1999, Currency: "usd"})
	f.addIntent(fakeIntent{ID: "pi_processing", Status: "processing", Amount: 1999, Currency: "usd"})
	f.addIntent(fakeIntent{ID: "pi_canceled", Status: "canceled", Amount: 1999, Currency: "usd", CancellationReason: "abandoned"})
	total := Money{1999, "USD"}

	for id, want := range map[string]Status{"pi_declined": StatusFailed, "pi_fresh": StatusPending,
		"pi_3ds": StatusPending, "pi_processing": StatusPending, "pi_canceled": StatusFailed} {
		p, err := s.Verify(ctx, id, total)
		d := wantDeclined(t, err, CodeNotPaid)
		if p.Status != want {
			t.Errorf("%s: status %s, want %s", id, p.Status, want)
		}
		if id == "pi_declined" && (!strings.Contains(d.Reason, "insufficient_funds") || p.Fingerprint == "") {
			t.Errorf("%s: reason %q fingerprint %q: the decline should say why and which card", id, d.Reason, p.Fingerprint)
		}
		if id == "pi_canceled" && !strings.Contains(d.Reason, "abandoned") {
			t.Errorf("%s: reason %q", id, d.Reason)
		}
	}
	_, err := s.Capture(ctx, "pi_canceled", total, "k")
	wantDeclined(t, err, CodeNotPaid)
}

func TestStripeUnknownIntentAndBadReference(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	_, err := s.Verify(ctx, "pi_nothere", Money{100, "USD"})
	d := wantDeclined(t, err, CodeNotFound)
	if !strings.Contains(d.Reason, "pi_nothere") {
		t.Errorf("reason %q", d.Reason)
	}
	for _, ref := range []string{"", "ch_123", "pi_1/../../v1/refunds", "pi_1?expand=x", "seti_1"} {
		_, err := s.Verify(ctx, ref, Money{100, "USD"})
		wantDeclined(t, err, CodeNotFound)
	}
	if n := len(f.seen("GET", "")); n != 1 {
		t.Errorf("%d requests reached Stripe, want only the one for pi_nothere", n)
	}
}

func TestStripeServerErrorThenSuccess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("Stripe's 500 is temporary and a second call with the same key succeeds", func(t *testing.T) {
		t.Parallel()
		s, f := stripeAgainstFake(t)
		f.addIntent(fakeIntent{ID: "pi_5xx", Status: "requires_capture", Amount: 1000, Currency: "usd"})
		f.fail("GET", "", 1, false)
		_, err := s.Verify(ctx, "pi_5xx", Money{1000, "USD"})
		var te *TemporaryError
		if !errors.As(err, &te) || te.StatusCode != 500 || IsDeclined(err) {
			t.Fatalf("error = %v, want a TemporaryError with HTTP 500", err)
		}
		if _, err := s.Verify(ctx, "pi_5xx", Money{1000, "USD"}); err != nil {
			t.Fatalf("second Verify: %v", err)
		}
		f.fail("POST", "/capture", 1, false)
		if _, err := s.Capture(ctx, "pi_5xx", Money{1000, "USD"}, "cap-5xx"); !IsTemporary(err) {
			t.Fatalf("Capture during a 500 = %v, want temporary", err)
		}
		p, err := s.Capture(ctx, "pi_5xx", Money{1000, "USD"}, "cap-5xx")
		if err != nil || p.Status != StatusCaptured {
			t.Fatalf("Capture retried = %+v, %v", p, err)
		}
		posts := f.seen("POST", "/capture")
		if len(posts) != 2 || posts[0].IdempotencyKey != "cap-5xx" || posts[1].IdempotencyKey != "cap-5xx" {
			t.Errorf("capture attempts %+v, want two with key cap-5xx", posts)
		}
		if got := f.intent("pi_5xx"); got.Status != "succeeded" || got.Received != 1000 {
			t.Errorf("intent after capture = %+v", got)
		}
	})
	t.Run("stripe-go retries a proxy's 503 itself, with the same idempotency key", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakeStripe(t)
		s := newTestStripe(t, srv.URL, f.key, 1)
		f.addIntent(fakeIntent{ID: "pi_retry", Status: "requires_capture", Amount: 1000, Currency: "usd"})
		f.fail("POST", "/capture", 1, true)
		p, err := s.Capture(ctx, "pi_retry", Money{1000, "USD"}, "cap-retry")
		if err != nil || p.Status != StatusCaptured {
			t.Fatalf("Capture after one 503 = %+v, %v", p, err)
		}
		posts := f.seen("POST", "/capture")
		if len(posts) != 2 || posts[0].IdempotencyKey != "cap-retry" || posts[1].IdempotencyKey != "cap-retry" {
			t.Errorf("capture attempts %+v, want two with key cap-retry", posts)
		}
	})
	t.Run("unreachable server is temporary", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		s := newTestStripe(t, url, "sk_test_x", 0)
		_, err := s.Verify(ctx, "pi_1", Money{1000, "USD"})
		if !IsTemporary(err) {
			t.Fatalf("error = %v, want temporary", err)
		}
	})
	t.Run("non-JSON 502 from a proxy is temporary", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}))
		t.Cleanup(srv.Close)
		s := newTestStripe(t, srv.URL, "sk_test_x", 0)
		if _, err := s.Verify(ctx, "pi_1", Money{1000, "USD"}); !IsTemporary(err) {
			t.Fatalf("error = %v, want temporary", err)
		}
	})
}

func TestStripeWrongKeyIsNeitherDeclineNorTemporary(t *testing.T) {
	t.Parallel()
	f, srv := newFakeStripe(t)
	f.addIntent(fakeIntent{ID: "pi_1", Status: "succeeded", Amount: 1000, Currency: "usd"})
	s := newTestStripe(t, srv.URL, "sk_test_wrong", 0)
	_, err := s.Verify(context.Background(), "pi_1", Money{1000, "USD"})
	if err == nil || IsDeclined(err) || IsTemporary(err) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("error = %v; a bad key is a setup problem, not the customer's decline", err)
	}
}

func TestStripeRefund(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_ref", Status: "succeeded", Amount: 5000, Currency: "usd"})

	p, err := s.Refund(ctx, "pi_ref", Money{2000, "USD"}, "refund-1")
	if err != nil || p.Status != StatusRefunded || p.Amount != (Money{2000, "USD"}) || !strings.HasPrefix(p.RefundID, "re_") {
		t.Fatalf("Refund = %+v, %v", p, err)
	}
	// A retry with the same key is replayed by Stripe, not refunded twice.
	p2, err := s.Refund(ctx, "pi_ref", Money{2000, "USD"}, "refund-1")
	if err != nil || p2.RefundID != p.RefundID {
		t.Fatalf("replayed Refund = %+v, %v; want refund %s again", p2, err, p.RefundID)
	}
	if got := f.intent("pi_ref").Refunded; got != 2000 {
		t.Errorf("refunded %d, want 2000", got)
	}
	// More than is left is refused.
	_, err = s.Refund(ctx, "pi_ref", Money{3001, "USD"}, "refund-2")
	wantDeclined(t, err, CodeDeclined)
	// Verify of a refunded payment fails: it must not pay for a new order.
	_, err = s.Verify(ctx, "pi_ref", Money{5000, "USD"})
	wantDeclined(t, err, CodeRefunded)
	posts := f.seen("POST", "/v1/refunds")
	if posts[0].Form.Get("payment_intent") != "pi_ref" || posts[0].Form.Get("amount") != "2000" || posts[0].IdempotencyKey != "refund-1" {
		t.Errorf("refund request = %+v", posts[0])
	}
}

func TestStripeRefundOfAuthorizationCancelsIt(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_hold", Status: "requires_capture", Amount: 5000, Currency: "usd"})
	f.addIntent(fakeIntent{ID: "pi_hold2", Status: "requires_capture", Amount: 5000, Currency: "usd"})

	p, err := s.Refund(ctx, "pi_hold", Money{5000, "USD"}, "cancel-1")
	if err != nil || p.Status != StatusRefunded || p.ProviderStatus != "canceled" {
		t.Fatalf("Refund of an authorisation = %+v, %v", p, err)
	}
	if got := f.intent("pi_hold"); got.Status != "canceled" || got.CancellationReason != "requested_by_customer" {
		t.Errorf("intent = %+v, want cancelled (hold released)", got)
	}
	if _, err := s.Refund(ctx, "pi_hold2", Money{1000, "USD"}, "cancel-2"); err == nil || IsDeclined(err) {
		t.Errorf("partial refund of an authorisation: %v, want a caller error (capture less instead)", err)
	}
	if len(f.seen("POST", "/v1/refunds")) != 0 {
		t.Error("a refund was created for an uncaptured payment")
	}
}

func TestStripeZeroDecimalAndSpecialCurrencies(t *testing.T) {
	t.Parallel()
	s, f := stripeAgainstFake(t)
	ctx := context.Background()
	f.addIntent(fakeIntent{ID: "pi_jpy", Status: "succeeded", Amount: 5000, Currency: "jpy"})
	f.addIntent(fakeIntent{ID: "pi_isk", Status: "requires_capture", Amount: 500000, Currency: "isk"})
	f.addIntent(fakeIntent{ID: "pi_kwd", Status: "succeeded", Amount: 5120, Currency: "kwd"})

	if _, err := s.Verify(ctx, "pi_jpy", Money{5000, "JPY"}); err != nil {
		t.Errorf("JPY 5000: %v", err)
	}
	if _, err := s.Verify(ctx, "pi_kwd", Money{5120, "KWD"}); err != nil {
		t.Errorf("KWD 5.120: %v", err)
	}
	// ISK: 5000 krónur are 5000 ISO minor units and 500000 at Stripe.
	if _, err := s.Verify(ctx, "pi_isk", Money{5000, "ISK"}); err != nil {
		t.Errorf("ISK 5000: %v", err)
	}
	if _, err := s.Capture(ctx, "pi_isk", Money{5000, "ISK"}, "k-isk"); err != nil {
		t.Fatal(err)
	}
	if got := f.seen("POST", "/capture")[0].Form.Get("amount_to_capture"); got != "500000" {
		t.Errorf("ISK amount_to_capture = %s, want 500000 (Stripe's two-decimal ISK)", got)
	}
}

func TestStripeCaptureNeedsIdempotencyKey(t *testing.T) {
	t.Parallel()
	s, _ := stripeAgainstFake(t)
	if _, err := s.Capture(context.Background(), "pi_1", Money{100, "USD"}, ""); err == nil {
		t.Error("capture without an idempotency key was sent")
	}
	if _, err := s.Refund(context.Background(), "pi_1", Money{100, "USD"}, ""); err == nil {
		t.Error("refund without an idempotency key was sent")
	}
}
