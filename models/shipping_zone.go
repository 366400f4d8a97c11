package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ShippingZoneInput is a row of the transit table as a person edits it.
type ShippingZoneInput struct {
	FromCountry    string
	ToCountry      string
	TransitMinDays int
	TransitMaxDays int
}

// Validate checks the codes and the day range.
func (in *ShippingZoneInput) Validate() error {
	in.FromCountry = strings.ToUpper(strings.TrimSpace(in.FromCountry))
	in.ToCountry = strings.ToUpper(strings.TrimSpace(in.ToCountry))
	fe := FieldErrors{}
	if in.FromCountry != "*" && !ValidCountry(in.FromCountry) {
		fe.Add("from_country", "enter a country code such as US, or * for any")
	}
	if in.ToCountry != "*" && in.ToCountry != "=" && !ValidCountry(in.ToCountry) {
		fe.Add("to_country", "enter a country code, * for any, or = for the same country")
	}
	if in.TransitMinDays < 0 || in.TransitMinDays > 90 {
		fe.Add("transit_min_days", "enter 0 to 90 days")
	}
	if in.TransitMaxDays < in.TransitMinDays || in.TransitMaxDays > 120 {
		fe.Add("transit_max_days", "enter at least the minimum, and at most 120 days")
	}
	return fe.Err()
}

// SaveShippingZone adds a route or changes the days of an existing one.
func SaveShippingZone(ctx context.Context, db *gorm.DB, actor *User, in ShippingZoneInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before []ShippingZone
		if err := tx.Where("from_country = ? AND to_country = ?", in.FromCountry, in.ToCountry).Find(&before).Error; err != nil {
			return fmt.Errorf("models: save shipping zone: %w", err)
		}
		err := tx.Exec(`INSERT INTO shipping_zones (from_country, to_country, transit_min_days, transit_max_days, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (from_country, to_country)
			DO UPDATE SET transit_min_days = EXCLUDED.transit_min_days, transit_max_days = EXCLUDED.transit_max_days, updated_at = EXCLUDED.updated_at`,
			in.FromCountry, in.ToCountry, in.TransitMinDays, in.TransitMaxDays, time.Now().UTC()).Error
		if err != nil {
			return fmt.Errorf("models: save shipping zone: %w", err)
		}
		rec := AuditRecord{Actor: actor, Action: "shipping_zone.save", EntityType: "shipping_zone",
			EntityID: in.FromCountry + ">" + in.ToCountry, After: in}
		if len(before) == 1 {
			rec.Before = ShippingZoneInput{before[0].FromCountry, before[0].ToCountry, before[0].TransitMinDays, before[0].TransitMaxDays}
		}
		return RecordAudit(ctx, tx, rec)
	})
}

// DeleteShippingZone removes a route; the catch-all row ('*' to '*') stays so every route has an estimate.
func DeleteShippingZone(ctx context.Context, db *gorm.DB, actor *User, id int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var z ShippingZone
		if err := tx.First(&z, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("models: delete shipping zone %d: %w", id, ErrNotFound)
			}
			return fmt.Errorf("models: delete shipping zone: %w", err)
		}
		if z.FromCountry == "*" && z.ToCountry == "*" {
			return FieldErrors{"zone": "the catch-all route (* to *) gives every other route its estimate; change its days instead"}
		}
		if err := tx.Delete(&z).Error; err != nil {
			return fmt.Errorf("models: delete shipping zone: %w", err)
		}
		return RecordAudit(ctx, tx, AuditRecord{Actor: actor, Action: "shipping_zone.delete", EntityType: "shipping_zone",
			EntityID: z.FromCountry + ">" + z.ToCountry, Before: ShippingZoneInput{z.FromCountry, z.ToCountry, z.TransitMinDays, z.TransitMaxDays}})
	})
}
