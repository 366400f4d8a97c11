package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// AuditEntry is one change someone made, kept with its before and after. Each
// entry's hash covers the previous entry's hash, so editing or deleting a row
// breaks the chain and VerifyAuditChain shows where.
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
	PrevHash   string
	Hash       string
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

// auditGenesis is the previous hash of the first entry.
const auditGenesis = "genesis"

// RecordAudit appends r to the audit log inside tx, extending the hash chain.
func RecordAudit(ctx context.Context, tx *gorm.DB, r AuditRecord) error {
	e := AuditEntry{Actor: "system", Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID, Reason: r.Reason}
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
	// One writer at a time extends the chain; the lock ends with tx.
	if err := tx.WithContext(ctx).Exec("SELECT pg_advisory_xact_lock(hashtext('audit_entries.chain'))").Error; err != nil {
		return fmt.Errorf("models: audit %s: %w", r.Action, err)
	}
	var prev []string
	if err := tx.WithContext(ctx).Raw("SELECT hash FROM audit_entries ORDER BY id DESC LIMIT 1").Scan(&prev).Error; err != nil {
		return fmt.Errorf("models: audit %s: %w", r.Action, err)
	}
	e.PrevHash = auditGenesis
	if len(prev) == 1 {
		e.PrevHash = prev[0]
	}
	e.At = time.Now().UTC().Truncate(time.Microsecond)
	e.Hash = e.computeHash()
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
	return canonicalJSON(b), nil
}

// canonicalJSON re-encodes a JSON document so that the same value always has
// the same bytes (Postgres JSONB reorders keys; the hash must not care).
func canonicalJSON(b JSON) JSON {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return b
	}
	out, err := json.Marshal(v) // encoding/json sorts map keys
	if err != nil {
		return b
	}
	return out
}

func (e *AuditEntry) computeHash() string {
	actor := ""
	if e.ActorID != nil {
		actor = strconv.FormatInt(*e.ActorID, 10)
	}
	h := sha256.New()
	for _, part := range []string{e.PrevHash, e.At.UTC().Format(time.RFC3339Nano), actor, e.Actor, e.Action,
		e.EntityType, e.EntityID, e.Reason, string(canonicalJSON(e.Before)), string(canonicalJSON(e.After))} {
		fmt.Fprintf(h, "%d:%s|", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyAuditChain walks the whole log in order and returns the id of the
// first entry whose hash or link is wrong (0 when the chain is intact).
func VerifyAuditChain(ctx context.Context, db *gorm.DB) (int64, error) {
	prev := auditGenesis
	var bad int64
	rows, err := db.WithContext(ctx).Model(&AuditEntry{}).Order("id").Rows()
	if err != nil {
		return 0, fmt.Errorf("models: verify audit chain: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		if err := db.ScanRows(rows, &e); err != nil {
			return 0, fmt.Errorf("models: verify audit chain: %w", err)
		}
		if e.PrevHash != prev || e.computeHash() != e.Hash {
			bad = e.ID
			break
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("models: verify audit chain: %w", err)
	}
	return bad, nil
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
