// Package catalogtest builds large catalogs for benchmarks.
package catalogtest

import (
	"testing"

	"gorm.io/gorm"
)

// FillBigCatalog makes 12,500 products x 8 variants = 100,000 variants and
// 3 suppliers x 100,000 = 300,000 offers with generate_series.
func FillBigCatalog(tb testing.TB, db *gorm.DB) {
	tb.Helper()
	stmts := []string{
		`INSERT INTO categories (name) SELECT 'Category ' || g FROM generate_series(1, 20) g`,
		`INSERT INTO products (handle, title, category_id, status, option_names)
		 SELECT 'product-' || g,
		        (ARRAY['Classic','Linen','Merino','Canvas','Organic','Vintage','Slim','Heavy','Soft','Rugged','Waxed','Quilted','Ribbed','Cotton','Wool','Denim','Leather','Silk','Bamboo','Recycled'])[1 + g % 20]
		        || ' ' || (ARRAY['Shirt','Tee','Hoodie','Jacket','Beanie','Scarf','Tote','Wallet','Mug','Candle','Towel','Blanket','Sock','Cap','Belt','Bottle','Chair','Lamp','Planter','Apron','Vest','Short','Sweater','Glove','Bag'])[1 + (g / 20) % 25]
		        || ' ' || g,
		        (SELECT min(id) FROM categories) + g % 20,
		        CASE WHEN g % 50 = 0 THEN 'draft' ELSE 'active' END, '["Size","Colour"]'
		 FROM generate_series(1, 12500) g`,
		`INSERT INTO variants (product_id, sku, options, price_cents, barcode, position)
		 SELECT p.id, 'SKU-' || p.id || '-' || s.size || '-' || s.colour, jsonb_build_object('Size', s.size, 'Colour', s.colour),
		        1000 + (p.id * 37) % 9000, lpad((p.id * 8 + s.n)::text, 13, '0'), s.n
		 FROM products p CROSS JOIN (VALUES (1,'S','NAVY'),(2,'M','NAVY'),(3,'L','NAVY'),(4,'XL','NAVY'),
		                                    (5,'S','SAND'),(6,'M','SAND'),(7,'L','SAND'),(8,'XL','SAND')) s(n, size, colour)`,
		`INSERT INTO suppliers (code, name, connection_kind, ships_from_country, safety_buffer)
		 VALUES ('ACME', 'Acme', 'email', 'US', 2), ('BOLT', 'Bolt', 'email', 'DE', 1), ('CRANE', 'Crane', 'email', 'CN', 0)`,
		`INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity, unit_cost_cents, last_seen_at)
		 SELECT s.id, v.id, s.code || '-' || lpad(v.id::text, 6, '0'), CASE WHEN v.id % 13 = 0 THEN 0 WHEN v.id % 11 = 0 THEN 3 ELSE (v.id * 7 + s.id * 13) % 23 END, 500, now()
		 FROM variants v CROSS JOIN suppliers s
		 WHERE s.code <> 'CRANE' OR v.id % 10 <> 0`,
		`INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity, unit_cost_cents)
		 SELECT (SELECT id FROM suppliers WHERE code = 'CRANE'), v.id, 'CRANE-X' || v.id, 0, 400
		 FROM variants v WHERE v.id % 10 = 0`,
		`DELETE FROM offers WHERE variant_id % 97 = 0`, // some unmapped variants
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			tb.Fatalf("fill: %v\n%s", err, s)
		}
	}
	// What autovacuum would do after a bulk load (the pool rows were rewritten per statement).
	if err := db.Exec("VACUUM ANALYZE").Error; err != nil {
		tb.Fatal(err)
	}
}
