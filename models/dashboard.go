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
	if d.Inventory, err = LoadInventoryHealth(ctx, db); err != nil {
		return nil, err
	}
	return d, nil
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

// InventoryHealth is the stock side of the dashboard.
type InventoryHealth struct {
	Lagging    []SupplierLag
	Held       []HeldFeedRow
	OutOfStock int64
	Low        int64
	OpenAlerts int64
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

// LoadInventoryHealth reads the lagging suppliers, held feeds and stock alerts.
func LoadInventoryHealth(ctx context.Context, db *gorm.DB) (*InventoryHealth, error) {
	h := &InventoryHealth{}
	var err error
	if h.Lagging, err = LaggingSuppliers(ctx, db); err != nil {
		return nil, err
	}
	if h.Held, err = ListPendingHeldFeeds(ctx, db); err != nil {
		return nil, err
	}
	page, err := ListLowStock(ctx, db, LowStockFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	h.OutOfStock, h.Low = page.OutOfStock, page.Low
	if h.OpenAlerts, err = CountOpenLowStockAlerts(ctx, db); err != nil {
		return nil, err
	}
	return h, nil
}
