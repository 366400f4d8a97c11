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
	StoreName      string `json:"store_name"`
	Timezone       string `json:"timezone"`        // IANA zone; pages show times in it
	Currency       string `json:"currency"`        // orders are priced and paid in it
	DefaultCountry string `json:"default_country"` // delivery estimates when the storefront gives no address

	// Checkout.
	HoldMinutes           int   `json:"hold_minutes"`             // how long an unpaid (manual) order holds stock
	ShippingFlatCents     int64 `json:"shipping_flat_cents"`      // shipping charged per order
	FreeShippingOverCents int64 `json:"free_shipping_over_cents"` // subtotal from which shipping is free; 0: never

	// Risk: an order scoring at or above RiskThreshold waits on hold for a person.
	RiskThreshold       int      `json:"risk_threshold"`
	RiskFirstOrderCents int64    `json:"risk_first_order_cents"` // a customer's first order above this counts
	RiskUnusualQuantity int      `json:"risk_unusual_quantity"`  // a line above this quantity counts
	RiskVelocityLimit   int      `json:"risk_velocity_limit"`    // more orders than this in 24 h per email, address or card count
	DisposableDomains   []string `json:"disposable_domains"`     // added to the built-in list

	// Inventory: a variant without its own threshold is low at or below this many available units.
	LowStockThreshold int `json:"low_stock_threshold"`
}

// DefaultStoreSettings is what a new store starts with.
func DefaultStoreSettings() StoreSettings {
	return StoreSettings{
		StoreName: "My store", Timezone: "UTC", Currency: "USD", DefaultCountry: "US",
		HoldMinutes: 30, ShippingFlatCents: 599, FreeShippingOverCents: 7500,
		RiskThreshold: 60, RiskFirstOrderCents: 50000, RiskUnusualQuantity: 10, RiskVelocityLimit: 3,
		LowStockThreshold: DefaultLowStockThreshold,
	}
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
	if !ValidCurrency(s.Currency) {
		fe.Add("currency", "enter a three-letter currency code such as USD or EUR")
	}
	if !ValidCountry(s.DefaultCountry) {
		fe.Add("default_country", "enter a two-letter country code such as US or DE")
	}
	if s.HoldMinutes < 1 || s.HoldMinutes > 7*24*60 {
		fe.Add("hold_minutes", "enter between 1 minute and 7 days (10080 minutes)")
	}
	if s.ShippingFlatCents < 0 {
		fe.Add("shipping_flat", "shipping can't be below zero")
	}
	if s.FreeShippingOverCents < 0 {
		fe.Add("free_shipping_over", "enter zero (never free) or an amount")
	}
	if s.RiskThreshold < 1 || s.RiskThreshold > 100 {
		fe.Add("risk_threshold", "enter a score between 1 and 100")
	}
	if s.RiskFirstOrderCents < 0 {
		fe.Add("risk_first_order", "enter an amount of zero or more")
	}
	if s.RiskUnusualQuantity < 1 {
		fe.Add("risk_unusual_quantity", "enter a quantity of at least 1")
	}
	if s.RiskVelocityLimit < 1 {
		fe.Add("risk_velocity_limit", "enter a number of orders of at least 1")
	}
	if s.LowStockThreshold < 0 || s.LowStockThreshold > 100000 {
		fe.Add("low_stock_threshold", "enter a number of units between 0 and 100000")
	}
	for _, d := range s.DisposableDomains {
		if !strings.Contains(d, ".") || strings.ContainsAny(d, " @/") {
			fe.Add("disposable_domains", fmt.Sprintf("%q is not a domain name", d))
		}
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
