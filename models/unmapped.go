package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Unmapped queue statuses.
const (
	UnmappedPending = "pending"
	UnmappedIgnored = "ignored"
	UnmappedMapped  = "mapped"
)

// UnmappedSKU is a supplier SKU seen in a feed that no offer maps yet.
type UnmappedSKU struct {
	ID               int64 `gorm:"primaryKey"`
	SupplierID       int64
	SupplierSKU      string `gorm:"column:supplier_sku"`
	Title            string
	Barcode          string
	ReportedQuantity int64
	UnitCostCents    *int64
	Currency         string
	LeadTimeDays     *int
	FirstSeenAt      time.Time
	LastSeenAt       time.Time
	Status           string
	MappedVariantID  *int64
	ResolvedAt       *time.Time
}

// TableName is the queue's table.
func (UnmappedSKU) TableName() string { return "unmapped_supplier_skus" }

// UnmappedSighting is what a feed said about a SKU nobody mapped.
type UnmappedSighting struct {
	SupplierSKU      string
	Title            string
	Barcode          string
	ReportedQuantity int64
	UnitCostCents    *int64
	Currency         string
	LeadTimeDays     *int
	SeenAt           time.Time
}

// RecordUnmapped adds a sighting to the queue, or refreshes the figures of a
// SKU already in it (an ignored SKU stays ignored).
func RecordUnmapped(ctx context.Context, tx *gorm.DB, supplierID int64, s UnmappedSighting) error {
	if s.SeenAt.IsZero() {
		s.SeenAt = time.Now().UTC()
	}
	row := UnmappedSKU{SupplierID: supplierID, SupplierSKU: s.SupplierSKU, Title: s.Title, Barcode: s.Barcode,
		ReportedQuantity: max(s.ReportedQuantity, 0), UnitCostCents: s.UnitCostCents, Currency: s.Currency, LeadTimeDays: s.LeadTimeDays,
		FirstSeenAt: s.SeenAt, LastSeenAt: s.SeenAt, Status: UnmappedPending}
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "supplier_id"}, {Name: "supplier_sku"}},
		DoUpdates: clause.AssignmentColumns([]string{"title", "barcode", "reported_quantity", "unit_cost_cents", "currency", "lead_time_days", "last_seen_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("models: record unmapped %s: %w", s.SupplierSKU, err)
	}
	return nil
}

// UnmappedRow is a queue entry with its supplier, as the mapping page lists it.
type UnmappedRow struct {
	UnmappedSKU
	SupplierCode string
	SupplierName string
}

// UnmappedFilter narrows the queue.
type UnmappedFilter struct {
	SupplierID int64
	Status     string // pending (default), ignored, mapped
	BeforeID   int64
	Limit      int
}

// ListUnmapped returns queue entries newest first, one more than Limit.
func ListUnmapped(ctx context.Context, db *gorm.DB, f UnmappedFilter) ([]UnmappedRow, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 25
	}
	if f.Status == "" {
		f.Status = UnmappedPending
	}
	q := db.WithContext(ctx).Table("unmapped_supplier_skus u").
		Select("u.*, s.code AS supplier_code, s.name AS supplier_name").
		Joins("JOIN suppliers s ON s.id = u.supplier_id").
		Where("u.status = ?", f.Status).Order("u.id DESC").Limit(f.Limit + 1)
	if f.SupplierID > 0 {
		q = q.Where("u.supplier_id = ?", f.SupplierID)
	}
	if f.BeforeID > 0 {
		q = q.Where("u.id < ?", f.BeforeID)
	}
	var out []UnmappedRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list unmapped: %w", err)
	}
	return out, nil
}

// CountUnmapped counts the pending queue.
func CountUnmapped(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&UnmappedSKU{}).Where("status = ?", UnmappedPending).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count unmapped: %w", err)
	}
	return n, nil
}

// GetUnmapped loads one queue entry.
func GetUnmapped(ctx context.Context, db *gorm.DB, id int64) (*UnmappedRow, error) {
	var out []UnmappedRow
	err := db.WithContext(ctx).Table("unmapped_supplier_skus u").
		Select("u.*, s.code AS supplier_code, s.name AS supplier_name").
		Joins("JOIN suppliers s ON s.id = u.supplier_id").Where("u.id = ?", id).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: get unmapped %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("models: get unmapped %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

// Why a variant is suggested for a supplier SKU, strongest first.
const (
	MatchBarcode = "barcode"
	MatchSKU     = "sku"
	MatchTitle   = "title"
)

// Suggestion is a variant that may be what an unmapped supplier SKU is.
type Suggestion struct {
	VariantID    int64
	SKU          string `gorm:"column:sku"`
	Barcode      string
	ProductID    int64
	ProductTitle string
	OptionNames  StringList
	Options      Options
	Match        string  // barcode, sku or title
	Score        float64 // similarity 0..1 of what matched (1 for a barcode)
	PoolFigures
}

// skuSimilarityFloor is the SKU similarity from which a SKU match outranks a title match.
const skuSimilarityFloor = 0.4

// Suggest returns up to limit variants for an unmapped SKU: barcode matches
// first, then SKUs similar to the supplier's (with and without its code
// prefix), then titles similar to the supplier's title (pg_trgm). Variants
// this supplier already maps are left out.
func Suggest(ctx context.Context, db *gorm.DB, unmappedID int64, limit int) ([]Suggestion, error) {
	m, err := SuggestMany(ctx, db, []int64{unmappedID}, limit)
	if err != nil {
		return nil, err
	}
	return m[unmappedID], nil
}

// suggestion is a Suggestion with the unmapped SKU it is for.
type suggestion struct {
	UnmappedID int64
	Suggestion
}

// SuggestMany is Suggest for a page of the queue in one query, by unmapped id.
func SuggestMany(ctx context.Context, db *gorm.DB, unmappedIDs []int64, limit int) (map[int64][]Suggestion, error) {
	if limit <= 0 {
		limit = 5
	}
	out := make(map[int64][]Suggestion, len(unmappedIDs))
	if len(unmappedIDs) == 0 {
		return out, nil
	}
	var rows []suggestion
	err := db.WithContext(ctx).Raw(`SELECT q.id AS unmapped_id, s.* FROM unnest(CAST(@ids AS bigint[])) AS q(id)
		CROSS JOIN LATERAL (`+suggestSQL+`) AS s ORDER BY q.id, s.rank`,
		map[string]any{"ids": int64Array(unmappedIDs), "floor": skuSimilarityFloor, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: suggest variants: %w", err)
	}
	for _, r := range rows {
		out[r.UnmappedID] = append(out[r.UnmappedID], r.Suggestion)
	}
	return out, nil
}

// suggestSQL ranks the candidate variants of the unmapped SKU q.id.
const suggestSQL = `
		WITH u AS (
			SELECT u.supplier_id, u.barcode, lower(u.title) AS title, u.supplier_sku AS raw_sku,
			       regexp_replace(u.supplier_sku, '^' || s.code || '[-_ ]{0,1}', '', 'i') AS sku
			FROM unmapped_supplier_skus u JOIN suppliers s ON s.id = u.supplier_id WHERE u.id = q.id
		), candidates AS (
			SELECT v.id FROM variants v, u WHERE u.barcode <> '' AND v.barcode = u.barcode
			UNION
			SELECT v.id FROM variants v, u WHERE v.sku % u.sku OR v.sku % u.raw_sku
			UNION
			(SELECT v.id FROM u, products p JOIN variants v ON v.product_id = p.id
			 WHERE u.title <> '' AND p.title <% u.title
			 ORDER BY word_similarity(p.title, u.title) DESC LIMIT 200)
		), scored AS (
			SELECT v.id AS variant_id, v.sku, v.barcode, p.id AS product_id, p.title AS product_title,
			       p.option_names, v.options,
			       (u.barcode <> '' AND v.barcode = u.barcode) AS barcode_match,
			       GREATEST(similarity(v.sku, u.sku), similarity(v.sku, u.raw_sku)) AS sku_score,
			       CASE WHEN u.title = '' THEN 0 ELSE similarity(lower(p.title || ' ' ||
			           COALESCE((SELECT string_agg(value, ' ') FROM jsonb_each_text(v.options)), '')), u.title) END AS title_score
			FROM candidates c JOIN variants v ON v.id = c.id JOIN products p ON p.id = v.product_id, u
			WHERE v.status = 'active'
			  AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.supplier_id = u.supplier_id AND o.variant_id = v.id)
		)
		SELECT sc.variant_id, sc.sku, sc.barcode, sc.product_id, sc.product_title, sc.option_names, sc.options,
		       CASE WHEN barcode_match THEN 'barcode' WHEN sku_score >= CAST(@floor AS float8) THEN 'sku' ELSE 'title' END AS match,
		       CASE WHEN barcode_match THEN 1 WHEN sku_score >= CAST(@floor AS float8) THEN sku_score ELSE title_score END AS score,
		       vp.supply, vp.reserved, vp.available, vp.offers, row_number() OVER best AS rank
		FROM scored sc JOIN variant_pool vp ON vp.variant_id = sc.variant_id
		WINDOW best AS (ORDER BY CASE WHEN barcode_match THEN 0 WHEN sku_score >= CAST(@floor AS float8) THEN 1 ELSE 2 END,
		         CASE WHEN barcode_match THEN 0 WHEN sku_score >= CAST(@floor AS float8) THEN -sku_score ELSE -title_score END,
		         sc.sku)
		ORDER BY rank
		LIMIT @limit`

// MapUnmapped maps a queued supplier SKU to a variant: the offer starts with
// the quantity, cost and lead time the feed reported, so the pool moves at once.
func MapUnmapped(ctx context.Context, db *gorm.DB, actor *User, unmappedID, variantID int64) (*Offer, error) {
	var o *Offer
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u UnmappedSKU
		if err := tx.Clauses(forUpdate).First(&u, unmappedID).Error; err != nil {
			return notFound(err, fmt.Sprintf("map unmapped %d", unmappedID))
		}
		if u.Status == UnmappedMapped {
			return fmt.Errorf("models: %s is already mapped: %w", u.SupplierSKU, ErrConflict)
		}
		in := OfferInput{SupplierID: u.SupplierID, VariantID: variantID, SupplierSKU: u.SupplierSKU,
			ReportedQuantity: u.ReportedQuantity, Currency: u.Currency, MinQuantity: 1, Active: true}
		if u.UnitCostCents != nil {
			in.UnitCostCents = *u.UnitCostCents
		}
		if u.LeadTimeDays != nil {
			in.LeadTimeDays = *u.LeadTimeDays
		}
		var err error
		if o, err = createOffer(ctx, tx, actor, in, "mapping"); err != nil {
			return err
		}
		now := time.Now().UTC()
		if err := tx.Model(&Offer{}).Where("id = ?", o.ID).Updates(map[string]any{"last_seen_at": u.LastSeenAt, "observed_at": u.LastSeenAt}).Error; err != nil {
			return fmt.Errorf("models: map unmapped %d: %w", unmappedID, err)
		}
		if err := tx.Model(&u).Updates(map[string]any{"status": UnmappedMapped, "mapped_variant_id": variantID, "resolved_at": now}).Error; err != nil {
			return fmt.Errorf("models: map unmapped %d: %w", unmappedID, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "unmapped.map", EntityType: "unmapped_sku",
			EntityID: fmt.Sprint(u.ID), Before: map[string]any{"status": u.Status},
			After: map[string]any{"status": UnmappedMapped, "supplier_sku": u.SupplierSKU, "variant_id": variantID, "offer_id": o.ID}})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// SetUnmappedIgnored ignores a queued SKU (the supplier sells something the
// store doesn't) or puts it back in the queue.
func SetUnmappedIgnored(ctx context.Context, db *gorm.DB, actor *User, unmappedID int64, ignored bool) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u UnmappedSKU
		if err := tx.Clauses(forUpdate).First(&u, unmappedID).Error; err != nil {
			return notFound(err, fmt.Sprintf("ignore unmapped %d", unmappedID))
		}
		if u.Status == UnmappedMapped {
			return fmt.Errorf("models: %s is mapped: %w", u.SupplierSKU, ErrConflict)
		}
		status, action := UnmappedPending, "unmapped.restore"
		var resolved any
		if ignored {
			status, action, resolved = UnmappedIgnored, "unmapped.ignore", time.Now().UTC()
		}
		if u.Status == status {
			return nil
		}
		if err := tx.Model(&u).Updates(map[string]any{"status": status, "resolved_at": resolved}).Error; err != nil {
			return fmt.Errorf("models: ignore unmapped %d: %w", unmappedID, err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: action, EntityType: "unmapped_sku", EntityID: fmt.Sprint(u.ID),
			Before: map[string]any{"status": u.Status}, After: map[string]any{"status": status, "supplier_sku": u.SupplierSKU}})
	})
}
