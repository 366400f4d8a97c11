// Package demo fills an empty store with a believable catalog: products and
// variants in a few categories, four suppliers with overlapping offers that
// differ in cost, lead time and ships-from country, and a few supplier SKUs
// waiting to be mapped. The same seed always makes the same data.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"dropship/models"
)

// SupplierCodes are the demo suppliers; their SKUs are CODE-000001, CODE-000002, ...
// numbered in variant order, as the sandbox suppliers number theirs.
var SupplierCodes = []string{"ACME", "BOLT", "CRANE", "DELTA"}

// SupplierSKU is the demo (and sandbox) supplier SKU pattern.
func SupplierSKU(code string, n int) string { return fmt.Sprintf("%s-%06d", code, n) }

type productSpec struct {
	category string
	title    string
	vendor   string
	price    int64 // cents
	options  []string
	values   [][]string
	blurb    string
}

var (
	sizes     = []string{"XS", "S", "M", "L", "XL", "XXL"}
	tees      = []string{"White", "Black", "Navy", "Heather Grey", "Sage"}
	earth     = []string{"Sand", "Olive", "Rust", "Charcoal", "Black"}
	basics    = []string{"Black", "Navy", "Grey"}
	ceramics  = []string{"Chalk", "Speckled Blue", "Matte Black"}
	scents    = []string{"Cedar", "Fig", "Sea Salt", "Amber"}
	bottleCol = []string{"Slate", "Forest", "Sand", "Coral"}
)

var catalog = []productSpec{
	// Apparel: size x colour.
	{"Apparel", "Classic Organic Tee", "Northfold", 2400, []string{"Size", "Colour"}, [][]string{sizes, tees}, "A mid-weight organic cotton tee with a relaxed fit."},
	{"Apparel", "Heavyweight Pocket Tee", "Northfold", 3200, []string{"Size", "Colour"}, [][]string{sizes, earth}, "Boxy 240 gsm cotton with a chest pocket."},
	{"Apparel", "Linen Camp Shirt", "Harbour & Co", 6800, []string{"Size", "Colour"}, [][]string{sizes, {"Natural", "Navy", "Terracotta"}}, "Breathable European linen with a camp collar."},
	{"Apparel", "Oxford Button-Down", "Harbour & Co", 7400, []string{"Size", "Colour"}, [][]string{sizes, {"White", "Blue Stripe", "Pink"}}, "Garment-washed oxford cloth."},
	{"Apparel", "Fleece Pullover Hoodie", "Northfold", 8800, []string{"Size", "Colour"}, [][]string{sizes, basics}, "Brushed-back fleece, kangaroo pocket."},
	{"Apparel", "Zip Track Jacket", "Velo Supply", 9600, []string{"Size", "Colour"}, [][]string{sizes, {"Black", "Forest"}}, "Recycled polyester with a soft lining."},
	{"Apparel", "Merino Crew Sweater", "Highland Knit", 11800, []string{"Size", "Colour"}, [][]string{sizes, {"Oatmeal", "Navy", "Bottle Green"}}, "Fine-gauge extrafine merino."},
	{"Apparel", "Chore Coat", "Harbour & Co", 14800, []string{"Size", "Colour"}, [][]string{sizes, {"Indigo", "Tan"}}, "Cotton canvas with three patch pockets."},
	{"Apparel", "Slim Chino", "Harbour & Co", 7800, []string{"Waist", "Colour"}, [][]string{{"28", "30", "32", "34", "36"}, {"Khaki", "Navy", "Olive"}}, "Stretch twill chino with a slim leg."},
	{"Apparel", "Running Shorts", "Velo Supply", 4200, []string{"Size", "Colour"}, [][]string{sizes, {"Black", "Cobalt"}}, "Lightweight shorts with a liner."},
	{"Apparel", "Everyday Crew Socks", "Northfold", 1400, []string{"Size", "Colour"}, [][]string{{"S", "M", "L"}, {"White", "Black", "Oat", "Navy"}}, "Combed cotton, reinforced heel."},
	{"Apparel", "Wool Hiking Socks", "Highland Knit", 2200, []string{"Size", "Colour"}, [][]string{{"S", "M", "L"}, {"Charcoal", "Moss"}}, "Cushioned merino blend."},
	{"Apparel", "Rib Tank Top", "Northfold", 2200, []string{"Size", "Colour"}, [][]string{sizes, {"White", "Black"}}, "Stretch rib cotton."},
	{"Apparel", "Puffer Vest", "Velo Supply", 12400, []string{"Size", "Colour"}, [][]string{sizes, {"Black", "Rust"}}, "Recycled down alternative fill."},
	{"Apparel", "Flannel Overshirt", "Harbour & Co", 8200, []string{"Size", "Colour"}, [][]string{sizes, {"Red Check", "Green Check"}}, "Brushed cotton flannel."},
	{"Apparel", "Yoga Leggings", "Velo Supply", 6400, []string{"Size", "Colour"}, [][]string{sizes, {"Black", "Plum"}}, "High-rise, squat-proof."},
	{"Apparel", "Rain Shell Jacket", "Velo Supply", 15800, []string{"Size", "Colour"}, [][]string{sizes, {"Yellow", "Navy"}}, "Waterproof 2.5-layer shell."},
	// Home and kitchen.
	{"Home & Kitchen", "Stoneware Coffee Mug", "Kiln House", 1800, []string{"Colour"}, [][]string{ceramics}, "Hand-glazed 12 oz mug."},
	{"Home & Kitchen", "Pour-Over Coffee Set", "Kiln House", 5400, []string{"Colour"}, [][]string{ceramics}, "Dripper, carafe and two cups."},
	{"Home & Kitchen", "Soy Wax Candle", "Ember Lane", 2800, []string{"Scent", "Size"}, [][]string{scents, {"Small", "Large"}}, "Cotton wick, 40-hour burn (small)."},
	{"Home & Kitchen", "Waffle Bath Towel", "Linen Loft", 3600, []string{"Size", "Colour"}, [][]string{{"Hand", "Bath", "Sheet"}, {"White", "Stone", "Sage"}}, "Quick-drying Turkish cotton."},
	{"Home & Kitchen", "Chunky Knit Throw", "Linen Loft", 9800, []string{"Colour"}, [][]string{{"Cream", "Charcoal", "Blush", "Mustard"}}, "Oversized hand-knit throw."},
	{"Home & Kitchen", "Acacia Cutting Board", "Grain & Co", 4600, []string{"Size"}, [][]string{{"Small", "Medium", "Large"}}, "End-grain acacia with juice groove."},
	{"Home & Kitchen", "Linen Napkins Set of 4", "Linen Loft", 3200, []string{"Colour"}, [][]string{{"Natural", "White", "Rust", "Sage"}}, "Stonewashed linen."},
	{"Home & Kitchen", "Cast Iron Skillet", "Grain & Co", 5800, []string{"Size"}, [][]string{{"8 in", "10 in", "12 in"}}, "Pre-seasoned cast iron."},
	{"Home & Kitchen", "Glass Storage Jars", "Grain & Co", 3400, []string{"Size"}, [][]string{{"0.5 L", "1 L", "2 L"}}, "Borosilicate glass, bamboo lids."},
	{"Home & Kitchen", "Ceramic Planter", "Kiln House", 3800, []string{"Size", "Colour"}, [][]string{{"Small", "Large"}, ceramics}, "With drainage tray."},
	{"Home & Kitchen", "Chef's Knife", "Grain & Co", 8900, nil, nil, "8-inch Japanese steel."},
	{"Home & Kitchen", "French Press", "Kiln House", 4200, []string{"Size"}, [][]string{{"350 ml", "1 L"}}, "Double-wall stainless steel."},
	{"Home & Kitchen", "Cotton Bed Sheet Set", "Linen Loft", 12800, []string{"Size", "Colour"}, [][]string{{"Twin", "Full", "Queen", "King"}, {"White", "Sand"}}, "400-thread-count percale."},
	{"Home & Kitchen", "Wall Clock", "Grain & Co", 6400, nil, nil, "Silent sweep, oak frame."},
	// Accessories.
	{"Accessories", "Merino Wool Beanie", "Highland Knit", 2900, []string{"Colour"}, [][]string{{"Charcoal", "Navy", "Mustard", "Forest", "Cream"}}, "Ribbed merino, one size."},
	{"Accessories", "Canvas Tote Bag", "Harbour & Co", 2600, []string{"Colour"}, [][]string{{"Natural", "Black", "Olive"}}, "14 oz canvas with inner pocket."},
	{"Accessories", "Leather Card Wallet", "Saddle Works", 4800, []string{"Colour"}, [][]string{{"Tan", "Black", "Oxblood"}}, "Vegetable-tanned leather."},
	{"Accessories", "Polarised Sunglasses", "Shoreline", 7800, []string{"Colour"}, [][]string{{"Tortoise", "Black"}}, "Acetate frame, UV400."},
	{"Accessories", "Six-Panel Cap", "Velo Supply", 3000, []string{"Colour"}, [][]string{{"Black", "Navy", "Stone", "Olive"}}, "Washed cotton twill."},
	{"Accessories", "Leather Belt", "Saddle Works", 5600, []string{"Size", "Colour"}, [][]string{{"S", "M", "L", "XL"}, {"Tan", "Black"}}, "Solid brass buckle."},
	{"Accessories", "Silk Scarf", "Shoreline", 6800, []string{"Pattern"}, [][]string{{"Paisley", "Floral", "Geometric"}}, "Mulberry silk twill."},
	{"Accessories", "Phone Case", "Shoreline", 3400, []string{"Model", "Colour"}, [][]string{{"iPhone 15", "iPhone 15 Pro", "Pixel 8", "Galaxy S24"}, {"Clear", "Black"}}, "Recycled shockproof case."},
	{"Accessories", "Weekender Duffel", "Saddle Works", 16800, []string{"Colour"}, [][]string{{"Olive", "Navy"}}, "Waxed canvas with leather trim."},
	{"Accessories", "Minimal Watch", "Shoreline", 14800, []string{"Strap"}, [][]string{{"Black Leather", "Tan Leather", "Steel Mesh"}}, "38 mm case, sapphire glass."},
	{"Accessories", "Cotton Bandana", "Northfold", 1200, []string{"Colour"}, [][]string{{"Red", "Navy", "Black", "Olive"}}, "Printed cotton."},
	// Outdoor.
	{"Outdoor", "Insulated Water Bottle", "Trailhead", 3400, []string{"Size", "Colour"}, [][]string{{"500 ml", "750 ml"}, bottleCol}, "Keeps cold 24 h, hot 12 h."},
	{"Outdoor", "Enamel Camp Mug", "Trailhead", 1600, []string{"Colour"}, [][]string{{"White", "Blue", "Green"}}, "Speckled enamel steel."},
	{"Outdoor", "Packable Hammock", "Trailhead", 5800, nil, nil, "Parachute nylon, straps included."},
	{"Outdoor", "Rechargeable Headlamp", "Trailhead", 4400, nil, nil, "400 lumens, USB-C."},
	{"Outdoor", "Trekking Poles", "Trailhead", 8800, []string{"Material"}, [][]string{{"Aluminium", "Carbon"}}, "Collapsible, cork grips."},
	{"Outdoor", "Camp Chair", "Trailhead", 7400, []string{"Colour"}, [][]string{{"Olive", "Orange"}}, "Folds to a stuff sack."},
	{"Outdoor", "Daypack 20L", "Trailhead", 9800, []string{"Colour"}, [][]string{{"Black", "Rust", "Slate"}}, "Water-resistant with laptop sleeve."},
	{"Outdoor", "Picnic Blanket", "Linen Loft", 6200, []string{"Pattern"}, [][]string{{"Check", "Stripe"}}, "Waterproof backing."},
}

type supplierSpec struct {
	code, name, country, currency, kind string
	handling, buffer                    int
	costShare                           float64 // unit cost as a share of the price
	leadMin, leadMax                    int
	shipCents                           int64
	share                               float64 // share of variants it offers
	conn                                models.Connection
	secrets                             map[string]string
	schedule                            string
}

var suppliers = []supplierSpec{
	{"ACME", "Acme Wholesale US", "US", "USD", models.KindREST, 1, 2, 0.48, 2, 4, 450, 0.7,
		models.Connection{URL: "http://127.0.0.1:9101/api/v1/inventory", AuthType: models.AuthBearer}, map[string]string{models.SecretToken: ACMEToken}, "5m"},
	{"BOLT", "Bolt Handels GmbH", "DE", "EUR", models.KindFeedSFTP, 2, 1, 0.44, 3, 6, 650, 0.45,
		models.Connection{Host: "127.0.0.1", Port: 9122, Username: BOLTUser, AuthType: models.AuthPassword, Path: "/", FilePattern: "stock_*.csv"},
		map[string]string{models.SecretPassword: BOLTPassword}, "10m"},
	{"CRANE", "Crane Trading Co.", "CN", "USD", models.KindFeedHTTP, 3, 0, 0.31, 10, 18, 250, 0.6,
		models.Connection{URL: "http://127.0.0.1:9103/feeds/stock.csv", AuthType: models.AuthNone}, nil, "30m"},
	{"DELTA", "Delta Distribution Ltd", "GB", "GBP", models.KindWebhook, 1, 3, 0.42, 2, 5, 550, 0.35,
		models.Connection{}, map[string]string{models.SecretSigningSecret: DELTASecret}, ""},
}

// Credentials the demo suppliers share with their sandbox suppliers (`make run` starts them).
const (
	ACMEToken    = "demo-acme-token"
	BOLTUser     = "dropship"
	BOLTPassword = "demo-bolt-password"
	DELTASecret  = "whsec_ZGVtby1kZWx0YS1zaWduaW5nLXNlY3JldA=="
)

// Seed adds the demo catalog when the store has no products; it reports whether it did.
func Seed(ctx context.Context, db *gorm.DB, box *models.SecretBox) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&models.Product{}).Count(&n).Error; err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	rng := rand.New(rand.NewPCG(20261127, 42))
	now := time.Now().UTC().Truncate(time.Second)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cats := map[string]int64{}
		for _, name := range []string{"Apparel", "Home & Kitchen", "Accessories", "Outdoor"} {
			c := models.Category{Name: name}
			if err := tx.Create(&c).Error; err != nil {
				return fmt.Errorf("demo: category %s: %w", name, err)
			}
			cats[name] = c.ID
		}
		var variants []models.Variant
		var titles []string
		for pi, spec := range catalog {
			catID := cats[spec.category]
			status := models.ProductActive
			if pi == len(catalog)-1 {
				status = models.ProductDraft
			}
			p := models.Product{Handle: models.Slugify(spec.title), Title: spec.title, Description: spec.blurb, Vendor: spec.vendor,
				CategoryID: &catID, Status: status, OptionNames: models.StringList(spec.options)}
			if err := tx.Create(&p).Error; err != nil {
				return fmt.Errorf("demo: product %s: %w", spec.title, err)
			}
			prefix := skuPrefix(spec.title)
			for pos, combo := range combos(spec.values) {
				opts := models.Options{}
				parts := []string{prefix}
				for i, val := range combo {
					opts[spec.options[i]] = val
					parts = append(parts, abbreviate(val))
				}
				price := spec.price
				if len(combo) > 0 && (combo[0] == "XL" || combo[0] == "Large" || combo[0] == "King") {
					price += 400
				}
				variants = append(variants, models.Variant{ProductID: p.ID, SKU: strings.Join(parts, "-"), Options: opts, PriceCents: price,
					Currency: "USD", Barcode: ean13(len(variants) + 1), WeightGrams: 150 + rng.IntN(900), Status: models.VariantActive, Position: pos + 1})
				titles = append(titles, supplierStyleTitle(spec.title, combo))
			}
		}
		if err := tx.CreateInBatches(&variants, 500).Error; err != nil {
			return fmt.Errorf("demo: variants: %w", err)
		}

		var supplierIDs []int64
		for _, sp := range suppliers {
			s, err := createSupplier(ctx, tx, box, sp)
			if err != nil {
				return err
			}
			if err := setMapping(ctx, tx, s); err != nil {
				return err
			}
			supplierIDs = append(supplierIDs, s.ID)
		}

		// Offers: most variants at one to three suppliers; about one in twelve at none (unmapped).
		offered := make([]map[int]bool, len(suppliers)) // supplier -> variant index
		for si := range offered {
			offered[si] = map[int]bool{}
		}
		var offers []models.Offer
		seq := make([]int, len(suppliers))
		for vi, v := range variants {
			if rng.IntN(12) == 0 {
				continue
			}
			picked := 0
			for si, sp := range suppliers {
				if rng.Float64() >= sp.share {
					continue
				}
				picked++
				offered[si][vi] = true
			}
			if picked == 0 {
				si := rng.IntN(len(suppliers))
				offered[si][vi] = true
			}
			for si, sp := range suppliers {
				if !offered[si][vi] {
					continue
				}
				seq[si]++
				qty := int64(rng.IntN(60))
				switch rng.IntN(10) {
				case 0:
					qty = 0
				case 1:
					qty = int64(rng.IntN(6))
				}
				cost := int64(float64(v.PriceCents) * (sp.costShare + rng.Float64()*0.08))
				seen := now.Add(-time.Duration(rng.IntN(90)) * time.Minute)
				offers = append(offers, models.Offer{SupplierID: supplierIDs[si], VariantID: v.ID, SupplierSKU: SupplierSKU(sp.code, seq[si]),
					UnitCostCents: cost, ShippingCostCents: sp.shipCents, Currency: sp.currency, ReportedQuantity: qty,
					LeadTimeDays: sp.leadMin + rng.IntN(sp.leadMax-sp.leadMin+1), MinQuantity: 1, Active: true,
					LastSeenAt: &seen, Source: sourceOf(sp.kind), ObservedAt: seen})
			}
		}
		if err := tx.CreateInBatches(&offers, 500).Error; err != nil {
			return fmt.Errorf("demo: offers: %w", err)
		}

		// Unmapped SKUs, each with a good suggestion: same barcode, a similar SKU, or a similar title.
		for si, sp := range suppliers {
			picks := 0
			for tries := 0; picks < 2 && tries < 1000; tries++ {
				vi := rng.IntN(len(variants))
				if offered[si][vi] {
					continue
				}
				offered[si][vi] = true // not twice
				v := variants[vi]
				seq[si]++
				cost := int64(float64(v.PriceCents) * sp.costShare)
				lead := sp.leadMin
				sight := models.UnmappedSighting{SupplierSKU: SupplierSKU(sp.code, seq[si]), ReportedQuantity: int64(8 + rng.IntN(30)),
					UnitCostCents: &cost, Currency: sp.currency, LeadTimeDays: &lead, SeenAt: now.Add(-time.Duration(rng.IntN(600)) * time.Minute)}
				sight.Title = titles[vi]
				if picks == 0 {
					sight.Barcode, sight.Title = v.Barcode, strings.ToUpper(sight.Title)
				}
				if err := models.RecordUnmapped(ctx, tx, supplierIDs[si], sight); err != nil {
					return err
				}
				picks++
			}
		}
		// One supplier quotes the merchant's SKU inside its own.
		for vi, v := range variants {
			if offered[2][vi] || !strings.HasPrefix(v.SKU, "ENAM-CAMP-MUG") {
				continue
			}
			if err := models.RecordUnmapped(ctx, tx, supplierIDs[2], models.UnmappedSighting{SupplierSKU: "CRANE-" + v.SKU,
				Title: "Camping cup, enamel", ReportedQuantity: 40, SeenAt: now.Add(-time.Hour)}); err != nil {
				return err
			}
			break
		}
		return models.RecordAudit(ctx, tx, models.AuditRecord{Action: "demo.seed", EntityType: "catalog",
			After: map[string]any{"products": len(catalog), "variants": len(variants), "offers": len(offers), "suppliers": len(suppliers)}})
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

func createSupplier(ctx context.Context, tx *gorm.DB, box *models.SecretBox, sp supplierSpec) (*models.Supplier, error) {
	s, err := models.CreateSupplier(ctx, tx, box, nil, models.SupplierInput{
		Code: sp.code, Name: sp.name, ContactName: "Orders desk", ContactEmail: "orders@" + strings.ToLower(sp.code) + ".example",
		ContactPhone: "+1 555 0100", ConnectionKind: sp.kind, Connection: sp.conn, Secrets: sp.secrets, Schedule: sp.schedule,
		HandlingDays: sp.handling, ShipsFromCountry: sp.country, Currency: sp.currency, SafetyBuffer: sp.buffer,
		FeedGuardPct: 50, MissingSKUPolicy: "zero", AllowedLagMinutes: 240,
		Notes: "Demo supplier. Its SKUs follow " + sp.code + "-000001, as the sandbox supplier's do.",
	})
	if err != nil {
		return nil, fmt.Errorf("demo: supplier %s: %w", sp.code, err)
	}
	return s, nil
}

func sourceOf(kind string) string {
	switch kind {
	case models.KindREST:
		return "rest"
	case models.KindWebhook:
		return "webhook"
	}
	return "feed"
}

func combos(values [][]string) [][]string {
	out := [][]string{{}}
	for _, vals := range values {
		var next [][]string
		for _, c := range out {
			for _, v := range vals {
				next = append(next, append(append([]string{}, c...), v))
			}
		}
		out = next
	}
	return out
}

// skuPrefix takes the first letters of the title's main words: "Classic Organic Tee" -> "CLAS-ORGA-TEE".
func skuPrefix(title string) string {
	var parts []string
	for _, w := range strings.Fields(title) {
		w = strings.ReplaceAll(strings.ToUpper(w), "'S", "")
		w = strings.Map(func(r rune) rune {
			if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, w)
		if w == "" || w == "OF" || w == "AND" {
			continue
		}
		if len(w) > 4 {
			w = w[:4]
		}
		parts = append(parts, w)
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, "-")
}

// abbreviate shortens an option value for a SKU: "Heather Grey" -> "HEGR", "M" -> "M".
func abbreviate(v string) string {
	var b strings.Builder
	for _, w := range strings.Fields(strings.ToUpper(v)) {
		w = strings.Map(func(r rune) rune {
			if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, w)
		if len(w) > 3 && len(strings.Fields(v)) == 1 {
			w = w[:3]
		} else if len(w) > 2 && len(strings.Fields(v)) > 1 {
			w = w[:2]
		}
		b.WriteString(w)
	}
	return b.String()
}

// supplierStyleTitle words a title the way a wholesaler's feed might: "Beanie, Merino Wool - Navy".
func supplierStyleTitle(title string, values []string) string {
	words := strings.Fields(title)
	t := title
	if len(words) > 1 {
		t = words[len(words)-1] + ", " + strings.Join(words[:len(words)-1], " ")
	}
	if len(values) > 0 {
		t += " - " + strings.Join(values, " ")
	}
	return t
}

// ean13 makes a valid EAN-13 in the 200-299 in-store range from n.
func ean13(n int) string {
	body := fmt.Sprintf("200%09d", n)
	sum := 0
	for i, r := range body {
		d := int(r - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}
