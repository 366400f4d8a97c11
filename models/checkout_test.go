package models_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

// shop is a small catalog for checkout tests: one product with variants, one
// supplier with an offer per variant.
type shop struct {
	db       *gorm.DB
	settings models.StoreSettings
	product  *models.Product
	variants []*models.Variant
	supplier *models.Supplier
}

// newShop creates a product "Tee" with one variant per stock figure (SKU TEE-0, TEE-1 ...,
// 20.00 USD each) and an offer for each with that quantity.
func newShop(t testing.TB, db *gorm.DB, stock ...int64) *shop {
	t.Helper()
	var ins []models.VariantInput
	for i := range stock {
		ins = append(ins, models.VariantInput{SKU: fmt.Sprintf("TEE-%d", i), PriceCents: 2000, Currency: "USD",
			Options: models.Options{"Size": fmt.Sprintf("S%d", i)}})
	}
	p, vs := mustProduct(t, db, "Tee", []string{"Size"}, ins...)
	s := mustSupplier(t, db, fmt.Sprintf("SUP%d", rand.IntN(1e6)), 0)
	for i, v := range vs {
		mustOffer(t, db, s, v, fmt.Sprintf("X-%d", i), stock[i])
	}
	return &shop{db: db, settings: models.DefaultStoreSettings(), product: p, variants: vs, supplier: s}
}

func (s *shop) request(provider string, lines ...models.CheckoutLine) models.CheckoutRequest {
	r := models.CheckoutRequest{
		Customer:        models.Customer{Email: fmt.Sprintf("c%d@example.com", rand.IntN(1e9)), Name: "Ada"},
		ShipTo:          models.Address{Name: "Ada", Line1: fmt.Sprintf("%d Main St", rand.IntN(1e6)), City: "Springfield", PostalCode: "94107", Country: "US"},
		Lines:           lines,
		PaymentProvider: provider, PaymentReference: "pi_" + fmt.Sprint(rand.IntN(1e9)), NotifyEmail: true,
	}
	if provider == models.ProviderManual {
		r.PaymentReference = ""
	}
	r.Normalize()
	return r
}

func line(sku string, q int) models.CheckoutLine { return models.CheckoutLine{SKU: sku, Quantity: q} }

func TestPlaceOrderReservesAndPrices(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10, 4)
	ctx := context.Background()
	o, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 2), line("TEE-1", 1), line("TEE-0", 1)), models.PlaceOptions{}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != models.OrderPendingPayment || o.Number < 1001 || len(o.PublicID) < 20 {
		t.Errorf("order status %s number %d id %q", o.Status, o.Number, o.PublicID)
	}
	if len(o.Lines) != 2 || o.Lines[0].Quantity != 3 {
		t.Fatalf("lines %+v, want the two TEE-0 lines merged into 3", o.Lines)
	}
	// 4 x 20.00 = 80.00, over the 75.00 free-shipping line.
	if o.SubtotalCents != 8000 || o.ShippingCents != 0 || o.TotalCents != 8000 || o.Currency != "USD" {
		t.Errorf("totals %d + %d = %d %s", o.SubtotalCents, o.ShippingCents, o.TotalCents, o.Currency)
	}
	if got := available(t, db, s.variants[0].ID); got != 7 {
		t.Errorf("TEE-0 available %d, want 10-3 = 7", got)
	}
	if got := available(t, db, s.variants[1].ID); got != 3 {
		t.Errorf("TEE-1 available %d, want 3", got)
	}
	small, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-1", 1)), models.PlaceOptions{}, s.settings)
	if err != nil || small.ShippingCents != 599 || small.TotalCents != 2599 {
		t.Errorf("small order: %v shipping %d total %d, want flat shipping 5.99", err, small.ShippingCents, small.TotalCents)
	}
}

func TestPlaceOrderShortLineReservesNothing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10, 2, 5)
	ctx := context.Background()
	_, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 3), line("TEE-1", 3)), models.PlaceOptions{}, s.settings)
	var short *models.InsufficientStockError
	if !errors.As(err, &short) {
		t.Fatalf("err %v, want insufficient stock", err)
	}
	if len(short.Lines) != 2 || short.Lines[1].SKU != "TEE-1" || short.Lines[1].Requested != 3 || short.Lines[1].Available != 2 {
		t.Errorf("lines %+v", short.Lines)
	}
	// Same product, other sizes in stock, closest price first.
	if alts := short.Lines[1].Alternatives; len(alts) != 2 || !alts[0].SameProduct {
		t.Errorf("alternatives %+v, want TEE-0 and TEE-2", alts)
	}
	if got := available(t, db, s.variants[0].ID); got != 10 {
		t.Errorf("TEE-0 available %d after a refused order, want 10 (nothing held)", got)
	}
	var orders int64
	db.Model(&models.Order{}).Count(&orders)
	if orders != 0 {
		t.Errorf("%d orders written, want none", orders)
	}
}

func TestPlaceOrderRefusesBadSKUs(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10, 10)
	ctx := context.Background()
	if _, err := models.UpdateVariant(ctx, db, nil, s.variants[1].ID, models.VariantInput{SKU: "TEE-1", PriceCents: 2000, Currency: "USD",
		Options: models.Options{"Size": "S1"}, Status: models.VariantArchived}); err != nil {
		t.Fatal(err)
	}
	_, err := models.PlaceOrder(ctx, db, s.request("manual", line("NOPE", 1), line("TEE-1", 1)), models.PlaceOptions{}, s.settings)
	fe := fieldErrors(t, err)
	if fe["lines[0].sku"] != `unknown SKU "NOPE"` || fe["lines[1].sku"] != `SKU "TEE-1" is no longer sold` {
		t.Errorf("field errors %v", fe)
	}
}

func TestCheckoutRequestValidation(t *testing.T) {
	t.Parallel()
	r := models.CheckoutRequest{
		Customer:        models.Customer{Email: "not-an-email", Phone: "555"},
		ShipTo:          models.Address{Country: "XX"},
		Lines:           []models.CheckoutLine{{SKU: "A", Quantity: 0}, {SKU: "B", Quantity: 10001}, {SKU: "", Quantity: 1}},
		PaymentProvider: "bitcoin",
	}
	r.Normalize()
	fe := r.Validate()
	for field, want := range map[string]string{
		"customer.email":    "must be an email address like name@example.com",
		"customer.phone":    "must be a phone number in international form, like +14155550100",
		"ship_to.country":   "must be an ISO 3166-1 alpha-2 country code, like US or DE",
		"ship_to.line1":     "is required",
		"lines[0].quantity": "must be at least 1",
		"lines[1].quantity": "must be at most 10000",
		"lines[2].sku":      "is required",
		"payment.provider":  "must be stripe, paypal or manual",
	} {
		if fe[field] != want {
			t.Errorf("%s: %q, want %q", field, fe[field], want)
		}
	}
}

// TestNoOversellHotSKU: 64 clients on their own connection pools race for one
// variant with 500 sellable: exactly 500 units are sold and the pool ends at 0.
func TestNoOversellHotSKU(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	db := dbtest.Open(t, url)
	s := newShop(t, db, 500)
	ctx := context.Background()
	const clients = 64
	var sold, refused atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		conn := dbtest.Open(t, url) // its own pool: its own connections
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 12; i++ {
				_, err := models.PlaceOrder(ctx, conn, s.request("manual", line("TEE-0", 1)), models.PlaceOptions{}, s.settings)
				var short *models.InsufficientStockError
				switch {
				case err == nil:
					sold.Add(1)
				case errors.As(err, &short):
					refused.Add(1)
				default:
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if sold.Load() != 500 || refused.Load() != clients*12-500 {
		t.Errorf("sold %d refused %d, want 500 and %d", sold.Load(), refused.Load(), clients*12-500)
	}
	p, _ := models.PoolOf(ctx, db, s.variants[0].ID)
	if p.Available != 0 || p.Reserved != 500 {
		t.Errorf("pool %+v, want 500 reserved and 0 available", p)
	}
	var reservedUnits int64
	db.Raw("SELECT COALESCE(sum(quantity), 0) FROM reservations WHERE status = 'open'").Scan(&reservedUnits)
	if reservedUnits != 500 {
		t.Errorf("open reservations hold %d units, want 500", reservedUnits)
	}
}

// TestNoDeadlockManyLines: concurrent multi-line orders over a few variants in
// random line order never deadlock, and the pool's counters match the reservations.
func TestNoDeadlockManyLines(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	db := dbtest.Open(t, url)
	s := newShop(t, db, 40, 40, 40, 40, 40)
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := 0; c < 24; c++ {
		conn := dbtest.Open(t, url)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				var lines []models.CheckoutLine
				for _, k := range rand.Perm(5)[:1+rand.IntN(3)] {
					lines = append(lines, line(fmt.Sprintf("TEE-%d", k), 1+rand.IntN(3)))
				}
				_, err := models.PlaceOrder(ctx, conn, s.request("manual", lines...), models.PlaceOptions{}, s.settings)
				var short *models.InsufficientStockError
				if err != nil && !errors.As(err, &short) {
					t.Error(err) // a deadlock would surface here
				}
			}
		}()
	}
	wg.Wait()
	type row struct {
		VariantID int64
		Reserved  int64
		Held      int64
		Supply    int64
	}
	var rows []row
	db.Raw(`SELECT vs.variant_id, vs.reserved, vs.supply, COALESCE((SELECT sum(quantity) FROM reservations r
		WHERE r.variant_id = vs.variant_id AND r.status = 'open'), 0) AS held FROM variant_stock vs`).Scan(&rows)
	for _, r := range rows {
		if r.Reserved != r.Held || r.Reserved > r.Supply {
			t.Errorf("variant %d: reserved %d, reservations hold %d, supply %d", r.VariantID, r.Reserved, r.Held, r.Supply)
		}
	}
}

func TestApplyPaymentOutcomes(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 20)
	ctx := context.Background()
	place := func() *models.Order {
		o, err := models.PlaceOrder(ctx, db, s.request("stripe", line("TEE-0", 2)), models.PlaceOptions{}, s.settings)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	good := place()
	paid, err := models.ApplyPayment(ctx, db, good.ID, models.PaymentCheck{Status: models.PaymentAuthorized, AmountCents: good.TotalCents, Currency: "USD", CardFingerprint: "fp1"}, s.settings)
	if err != nil || paid.Status != models.OrderPaid || paid.PaymentStatus != models.PaymentAuthorized {
		t.Fatalf("good payment: %v %+v", err, paid)
	}
	var holding int64
	db.Raw("SELECT count(*) FROM reservations WHERE order_id = ? AND status = 'open' AND expires_at IS NOT NULL", good.ID).Scan(&holding)
	if holding != 0 {
		t.Errorf("%d reservations of a paid order still expire", holding)
	}

	wrong := place()
	failed, err := models.ApplyPayment(ctx, db, wrong.ID, models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: 100, Currency: "USD"}, s.settings)
	if err != nil || failed.Status != models.OrderPaymentFailed || failed.AttentionReason == "" {
		t.Fatalf("payment for another amount: %v %+v", err, failed)
	}
	if failed.PaymentFailure != "the payment is for 1.00 USD, the order totals 45.99 USD" {
		t.Errorf("failure reason %q", failed.PaymentFailure)
	}
	if got := available(t, db, s.variants[0].ID); got != 18 {
		t.Errorf("available %d, want 20 - 2 (paid) = 18: the failed order's stock must be back", got)
	}
	var templates []string
	db.Raw("SELECT template FROM notifications WHERE order_id = ? ORDER BY id", wrong.ID).Scan(&templates)
	if len(templates) != 1 || templates[0] != models.TemplatePaymentFailed {
		t.Errorf("customer messages %v, want one payment_failed", templates)
	}
	// The same answer twice changes nothing more.
	again, _ := models.ApplyPayment(ctx, db, wrong.ID, models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: wrong.TotalCents, Currency: "USD"}, s.settings)
	if again.Status != models.OrderPaymentFailed {
		t.Errorf("a late good answer revived a failed order: %s", again.Status)
	}

	// A disposable email and a card from elsewhere score above the threshold: on hold.
	req := s.request("stripe", line("TEE-0", 1))
	req.Customer.Email = "x@mailinator.com"
	risky, err := models.PlaceOrder(ctx, db, req, models.PlaceOptions{}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	held, err := models.ApplyPayment(ctx, db, risky.ID, models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: risky.TotalCents, Currency: "USD", CardCountry: "NG"}, s.settings)
	if err != nil || held.Status != models.OrderOnHold || held.RiskScore != 65 || len(held.RiskReasons) != 2 {
		t.Fatalf("risky order: %v status %s score %d reasons %+v", err, held.Status, held.RiskScore, held.RiskReasons)
	}
}

func TestAssessRisk(t *testing.T) {
	t.Parallel()
	s := models.DefaultStoreSettings()
	in := models.RiskInput{Email: "a@example.com", ShipCountry: "US", TotalCents: 60000, Quantities: []int{1, 12}, CardFingerprint: "fp", CardCountry: "US"}
	score, reasons := models.AssessRisk(in, models.RiskHistory{CardOrders24h: 3}, s)
	codes := map[string]bool{}
	for _, r := range reasons {
		codes[r.Code] = true
	}
	if score != 95 || !codes["first_order_amount"] || !codes["unusual_quantity"] || !codes["velocity_card"] || codes["country_mismatch"] {
		t.Errorf("score %d reasons %+v", score, reasons)
	}
	score, reasons = models.AssessRisk(models.RiskInput{Email: "a@shop.example", ShipCountry: "US", TotalCents: 1000, Quantities: []int{1}},
		models.RiskHistory{PreviousOrders: 4}, s)
	if score != 0 || len(reasons) != 0 {
		t.Errorf("a returning customer's small order scored %d %+v", score, reasons)
	}
	s.DisposableDomains = []string{"burner.test"}
	if score, _ := models.AssessRisk(models.RiskInput{Email: "a@mail.burner.test", Quantities: []int{1}}, models.RiskHistory{PreviousOrders: 1}, s); score != 40 {
		t.Errorf("merchant's disposable domain: score %d, want 40", score)
	}
}

func TestExpireHoldsAndMarkPaid(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 5)
	ctx := context.Background()
	o, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 4)), models.PlaceOptions{}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := models.ExpireHolds(ctx, db, 10); n != 0 {
		t.Fatalf("released %d orders before their hold passed", n)
	}
	db.Exec("UPDATE reservations SET expires_at = now() - interval '1 second' WHERE order_id = ?", o.ID)
	if n, err := models.ExpireHolds(ctx, db, 10); err != nil || n != 1 {
		t.Fatalf("released %d (%v), want 1", n, err)
	}
	if got := available(t, db, s.variants[0].ID); got != 5 {
		t.Fatalf("available %d after the hold expired, want 5", got)
	}
	// Someone else buys 2 meanwhile; then the manual payment arrives.
	if _, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 2)), models.PlaceOptions{}, s.settings); err != nil {
		t.Fatal(err)
	}
	paid, err := models.MarkPaid(ctx, db, ownerUser(t, db), o.ID, "bank transfer 42", s.settings)
	if err != nil {
		t.Fatal(err)
	}
	if paid.Status != models.OrderBackordered || paid.Lines[0].Status != models.LineBackordered {
		t.Errorf("paid after its stock went: status %s line %s, want backordered", paid.Status, paid.Lines[0].Status)
	}
}

func ownerUser(t testing.TB, db *gorm.DB) *models.User {
	t.Helper()
	u, err := models.CreateUser(context.Background(), db, nil, models.NewUser{Email: fmt.Sprintf("owner%d@example.com", rand.IntN(1e9)), Role: models.RoleOwner, Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSettleReservationsRule: a reservation whose supplier accepted the PO
// ends only with a stock snapshot taken after the acceptance.
func TestSettleReservationsRule(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10)
	ctx := context.Background()
	o, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 3)), models.PlaceOptions{}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	accepted := time.Now().UTC()
	if err := models.MarkReservationsAccepted(ctx, db, []int64{o.Lines[0].ID}, s.supplier.ID, accepted); err != nil {
		t.Fatal(err)
	}
	if units, _ := models.SettleReservations(ctx, db, s.supplier.ID, accepted.Add(-time.Minute)); units != 0 {
		t.Errorf("a snapshot older than the acceptance settled %d units", units)
	}
	if got := available(t, db, s.variants[0].ID); got != 7 {
		t.Fatalf("available %d, want 7", got)
	}
	// The supplier's newer count carries the sale (10 -> 7) and the reservation ends with it.
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE offers SET reported_quantity = 7 WHERE supplier_id = ?", s.supplier.ID).Error; err != nil {
			return err
		}
		units, err := models.SettleReservations(ctx, tx, s.supplier.ID, accepted.Add(time.Minute))
		if units != 3 {
			t.Errorf("settled %d units, want 3", units)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := models.PoolOf(ctx, db, s.variants[0].ID)
	if p.Available != 7 || p.Reserved != 0 {
		t.Errorf("pool %+v, want 7 available and nothing reserved (no double count)", p)
	}
}

func TestCancelOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10)
	ctx := context.Background()
	o, _ := models.PlaceOrder(ctx, db, s.request("stripe", line("TEE-0", 2)), models.PlaceOptions{}, s.settings)
	models.ApplyPayment(ctx, db, o.ID, models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: o.TotalCents, Currency: "USD"}, s.settings)
	c, err := models.CancelOrder(ctx, db, o.ID, "storefront", "customer asked")
	if err != nil || c.Status != models.OrderCancelled || c.AttentionReason == "" {
		t.Fatalf("cancel: %v %+v", err, c)
	}
	if got := available(t, db, s.variants[0].ID); got != 10 {
		t.Errorf("available %d after cancel, want 10", got)
	}
	if _, err := models.CancelOrder(ctx, db, o.ID, "storefront", "again"); err != nil {
		t.Errorf("cancelling twice: %v, want a no-op", err)
	}
	shipped, _ := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 1)), models.PlaceOptions{}, s.settings)
	db.Exec("UPDATE orders SET status = 'shipped' WHERE id = ?", shipped.ID)
	if _, err := models.CancelOrder(ctx, db, shipped.ID, "storefront", ""); !errors.Is(err, models.ErrNotCancellable) {
		t.Errorf("cancel a shipped order: %v, want ErrNotCancellable", err)
	}
}

func TestIdempotencyClaims(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	key, _, err := models.CreateAPIKey(ctx, db, nil, "shop")
	if err != nil {
		t.Fatal(err)
	}
	hash := []byte("body-1")
	var claimed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := models.ClaimIdempotencyKey(ctx, db, key.ID, "k1", hash, time.Minute)
			if ok {
				claimed.Add(1)
			} else if !errors.Is(err, models.ErrIdempotencyInProgress) {
				t.Errorf("concurrent claim: %v", err)
			}
		}()
	}
	wg.Wait()
	if claimed.Load() != 1 {
		t.Fatalf("%d claims won, want 1", claimed.Load())
	}
	if _, _, err := models.ClaimIdempotencyKey(ctx, db, key.ID, "k1", []byte("body-2"), time.Minute); !errors.Is(err, models.ErrIdempotencyKeyReused) {
		t.Errorf("other body: %v, want reused", err)
	}
	models.FinishIdempotencyKey(ctx, db, key.ID, "k1", 201, []byte(`{"id":"ord_x"}`))
	rec, ok, err := models.ClaimIdempotencyKey(ctx, db, key.ID, "k1", hash, time.Minute)
	if ok || err != nil || *rec.ResponseStatus != 201 || string(rec.ResponseBody) != `{"id":"ord_x"}` {
		t.Errorf("replay: claimed %v err %v rec %+v", ok, err, rec)
	}
	// A run cut short: its lock passes and the next retry takes over.
	models.ClaimIdempotencyKey(ctx, db, key.ID, "k2", hash, time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	if _, ok, err := models.ClaimIdempotencyKey(ctx, db, key.ID, "k2", hash, time.Minute); !ok || err != nil {
		t.Errorf("take over a dead run: claimed %v err %v", ok, err)
	}
}

func TestQuoteAndDeliveryEstimates(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 5, 0)
	ctx := context.Background()
	zones, _ := models.LoadShippingZones(ctx, db)
	q, err := models.QuoteLines(ctx, db, zones, []models.CheckoutLine{line("TEE-0", 3), line("TEE-0", 4), line("TEE-1", 1)}, "US", s.settings)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lines) != 2 || q.Lines[0].Status != models.QuotePartial || q.Lines[0].Available != 5 || q.Lines[1].Status != models.QuoteUnavailable {
		t.Fatalf("quote lines %+v", q.Lines)
	}
	// Supplier: 1 handling day, ships from US; offer lead time 0; US->US domestic 2-5 days.
	if e := q.Lines[0].Estimate; e == nil || e.MinDays != 3 || e.MaxDays != 6 {
		t.Errorf("estimate %+v, want 3-6 days", e)
	}
	if q.Lines[1].Estimate != nil {
		t.Errorf("an out-of-stock variant got an estimate %+v", q.Lines[1].Estimate)
	}
	if q.SubtotalCents != 16000 || q.ShippingCents != 0 {
		t.Errorf("quote totals %+v", q.Totals)
	}
	if got := available(t, db, s.variants[0].ID); got != 5 {
		t.Errorf("a quote reserved stock: available %d", got)
	}
	for _, c := range []struct {
		from, to string
		min, max int
	}{{"US", "US", 2, 5}, {"US", "CA", 4, 8}, {"CN", "FR", 10, 25}, {"BR", "JP", 7, 14}} {
		if lo, hi, ok := zones.Transit(c.from, c.to); !ok || lo != c.min || hi != c.max {
			t.Errorf("transit %s->%s: %d-%d, want %d-%d", c.from, c.to, lo, hi, c.min, c.max)
		}
	}
}

// TestLatePaymentReservesAgain: a payment that arrives after the hold expired
// reserves the stock again, or backorders what is gone; it never makes an
// order paid with nothing held.
func TestLatePaymentReservesAgain(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 3, 10)
	ctx := context.Background()
	o, err := models.PlaceOrder(ctx, db, s.request("stripe", line("TEE-0", 3), line("TEE-1", 2)), models.PlaceOptions{}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("UPDATE reservations SET expires_at = now() - interval '1 second' WHERE order_id = ?", o.ID)
	if n, _ := models.ExpireHolds(ctx, db, 10); n != 1 {
		t.Fatal("hold did not expire")
	}
	// Meanwhile someone buys TEE-0.
	if _, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 2)), models.PlaceOptions{}, s.settings); err != nil {
		t.Fatal(err)
	}
	got, err := models.ApplyPayment(ctx, db, o.ID, models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: o.TotalCents, Currency: "USD"}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.OrderBackordered || got.Lines[0].Status != models.LineBackordered || got.Lines[1].Status != models.LineReserved {
		t.Fatalf("late payment: order %s, lines %s/%s; want backordered with TEE-1 reserved again", got.Status, got.Lines[0].Status, got.Lines[1].Status)
	}
	if a := available(t, db, s.variants[1].ID); a != 8 {
		t.Errorf("TEE-1 available %d, want 8 (held again)", a)
	}
}

// TestOnePaymentOneOrder: a payment reference can't pay two live orders.
func TestOnePaymentOneOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10)
	ctx := context.Background()
	first := s.request("stripe", line("TEE-0", 1))
	if _, err := models.PlaceOrder(ctx, db, first, models.PlaceOptions{}, s.settings); err != nil {
		t.Fatal(err)
	}
	second := s.request("stripe", line("TEE-0", 1))
	second.PaymentReference = first.PaymentReference
	_, err := models.PlaceOrder(ctx, db, second, models.PlaceOptions{}, s.settings)
	if fe := fieldErrors(t, err); fe["payment.reference"] == "" {
		t.Errorf("a second order with the same payment: %v", err)
	}
	if a := available(t, db, s.variants[0].ID); a != 9 {
		t.Errorf("available %d, want 9: the refused order must hold nothing", a)
	}
}

func TestManualRulesAndDisputes(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newShop(t, db, 10)
	ctx := context.Background()
	owner := ownerUser(t, db)
	card, _ := models.PlaceOrder(ctx, db, s.request("stripe", line("TEE-0", 1)), models.PlaceOptions{}, s.settings)
	if _, err := models.MarkPaid(ctx, db, owner, card.ID, "trust me", s.settings); !errors.Is(err, models.ErrInvalidTransition) {
		t.Errorf("marking a Stripe order paid by hand: %v, want refused", err)
	}
	models.ApplyPayment(ctx, db, card.ID, models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: card.TotalCents, Currency: "USD"}, s.settings)
	models.ApplyPaymentEvent(ctx, db, models.PaymentEvent{Provider: "stripe", EventID: "evt_d", Kind: models.PaymentEventDisputed,
		Reference: card.PaymentReference, Reason: "fraudulent"}, s.settings)
	if _, err := models.ReleaseHold(ctx, db, owner, card.ID, "looks fine"); fieldErrors(t, err)["reason"] == "" {
		t.Errorf("releasing a disputed order: %v, want refused", err)
	}

	gone, _ := models.PlaceOrder(ctx, db, s.request("stripe", line("TEE-0", 1)), models.PlaceOptions{}, s.settings)
	models.CancelOrder(ctx, db, gone.ID, "storefront", "changed mind")
	models.ApplyPaymentEvent(ctx, db, models.PaymentEvent{Provider: "stripe", EventID: "evt_late", Kind: models.PaymentEventSucceeded,
		Reference: gone.PaymentReference, AmountCents: gone.TotalCents, Currency: "USD"}, s.settings)
	got, _ := models.GetOrder(ctx, db, gone.ID)
	if got.Status != models.OrderCancelled || !strings.Contains(got.AttentionReason, "refund it") {
		t.Errorf("money for a cancelled order: %s %q", got.Status, got.AttentionReason)
	}
}
