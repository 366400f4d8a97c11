package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// TemplateLowStock is the email a manager gets when a variant falls to its threshold.
const TemplateLowStock = "low_stock_alert"

// LowStockAlert is one crossing of a variant's low-stock threshold: opened
// when its available stock fell to the threshold or below, resolved when it
// rose above again.
type LowStockAlert struct {
	ID                 int64
	VariantID          int64
	Threshold          int
	AvailableAtOpen    int64
	OpenedAt           time.Time
	ResolvedAt         *time.Time
	AvailableAtResolve *int64
}

// checkLowStockQuery opens an alert per variant at or below its threshold
// that has none open, resolves the open alerts of variants back above it,
// and queues the email for every owner and manager, all in one statement:
// one alert and one email per crossing, however often the stock is synced.
const checkLowStockQuery = `WITH cur AS (
	SELECT v.id AS variant_id, v.sku, p.title, GREATEST(vs.supply - vs.reserved, 0) AS available,
	       COALESCE(v.low_stock_threshold, @def) AS threshold, vs.offers
	FROM variants v JOIN variant_stock vs ON vs.variant_id = v.id JOIN products p ON p.id = v.product_id
	WHERE v.status = 'active' AND p.status = 'active' AND %s
),
resolved AS (
	UPDATE low_stock_alerts a SET resolved_at = now(), available_at_resolve = c.available
	FROM cur c WHERE a.variant_id = c.variant_id AND a.resolved_at IS NULL AND (c.available > c.threshold OR c.offers = 0)
	RETURNING a.id
),
opened AS (
	INSERT INTO low_stock_alerts (variant_id, threshold, available_at_open)
	SELECT c.variant_id, c.threshold, c.available FROM cur c WHERE c.offers > 0 AND c.available <= c.threshold
	ON CONFLICT (variant_id) WHERE resolved_at IS NULL DO NOTHING
	RETURNING id, variant_id, threshold, available_at_open
),
mails AS (
	INSERT INTO notifications (channel, recipient, template, payload, dedupe_key, next_attempt_at, created_at)
	SELECT 'email', u.email, '` + TemplateLowStock + `',
	       jsonb_build_object('alert_id', o.id, 'variant_id', o.variant_id, 'sku', c.sku, 'title', c.title,
	                          'available', o.available_at_open, 'threshold', o.threshold),
	       'low-stock:' || o.id || ':' || u.id, now(), now()
	FROM opened o JOIN cur c ON c.variant_id = o.variant_id CROSS JOIN users u
	WHERE u.role IN ('owner', 'manager') AND u.disabled_at IS NULL
	ON CONFLICT (dedupe_key) DO NOTHING
	RETURNING id
)
SELECT (SELECT count(*) FROM opened) AS opened, (SELECT count(*) FROM resolved) AS resolved, (SELECT count(*) FROM mails) AS mails`

// checkLowStockList is the most variant ids CheckLowStock sends as a list.
const checkLowStockList = 20000

// LowStockCheck counts what CheckLowStock did.
type LowStockCheck struct {
	Opened, Resolved, Mails int64
}

// CheckLowStock compares the given variants (every variant when ids is nil)
// with their thresholds, opening and resolving alerts; see checkLowStockQuery.
func CheckLowStock(ctx context.Context, db *gorm.DB, variantIDs []int64) (LowStockCheck, error) {
	var out LowStockCheck
	st, err := GetStoreSettings(ctx, db)
	if err != nil {
		return out, err
	}
	var q string
	args := []any{sql.Named("def", st.LowStockThreshold)}
	if len(variantIDs) > checkLowStockList {
		variantIDs = nil // a big sync: the index finds the few low ones faster than half a million ids are sent
	}
	if variantIDs == nil {
		// Only variants that can be low (the index on available finds them) or have an alert to resolve.
		q = fmt.Sprintf(checkLowStockQuery, `(GREATEST(vs.supply - vs.reserved, 0) <= @maxthr
			OR v.id IN (SELECT variant_id FROM low_stock_alerts WHERE resolved_at IS NULL))`)
		maxThr, err := maxThreshold(ctx, db, st)
		if err != nil {
			return out, err
		}
		args = append(args, sql.Named("maxthr", maxThr))
	} else {
		q = fmt.Sprintf(checkLowStockQuery, "v.id = ANY (@ids)")
		args = append(args, sql.Named("ids", int64Array(variantIDs)))
	}
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&out).Error; err != nil {
		return out, fmt.Errorf("models: check low stock: %w", err)
	}
	return out, nil
}

// maxThreshold is the highest threshold any variant has: nothing above it can be low.
func maxThreshold(ctx context.Context, db *gorm.DB, st StoreSettings) (int64, error) {
	var m int64
	if err := db.WithContext(ctx).Raw("SELECT GREATEST(COALESCE(max(low_stock_threshold), 0), ?) FROM variants",
		st.LowStockThreshold).Scan(&m).Error; err != nil {
		return 0, fmt.Errorf("models: low stock thresholds: %w", err)
	}
	return m, nil
}

// Low-stock states a filter may ask for.
const (
	LowStateOut = "out"
	LowStateLow = "low"
)

// LowStockFilter narrows the low-stock dashboard.
type LowStockFilter struct {
	SupplierID int64
	CategoryID int64
	State      string // "", LowStateOut or LowStateLow
	Offset     int
	Limit      int
}

// LowStockRow is a variant at or below its threshold, as the dashboard shows it.
type LowStockRow struct {
	VariantID    int64
	SKU          string `gorm:"column:sku"`
	ProductID    int64
	ProductTitle string
	OptionNames  StringList
	Options      Options
	CategoryName string
	Threshold    int64
	PoolFigures
	LastSyncAt *time.Time
	AlertSince *time.Time
	// Trend is the variant's supply at the end of each of the last 30 days, today last.
	Trend []int64 `gorm:"-"`
}

// LowStockPage is one page of the dashboard with its totals.
type LowStockPage struct {
	Rows       []LowStockRow
	Total      int64
	OutOfStock int64
	Low        int64
	Default    int
}

type lowStockCounts struct{ Total, OutOfStock, Low int64 }

// TrendDays is how many days the low-stock trend covers.
const TrendDays = 30

// ListLowStock returns the variants at or below their threshold, most
// urgent first: out of stock, then the least stock relative to the
// threshold, then the longest-standing alert.
func ListLowStock(ctx context.Context, db *gorm.DB, f LowStockFilter) (*LowStockPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	st, err := GetStoreSettings(ctx, db)
	if err != nil {
		return nil, err
	}
	maxThr, err := maxThreshold(ctx, db, st)
	if err != nil {
		return nil, err
	}
	avail := "GREATEST(vs.supply - vs.reserved, 0)"
	where := []string{"v.status = 'active'", "p.status = 'active'", "vs.offers > 0", avail + " <= @maxthr",
		avail + " <= COALESCE(v.low_stock_threshold, @def)"}
	args := []any{sql.Named("def", st.LowStockThreshold), sql.Named("maxthr", maxThr)}
	if f.CategoryID > 0 {
		where = append(where, "p.category_id = @cat")
		args = append(args, sql.Named("cat", f.CategoryID))
	}
	if f.SupplierID > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM offers o WHERE o.variant_id = v.id AND o.supplier_id = @sup)")
		args = append(args, sql.Named("sup", f.SupplierID))
	}
	base := `FROM variant_stock vs JOIN variants v ON v.id = vs.variant_id JOIN products p ON p.id = v.product_id
		LEFT JOIN categories c ON c.id = p.category_id
		WHERE ` + strings.Join(where, " AND ")
	var counts lowStockCounts
	if err := db.WithContext(ctx).Raw(`SELECT count(*) AS total, count(*) FILTER (WHERE `+avail+` = 0) AS out_of_stock,
		count(*) FILTER (WHERE `+avail+` > 0) AS low `+base, args...).Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("models: count low stock: %w", err)
	}
	page := &LowStockPage{Default: st.LowStockThreshold, Total: counts.Total, OutOfStock: counts.OutOfStock, Low: counts.Low}
	switch f.State {
	case LowStateOut:
		base += " AND " + avail + " = 0"
	case LowStateLow:
		base += " AND " + avail + " > 0"
	}
	q := `SELECT v.id AS variant_id, v.sku, p.id AS product_id, p.title AS product_title, p.option_names, v.options,
			COALESCE(c.name, '') AS category_name, COALESCE(v.low_stock_threshold, @def) AS threshold,
			vs.supply, vs.reserved, ` + avail + ` AS available, vs.offers,
			(SELECT max(ss.last_good_sync_at) FROM offers o JOIN supplier_sync_state ss ON ss.supplier_id = o.supplier_id
			 WHERE o.variant_id = v.id AND o.active) AS last_sync_at,
			(SELECT a.opened_at FROM low_stock_alerts a WHERE a.variant_id = v.id AND a.resolved_at IS NULL) AS alert_since
		` + base + `
		ORDER BY ` + avail + ` = 0 DESC, ` + avail + `::float8 / GREATEST(COALESCE(v.low_stock_threshold, @def), 1),
			alert_since NULLS LAST, v.sku
		LIMIT @limit OFFSET @offset`
	args = append(args, sql.Named("limit", f.Limit), sql.Named("offset", max(f.Offset, 0)))
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&page.Rows).Error; err != nil {
		return nil, fmt.Errorf("models: list low stock: %w", err)
	}
	if err := fillTrends(ctx, db, page.Rows); err != nil {
		return nil, err
	}
	return page, nil
}

type trendPoint struct {
	VariantID int64
	Day       int
	Supply    int64
}

// fillTrends rebuilds each variant's daily supply from the stock history:
// an offer's quantity at the end of a day is the last change before then,
// or the old figure of the first change after, or (no change) today's.
func fillTrends(ctx context.Context, db *gorm.DB, rows []LowStockRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.VariantID
	}
	var points []trendPoint
	err := db.WithContext(ctx).Raw(`WITH days AS (
			SELECT d AS day, date_trunc('day', now()) - (@days - 1 - d) * interval '1 day' + interval '1 day' AS day_end
			FROM generate_series(0, @days - 1) AS d
		), offs AS (
			SELECT o.id, o.variant_id, o.reported_quantity, o.created_at, o.active AND s.status = 'active' AS counts, s.safety_buffer
			FROM offers o JOIN suppliers s ON s.id = o.supplier_id WHERE o.variant_id = ANY (@ids)
		)
		SELECT o.variant_id, d.day, COALESCE(sum(GREATEST(q.qty - o.safety_buffer, 0)) FILTER (WHERE o.counts), 0) AS supply
		FROM offs o CROSS JOIN days d
		CROSS JOIN LATERAL (SELECT CASE
			WHEN d.day = @days - 1 THEN o.reported_quantity
			WHEN o.created_at >= d.day_end THEN 0
			ELSE COALESCE(
				(SELECT h.new_quantity FROM stock_history h WHERE h.offer_id = o.id AND h.observed_at < d.day_end
				 ORDER BY h.observed_at DESC LIMIT 1),
				(SELECT h.old_quantity FROM stock_history h WHERE h.offer_id = o.id AND h.observed_at >= d.day_end
				 ORDER BY h.observed_at LIMIT 1),
				o.reported_quantity) END AS qty) q
		GROUP BY o.variant_id, d.day ORDER BY o.variant_id, d.day`,
		sql.Named("ids", int64Array(ids)), sql.Named("days", TrendDays)).Scan(&points).Error
	if err != nil {
		return fmt.Errorf("models: low stock trends: %w", err)
	}
	byVariant := map[int64][]int64{}
	for _, p := range points {
		t := byVariant[p.VariantID]
		if t == nil {
			t = make([]int64, TrendDays)
		}
		if p.Day >= 0 && p.Day < TrendDays {
			t[p.Day] = p.Supply
		}
		byVariant[p.VariantID] = t
	}
	for i := range rows {
		rows[i].Trend = byVariant[rows[i].VariantID]
	}
	return nil
}

// LowStockAlertRow is an alert with its variant, for the alerts list.
type LowStockAlertRow struct {
	LowStockAlert
	SKU          string `gorm:"column:sku"`
	ProductID    int64
	ProductTitle string
}

// ListLowStockAlerts returns the most recent alerts, open and resolved.
func ListLowStockAlerts(ctx context.Context, db *gorm.DB, limit int) ([]LowStockAlertRow, error) {
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	var out []LowStockAlertRow
	err := db.WithContext(ctx).Raw(`SELECT a.*, v.sku, p.id AS product_id, p.title AS product_title
		FROM low_stock_alerts a JOIN variants v ON v.id = a.variant_id JOIN products p ON p.id = v.product_id
		ORDER BY a.opened_at DESC, a.id DESC LIMIT ?`, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list low stock alerts: %w", err)
	}
	return out, nil
}

// CountOpenLowStockAlerts counts the variants low right now with an open alert.
func CountOpenLowStockAlerts(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Raw("SELECT count(*) FROM low_stock_alerts WHERE resolved_at IS NULL").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("models: open low stock alerts: %w", err)
	}
	return n, nil
}

// storeLowStockDefault is the store's low-stock threshold for variants
// without their own (DefaultLowStockThreshold when the settings can't be read).
func storeLowStockDefault(ctx context.Context, db *gorm.DB) int64 {
	st, err := GetStoreSettings(ctx, db)
	if err != nil {
		return DefaultLowStockThreshold
	}
	return int64(st.LowStockThreshold)
}
