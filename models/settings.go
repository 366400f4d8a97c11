package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// StoreSettings are the merchant's store-wide choices, kept as one JSONB row.
type StoreSettings struct {
	StoreName string `json:"store_name"`
	Timezone  string `json:"timezone"` // IANA zone; pages show times in it
}

// DefaultStoreSettings is what a new store starts with.
func DefaultStoreSettings() StoreSettings {
	return StoreSettings{StoreName: "My store", Timezone: "UTC"}
}

// Validate checks the fields a person typed.
func (s StoreSettings) Validate() error {
	fe := FieldErrors{}
	if strings.TrimSpace(s.StoreName) == "" || len(s.StoreName) > 100 {
		fe.Add("store_name", "enter a name of 1 to 100 characters")
	}
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" || s.Timezone == "Local" {
		fe.Add("timezone", "choose a time zone such as Europe/Paris or America/New_York")
	}
	return fe.Err()
}

// Location is the store's time zone (UTC when unknown).
func (s StoreSettings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

const storeSettingsKey = "store"

type setting struct {
	Key       string `gorm:"primaryKey"`
	Value     JSON
	UpdatedAt time.Time
}

func (setting) TableName() string { return "settings" }

// GetStoreSettings returns the saved settings over the defaults.
func GetStoreSettings(ctx context.Context, db *gorm.DB) (StoreSettings, error) {
	s := DefaultStoreSettings()
	var row setting
	err := db.WithContext(ctx).First(&row, "key = ?", storeSettingsKey).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("models: get store settings: %w", err)
	}
	if err := json.Unmarshal(row.Value, &s); err != nil {
		return s, fmt.Errorf("models: decode store settings: %w", err)
	}
	return s, nil
}

// SaveStoreSettings validates and stores s, with an audit entry.
func SaveStoreSettings(ctx context.Context, db *gorm.DB, actor *User, s StoreSettings) error {
	s.StoreName = strings.TrimSpace(s.StoreName)
	if err := s.Validate(); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := GetStoreSettings(ctx, tx)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(s)
		row := setting{Key: storeSettingsKey, Value: b, UpdatedAt: time.Now().UTC()}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("models: save store settings: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "settings.update", EntityType: "settings",
			EntityID: storeSettingsKey, Before: before, After: s})
	})
}
