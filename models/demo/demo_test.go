package demo_test

import (
	"context"
	"strings"
	"testing"

	"dropship/models"
	"dropship/models/dbtest"
	"dropship/models/demo"
)

func TestSeedIsBelievableDeterministicAndOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	seeded, err := demo.Seed(ctx, db, box)
	if err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	var c struct{ Products, Variants, Offers, Suppliers, Unmapped, Mapped, Sellable int64 }
	db.Raw(`SELECT (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM variants) AS variants,
		(SELECT count(*) FROM offers) AS offers, (SELECT count(*) FROM suppliers) AS suppliers,
		(SELECT count(*) FROM unmapped_supplier_skus WHERE status = 'pending') AS unmapped,
		(SELECT count(*) FROM variant_pool WHERE offers > 0) AS mapped,
		(SELECT count(*) FROM variant_pool WHERE available > 0) AS sellable`).Scan(&c)
	if c.Products != 50 || c.Variants < 350 || c.Variants > 450 || c.Suppliers != 4 || c.Unmapped < 5 || c.Offers < c.Variants {
		t.Fatalf("demo figures: %+v", c)
	}
	if c.Mapped == c.Variants || c.Sellable == c.Mapped {
		t.Fatalf("the demo should show unmapped and out-of-stock variants too: %+v", c)
	}
	// Supplier SKUs follow CODE-000001.. so the sandbox suppliers line up.
	var bad int64
	db.Raw(`SELECT count(*) FROM offers o JOIN suppliers s ON s.id = o.supplier_id WHERE o.supplier_sku !~ ('^' || s.code || '-[0-9]{6}$')`).Scan(&bad)
	if bad != 0 {
		t.Fatalf("%d offers do not follow CODE-%%06d", bad)
	}
	var first string
	db.Raw(`SELECT o.supplier_sku || ' ' || v.sku FROM offers o JOIN variants v ON v.id = o.variant_id WHERE o.supplier_sku = 'ACME-000001'`).Scan(&first)
	if first == "" {
		t.Fatal("ACME-000001 is not mapped")
	}

	// Every queued SKU has a good first suggestion.
	rows, _ := models.ListUnmapped(ctx, db, models.UnmappedFilter{Limit: 50})
	for _, u := range rows {
		sugg, err := models.Suggest(ctx, db, u.ID, 3)
		if err != nil || len(sugg) == 0 {
			t.Fatalf("%s: no suggestion (%v)", u.SupplierSKU, err)
		}
		top := sugg[0]
		switch {
		case u.Barcode != "":
			if top.Match != models.MatchBarcode || top.Barcode != u.Barcode {
				t.Errorf("%s: top suggestion %s by %s, want the barcode match", u.SupplierSKU, top.SKU, top.Match)
			}
		case strings.HasPrefix(u.SupplierSKU, "CRANE-ENAM"):
			if top.Match != models.MatchSKU || !strings.HasSuffix(u.SupplierSKU, top.SKU) {
				t.Errorf("%s: top suggestion %s by %s, want the SKU match", u.SupplierSKU, top.SKU, top.Match)
			}
		default:
			title := strings.ToLower(u.Title)
			for _, v := range top.Options {
				if !strings.Contains(title, strings.ToLower(v)) {
					t.Errorf("%s (%s): top suggestion %s %v does not match its options", u.SupplierSKU, u.Title, top.SKU, top.Options)
				}
			}
		}
	}

	again, err := demo.Seed(ctx, db, box)
	if err != nil || again {
		t.Fatalf("second seed: %v %v; want a no-op", again, err)
	}
}
