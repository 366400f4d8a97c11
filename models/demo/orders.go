package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"dropship/models"
)

// demoCustomers are the people who order in the demo store.
var demoCustomers = []struct{ name, email, city, country, postal string }{
	{"Ada Lovelace", "ada@example.com", "London", "GB", "N1 9GU"},
	{"Grace Hopper", "grace@example.org", "Arlington", "US", "22201"},
	{"Alan Turing", "alan@example.net", "Manchester", "GB", "M13 9PL"},
	{"Katherine Johnson", "katherine@example.com", "Hampton", "US", "23666"},
	{"Hedy Lamarr", "hedy@example.at", "Vienna", "AT", "1010"},
	{"Linus Pauling", "linus@example.edu", "Portland", "US", "97201"},
	{"Marie Curie", "marie@example.fr", "Paris", "FR", "75005"},
	{"Rosalind Franklin", "rosalind@example.co.uk", "Cambridge", "GB", "CB2 1TN"},
}

// SeedOrders places a few weeks of believable orders through the real
// checkout (reservations, payments, risk): most paid, a few held for
// review, awaiting a manual payment or with a failed payment. It does nothing
// when the store already has orders; it reports how many it placed.
func SeedOrders(ctx context.Context, db *gorm.DB) (int, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&models.Order{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	var skus []string
	err := db.WithContext(ctx).Raw(`SELECT v.sku FROM variants v JOIN variant_pool vp ON vp.variant_id = v.id
		JOIN products p ON p.id = v.product_id
		WHERE v.status = 'active' AND p.status = 'active' AND vp.available > 20 AND v.currency = 'USD' ORDER BY v.id`).Scan(&skus).Error
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	if len(skus) == 0 {
		return 0, nil
	}
	s, err := models.GetStoreSettings(ctx, db)
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(20261127, 7))
	placed := 0
	for i := 0; i < 48; i++ {
		c := demoCustomers[rng.IntN(len(demoCustomers))]
		req := models.CheckoutRequest{
			Customer:        models.Customer{Email: c.email, Name: c.name},
			ShipTo:          models.Address{Name: c.name, Line1: fmt.Sprintf("%d High Street", 1+rng.IntN(200)), City: c.city, PostalCode: c.postal, Country: c.country},
			PaymentProvider: models.ProviderStripe, PaymentReference: fmt.Sprintf("pi_demo%06d", i), NotifyEmail: true,
			ExternalID: fmt.Sprintf("shop-%d", 1000+i),
		}
		for l := 0; l < 1+rng.IntN(3); l++ {
			req.Lines = append(req.Lines, models.CheckoutLine{SKU: skus[rng.IntN(len(skus))], Quantity: 1 + rng.IntN(2)})
		}
		kind := "paid"
		switch {
		case i == 44 || i == 45:
			kind = "manual"
		case i == 46:
			kind, req.Customer.Email = "held", "quick.buyer@mailinator.com"
		case i == 47:
			kind = "failed"
		}
		if kind == "manual" {
			req.PaymentProvider, req.PaymentReference = models.ProviderManual, ""
		}
		req.Normalize()
		o, err := models.PlaceOrder(ctx, db, req, models.PlaceOptions{}, s)
		if err != nil {
			return placed, fmt.Errorf("demo: order %d: %w", i, err)
		}
		check := models.PaymentCheck{Status: models.PaymentCaptured, AmountCents: o.TotalCents, Currency: o.Currency,
			CardFingerprint: fmt.Sprintf("fp_demo_%d", rng.IntN(30)), CardCountry: c.country}
		switch kind {
		case "held":
			check.CardCountry = "NG"
		case "failed":
			check = models.PaymentCheck{Status: models.PaymentFailed, FailureReason: "Your card was declined. (insufficient_funds)"}
		}
		if kind != "manual" {
			if _, err := models.ApplyPayment(ctx, db, o.ID, check, s); err != nil {
				return placed, fmt.Errorf("demo: payment of order %d: %w", i, err)
			}
		}
		// Spread the orders over the last two weeks, the newest today.
		age := time.Duration(47-i) * 7 * time.Hour
		if err := db.WithContext(ctx).Exec(`UPDATE orders SET created_at = created_at - make_interval(secs => ?), updated_at = updated_at - make_interval(secs => ?) WHERE id = ?`,
			age.Seconds(), age.Seconds(), o.ID).Error; err != nil {
			return placed, fmt.Errorf("demo: %w", err)
		}
		if err := db.WithContext(ctx).Exec(`UPDATE order_events SET at = at - make_interval(secs => ?) WHERE order_id = ?`, age.Seconds(), o.ID).Error; err != nil {
			return placed, fmt.Errorf("demo: %w", err)
		}
		placed++
	}
	return placed, nil
}
