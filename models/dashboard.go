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
	return d, nil
}
