package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AuditEntry is one change someone made, kept with its before and after. Each
// entry's hash covers the previous entry's hash, so editing or deleting a row
// breaks the chain and VerifyAuditChain shows where. The chain is written by
// the database when the entry's transaction commits (migration 00007): Seq,
// PrevHash and Hash are read-only here.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    *int64
	Actor      string
	Action     string
	EntityType string
	EntityID   string
	Reason     string
	Before     JSON
	After      JSON
	Seq        *int64 `gorm:"<-:false"`
	PrevHash   string `gorm:"<-:false"`
	Hash       string `gorm:"<-:false"`
}

// AuditRecord is what a caller says about a change; RecordAudit stores it.
type AuditRecord struct {
	Actor      *User // nil means the system (a job or the command line)
	Action     string
	EntityType string
	EntityID   string
	Reason     string
	Before     any // encoded as JSON; nil for a creation
	After      any // encoded as JSON; nil for a deletion
}

// RecordAudit appends r to the audit log inside tx. It takes no lock: the
// entry joins the hash chain when tx commits.
func RecordAudit(ctx context.Context, tx *gorm.DB, r AuditRecord) error {
	e := AuditEntry{Actor: "system", Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID, Reason: r.Reason,
		At: time.Now().UTC().Truncate(time.Microsecond)}
	if r.Actor != nil {
		id := r.Actor.ID
		e.ActorID, e.Actor = &id, r.Actor.Email
	}
	var err error
	if e.Before, err = marshalAudit(r.Before); err != nil {
		return fmt.Errorf("models: audit %s: %w", r.Action, err)
	}
	if e.After, err = marshalAudit(r.After); err != nil {
		return fmt.Errorf("models: audit %s: %w", r.Action, err)
	}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("models: audit %s: %w", r.Action, err)
	}
	return nil
}

func marshalAudit(v any) (JSON, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// VerifyAuditChain recomputes every sealed entry's hash in seal order and
// returns the id of the first entry whose hash or link to the one before is
// wrong (0 when the chain is intact).
func VerifyAuditChain(ctx context.Context, db *gorm.DB) (int64, error) {
	var bad []int64
	err := db.WithContext(ctx).Raw(`SELECT id FROM (
			SELECT id, seq, prev_hash, hash, audit_entry_hash(prev_hash, a) AS expected,
			       COALESCE(lag(hash) OVER (ORDER BY seq), 'genesis') AS previous
			FROM audit_entries a WHERE seq IS NOT NULL
		) AS chain WHERE prev_hash IS DISTINCT FROM previous OR hash IS DISTINCT FROM expected
		ORDER BY seq LIMIT 1`).Scan(&bad).Error
	if err != nil {
		return 0, fmt.Errorf("models: verify audit chain: %w", err)
	}
	if len(bad) == 0 {
		return 0, nil
	}
	return bad[0], nil
}

// ListAudit returns the newest entries, optionally for one entity.
func ListAudit(ctx context.Context, db *gorm.DB, entityType, entityID string, limit int) ([]AuditEntry, error) {
	q := db.WithContext(ctx).Order("id DESC").Limit(limit)
	if entityType != "" {
		q = q.Where("entity_type = ?", entityType)
	}
	if entityID != "" {
		q = q.Where("entity_id = ?", entityID)
	}
	var out []AuditEntry
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list audit: %w", err)
	}
	return out, nil
}

// ListAuditPage returns up to limit entries older than beforeID (all when 0), newest first.
func ListAuditPage(ctx context.Context, db *gorm.DB, beforeID int64, limit int) ([]AuditEntry, error) {
	q := db.WithContext(ctx).Order("id DESC").Limit(limit)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []AuditEntry
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list audit: %w", err)
	}
	return out, nil
}
