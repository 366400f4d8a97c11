package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"dropship/models"
	"dropship/models/dbtest"
)

// providerAnswers stands in for the payment providers' capture endpoint (the
// gateways themselves are tested against fakes of Stripe's and PayPal's APIs).
type providerAnswers struct {
	mu    sync.Mutex
	calls map[string]int
	errs  map[string]error
}

func (p *providerAnswers) CapturePayment(_ context.Context, provider, reference string, _ int64, _ string, key string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[key]++
	if err := p.errs[reference]; err != nil {
		return "", err
	}
	return "ch_" + reference, nil
}

var errTemporary = errors.New("provider unreachable")

func TestCapturePaymentsOnceRouted(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	// Authorised orders: one still paid (not routed), one routed, one whose capture is refused, one whose provider is down.
	mk := func(ref string, status models.OrderStatus) int64 {
		var id int64
		err := db.Raw(`INSERT INTO orders (public_id, status, customer_email, ship_country, currency, subtotal_cents, shipping_cents, total_cents,
			payment_provider, payment_reference, payment_status) VALUES (?, ?, 'a@example.com', 'US', 'USD', 1000, 0, 1000, 'stripe', ?, 'authorized')
			RETURNING id`, "ord_"+ref, status, ref).Scan(&id).Error
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	waiting := mk("pi_wait", models.OrderPaid)
	routed := mk("pi_go", models.OrderRouted)
	refused := mk("pi_no", models.OrderSentToSupplier)
	down := mk("pi_down", models.OrderRouted)
	prov := &providerAnswers{calls: map[string]int{}, errs: map[string]error{"pi_no": errors.New("charge expired"), "pi_down": errTemporary}}
	job := CapturePayments(db, prov, func(err error) bool { return errors.Is(err, errTemporary) })

	summary, err := job.Run(ctx)
	if err != nil || summary != "3 payments to capture: 1 captured, 1 to retry, 1 refused" {
		t.Fatalf("run: %q %v", summary, err)
	}
	status := func(id int64) (string, string) {
		o, _ := models.GetOrder(ctx, db, id)
		return o.PaymentStatus, o.AttentionReason
	}
	if ps, _ := status(routed); ps != models.PaymentCaptured {
		t.Errorf("routed order: payment %s, want captured", ps)
	}
	if ps, _ := status(waiting); ps != models.PaymentAuthorized {
		t.Errorf("an order not yet routed was captured: %s", ps)
	}
	if _, why := status(refused); why != "capture failed: charge expired" {
		t.Errorf("refused capture: attention %q", why)
	}
	// Next run: only the order whose provider was down is tried again, with the same key.
	if _, err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := prov.calls["capture-ord_pi_go"]; got != 1 {
		t.Errorf("a captured payment was captured %d times", got)
	}
	if got := prov.calls[fmt.Sprintf("capture-ord_%s", "pi_down")]; got != 2 {
		t.Errorf("the unreachable capture was tried %d times, want 2 with one key", got)
	}
	if got := prov.calls["capture-ord_pi_no"]; got != 1 {
		t.Errorf("a refused capture was tried %d times before a person looked, want 1", got)
	}
	if ps, _ := status(down); ps != models.PaymentAuthorized {
		t.Errorf("unreachable provider: payment %s, want still authorized", ps)
	}
}
