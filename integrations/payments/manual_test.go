package payments

import (
	"context"
	"testing"
)

func TestManualGateway(t *testing.T) {
	t.Parallel()
	var g Gateway = Manual{}
	ctx := context.Background()
	total := Money{4598, "EUR"}

	p, err := g.Verify(ctx, "ord_1042", total)
	if err != nil || p.Status != StatusPending || p.Amount != total || p.Provider != ProviderManual {
		t.Fatalf("Verify = %+v, %v; want pending for the order total", p, err)
	}
	p, err = g.Capture(ctx, "ord_1042", total, "cap-1")
	if err != nil || p.Status != StatusCaptured {
		t.Fatalf("Capture = %+v, %v", p, err)
	}
	p, err = g.Refund(ctx, "ord_1042", Money{1000, "EUR"}, "ref-1")
	if err != nil || p.Status != StatusRefundPending || p.Amount.AmountCents != 1000 {
		t.Fatalf("Refund = %+v, %v; want a refund a person still has to pay", p, err)
	}
	for _, bad := range []Money{{0, "EUR"}, {-5, "EUR"}, {100, "eur"}, {100, ""}} {
		if _, err := g.Verify(ctx, "ord_1042", bad); err == nil {
			t.Errorf("Verify accepted %+v", bad)
		}
	}
}
