package payments

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func paypalAgainstFake(t *testing.T) (*PayPal, *fakePayPal) {
	t.Helper()
	f := newFakePayPal(t)
	p, err := NewPayPal(f.config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

func TestPayPalVerifyApprovedAndCompleted(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "5O190127TN364715T", Status: "APPROVED", Currency: "USD", Value: "19.99"})
	f.addOrder(fakeOrder{ID: "8MC585209K746392H", Status: "COMPLETED", Currency: "EUR", Value: "100.00"})

	pay, err := p.Verify(ctx, "5O190127TN364715T", Money{1999, "USD"})
	if err != nil || pay.Status != StatusAuthorized || pay.Amount != (Money{1999, "USD"}) || pay.Fingerprint != "PAYER5O190127TN364715T" {
		t.Fatalf("Verify approved = %+v, %v", pay, err)
	}
	pay, err = p.Verify(ctx, "8MC585209K746392H", Money{10000, "EUR"})
	if err != nil || pay.Status != StatusCaptured || pay.TransactionID != "CAP8MC585209K746392H" {
		t.Fatalf("Verify completed = %+v, %v", pay, err)
	}
	if n := f.tokenCount(); n != 1 {
		t.Errorf("%d token requests for two calls, want 1 (cached)", n)
	}
}

func TestPayPalMismatchesAndUnpaidStates(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "ORD-USD", Status: "APPROVED", Currency: "USD", Value: "19.99"})
	f.addOrder(fakeOrder{ID: "ORD-CREATED", Status: "CREATED", Currency: "USD", Value: "19.99"})
	f.addOrder(fakeOrder{ID: "ORD-ACTION", Status: "PAYER_ACTION_REQUIRED", Currency: "USD", Value: "19.99"})
	f.addOrder(fakeOrder{ID: "ORD-VOIDED", Status: "VOIDED", Currency: "USD", Value: "19.99"})
	f.addOrder(fakeOrder{ID: "ORD-AUTH", Status: "APPROVED", Intent: "AUTHORIZE", Currency: "USD", Value: "19.99"})
	f.addOrder(fakeOrder{ID: "ORD-DENIED", Status: "COMPLETED", Currency: "USD", Value: "19.99",
		Captures: []*fakeCapture{{ID: "CAPD", Status: "DECLINED", Currency: "USD", Value: "19.99"}}})

	_, err := p.Verify(ctx, "ORD-USD", Money{1998, "USD"})
	wantDeclined(t, err, CodeAmountMismatch)
	_, err = p.Verify(ctx, "ORD-USD", Money{1999, "EUR"})
	wantDeclined(t, err, CodeCurrencyMismatch)
	for _, id := range []string{"ORD-CREATED", "ORD-ACTION", "ORD-VOIDED", "ORD-AUTH", "ORD-DENIED"} {
		pay, err := p.Verify(ctx, id, Money{1999, "USD"})
		d := wantDeclined(t, err, CodeNotPaid)
		if id == "ORD-DENIED" && (pay.Status != StatusFailed || !strings.Contains(d.Reason, "DECLINED_BY_RISK_FRAUD_FILTERS")) {
			t.Errorf("%s: %+v, %q", id, pay, d.Reason)
		}
		if id == "ORD-AUTH" && !strings.Contains(d.Reason, "intent CAPTURE") {
			t.Errorf("%s: reason %q should tell the storefront to use intent CAPTURE", id, d.Reason)
		}
	}
	_, err = p.Verify(ctx, "ORD-NOPE", Money{1999, "USD"})
	wantDeclined(t, err, CodeNotFound)
	_, err = p.Verify(ctx, "../v1/oauth2/token", Money{1999, "USD"})
	wantDeclined(t, err, CodeNotFound)
}

func TestPayPalZeroDecimalCurrencies(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "ORD-JPY", Status: "COMPLETED", Currency: "JPY", Value: "1500"})
	f.addOrder(fakeOrder{ID: "ORD-HUF", Status: "COMPLETED", Currency: "HUF", Value: "12000"})

	if _, err := p.Verify(ctx, "ORD-JPY", Money{1500, "JPY"}); err != nil {
		t.Errorf("JPY: %v", err)
	}
	// 12000 forint at PayPal are 1200000 ISO minor units.
	if _, err := p.Verify(ctx, "ORD-HUF", Money{1200000, "HUF"}); err != nil {
		t.Errorf("HUF: %v", err)
	}
	pay, err := p.Refund(ctx, "ORD-JPY", Money{500, "JPY"}, "rf-jpy")
	if err != nil || pay.Status != StatusRefunded {
		t.Fatalf("JPY refund = %+v, %v", pay, err)
	}
	if _, err := p.Refund(ctx, "ORD-HUF", Money{250000, "HUF"}, "rf-huf"); err != nil {
		t.Fatalf("HUF refund: %v", err)
	}
	bodies := f.seen("POST", "/refund")
	if !strings.Contains(bodies[0].Body, `"value":"500"`) || !strings.Contains(bodies[1].Body, `"value":"2500"`) {
		t.Errorf("refund bodies %q / %q: want whole yen and forint", bodies[0].Body, bodies[1].Body)
	}
	// Half a forint can't be sent to PayPal: refused before any request.
	if _, err := p.Refund(ctx, "ORD-HUF", Money{250050, "HUF"}, "rf-huf-2"); err == nil {
		t.Error("a fractional HUF refund was accepted")
	}
	if n := len(f.seen("POST", "/refund")); n != 2 {
		t.Errorf("%d refund requests, want 2", n)
	}
}

func TestPayPalCapture(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "ORD-CAP", Status: "APPROVED", Currency: "USD", Value: "45.00"})
	total := Money{4500, "USD"}

	pay, err := p.Capture(ctx, "ORD-CAP", total, "capture-ord_7")
	if err != nil || pay.Status != StatusCaptured || !strings.HasPrefix(pay.TransactionID, "CAP") {
		t.Fatalf("Capture = %+v, %v", pay, err)
	}
	posts := f.seen("POST", "/capture")
	if len(posts) != 1 || posts[0].RequestID != "capture-ord_7" || posts[0].Body != "{}" {
		t.Fatalf("capture requests = %+v", posts)
	}
	// Again (a retry after a lost answer): nothing new at PayPal, same capture.
	again, err := p.Capture(ctx, "ORD-CAP", total, "capture-ord_7")
	if err != nil || again.TransactionID != pay.TransactionID {
		t.Fatalf("second Capture = %+v, %v", again, err)
	}
	if n := len(f.seen("POST", "/capture")); n != 1 {
		t.Errorf("%d capture requests, want 1", n)
	}
	if got := f.order("ORD-CAP"); len(got.Captures) != 1 {
		t.Errorf("order has %d captures, want 1", len(got.Captures))
	}
	_, err = p.Capture(ctx, "ORD-CAP", Money{4000, "USD"}, "capture-other")
	wantDeclined(t, err, CodeAmountMismatch)
}

func TestPayPalCaptureAnswerLostThenRetried(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "ORD-LOST", Status: "APPROVED", Currency: "USD", Value: "10.00"})
	f.failAfterWork("/capture", 1)

	_, err := p.Capture(ctx, "ORD-LOST", Money{1000, "USD"}, "cap-lost")
	var te *TemporaryError
	if !errors.As(err, &te) || te.StatusCode != 500 {
		t.Fatalf("Capture whose answer was lost = %v, want a TemporaryError", err)
	}
	pay, err := p.Capture(ctx, "ORD-LOST", Money{1000, "USD"}, "cap-lost")
	if err != nil || pay.Status != StatusCaptured {
		t.Fatalf("retried Capture = %+v, %v", pay, err)
	}
	if got := f.order("ORD-LOST"); len(got.Captures) != 1 {
		t.Errorf("order captured %d times, want once", len(got.Captures))
	}
	// The same PayPal-Request-Id sent again is answered from PayPal's memory.
	o, err := p.capture(ctx, "ORD-LOST", "cap-lost")
	if err != nil || o.Status != "COMPLETED" || len(o.captures()) != 1 {
		t.Fatalf("replayed capture = %+v, %v", o, err)
	}
}

func TestPayPalCaptureRefusals(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "ORD-INSTR", Status: "APPROVED", Currency: "USD", Value: "10.00", CaptureOutcome: "INSTRUMENT_DECLINED"})
	f.addOrder(fakeOrder{ID: "ORD-RISK", Status: "APPROVED", Currency: "USD", Value: "10.00", CaptureOutcome: "DECLINED"})
	f.addOrder(fakeOrder{ID: "ORD-ECHECK", Status: "APPROVED", Currency: "USD", Value: "10.00", CaptureOutcome: "PENDING"})
	f.addOrder(fakeOrder{ID: "ORD-NEW", Status: "CREATED", Currency: "USD", Value: "10.00"})
	ten := Money{1000, "USD"}

	_, err := p.Capture(ctx, "ORD-INSTR", ten, "k1")
	d := wantDeclined(t, err, CodeDeclined)
	if !strings.Contains(d.Reason, "INSTRUMENT_DECLINED") {
		t.Errorf("reason %q", d.Reason)
	}
	pay, err := p.Capture(ctx, "ORD-RISK", ten, "k2")
	wantDeclined(t, err, CodeDeclined)
	if pay.Status != StatusFailed {
		t.Errorf("declined capture status %s", pay.Status)
	}
	pay, err = p.Capture(ctx, "ORD-ECHECK", ten, "k3")
	if err != nil || pay.Status != StatusPending {
		t.Errorf("pending capture = %+v, %v; want pending, no error (money follows by webhook)", pay, err)
	}
	_, err = p.Capture(ctx, "ORD-NEW", ten, "k4")
	wantDeclined(t, err, CodeNotPaid)
	if n := len(f.seen("POST", "ORD-NEW/capture")); n != 0 {
		t.Error("an unapproved order was sent for capture")
	}
}

func TestPayPalRefund(t *testing.T) {
	t.Parallel()
	p, f := paypalAgainstFake(t)
	ctx := context.Background()
	f.addOrder(fakeOrder{ID: "ORD-RF", Status: "COMPLETED", Currency: "USD", Value: "30.00"})
	f.addOrder(fakeOrder{ID: "ORD-APPR", Status: "APPROVED", Currency: "USD", Value: "30.00"})

	pay, err := p.Refund(ctx, "ORD-RF", Money{500, "USD"}, "refund-1")
	if err != nil || pay.Status != StatusRefunded || pay.Amount != (Money{500, "USD"}) || pay.RefundID == "" || pay.TransactionID != "CAPORD-RF" {
		t.Fatalf("Refund = %+v, %v", pay, err)
	}
	req := f.seen("POST", "/v2/payments/captures/CAPORD-RF/refund")
	if len(req) != 1 || req[0].RequestID != "refund-1" || req[0].Body != `{"amount":{"currency_code":"USD","value":"5.00"}}` {
		t.Fatalf("refund request = %+v", req)
	}
	again, err := p.Refund(ctx, "ORD-RF", Money{500, "USD"}, "refund-1")
	if err != nil || again.RefundID != pay.RefundID {
		t.Fatalf("replayed Refund = %+v, %v; want the same refund", again, err)
	}
	_, err = p.Refund(ctx, "ORD-RF", Money{2501, "USD"}, "refund-2")
	d := wantDeclined(t, err, CodeDeclined)
	if !strings.Contains(d.Reason, "REFUND_AMOUNT_EXCEEDED") {
		t.Errorf("reason %q", d.Reason)
	}
	// Verify refuses an order that was partly refunded.
	_, err = p.Verify(ctx, "ORD-RF", Money{3000, "USD"})
	wantDeclined(t, err, CodeRefunded)

	// Nothing was captured: nothing to give back, and nothing is sent.
	pay, err = p.Refund(ctx, "ORD-APPR", Money{3000, "USD"}, "refund-3")
	if err != nil || pay.Status != StatusRefunded {
		t.Fatalf("Refund of an uncaptured order = %+v, %v", pay, err)
	}
	if len(f.seen("POST", "/refund")) != 3 {
		t.Error("an uncaptured order was sent a refund")
	}
}

func TestPayPalTokenCachedSharedAndRenewed(t *testing.T) {
	t.Parallel()
	f := newFakePayPal(t)
	p, err := NewPayPal(f.config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var clockMu sync.Mutex
	now := time.Now()
	p.now = func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	f.addOrder(fakeOrder{ID: "ORD-TOK", Status: "APPROVED", Currency: "USD", Value: "1.00"})
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Verify(ctx, "ORD-TOK", Money{100, "USD"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokenCount(); n != 1 {
		t.Fatalf("20 concurrent calls fetched %d tokens, want 1", n)
	}

	// PayPal's token lives 32400 s; renewed a minute before that.
	clockMu.Lock()
	now = now.Add(32400*time.Second - 59*time.Second)
	clockMu.Unlock()
	if _, err := p.Verify(ctx, "ORD-TOK", Money{100, "USD"}); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenCount(); n != 2 {
		t.Errorf("%d token requests after expiry, want 2", n)
	}

	// PayPal revokes it early: one 401, a new token, and the call goes through.
	f.revokeTokens()
	if _, err := p.Verify(ctx, "ORD-TOK", Money{100, "USD"}); err != nil {
		t.Fatalf("call after revoked token: %v", err)
	}
	if n := f.tokenCount(); n != 3 {
		t.Errorf("%d token requests after revocation, want 3", n)
	}
	gets := f.seen("GET", "/ORD-TOK")
	if len(gets) != 23 {
		t.Errorf("%d GETs, want 23 (20 + 1 + a 401 and its retry)", len(gets))
	}
}

func TestPayPalBadCredentialsAndOutages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("wrong secret is a setup error", func(t *testing.T) {
		t.Parallel()
		f := newFakePayPal(t)
		cfg := f.config()
		cfg.ClientSecret = "wrong"
		p, _ := NewPayPal(cfg, nil)
		_, err := p.Verify(ctx, "ORD-1", Money{100, "USD"})
		if err == nil || IsDeclined(err) || IsTemporary(err) || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("5xx is temporary, then it works", func(t *testing.T) {
		t.Parallel()
		p, f := paypalAgainstFake(t)
		f.addOrder(fakeOrder{ID: "ORD-5XX", Status: "APPROVED", Currency: "USD", Value: "1.00"})
		f.fail("GET", "/ORD-5XX", 1)
		_, err := p.Verify(ctx, "ORD-5XX", Money{100, "USD"})
		var te *TemporaryError
		if !errors.As(err, &te) || te.StatusCode != 500 || IsDeclined(err) {
			t.Fatalf("error = %v, want temporary", err)
		}
		if _, err := p.Verify(ctx, "ORD-5XX", Money{100, "USD"}); err != nil {
			t.Fatalf("after the outage: %v", err)
		}
	})
	t.Run("token endpoint down is temporary", func(t *testing.T) {
		t.Parallel()
		p, f := paypalAgainstFake(t)
		f.fail("POST", "/v1/oauth2/token", 1)
		if _, err := p.Verify(ctx, "ORD-1", Money{100, "USD"}); !IsTemporary(err) {
			t.Fatalf("error = %v, want temporary", err)
		}
	})
	t.Run("unreachable is temporary", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		p, _ := NewPayPal(PayPalConfig{ClientID: "a", ClientSecret: "b", WebhookID: "W", Environment: "sandbox", APIURL: srv.URL}, nil)
		if _, err := p.Verify(ctx, "ORD-1", Money{100, "USD"}); !IsTemporary(err) {
			t.Fatalf("error = %v, want temporary", err)
		}
	})
}
