package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Held feed statuses.
const (
	HeldPending    = "pending"
	HeldApproved   = "approved"
	HeldRejected   = "rejected"
	HeldSuperseded = "superseded" // a newer snapshot came before anyone decided
)

// HeldFeed is a snapshot the feed guard stopped: it waits for a person.
type HeldFeed struct {
	ID           int64
	SupplierID   int64
	SyncRunID    int64
	Status       string
	Reason       string
	Source       string
	Summary      JSON
	SnapshotAt   time.Time
	DecidedBy    *int64
	DecidedAt    *time.Time
	DecisionNote string
	AppliedRunID *int64
	CreatedAt    time.Time
}

// Diff decodes the summary of what the feed would change.
func (h *HeldFeed) Diff() HeldSummary {
	var s HeldSummary
	_ = json.Unmarshal(h.Summary, &s)
	return s
}

// GetHeldFeed loads a held feed.
func GetHeldFeed(ctx context.Context, db *gorm.DB, id int64) (*HeldFeed, error) {
	var h HeldFeed
	if err := db.WithContext(ctx).First(&h, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("get held feed %d", id))
	}
	return &h, nil
}

// PendingHeldFeed returns the supplier's feed waiting for a decision, nil when none.
func PendingHeldFeed(ctx context.Context, db *gorm.DB, supplierID int64) (*HeldFeed, error) {
	var list []HeldFeed
	if err := db.WithContext(ctx).Where("supplier_id = ? AND status = ?", supplierID, HeldPending).Limit(1).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("models: pending held feed of supplier %d: %w", supplierID, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return &list[0], nil
}

// HeldFeedRow is a pending held feed with its supplier, for the dashboard.
type HeldFeedRow struct {
	HeldFeed
	SupplierCode string
	SupplierName string
}

// ListPendingHeldFeeds returns every feed waiting for a decision, oldest first.
func ListPendingHeldFeeds(ctx context.Context, db *gorm.DB) ([]HeldFeedRow, error) {
	var out []HeldFeedRow
	err := db.WithContext(ctx).Table("held_feeds h").Select("h.*, s.code AS supplier_code, s.name AS supplier_name").
		Joins("JOIN suppliers s ON s.id = h.supplier_id").Where("h.status = ?", HeldPending).Order("h.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list held feeds: %w", err)
	}
	return out, nil
}

// RejectHeldFeed discards a held feed: the supplier's stock stays as it was.
// The next sync fetches the feed again only once it changes.
func RejectHeldFeed(ctx context.Context, db *gorm.DB, actor *User, id int64, note string) (*HeldFeed, error) {
	var h HeldFeed
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&h, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("reject held feed %d", id))
		}
		if h.Status != HeldPending {
			return fmt.Errorf("models: held feed %d is %s: %w", id, h.Status, ErrInvalidTransition)
		}
		if err := decideHeld(tx, id, HeldRejected, actor, note, 0); err != nil {
			return err
		}
		h.Status = HeldRejected
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "held_feed.reject", EntityType: "supplier",
			EntityID: fmt.Sprint(h.SupplierID), Reason: note, After: map[string]any{"held_feed": h.ID, "reason": h.Reason}})
	})
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// decideHeld closes a pending held feed and drops its rows.
func decideHeld(tx *gorm.DB, id int64, status string, actor *User, note string, appliedRunID int64) error {
	var by, run *int64
	if actor != nil {
		by = &actor.ID
	}
	if appliedRunID > 0 {
		run = &appliedRunID
	}
	res := tx.Exec(`UPDATE held_feeds SET status = ?, decided_by = ?, decided_at = now(), decision_note = ?, applied_run_id = ?
		WHERE id = ? AND status = 'pending'`, status, by, strings.TrimSpace(note), run, id)
	if res.Error != nil {
		return fmt.Errorf("models: decide held feed %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("models: held feed %d is no longer pending: %w", id, ErrInvalidTransition)
	}
	if err := tx.Exec("DELETE FROM held_feed_rows WHERE held_feed_id = ?", id).Error; err != nil {
		return fmt.Errorf("models: decide held feed %d: %w", id, err)
	}
	return nil
}

// supersedeHeld sets aside a held feed that a newer snapshot made out of date.
func supersedeHeld(ctx context.Context, db *gorm.DB, id int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE held_feeds SET status = 'superseded', decided_at = now() WHERE id = ? AND status = 'pending'", id).Error; err != nil {
			return fmt.Errorf("models: supersede held feed %d: %w", id, err)
		}
		return tx.Exec("DELETE FROM held_feed_rows WHERE held_feed_id = ?", id).Error
	})
}

// supersedePending sets aside the supplier's pending held feed (taken at or
// before the given time, any when nil): a newer snapshot replaces it.
func supersedePending(tx *gorm.DB, supplierID int64, notAfter *time.Time) error {
	var ids []int64
	q := tx.Raw(`UPDATE held_feeds SET status = 'superseded', decided_at = now()
		WHERE supplier_id = ? AND status = 'pending' AND (?::timestamptz IS NULL OR snapshot_at <= ?) RETURNING id`,
		supplierID, notAfter, notAfter)
	if err := q.Scan(&ids).Error; err != nil {
		return fmt.Errorf("models: supersede held feeds: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if err := tx.Exec("DELETE FROM held_feed_rows WHERE held_feed_id = ANY (?)", int64Array(ids)).Error; err != nil {
		return fmt.Errorf("models: supersede held feeds: %w", err)
	}
	return nil
}

// HeldFeedOfRun returns the feed a run held, nil when it held none.
func HeldFeedOfRun(ctx context.Context, db *gorm.DB, runID int64) (*HeldFeed, error) {
	var list []HeldFeed
	if err := db.WithContext(ctx).Where("sync_run_id = ?", runID).Limit(1).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("models: held feed of run %d: %w", runID, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return &list[0], nil
}
