package models

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Stock states of a variant, as the catalog filters them.
const (
	StockIn       = "in"       // more available than its low-stock threshold
	StockLow      = "low"      // some available, at or below the threshold
	StockOut      = "out"      // mapped, nothing available
	StockUnmapped = "unmapped" // no active offer maps it
)

// CatalogFilter is the catalog page's search, filters, sort and page.
type CatalogFilter struct {
	Query      string // title, SKU or barcode
	CategoryID int64
	Status     string // product status; "" for all
	Stock      string // in, low, out, unmapped; "" for all
	Sort       string // title (default), sku, price, available, updated
	Desc       bool
	After      string // keyset cursor from the previous page
	Limit      int
}

// CatalogRow is one variant as the catalog lists it, with its pool figures.
type CatalogRow struct {
	VariantID         int64
	ProductID         int64
	ProductTitle      string
	Handle            string
	ProductStatus     string
	CategoryName      string
	OptionNames       StringList
	SKU               string `gorm:"column:sku"`
	Barcode           string
	Options           Options
	PriceCents        int64
	Currency          string
	VariantStatus     string
	LowStockThreshold *int
	// StoreDefault is the store's threshold for variants without their own; nil: DefaultLowStockThreshold.
	StoreDefault *int64 `gorm:"-"`
	Position     int
	UpdatedAt    time.Time
	PoolFigures
}

// StockState says whether the variant is in stock, low, out or unmapped.
func (r *CatalogRow) StockState() string {
	threshold := int64(DefaultLowStockThreshold)
	if r.StoreDefault != nil {
		threshold = *r.StoreDefault
	}
	if r.LowStockThreshold != nil {
		threshold = int64(*r.LowStockThreshold)
	}
	switch {
	case r.Offers == 0:
		return StockUnmapped
	case r.Available == 0:
		return StockOut
	case r.Available <= threshold:
		return StockLow
	}
	return StockIn
}

// sortKeys are the catalog's sortable columns: the SQL expressions of the
// keyset, most significant first (variant id last keeps the order total).
var sortKeys = map[string][]sortKey{
	"title":     {{"p.title", "text"}, {"p.id", "bigint"}, {"v.position", "integer"}, {"v.id", "bigint"}},
	"sku":       {{"v.sku", "text"}},
	"price":     {{"v.price_cents", "bigint"}, {"v.id", "bigint"}},
	"available": {{"GREATEST(vs.supply - vs.reserved, 0)", "bigint"}, {"v.id", "bigint"}},
	"updated":   {{"v.updated_at", "timestamptz"}, {"v.id", "bigint"}},
}

type sortKey struct{ expr, typ string }

// SortKeys lists the columns the catalog can sort by.
var SortKeys = []string{"title", "sku", "price", "available", "updated"}

var barcodeLike = regexp.MustCompile(`^[0-9]{6,14}$`)

// SearchCatalog lists variants matching f, one page in keyset order, and the
// cursor of the next page ("" on the last). It runs in two steps: the first
// finds the page's variant ids touching only the tables its filters and sort
// need, the second fetches what the page shows for those ids alone.
func SearchCatalog(ctx context.Context, db *gorm.DB, f CatalogFilter) ([]CatalogRow, string, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	keys, ok := sortKeys[f.Sort]
	if !ok {
		f.Sort, keys = "title", sortKeys["title"]
	}
	needProducts := f.Sort == "title" || f.CategoryID > 0 || f.Status != ""
	needStock := f.Sort == "available" || f.Stock != ""
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		sub := `SELECT id FROM variants WHERE sku ILIKE ?
			UNION SELECT v2.id FROM products p2 JOIN variants v2 ON v2.product_id = p2.id WHERE p2.title ILIKE ?`
		args = append(args, like, like)
		if barcodeLike.MatchString(q) {
			sub += " UNION SELECT id FROM variants WHERE barcode = ?"
			args = append(args, q)
		}
		where = append(where, "v.id IN ("+sub+")")
	}
	if f.CategoryID > 0 {
		where = append(where, "p.category_id = ?")
		args = append(args, f.CategoryID)
	}
	if f.Status != "" {
		where = append(where, "p.status = ?")
		args = append(args, f.Status)
	}
	def := storeLowStockDefault(ctx, db)
	threshold := fmt.Sprintf("COALESCE(vs.low_stock_threshold, %d)", def)
	// The rarer stock states are found first and then sorted (walking the
	// whole sort order to find a few of them is what makes a page slow).
	hits := ""
	switch f.Stock {
	case StockUnmapped:
		hits = "vs.offers = 0"
	case StockOut:
		hits = "vs.offers > 0 AND vs.supply - vs.reserved <= 0"
	case StockLow:
		hits = "vs.offers > 0 AND vs.supply - vs.reserved > 0 AND vs.supply - vs.reserved <= " + threshold
	case StockIn:
		where = append(where, "vs.offers > 0 AND vs.supply - vs.reserved > "+threshold)
	}
	if hits != "" {
		needStock = f.Sort == "available"
	}
	if f.After != "" {
		vals, err := decodeCursor(f.After, len(keys))
		if err != nil {
			return nil, "", fmt.Errorf("models: catalog cursor: %w", ErrNotFound)
		}
		op := ">"
		if f.Desc {
			op = "<"
		}
		// The leading column alone lets the index start at the right place.
		where = append(where, fmt.Sprintf("%s %s= CAST(? AS %s)", keys[0].expr, op, keys[0].typ))
		args = append(args, vals[0])
		// Then the whole key, whose placeholders come after the leading one's.
		cols, ph := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			cols[i] = k.expr
			ph[i] = "CAST(? AS " + k.typ + ")"
			args = append(args, vals[i])
		}
		where = append(where, fmt.Sprintf("(%s) %s (%s)", strings.Join(cols, ", "), op, strings.Join(ph, ", ")))
	}
	order := make([]string, len(keys))
	for i, k := range keys {
		order[i] = k.expr
		if f.Desc {
			order[i] += " DESC"
		}
	}
	inner := "SELECT v.id FROM variants v"
	if hits != "" {
		inner = "WITH hits AS MATERIALIZED (SELECT vs.variant_id FROM variant_stock vs WHERE " + hits + ")" +
			" SELECT v.id FROM hits JOIN variants v ON v.id = hits.variant_id"
	}
	if needProducts {
		inner += " JOIN products p ON p.id = v.product_id"
	}
	if needStock {
		inner += " JOIN variant_stock vs ON vs.variant_id = v.id"
	}
	if len(where) > 0 {
		inner += " WHERE " + strings.Join(where, " AND ")
	}
	inner += " ORDER BY " + strings.Join(order, ", ") + fmt.Sprintf(" LIMIT %d", f.Limit+1)

	sql := `SELECT v.id AS variant_id, p.id AS product_id, p.title AS product_title, p.handle, p.status AS product_status,
			COALESCE(c.name, '') AS category_name, p.option_names, v.sku, v.barcode, v.options, v.price_cents, v.currency,
			v.status AS variant_status, v.low_stock_threshold, v.position, v.updated_at,
			vs.supply, vs.reserved, GREATEST(vs.supply - vs.reserved, 0) AS available, vs.offers
		FROM (` + inner + `) page
		JOIN variants v ON v.id = page.id
		JOIN products p ON p.id = v.product_id
		JOIN variant_stock vs ON vs.variant_id = v.id
		LEFT JOIN categories c ON c.id = p.category_id
		ORDER BY ` + strings.Join(order, ", ")
	var out []CatalogRow
	if err := db.WithContext(ctx).Raw(sql, args...).Scan(&out).Error; err != nil {
		return nil, "", fmt.Errorf("models: search catalog: %w", err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = encodeCursor(cursorOf(out[f.Limit-1], keys))
	}
	for i := range out {
		out[i].StoreDefault = &def
	}
	return out, next, nil
}

// cursorOf reads the keyset values of a row.
func cursorOf(r CatalogRow, keys []sortKey) []string {
	vals := make([]string, len(keys))
	for i, k := range keys {
		switch k.expr {
		case "p.title":
			vals[i] = r.ProductTitle
		case "p.id":
			vals[i] = fmt.Sprint(r.ProductID)
		case "v.position":
			vals[i] = fmt.Sprint(r.Position)
		case "v.id":
			vals[i] = fmt.Sprint(r.VariantID)
		case "v.sku":
			vals[i] = r.SKU
		case "v.price_cents":
			vals[i] = fmt.Sprint(r.PriceCents)
		case "v.updated_at":
			vals[i] = r.UpdatedAt.UTC().Format(time.RFC3339Nano)
		default:
			vals[i] = fmt.Sprint(r.Available)
		}
	}
	return vals
}

func encodeCursor(vals []string) string {
	b, _ := json.Marshal(vals)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var vals []string
	if err := json.Unmarshal(b, &vals); err != nil || len(vals) != n {
		return nil, fmt.Errorf("bad cursor")
	}
	return vals, nil
}

// escapeLike quotes LIKE's wildcards in user input.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CatalogCounts are the figures above the catalog list.
type CatalogCounts struct {
	Products, Variants, Unmapped, Out, Low int64
}

// CountCatalog counts products, variants and the variants in each stock state.
func CountCatalog(ctx context.Context, db *gorm.DB) (CatalogCounts, error) {
	var c CatalogCounts
	err := db.WithContext(ctx).Raw(fmt.Sprintf(`SELECT (SELECT count(*) FROM products) AS products,
		count(*) AS variants,
		count(*) FILTER (WHERE offers = 0) AS unmapped,
		count(*) FILTER (WHERE offers > 0 AND supply - reserved <= 0) AS out,
		count(*) FILTER (WHERE offers > 0 AND supply - reserved > 0 AND supply - reserved <= COALESCE(low_stock_threshold, %d)) AS low
		FROM variant_stock`, storeLowStockDefault(ctx, db))).Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("models: count catalog: %w", err)
	}
	return c, nil
}

// ProductVariant is a variant of a product with its pool figures.
type ProductVariant struct {
	Variant
	PoolFigures
}

// ListProductVariants returns a product's variants in position order with their pool figures.
func ListProductVariants(ctx context.Context, db *gorm.DB, productID int64) ([]ProductVariant, error) {
	var vs []Variant
	if err := db.WithContext(ctx).Where("product_id = ?", productID).Order("position, id").Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("models: list variants of product %d: %w", productID, err)
	}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	pool, err := Pool(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ProductVariant, len(vs))
	for i, v := range vs {
		out[i] = ProductVariant{Variant: v, PoolFigures: pool[v.ID]}
	}
	return out, nil
}

// VariantLookup is a variant found by the mapping page's search.
type VariantLookup struct {
	VariantID    int64
	SKU          string `gorm:"column:sku"`
	ProductTitle string
	OptionNames  StringList
	Options      Options
	PoolFigures
}

// FindVariants searches variants by SKU, title or barcode for mapping by hand.
func FindVariants(ctx context.Context, db *gorm.DB, q string, limit int) ([]VariantLookup, error) {
	rows, _, err := SearchCatalog(ctx, db, CatalogFilter{Query: q, Limit: limit, Sort: "title"})
	if err != nil {
		return nil, err
	}
	out := make([]VariantLookup, len(rows))
	for i, r := range rows {
		out[i] = VariantLookup{VariantID: r.VariantID, SKU: r.SKU, ProductTitle: r.ProductTitle, OptionNames: r.OptionNames,
			Options: r.Options, PoolFigures: r.PoolFigures}
	}
	return out, nil
}
