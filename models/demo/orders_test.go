package demo_test

import (
	"context"
	"testing"

	"dropship/models"
	"dropship/models/dbtest"
	"dropship/models/demo"
)

func TestSeedOrdersFillsTheQueuesOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if _, err := demo.Seed(ctx, db, box); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedOrders(ctx, db)
	if err != nil || n != 48 {
		t.Fatalf("placed %d orders (%v), want 48", n, err)
	}
	q, _ := models.OrderQueueCounts(ctx, db)
	if q[models.QueueOnHold] != 1 || q[models.QueueAwaitPayment] != 2 || q[models.QueuePaymentFailed] != 1 || q[models.QueueAttention] != 2 {
		t.Errorf("queues %v, want 1 on hold, 2 awaiting payment, 1 failed, 2 needing attention", q)
	}
	var mismatched int64
	db.Raw(`SELECT count(*) FROM variant_stock vs WHERE reserved <> COALESCE((SELECT sum(quantity) FROM reservations r
		WHERE r.variant_id = vs.variant_id AND r.status = 'open'), 0)`).Scan(&mismatched)
	if mismatched != 0 {
		t.Errorf("%d variants whose reserved count disagrees with their reservations", mismatched)
	}
	d, err := models.LoadDashboard(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, day := range d.OrdersByDay {
		total += day.Orders
	}
	if len(d.OrdersByDay) != 14 || total < 40 {
		t.Errorf("chart: %d days, %d orders", len(d.OrdersByDay), total)
	}
	if again, _ := demo.SeedOrders(ctx, db); again != 0 {
		t.Errorf("a second seed placed %d more orders", again)
	}
}
