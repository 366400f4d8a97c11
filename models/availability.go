package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Alternative is an in-stock variant a customer could take instead of a short one.
type Alternative struct {
	VariantID   int64
	SKU         string `gorm:"column:sku"`
	Title       string
	Options     Options
	PriceCents  int64
	Currency    string
	Available   int64
	SameProduct bool
}

// Alternatives lists in-stock variants to offer instead of variantID: other
// variants of the same product first (closest price first), then one variant
// per other product of the same category, by closeness of price.
func Alternatives(ctx context.Context, db *gorm.DB, variantID int64, limit int) ([]Alternative, error) {
	var out []Alternative
	err := db.WithContext(ctx).Raw(`
		WITH me AS (
			SELECT v.id, v.product_id, v.price_cents, p.category_id
			FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = @id
		), same_product AS (
			SELECT v.id AS variant_id, v.sku, p.title, v.options, v.price_cents, v.currency, vp.available,
			       true AS same_product, abs(v.price_cents - me.price_cents) AS distance
			FROM me JOIN variants v ON v.product_id = me.product_id AND v.id <> me.id
			JOIN products p ON p.id = v.product_id
			JOIN variant_pool vp ON vp.variant_id = v.id
			WHERE v.status = 'active' AND p.status = 'active' AND vp.available > 0
			ORDER BY distance, v.position, v.id LIMIT @limit
		), same_category AS (
			SELECT * FROM (
				SELECT DISTINCT ON (p.id) v.id AS variant_id, v.sku, p.title, v.options, v.price_cents, v.currency,
				       vp.available, false AS same_product, abs(v.price_cents - me.price_cents) AS distance
				FROM me JOIN products p ON p.category_id = me.category_id AND p.id <> me.product_id
				JOIN variants v ON v.product_id = p.id
				JOIN variant_pool vp ON vp.variant_id = v.id
				WHERE v.status = 'active' AND p.status = 'active' AND vp.available > 0
				ORDER BY p.id, abs(v.price_cents - me.price_cents), v.id
			) AS best_per_product ORDER BY distance, variant_id LIMIT @limit
		)
		SELECT variant_id, sku, title, options, price_cents, currency, available, same_product FROM (
			SELECT *, 0 AS rank FROM same_product UNION ALL SELECT *, 1 FROM same_category
		) AS both_kinds ORDER BY rank, distance, variant_id LIMIT @limit`,
		map[string]any{"id": variantID, "limit": limit}).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: alternatives of variant %d: %w", variantID, err)
	}
	return out, nil
}

// DeliveryEstimate is how many days, at best and at worst, a delivery takes.
type DeliveryEstimate struct {
	MinDays int
	MaxDays int
}

// ShippingZone gives transit days from one country to another ('*' any, '=' same country).
type ShippingZone struct {
	ID             int64
	FromCountry    string
	ToCountry      string
	TransitMinDays int
	TransitMaxDays int
	UpdatedAt      time.Time
}

// ShippingZones is the merchant's transit table.
type ShippingZones []ShippingZone

// LoadShippingZones reads the transit table.
func LoadShippingZones(ctx context.Context, db *gorm.DB) (ShippingZones, error) {
	var z ShippingZones
	if err := db.WithContext(ctx).Order("from_country, to_country").Find(&z).Error; err != nil {
		return nil, fmt.Errorf("models: shipping zones: %w", err)
	}
	return z, nil
}

// Transit finds the most specific row for a route: exact pair, then from the
// origin to anywhere, then from anywhere to the destination, then domestic
// ('=') when both are the same, then anywhere to anywhere. ok is false when
// the table has no row that applies.
func (z ShippingZones) Transit(from, to string) (minDays, maxDays int, ok bool) {
	best, bestRank := -1, 99
	for i, r := range z {
		rank := 99
		switch {
		case r.FromCountry == from && r.ToCountry == to:
			rank = 0
		case r.FromCountry == from && r.ToCountry == "*":
			rank = 1
		case r.FromCountry == "*" && r.ToCountry == to:
			rank = 2
		case r.ToCountry == "=" && from == to && (r.FromCountry == "*" || r.FromCountry == from):
			rank = 3
		case r.FromCountry == "*" && r.ToCountry == "*":
			rank = 4
		}
		if rank < bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	return z[best].TransitMinDays, z[best].TransitMaxDays, true
}

// shippableOffer is an offer that can ship now, with what its estimate needs.
type shippableOffer struct {
	VariantID        int64
	LeadTimeDays     int
	HandlingDays     int
	ShipsFromCountry string
}

// DeliveryEstimates gives, per variant, the estimate of its best offer that
// can ship (the earliest latest-day) to country: the supplier's handling days
// plus the offer's lead time plus transit. Variants with no such offer are absent.
func DeliveryEstimates(ctx context.Context, db *gorm.DB, zones ShippingZones, variantIDs []int64, country string) (map[int64]DeliveryEstimate, error) {
	out := map[int64]DeliveryEstimate{}
	if len(variantIDs) == 0 {
		return out, nil
	}
	var offers []shippableOffer
	err := db.WithContext(ctx).Raw(`SELECT o.variant_id, o.lead_time_days, s.handling_days, s.ships_from_country
		FROM offers o JOIN suppliers s ON s.id = o.supplier_id
		WHERE o.variant_id = ANY (?) AND o.active AND s.status = 'active'
		  AND o.reported_quantity - s.safety_buffer > 0`, int64Array(variantIDs)).Scan(&offers).Error
	if err != nil {
		return nil, fmt.Errorf("models: delivery estimates: %w", err)
	}
	for _, o := range offers {
		tmin, tmax, ok := zones.Transit(o.ShipsFromCountry, country)
		if !ok {
			continue
		}
		e := DeliveryEstimate{MinDays: o.HandlingDays + o.LeadTimeDays + tmin, MaxDays: o.HandlingDays + o.LeadTimeDays + tmax}
		if cur, seen := out[o.VariantID]; !seen || e.MaxDays < cur.MaxDays || (e.MaxDays == cur.MaxDays && e.MinDays < cur.MinDays) {
			out[o.VariantID] = e
		}
	}
	return out, nil
}

// SellableVariant is a variant as the storefront sees it.
type SellableVariant struct {
	VariantID  int64
	ProductID  int64
	SKU        string `gorm:"column:sku"`
	Options    Options
	PriceCents int64
	Currency   string
	Available  int64
	Estimate   *DeliveryEstimate `gorm:"-"`
}

// SellableProduct is an active product with its active variants.
type SellableProduct struct {
	ID         int64
	Handle     string
	Title      string
	CategoryID *int64
	Variants   []SellableVariant `gorm:"-"`
}

// ListSellableProducts pages through active products (id after afterID),
// with their active variants, pool and delivery estimates to country. more
// tells whether another page follows.
func ListSellableProducts(ctx context.Context, db *gorm.DB, zones ShippingZones, afterID int64, limit int, country string) (products []SellableProduct, more bool, err error) {
	err = db.WithContext(ctx).Raw(`SELECT id, handle, title, category_id FROM products
		WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?`, afterID, limit+1).Scan(&products).Error
	if err != nil {
		return nil, false, fmt.Errorf("models: list sellable products: %w", err)
	}
	if len(products) > limit {
		products, more = products[:limit], true
	}
	ids := make([]int64, len(products))
	for i, p := range products {
		ids[i] = p.ID
	}
	variants, err := sellableVariants(ctx, db, zones, "v.product_id = ANY (?)", int64Array(ids), country)
	if err != nil {
		return nil, false, err
	}
	at := make(map[int64]int, len(products))
	for i, p := range products {
		at[p.ID] = i
	}
	for _, v := range variants {
		products[at[v.ProductID]].Variants = append(products[at[v.ProductID]].Variants, v)
	}
	return products, more, nil
}

// GetSellableVariant finds an active variant of an active product by SKU.
func GetSellableVariant(ctx context.Context, db *gorm.DB, zones ShippingZones, sku, country string) (*SellableVariant, error) {
	vs, err := sellableVariants(ctx, db, zones, "v.sku = ?", sku, country)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("models: sellable variant %q: %w", sku, ErrNotFound)
	}
	return &vs[0], nil
}

func sellableVariants(ctx context.Context, db *gorm.DB, zones ShippingZones, where string, arg any, country string) ([]SellableVariant, error) {
	var vs []SellableVariant
	err := db.WithContext(ctx).Raw(`SELECT v.id AS variant_id, v.product_id, v.sku, v.options, v.price_cents, v.currency,
			COALESCE(vp.available, 0) AS available
		FROM variants v JOIN products p ON p.id = v.product_id
		LEFT JOIN variant_pool vp ON vp.variant_id = v.id
		WHERE `+where+` AND v.status = 'active' AND p.status = 'active'
		ORDER BY v.product_id, v.position, v.id`, arg).Scan(&vs).Error
	if err != nil {
		return nil, fmt.Errorf("models: sellable variants: %w", err)
	}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.VariantID
	}
	est, err := DeliveryEstimates(ctx, db, zones, ids, country)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if e, ok := est[vs[i].VariantID]; ok {
			vs[i].Estimate = &e
		}
	}
	return vs, nil
}

// Quote line statuses.
const (
	QuoteAvailable   = "available"
	QuotePartial     = "partial"
	QuoteUnavailable = "unavailable"
)

// QuoteLine is one line of a quote: what can be had, when, and instead.
type QuoteLine struct {
	SKU          string
	Quantity     int
	Available    int64
	Status       string
	Estimate     *DeliveryEstimate
	Alternatives []Alternative
}

// Quote prices lines for a destination without reserving anything.
type Quote struct {
	Lines []QuoteLine
	Totals
}

// QuoteLines prices and checks the lines against the pool for country.
func QuoteLines(ctx context.Context, db *gorm.DB, zones ShippingZones, lines []CheckoutLine, country string, s StoreSettings) (*Quote, error) {
	lines = MergeLines(lines)
	fe := FieldErrors{}
	validateLines(fe, lines)
	if !ValidCountry(country) {
		fe.Add("ship_to.country", "must be an ISO 3166-1 alpha-2 country code, like US or DE")
	}
	if len(fe) > 0 {
		return nil, fe
	}
	priced, totals, err := PriceLines(ctx, db, lines, s)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(priced))
	for i, p := range priced {
		ids[i] = p.VariantID
	}
	pool, err := Pool(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	est, err := DeliveryEstimates(ctx, db, zones, ids, country)
	if err != nil {
		return nil, err
	}
	q := &Quote{Totals: totals}
	for _, p := range priced {
		l := QuoteLine{SKU: p.SKU, Quantity: p.Quantity, Available: pool[p.VariantID].Available, Alternatives: []Alternative{}}
		if e, ok := est[p.VariantID]; ok {
			l.Estimate = &e
		}
		switch {
		case l.Available >= int64(p.Quantity):
			l.Status = QuoteAvailable
		case l.Available > 0:
			l.Status = QuotePartial
		default:
			l.Status = QuoteUnavailable
		}
		if l.Status != QuoteAvailable {
			if l.Alternatives, err = Alternatives(ctx, db, p.VariantID, 5); err != nil {
				return nil, err
			}
		}
		q.Lines = append(q.Lines, l)
	}
	return q, nil
}
