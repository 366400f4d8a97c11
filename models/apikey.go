package models

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// APIKey lets a storefront call the JSON API. Only its hash is stored: the
// key itself is shown once, when it is created.
type APIKey struct {
	ID         int64
	Name       string
	Prefix     string
	KeyHash    []byte `json:"-"`
	CreatedBy  *int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName keeps GORM on the migration's table.
func (APIKey) TableName() string { return "api_keys" }

// Active reports whether the key still opens the API.
func (k *APIKey) Active() bool { return k.RevokedAt == nil }

// apiKeyPrefix marks our keys so secret scanners and people recognise them.
const apiKeyPrefix = "dsk_"

// ErrUnknownAPIKey is a missing, malformed, unknown or revoked key.
var ErrUnknownAPIKey = errors.New("unknown or revoked API key")

// HashAPIKey is how keys are looked up: SHA-256 of the whole key.
func HashAPIKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// CreateAPIKey makes a key named name and returns it with its one-time plaintext.
func CreateAPIKey(ctx context.Context, db *gorm.DB, actor *User, name string) (*APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, "", FieldErrors{"name": "enter a name of 1 to 100 characters, e.g. the storefront it is for"}
	}
	plain := apiKeyPrefix + randomToken(32)
	k := &APIKey{Name: name, Prefix: plain[:len(apiKeyPrefix)+6], KeyHash: HashAPIKey(plain), CreatedAt: time.Now().UTC()}
	if actor != nil {
		k.CreatedBy = &actor.ID
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(k).Error; err != nil {
			return fmt.Errorf("models: create API key: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "apikey.create", EntityType: "api_key",
			EntityID: fmt.Sprint(k.ID), After: map[string]any{"name": k.Name, "prefix": k.Prefix}})
	})
	if err != nil {
		return nil, "", err
	}
	return k, plain, nil
}

// AuthenticateAPIKey finds the active key for a plaintext key.
func AuthenticateAPIKey(ctx context.Context, db *gorm.DB, plain string) (*APIKey, error) {
	if !strings.HasPrefix(plain, apiKeyPrefix) || len(plain) > 200 {
		return nil, ErrUnknownAPIKey
	}
	var k APIKey
	err := db.WithContext(ctx).Where("key_hash = ? AND revoked_at IS NULL", HashAPIKey(plain)).First(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrUnknownAPIKey
	}
	if err != nil {
		return nil, fmt.Errorf("models: authenticate API key: %w", err)
	}
	return &k, nil
}

// TouchAPIKey records that the key was used, at most once a minute so a busy
// storefront doesn't write the same row on every request.
func TouchAPIKey(ctx context.Context, db *gorm.DB, id int64) error {
	err := db.WithContext(ctx).Exec(`UPDATE api_keys SET last_used_at = now()
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, id).Error
	if err != nil {
		return fmt.Errorf("models: touch API key: %w", err)
	}
	return nil
}

// ListAPIKeys returns every key, active first, newest first.
func ListAPIKeys(ctx context.Context, db *gorm.DB) ([]APIKey, error) {
	var keys []APIKey
	if err := db.WithContext(ctx).Order("revoked_at IS NOT NULL, id DESC").Find(&keys).Error; err != nil {
		return nil, fmt.Errorf("models: list API keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey stops a key from opening the API.
func RevokeAPIKey(ctx context.Context, db *gorm.DB, actor *User, id int64) (*APIKey, error) {
	var k APIKey
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate).First(&k, id).Error; err != nil {
			return notFound(err, fmt.Sprintf("revoke API key %d", id))
		}
		if k.RevokedAt != nil {
			return nil
		}
		now := time.Now().UTC()
		k.RevokedAt = &now
		if err := tx.Model(&k).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("models: revoke API key: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "apikey.revoke", EntityType: "api_key",
			EntityID: fmt.Sprint(k.ID), Before: map[string]any{"name": k.Name, "active": true}, After: map[string]any{"name": k.Name, "active": false}})
	})
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// randomToken returns n random characters from a URL-safe alphabet.
func randomToken(n int) string {
	return randomString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", n)
}
