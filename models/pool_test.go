package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func testBox(t testing.TB) *models.SecretBox {
	t.Helper()
	box, err := models.NewSecretBox(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// mustProduct creates a product with the given options and one variant per SKU.
func mustProduct(t testing.TB, db *gorm.DB, title string, optionNames []string, variants ...models.VariantInput) (*models.Product, []*models.Variant) {
	t.Helper()
	ctx := context.Background()
	p, err := models.CreateProduct(ctx, db, nil, models.ProductInput{Title: title, OptionNames: optionNames})
	if err != nil {
		t.Fatalf("create product %s: %v", title, err)
	}
	var out []*models.Variant
	for _, in := range variants {
		v, err := models.CreateVariant(ctx, db, nil, p.ID, in)
		if err != nil {
			t.Fatalf("create variant %s: %v", in.SKU, err)
		}
		out = append(out, v)
	}
	return p, out
}

func mustSupplier(t testing.TB, db *gorm.DB, code string, buffer int) *models.Supplier {
	t.Helper()
	s, err := models.CreateSupplier(context.Background(), db, testBox(t), nil, models.SupplierInput{
		Code: code, Name: code + " Supply", ConnectionKind: models.KindEmail, Connection: models.Connection{Email: "po@" + code + ".example"},
		HandlingDays: 1, ShipsFromCountry: "US", Currency: "USD", SafetyBuffer: buffer, FeedGuardPct: 50, AllowedLagMinutes: 60,
	})
	if err != nil {
		t.Fatalf("create supplier %s: %v", code, err)
	}
	return s
}

func mustOffer(t testing.TB, db *gorm.DB, s *models.Supplier, v *models.Variant, sku string, qty int64) *models.Offer {
	t.Helper()
	o, err := models.CreateOffer(context.Background(), db, nil, models.OfferInput{SupplierID: s.ID, VariantID: v.ID,
		SupplierSKU: sku, ReportedQuantity: qty, UnitCostCents: 500, MinQuantity: 1})
	if err != nil {
		t.Fatalf("create offer %s: %v", sku, err)
	}
	return o
}

func available(t testing.TB, db *gorm.DB, variantID int64) int64 {
	t.Helper()
	p, err := models.PoolOf(context.Background(), db, variantID)
	if err != nil {
		t.Fatal(err)
	}
	return p.Available
}

func TestPoolBuffersInactiveOffersAndPausedSuppliers(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	_, vs := mustProduct(t, db, "Canvas Tote", nil, models.VariantInput{SKU: "TOTE-1", PriceCents: 2500})
	v := vs[0]
	if got := available(t, db, v.ID); got != 0 {
		t.Fatalf("a new variant has %d available, want 0", got)
	}
	acme := mustSupplier(t, db, "ACME", 2)
	bolt := mustSupplier(t, db, "BOLT", 0)
	crane := mustSupplier(t, db, "CRANE", 10)
	oa := mustOffer(t, db, acme, v, "ACME-1", 10) // 10-2 = 8
	mustOffer(t, db, bolt, v, "BOLT-1", 5)        // 5
	mustOffer(t, db, crane, v, "CRANE-1", 4)      // max(4-10, 0) = 0, never negative
	if got := available(t, db, v.ID); got != 13 {
		t.Fatalf("available = %d, want 8 + 5 + 0 = 13", got)
	}

	if _, err := models.SetOfferActive(ctx, db, nil, oa.ID, false, "supplier discontinued it"); err != nil {
		t.Fatal(err)
	}
	if got := available(t, db, v.ID); got != 5 {
		t.Fatalf("with ACME's offer inactive available = %d, want 5", got)
	}
	if _, err := models.SetOfferActive(ctx, db, nil, oa.ID, true, "back in the range"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetSupplierStatus(ctx, db, nil, bolt.ID, models.SupplierPaused, "holiday"); err != nil {
		t.Fatal(err)
	}
	if got := available(t, db, v.ID); got != 8 {
		t.Fatalf("with BOLT paused available = %d, want 8", got)
	}
	pf, _ := models.PoolOf(ctx, db, v.ID)
	if pf.Offers != 3 {
		t.Fatalf("a paused supplier's offer still maps: offers = %d, want 3", pf.Offers)
	}
	// A bigger buffer at ACME lowers the pool at once.
	in := supplierInputOf(acme)
	in.SafetyBuffer = 7
	if _, err := models.UpdateSupplier(ctx, db, testBox(t), nil, acme.ID, in); err != nil {
		t.Fatal(err)
	}
	if got := available(t, db, v.ID); got != 3 {
		t.Fatalf("with ACME's buffer at 7 available = %d, want 10-7 = 3", got)
	}
	if _, err := models.SetSupplierStatus(ctx, db, nil, acme.ID, models.SupplierDeactivated, ""); err != nil {
		t.Fatal(err)
	}
	pf, _ = models.PoolOf(ctx, db, v.ID)
	if pf.Available != 0 || pf.Offers != 2 {
		t.Fatalf("after deactivating ACME: %+v, want available 0 and 2 offers (BOLT paused, CRANE)", pf)
	}

	// Reservations (checkout's) come off the supply; available never goes below zero.
	if _, err := models.SetSupplierStatus(ctx, db, nil, bolt.ID, models.SupplierActive, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE variant_stock SET reserved = 4 WHERE variant_id = ?", v.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got := available(t, db, v.ID); got != 1 {
		t.Fatalf("supply 5 with 4 reserved: available = %d, want 1", got)
	}
	if err := db.Exec("UPDATE offers SET reported_quantity = 1 WHERE supplier_sku = 'BOLT-1'").Error; err != nil {
		t.Fatal(err)
	}
	if got := available(t, db, v.ID); got != 0 {
		t.Fatalf("supply 1 with 4 reserved: available = %d, want 0", got)
	}
}

func supplierInputOf(s *models.Supplier) models.SupplierInput {
	return models.SupplierInput{Code: s.Code, Name: s.Name, Status: s.Status, ConnectionKind: s.ConnectionKind, Connection: s.Connection,
		Schedule: s.Schedule, HandlingDays: s.HandlingDays, ShipsFromCountry: s.ShipsFromCountry, Currency: s.Currency,
		SafetyBuffer: s.SafetyBuffer, FeedGuardPct: s.FeedGuardPct, MissingSKUPolicy: s.MissingSKUPolicy, AllowedLagMinutes: s.AllowedLagMinutes}
}

// scratchSupply is the pool's definition computed from nothing but the offers and suppliers.
const scratchSupply = `SELECT v.id AS variant_id,
	COALESCE((SELECT sum(GREATEST(o.reported_quantity - s.safety_buffer, 0)) FROM offers o JOIN suppliers s ON s.id = o.supplier_id
	          WHERE o.variant_id = v.id AND o.active AND s.status = 'active'), 0) AS supply
	FROM variants v ORDER BY v.id`

func assertSupplyMatchesScratch(t *testing.T, db *gorm.DB) {
	t.Helper()
	var want []struct{ VariantID, Supply int64 }
	if err := db.Raw(scratchSupply).Scan(&want).Error; err != nil {
		t.Fatal(err)
	}
	var got []struct{ VariantID, Supply int64 }
	if err := db.Raw("SELECT variant_id, supply FROM variant_pool ORDER BY variant_id").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d pool rows for %d variants", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("variant %d: trigger-kept supply %d, from scratch %d", want[i].VariantID, got[i].Supply, want[i].Supply)
		}
	}
}

func TestPoolTriggersMatchDefinitionAfterRandomChanges(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	rng := rand.New(rand.NewPCG(42, 7))
	var variants []*models.Variant
	for i := range 12 {
		_, vs := mustProduct(t, db, fmt.Sprintf("Product %d", i), []string{"Size"},
			models.VariantInput{SKU: fmt.Sprintf("P%d-S", i), Options: models.Options{"Size": "S"}, PriceCents: 1000},
			models.VariantInput{SKU: fmt.Sprintf("P%d-M", i), Options: models.Options{"Size": "M"}, PriceCents: 1000})
		variants = append(variants, vs...)
	}
	var suppliers []*models.Supplier
	for i, code := range []string{"ACME", "BOLT", "CRANE", "DELTA"} {
		suppliers = append(suppliers, mustSupplier(t, db, code, i))
	}
	// Bulk insert offers in one statement, as a sync does.
	n := 0
	for _, s := range suppliers {
		for _, v := range variants {
			if rng.IntN(3) == 0 {
				continue
			}
			n++
			if err := db.Exec(`INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity, active)
				VALUES (?, ?, ?, ?, ?)`, s.ID, v.ID, fmt.Sprintf("%s-%06d", s.Code, v.ID), rng.IntN(20), rng.IntN(5) > 0).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	assertSupplyMatchesScratch(t, db)
	statuses := []string{"active", "paused", "deactivated"}
	for step := range 300 {
		switch rng.IntN(7) {
		case 0: // a feed: many offers of one supplier in one statement
			err := db.Exec(`UPDATE offers SET reported_quantity = (random() * 30)::int, last_seen_at = now()
				WHERE supplier_id = ? AND random() < 0.6`, suppliers[rng.IntN(4)].ID).Error
			if err != nil {
				t.Fatal(err)
			}
		case 1:
			if err := db.Exec("UPDATE offers SET active = NOT active WHERE id IN (SELECT id FROM offers ORDER BY random() LIMIT 3)").Error; err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := db.Exec("UPDATE suppliers SET status = ? WHERE id = ?", statuses[rng.IntN(3)], suppliers[rng.IntN(4)].ID).Error; err != nil {
				t.Fatal(err)
			}
		case 3:
			if err := db.Exec("UPDATE suppliers SET safety_buffer = ? WHERE id = ?", rng.IntN(6), suppliers[rng.IntN(4)].ID).Error; err != nil {
				t.Fatal(err)
			}
		case 4:
			if err := db.Exec("DELETE FROM offers WHERE id IN (SELECT id FROM offers ORDER BY random() LIMIT 2)").Error; err != nil {
				t.Fatal(err)
			}
		case 5: // move an offer to another variant
			v := variants[rng.IntN(len(variants))]
			err := db.Exec(`UPDATE offers SET variant_id = ? WHERE id = (SELECT id FROM offers o WHERE NOT EXISTS
				(SELECT 1 FROM offers x WHERE x.supplier_id = o.supplier_id AND x.variant_id = ?) ORDER BY random() LIMIT 1)`, v.ID, v.ID).Error
			if err != nil {
				t.Fatal(err)
			}
		case 6:
			s, v := suppliers[rng.IntN(4)], variants[rng.IntN(len(variants))]
			if err := db.Exec(`INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity)
				VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, s.ID, v.ID, fmt.Sprintf("%s-X%d", s.Code, step), rng.IntN(40)).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	assertSupplyMatchesScratch(t, db)
}

// Concurrent feeds of different suppliers touching the same variants, each in
// its own transaction on its own connection, must not lose an update.
func TestPoolTriggersUnderConcurrentFeeds(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	var variants []*models.Variant
	for i := range 20 {
		_, vs := mustProduct(t, db, fmt.Sprintf("Item %d", i), nil, models.VariantInput{SKU: fmt.Sprintf("ITEM-%d", i), PriceCents: 100})
		variants = append(variants, vs...)
	}
	var suppliers []*models.Supplier
	for i := range 6 {
		s := mustSupplier(t, db, fmt.Sprintf("S%d", i), i%3)
		suppliers = append(suppliers, s)
		for _, v := range variants {
			mustOffer(t, db, s, v, fmt.Sprintf("S%d-%d", i, v.ID), 5)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g, s := range suppliers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for range 25 {
				err := db.Transaction(func(tx *gorm.DB) error {
					if err := tx.Exec("UPDATE offers SET reported_quantity = ? WHERE supplier_id = ?", rng.IntN(50), s.ID).Error; err != nil {
						return err
					}
					if rng.IntN(4) == 0 {
						return tx.Exec("UPDATE suppliers SET safety_buffer = ? WHERE id = ?", rng.IntN(4), s.ID).Error
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	assertSupplyMatchesScratch(t, db)
}

func TestEveryVariantGetsAPoolRow(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	p, _ := mustProduct(t, db, "Tee", []string{"Size", "Colour"})
	n, err := models.GenerateVariants(context.Background(), db, nil, p.ID, models.MatrixInput{
		Values: [][]string{{"S", "M", "L"}, {"Navy", "Sand"}}, SKUPrefix: "TEE", PriceCents: 1900})
	if err != nil || n != 6 {
		t.Fatalf("generate: %d, %v; want 6 variants", n, err)
	}
	var rows int64
	db.Raw("SELECT count(*) FROM variants v JOIN variant_stock s ON s.variant_id = v.id WHERE v.product_id = ?", p.ID).Scan(&rows)
	if rows != 6 {
		t.Fatalf("%d variants have a pool row, want 6", rows)
	}
}
