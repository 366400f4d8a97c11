package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// IdempotencyRetention is how long finished keys are kept (the contract says at least 24 hours).
const IdempotencyRetention = 48 * time.Hour

// IdempotencyRecord is one Idempotency-Key of an API key.
type IdempotencyRecord struct {
	APIKeyID       int64
	Key            string
	RequestHash    []byte
	State          string // in_progress or done
	LockedUntil    time.Time
	OrderID        *int64
	ResponseStatus *int
	ResponseBody   []byte
	CreatedAt      time.Time
}

// TableName keeps GORM on the migration's table.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// Idempotency outcomes of a claim.
var (
	// ErrIdempotencyKeyReused: the key was used with another request body.
	ErrIdempotencyKeyReused = errors.New("idempotency key reused with a different request")
	// ErrIdempotencyInProgress: a request with this key is running right now.
	ErrIdempotencyInProgress = errors.New("a request with this idempotency key is in progress")
)

// ClaimIdempotencyKey starts a request under key. claimed is true when this
// caller must run the request: a new key, or one whose earlier run was cut
// short (its lock passed; rec.OrderID then says what it had done). Otherwise
// rec holds the stored response to replay, or the error says why not.
func ClaimIdempotencyKey(ctx context.Context, db *gorm.DB, apiKeyID int64, key string, requestHash []byte, lockFor time.Duration) (rec *IdempotencyRecord, claimed bool, err error) {
	db = db.WithContext(ctx)
	var got []IdempotencyRecord
	err = db.Raw(`INSERT INTO idempotency_keys (api_key_id, key, request_hash, locked_until)
		SELECT ?, ?, ?, now() + make_interval(secs => ?) FROM `+noFlushWait+`
		ON CONFLICT (api_key_id, key) DO NOTHING RETURNING *`, apiKeyID, key, requestHash, lockFor.Seconds()).Scan(&got).Error
	if err != nil {
		return nil, false, fmt.Errorf("models: claim idempotency key: %w", err)
	}
	if len(got) == 1 {
		return &got[0], true, nil
	}
	var existing IdempotencyRecord
	if err := db.Where("api_key_id = ? AND key = ?", apiKeyID, key).First(&existing).Error; err != nil {
		return nil, false, fmt.Errorf("models: read idempotency key: %w", err)
	}
	if !bytes.Equal(existing.RequestHash, requestHash) {
		return &existing, false, ErrIdempotencyKeyReused
	}
	if existing.State == "done" {
		return &existing, false, nil
	}
	// In progress: take it over only if its lock has passed (the earlier run died).
	var taken []IdempotencyRecord
	err = db.Raw(`UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => ?)
		WHERE api_key_id = ? AND key = ? AND state = 'in_progress' AND locked_until < now() RETURNING *`,
		lockFor.Seconds(), apiKeyID, key).Scan(&taken).Error
	if err != nil {
		return nil, false, fmt.Errorf("models: take over idempotency key: %w", err)
	}
	if len(taken) == 1 {
		return &taken[0], true, nil
	}
	return &existing, false, ErrIdempotencyInProgress
}

// FinishIdempotencyKey stores the response to replay for key.
func FinishIdempotencyKey(ctx context.Context, db *gorm.DB, apiKeyID int64, key string, status int, body []byte) error {
	err := db.WithContext(ctx).Exec(`UPDATE idempotency_keys SET state = 'done', response_status = ?, response_body = ?
		FROM `+noFlushWait+` WHERE api_key_id = ? AND key = ?`, status, body, apiKeyID, key).Error
	if err != nil {
		return fmt.Errorf("models: finish idempotency key: %w", err)
	}
	return nil
}

// AbandonIdempotencyKey lets a retry run again after a failure that produced
// no final answer (a 5xx): the key is forgotten when nothing was written, or
// left for the next retry to take over when an order exists.
func AbandonIdempotencyKey(ctx context.Context, db *gorm.DB, apiKeyID int64, key string) error {
	db = db.WithContext(ctx)
	if err := db.Exec("DELETE FROM idempotency_keys WHERE api_key_id = ? AND key = ? AND state = 'in_progress' AND order_id IS NULL", apiKeyID, key).Error; err != nil {
		return fmt.Errorf("models: abandon idempotency key: %w", err)
	}
	if err := db.Exec("UPDATE idempotency_keys SET locked_until = now() WHERE api_key_id = ? AND key = ? AND state = 'in_progress'", apiKeyID, key).Error; err != nil {
		return fmt.Errorf("models: abandon idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys deletes keys older than IdempotencyRetention.
func PurgeIdempotencyKeys(ctx context.Context, db *gorm.DB) (int64, error) {
	res := db.WithContext(ctx).Exec("DELETE FROM idempotency_keys WHERE created_at < ?", time.Now().Add(-IdempotencyRetention))
	if res.Error != nil {
		return 0, fmt.Errorf("models: purge idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// noFlushWait, joined into a statement, lets that statement's implicit
// transaction commit without waiting for its WAL to reach the disk
// (synchronous_commit is read at commit, before the local setting ends).
// Safe for idempotency bookkeeping: the order a claim leads to is committed
// durably afterwards, which flushes the earlier WAL (the claim) with it; and a
// lost "done" mark leaves the key in progress with its order linked, which the
// next retry finishes from the order. It saves checkout two disk flushes of three.
const noFlushWait = `(SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait`
