package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Sync run sources: where the figures came from.
const (
	SourceREST     = "rest"
	SourceFeed     = "feed"
	SourceX12      = "x12"
	SourceUpload   = "upload"
	SourceWebhook  = "webhook"
	SourceApproval = "approval"
)

// Sync run triggers: what started the run.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerWebhook  = "webhook"
	TriggerApproval = "approval"
)

// Sync run statuses.
const (
	SyncRunning     = "running"
	SyncSucceeded   = "succeeded"
	SyncNotModified = "not_modified"
	SyncHeld        = "held"
	SyncFailed      = "failed"
)

// Phases of a run in flight, in order.
const (
	PhaseConnecting = "connecting"
	PhaseReading    = "reading"
	PhaseChecking   = "checking"
	PhaseApplying   = "applying"
	PhaseDone       = "done"
)

// maxRunErrors is how many rejected rows a run keeps with their reasons; the
// count covers them all.
const maxRunErrors = 50

// RowProblem is one rejected or questionable row of a feed, for the run's page.
type RowProblem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// RowProblems is a run's first errors, stored as JSONB.
type RowProblems []RowProblem

// Scan reads the JSONB array.
func (p *RowProblems) Scan(src any) error { return scanJSON(src, p) }

// Value writes the JSONB array.
func (p RowProblems) Value() (driver.Value, error) {
	if p == nil {
		return "[]", nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// SyncRun is what one feed pull, poll, upload, approval or webhook batch did.
type SyncRun struct {
	ID                  int64
	SupplierID          int64
	Source              string
	Trigger             string
	RequestedBy         *int64
	Instance            string
	Status              string
	Phase               string
	FileName            string
	BytesTotal          int64
	BytesRead           int64
	RowsExpected        int64
	RowsRead            int64
	RowsChanged         int64
	RowsUnchanged       int64
	RowsUnmapped        int64
	RowsRejected        int64
	RowsDuplicate       int64
	RowsStale           int64
	RowsMissing         int64
	UnitsBefore         int64
	UnitsAfter          int64
	ReservationsSettled int64
	SnapshotAt          *time.Time
	Error               string
	FirstErrors         RowProblems
	StartedAt           time.Time
	UpdatedAt           time.Time
	FinishedAt          *time.Time
}

// Running reports whether the run is still in flight.
func (r *SyncRun) Running() bool { return r.Status == SyncRunning }

// Duration is how long the run took (so far, while running).
func (r *SyncRun) Duration() time.Duration {
	if r.FinishedAt == nil {
		return time.Since(r.StartedAt)
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// Percent is how far the run has got, 0..100, for its progress bar: reading
// counts for 90% (by bytes when the size is known, by rows against the last
// snapshot's otherwise), checking and applying for the rest.
func (r *SyncRun) Percent() int {
	switch r.Phase {
	case PhaseConnecting:
		return 0
	case PhaseChecking:
		return 92
	case PhaseApplying:
		return 96
	case PhaseDone:
		return 100
	}
	if !r.Running() {
		return 100
	}
	var share float64
	switch {
	case r.BytesTotal > 0:
		share = float64(r.BytesRead) / float64(r.BytesTotal)
	case r.RowsExpected > 0:
		share = float64(r.RowsRead) / float64(r.RowsExpected)
	}
	return int(min(share, 1) * 90)
}

// Summary says what the run did in one line, for job runs and flashes.
func (r *SyncRun) Summary() string {
	switch r.Status {
	case SyncNotModified:
		if r.Error != "" {
			return r.Error
		}
		return "the feed has not changed since the last sync"
	case SyncFailed:
		return "failed: " + r.Error
	case SyncHeld:
		return "held for review: " + r.Error
	}
	s := fmt.Sprintf("%d rows: %d changed, %d unchanged, %d unmapped, %d rejected", r.RowsRead, r.RowsChanged,
		r.RowsUnchanged, r.RowsUnmapped, r.RowsRejected)
	if r.RowsMissing > 0 {
		s += fmt.Sprintf(", %d missing set to 0", r.RowsMissing)
	}
	if r.RowsStale > 0 {
		s += fmt.Sprintf(", %d older than stored (ignored)", r.RowsStale)
	}
	return s
}

// SyncState is a supplier's sync bookkeeping: validators for the next fetch and freshness.
type SyncState struct {
	SupplierID     int64  `gorm:"primaryKey"`
	ETag           string `gorm:"column:etag"`
	LastModified   string
	LastRunAt      *time.Time
	LastGoodSyncAt *time.Time
	LastSnapshotAt *time.Time
	LastPushAt     *time.Time
	LastSKUCount   *int64 `gorm:"column:last_sku_count"`
	LastError      string
	Failures       int
	UpdatedAt      time.Time
}

// TableName is the state's table.
func (SyncState) TableName() string { return "supplier_sync_state" }

// GetSyncState returns the supplier's sync state (a zero state when it never synced).
func GetSyncState(ctx context.Context, db *gorm.DB, supplierID int64) (SyncState, error) {
	st := SyncState{SupplierID: supplierID}
	err := db.WithContext(ctx).Where("supplier_id = ?", supplierID).Take(&st).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return st, fmt.Errorf("models: sync state of supplier %d: %w", supplierID, err)
	}
	return st, nil
}

// StartSyncRun records that a run began; it is visible (and its progress
// too) while the run works in its own transaction.
func StartSyncRun(ctx context.Context, db *gorm.DB, supplierID int64, source, trigger string, actor *User, instance string) (*SyncRun, error) {
	now := time.Now().UTC()
	run := &SyncRun{SupplierID: supplierID, Source: source, Trigger: trigger, Instance: instance, Status: SyncRunning,
		Phase: PhaseConnecting, FirstErrors: RowProblems{}, StartedAt: now, UpdatedAt: now}
	if actor != nil {
		run.RequestedBy = &actor.ID
	}
	var expected int64
	if err := db.WithContext(ctx).Raw("SELECT COALESCE((SELECT last_sku_count FROM supplier_sync_state WHERE supplier_id = ?), 0)",
		supplierID).Scan(&expected).Error; err != nil {
		return nil, fmt.Errorf("models: start sync run: %w", err)
	}
	run.RowsExpected = expected
	if err := db.WithContext(ctx).Create(run).Error; err != nil {
		return nil, fmt.Errorf("models: start sync run: %w", err)
	}
	return run, nil
}

// FailSyncRun ends a run that could not get its figures (connection refused,
// feed unreadable): nothing was applied. The supplier's state counts the failure.
func FailSyncRun(ctx context.Context, db *gorm.DB, run *SyncRun, cause error) error {
	now := time.Now().UTC()
	run.Status, run.Phase, run.Error, run.FinishedAt, run.UpdatedAt = SyncFailed, PhaseDone, cause.Error(), &now, now
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(run).Select("status", "phase", "error", "finished_at", "updated_at", "rows_read", "rows_rejected",
			"first_errors", "bytes_read", "bytes_total", "file_name").Updates(run).Error; err != nil {
			return fmt.Errorf("models: fail sync run %d: %w", run.ID, err)
		}
		return tx.Exec(`INSERT INTO supplier_sync_state (supplier_id, last_run_at, last_error, failures, updated_at)
			VALUES (?, ?, ?, 1, ?)
			ON CONFLICT (supplier_id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, last_error = EXCLUDED.last_error,
				failures = supplier_sync_state.failures + 1, updated_at = EXCLUDED.updated_at`,
			run.SupplierID, now, run.Error, now).Error
	})
}

// FinishNotModified ends a run whose feed had not changed: the stock we hold is current.
func FinishNotModified(ctx context.Context, db *gorm.DB, run *SyncRun) error {
	now := time.Now().UTC()
	run.Status, run.Phase, run.FinishedAt, run.UpdatedAt = SyncNotModified, PhaseDone, &now, now
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(run).Select("status", "phase", "finished_at", "updated_at").Updates(run).Error; err != nil {
			return fmt.Errorf("models: finish sync run %d: %w", run.ID, err)
		}
		return tx.Exec(`INSERT INTO supplier_sync_state (supplier_id, last_run_at, last_good_sync_at, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (supplier_id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at,
				last_good_sync_at = EXCLUDED.last_good_sync_at, last_error = '', failures = 0, updated_at = EXCLUDED.updated_at`,
			run.SupplierID, now, now, now).Error
	})
}

// failAbandonedRuns closes runs of the supplier left running by a process
// that died; the caller holds the supplier's sync lock, so none is alive.
func failAbandonedRuns(ctx context.Context, db *gorm.DB, supplierID, exceptID int64) error {
	err := db.WithContext(ctx).Exec(`UPDATE sync_runs SET status = 'failed', phase = 'done', finished_at = now(), updated_at = now(),
			error = 'the process running this sync stopped before it finished; nothing of it was applied'
		WHERE supplier_id = ? AND status = 'running' AND id <> ? AND source <> 'webhook'`, supplierID, exceptID).Error
	if err != nil {
		return fmt.Errorf("models: close abandoned sync runs: %w", err)
	}
	return nil
}

// GetSyncRun loads a run.
func GetSyncRun(ctx context.Context, db *gorm.DB, id int64) (*SyncRun, error) {
	var r SyncRun
	if err := db.WithContext(ctx).First(&r, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get sync run %d", id))
	}
	return &r, nil
}

// SyncRunFilter narrows the sync runs list.
type SyncRunFilter struct {
	SupplierID int64
	Source     string
	Status     string
	BeforeID   int64
	Limit      int
}

// SyncRunRow is a run with its supplier's code, for lists.
type SyncRunRow struct {
	SyncRun
	SupplierCode string
	SupplierName string
}

// ListSyncRuns returns runs newest first, one more than Limit.
func ListSyncRuns(ctx context.Context, db *gorm.DB, f SyncRunFilter) ([]SyncRunRow, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 25
	}
	q := db.WithContext(ctx).Table("sync_runs r").Select("r.*, s.code AS supplier_code, s.name AS supplier_name").
		Joins("JOIN suppliers s ON s.id = r.supplier_id").Order("r.id DESC").Limit(f.Limit + 1)
	if f.SupplierID > 0 {
		q = q.Where("r.supplier_id = ?", f.SupplierID)
	}
	if f.Source != "" {
		q = q.Where("r.source = ?", f.Source)
	}
	if f.Status != "" {
		q = q.Where("r.status = ?", f.Status)
	}
	if f.BeforeID > 0 {
		q = q.Where("r.id < ?", f.BeforeID)
	}
	var out []SyncRunRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list sync runs: %w", err)
	}
	return out, nil
}

// SyncInFlight reports whether a run of the supplier is in flight (not a webhook batch).
func SyncInFlight(ctx context.Context, db *gorm.DB, supplierID int64) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM sync_runs WHERE supplier_id = ? AND status = 'running'
		AND source <> 'webhook'`, supplierID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("models: sync in flight: %w", err)
	}
	return n > 0, nil
}

// Retention of the sync records.
const (
	StockHistoryRetention = 90 * 24 * time.Hour // the low-stock trend needs 30 days
	SyncRunRetention      = 90 * 24 * time.Hour
	WebhookRunRetention   = 14 * 24 * time.Hour // one run per webhook batch: many, small
	// syncRunStale is how long a running run may go without a progress write
	// (every 400 ms while alive) before it is taken for dead.
	syncRunStale = 15 * time.Minute
)

// SyncPurge counts what PurgeSyncRecords removed or closed.
type SyncPurge struct {
	History, Runs, Held, Alerts, Deliveries, Dead int64
}

// PurgeSyncRecords deletes stock history, sync runs, decided held feeds and
// resolved alerts past their retention, and fails runs whose process died
// without another run of the supplier noticing.
func PurgeSyncRecords(ctx context.Context, db *gorm.DB) (SyncPurge, error) {
	var p SyncPurge
	now := time.Now().UTC()
	steps := []struct {
		n    *int64
		q    string
		args []any
	}{
		{&p.Dead, `UPDATE sync_runs SET status = 'failed', phase = 'done', finished_at = now(), updated_at = now(),
			error = 'the process running this sync stopped before it finished; nothing of it was applied'
			WHERE status = 'running' AND updated_at < ?`, []any{now.Add(-syncRunStale)}},
		{&p.History, "DELETE FROM stock_history WHERE recorded_at < ?", []any{now.Add(-StockHistoryRetention)}},
		{&p.Held, "DELETE FROM held_feeds WHERE status <> 'pending' AND created_at < ?", []any{now.Add(-SyncRunRetention)}},
		{&p.Runs, `DELETE FROM sync_runs r WHERE r.status <> 'running'
			AND (r.started_at < ? OR (r.source = 'webhook' AND r.started_at < ?))
			AND NOT EXISTS (SELECT 1 FROM held_feeds h WHERE h.sync_run_id = r.id OR h.applied_run_id = r.id)`,
			[]any{now.Add(-SyncRunRetention), now.Add(-WebhookRunRetention)}},
		{&p.Alerts, "DELETE FROM low_stock_alerts WHERE resolved_at < ?", []any{now.Add(-SyncRunRetention)}},
		// Supplier webhook ids, kept well past any sender's retries.
		{&p.Deliveries, "DELETE FROM webhook_events WHERE provider LIKE 'supplier:%' AND received_at < ?", []any{now.Add(-SyncRunRetention)}},
	}
	for _, s := range steps {
		res := db.WithContext(ctx).Exec(s.q, s.args...)
		if res.Error != nil {
			return p, fmt.Errorf("models: purge sync records: %w", res.Error)
		}
		*s.n = res.RowsAffected
	}
	return p, nil
}
