// Package settings holds the owner's store settings page.
package settings

import (
	"strconv"
	"strings"

	"dropship/models"
)

// Sections of the settings page; each is its own form.
const (
	SectionStore     = "store"
	SectionCheckout  = "checkout"
	SectionRisk      = "risk"
	SectionInventory = "inventory"
)

// Form edits one section of the store settings; the page shows all of them.
type Form struct {
	Section string `form:"section"`

	StoreName      string `form:"store_name"`
	Timezone       string `form:"timezone"`
	Currency       string `form:"currency"`
	DefaultCountry string `form:"default_country"`

	HoldMinutes      string `form:"hold_minutes"`
	ShippingFlat     string `form:"shipping_flat"`
	FreeShippingOver string `form:"free_shipping_over"`

	RiskThreshold       string `form:"risk_threshold"`
	RiskFirstOrder      string `form:"risk_first_order"`
	RiskUnusualQuantity string `form:"risk_unusual_quantity"`
	RiskVelocityLimit   string `form:"risk_velocity_limit"`
	DisposableDomains   string `form:"disposable_domains"`

	LowStockThreshold string `form:"low_stock_threshold"`

	Errors models.FieldErrors
}

// FormOf fills every section's fields from the saved settings.
func FormOf(s models.StoreSettings) Form {
	return Form{
		StoreName: s.StoreName, Timezone: s.Timezone, Currency: s.Currency, DefaultCountry: s.DefaultCountry,
		HoldMinutes: strconv.Itoa(s.HoldMinutes), ShippingFlat: models.FormatCents(s.ShippingFlatCents),
		FreeShippingOver: models.FormatCents(s.FreeShippingOverCents),
		RiskThreshold:    strconv.Itoa(s.RiskThreshold), RiskFirstOrder: models.FormatCents(s.RiskFirstOrderCents),
		RiskUnusualQuantity: strconv.Itoa(s.RiskUnusualQuantity), RiskVelocityLimit: strconv.Itoa(s.RiskVelocityLimit),
		DisposableDomains: strings.Join(s.DisposableDomains, "\n"),
		LowStockThreshold: strconv.Itoa(s.LowStockThreshold),
	}
}

// Apply validates the posted section and writes it over current; the other
// sections keep their saved values. It reports false with f.Errors set.
func (f *Form) Apply(current models.StoreSettings) (models.StoreSettings, bool) {
	f.Errors = models.FieldErrors{}
	s := current
	number := func(field, value string) int {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			f.Errors.Add(field, "enter a whole number")
		}
		return n
	}
	amount := func(field, value string) int64 {
		c, err := models.ParseCents(value)
		if err != nil {
			f.Errors.Add(field, "enter an amount like 5.99")
		}
		return c
	}
	switch f.Section {
	case SectionCheckout:
		s.HoldMinutes = number("hold_minutes", f.HoldMinutes)
		s.ShippingFlatCents = amount("shipping_flat", f.ShippingFlat)
		s.FreeShippingOverCents = amount("free_shipping_over", f.FreeShippingOver)
	case SectionRisk:
		s.RiskThreshold = number("risk_threshold", f.RiskThreshold)
		s.RiskFirstOrderCents = amount("risk_first_order", f.RiskFirstOrder)
		s.RiskUnusualQuantity = number("risk_unusual_quantity", f.RiskUnusualQuantity)
		s.RiskVelocityLimit = number("risk_velocity_limit", f.RiskVelocityLimit)
		s.DisposableDomains = nil
		for _, d := range strings.FieldsFunc(f.DisposableDomains, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
			if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
				s.DisposableDomains = append(s.DisposableDomains, d)
			}
		}
	case SectionInventory:
		s.LowStockThreshold = number("low_stock_threshold", f.LowStockThreshold)
	default:
		f.Section = SectionStore
		s.StoreName = strings.TrimSpace(f.StoreName)
		s.Timezone = strings.TrimSpace(f.Timezone)
		s.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
		s.DefaultCountry = strings.ToUpper(strings.TrimSpace(f.DefaultCountry))
		if s.StoreName == "" {
			f.Errors.Add("store_name", "enter the store's name")
		}
	}
	return s, len(f.Errors) == 0
}

// WithSaved is the form to re-render after a failed post: the posted
// section as typed, the other sections as saved.
func (f Form) WithSaved(saved models.StoreSettings) Form {
	full := FormOf(saved)
	full.Section, full.Errors = f.Section, f.Errors
	switch f.Section {
	case SectionCheckout:
		full.HoldMinutes, full.ShippingFlat, full.FreeShippingOver = f.HoldMinutes, f.ShippingFlat, f.FreeShippingOver
	case SectionRisk:
		full.RiskThreshold, full.RiskFirstOrder, full.RiskUnusualQuantity = f.RiskThreshold, f.RiskFirstOrder, f.RiskUnusualQuantity
		full.RiskVelocityLimit, full.DisposableDomains = f.RiskVelocityLimit, f.DisposableDomains
	case SectionInventory:
		full.LowStockThreshold = f.LowStockThreshold
	default:
		full.StoreName, full.Timezone, full.Currency, full.DefaultCountry = f.StoreName, f.Timezone, f.Currency, f.DefaultCountry
	}
	return full
}

// errFor shows an error only in the section that was posted.
func errFor(f Form, section, field string) string {
	if f.Section != section {
		return ""
	}
	return f.Errors[field]
}
