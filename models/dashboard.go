package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Dashboard is the set of figures on the home page, read in one pass.
type Dashboard struct {
	UsersByRole    map[Role]int64
	ActiveSessions int64
	JobRuns24h     int64
	JobFailures24h int64
	LastJobRun     *JobRun
	RecentAudit    []AuditEntry
	DatabaseBytes  int64
	SchemaVersion  int64
	Inventory      *InventoryHealth
	GeneratedAt    time.Time

	// Orders: today in the store's zone, the queues, and the last 14 days.
	OrdersToday       int64
	RevenueTodayCents int64
	Currency          string
	Queues            map[string]int64
	OrdersByDay       []DayFigure
	Stock             CatalogCounts
}

// DayFigure is one day of a chart: orders placed and their value.
type DayFigure struct {
	Day        time.Time
	Orders     int64
	TotalCents int64
}

// LoadDashboard reads the dashboard's figures.
func LoadDashboard(ctx context.Context, db *gorm.DB) (*Dashboard, error) {
	d := &Dashboard{UsersByRole: map[Role]int64{}, GeneratedAt: time.Now().UTC()}
	db = db.WithContext(ctx)
	var roles []struct {
		Role  Role
		Count int64
	}
	if err := db.Raw("SELECT role, count(*) AS count FROM users WHERE disabled_at IS NULL GROUP BY role").Scan(&roles).Error; err != nil {
		return nil, fmt.Errorf("models: dashboard users: %w", err)
	}
	for _, r := range roles {
		d.UsersByRole[r.Role] = r.Count
	}
	var figures struct {
		Sessions, Runs, Failures, Bytes, Version int64
	}
	err := db.Raw(`SELECT
		(SELECT count(*) FROM sessions WHERE expiry > now()) AS sessions,
		(SELECT count(*) FROM job_runs WHERE started_at > now() - interval '24 hours') AS runs,
		(SELECT count(*) FROM job_runs WHERE started_at > now() - interval '24 hours' AND outcome = 'failed') AS failures,
		pg_database_size(current_database()) AS bytes,
		(SELECT COALESCE(max(version_id), 0) FROM goose_db_version WHERE is_applied) AS version`).Scan(&figures).Error
	if err != nil {
		return nil, fmt.Errorf("models: dashboard figures: %w", err)
	}
	d.ActiveSessions, d.JobRuns24h, d.JobFailures24h, d.DatabaseBytes, d.SchemaVersion =
		figures.Sessions, figures.Runs, figures.Failures, figures.Bytes, figures.Version
	var last []JobRun
	if err := db.Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return nil, fmt.Errorf("models: dashboard last run: %w", err)
	}
	if len(last) == 1 {
		d.LastJobRun = &last[0]
	}
	audit, err := ListAudit(ctx, db, "", "", 8)
	if err != nil {
		return nil, err
	}
	d.RecentAudit = audit
	if err := loadOrderFigures(ctx, db, d); err != nil {
		return nil, err
	}
	if d.Stock, err = CountCatalog(ctx, db); err != nil {
		return nil, err
	}
	if d.Inventory, err = LoadInventoryHealth(ctx, db); err != nil {
		return nil, err
	}
	return d, nil
}

// loadOrderFigures fills today's orders and the 14-day chart, counted in the
// store's time zone (a merchant's "today" is theirs, not UTC's).
func loadOrderFigures(ctx context.Context, db *gorm.DB, d *Dashboard) error {
	s, err := GetStoreSettings(ctx, db)
	if err != nil {
		return err
	}
	d.Currency = s.Currency
	if d.Queues, err = OrderQueueCounts(ctx, db); err != nil {
		return err
	}
	var days []DayFigure
	err = db.Raw(`SELECT g.day::timestamp AS day, count(o.id) AS orders, COALESCE(sum(o.total_cents), 0) AS total_cents
		FROM generate_series((now() AT TIME ZONE @tz)::date - 13, (now() AT TIME ZONE @tz)::date, interval '1 day') AS g(day)
		LEFT JOIN orders o ON (o.created_at AT TIME ZONE @tz)::date = g.day::date
			AND o.status NOT IN ('payment_failed', 'cancelled') AND o.currency = @currency
		GROUP BY g.day ORDER BY g.day`, map[string]any{"tz": s.Location().String(), "currency": s.Currency}).Scan(&days).Error
	if err != nil {
		return fmt.Errorf("models: dashboard orders by day: %w", err)
	}
	d.OrdersByDay = days
	if n := len(days); n > 0 {
		d.OrdersToday, d.RevenueTodayCents = days[n-1].Orders, days[n-1].TotalCents
	}
	return nil
}

// SupplierLag is an active supplier whose last good sync is older than it may be.
type SupplierLag struct {
	ID                int64
	Code              string
	Name              string
	ConnectionKind    string
	AllowedLagMinutes int
	LastGoodSyncAt    *time.Time
	LastError         string
	Failures          int
}

// InventoryHealth is the stock sync side of the dashboard.
type InventoryHealth struct {
	Lagging []SupplierLag
	Held    []HeldFeedRow
}

// LaggingSuppliers lists active suppliers (that report stock) whose last
// good sync is older than their allowed lag, or who never synced, stalest first.
func LaggingSuppliers(ctx context.Context, db *gorm.DB) ([]SupplierLag, error) {
	var out []SupplierLag
	err := db.WithContext(ctx).Raw(`SELECT s.id, s.code, s.name, s.connection_kind, s.allowed_lag_minutes,
			st.last_good_sync_at, COALESCE(st.last_error, '') AS last_error, COALESCE(st.failures, 0) AS failures
		FROM suppliers s LEFT JOIN supplier_sync_state st ON st.supplier_id = s.id
		WHERE s.status = 'active' AND s.connection_kind <> 'email'
		  AND (st.last_good_sync_at IS NULL OR st.last_good_sync_at < now() - s.allowed_lag_minutes * interval '1 minute')
		ORDER BY st.last_good_sync_at NULLS FIRST, s.code`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: lagging suppliers: %w", err)
	}
	return out, nil
}

// LoadInventoryHealth reads the lagging suppliers and the feeds held for review.
func LoadInventoryHealth(ctx context.Context, db *gorm.DB) (*InventoryHealth, error) {
	h := &InventoryHealth{}
	var err error
	if h.Lagging, err = LaggingSuppliers(ctx, db); err != nil {
		return nil, err
	}
	if h.Held, err = ListPendingHeldFeeds(ctx, db); err != nil {
		return nil, err
	}
	return h, nil
}
