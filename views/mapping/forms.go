// Package mapping holds the SKU mapping pages: a variant's offers, the
// unmapped queue with suggestions, and bulk mapping by CSV.
package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"dropship/models"
	"dropship/views/components"
)

// OfferForm adds or edits an offer (one supplier's SKU for a variant).
type OfferForm struct {
	SupplierID       string `form:"supplier_id"`
	SupplierSKU      string `form:"supplier_sku"`
	UnitCost         string `form:"unit_cost"`
	ShippingCost     string `form:"shipping_cost"`
	Currency         string `form:"currency"`
	ReportedQuantity string `form:"reported_quantity"`
	LeadTimeDays     string `form:"lead_time_days"`
	MinQuantity      string `form:"min_quantity"`
	Active           bool   `form:"active"`
	Reason           string `form:"reason"`
	Errors           models.FieldErrors
}

// OfferFormOf fills the form from an offer.
func OfferFormOf(o models.Offer) OfferForm {
	return OfferForm{SupplierID: strconv.FormatInt(o.SupplierID, 10), SupplierSKU: o.SupplierSKU, UnitCost: models.FormatCents(o.UnitCostCents),
		ShippingCost: models.FormatCents(o.ShippingCostCents), Currency: o.Currency, ReportedQuantity: strconv.FormatInt(o.ReportedQuantity, 10),
		LeadTimeDays: strconv.Itoa(o.LeadTimeDays), MinQuantity: strconv.Itoa(o.MinQuantity), Active: o.Active}
}

// Validate parses the numbers into the model's input; models check the rest.
func (f *OfferForm) Validate() (models.OfferInput, bool) {
	f.Errors = models.FieldErrors{}
	in := models.OfferInput{SupplierSKU: strings.TrimSpace(f.SupplierSKU), Currency: strings.ToUpper(strings.TrimSpace(f.Currency)),
		Active: f.Active, Reason: strings.TrimSpace(f.Reason), MinQuantity: 1}
	in.SupplierID, _ = strconv.ParseInt(f.SupplierID, 10, 64)
	money := func(field, s string) int64 {
		if strings.TrimSpace(s) == "" {
			return 0
		}
		c, err := models.ParseCents(s)
		if err != nil {
			f.Errors.Add(field, "enter an amount of zero or more, like 12.40")
		}
		return c
	}
	whole := func(field, s string, def int64) int64 {
		if strings.TrimSpace(s) == "" {
			return def
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 {
			f.Errors.Add(field, "enter a whole number, zero or more")
		}
		return n
	}
	in.UnitCostCents = money("unit_cost", f.UnitCost)
	in.ShippingCostCents = money("shipping_cost", f.ShippingCost)
	in.ReportedQuantity = whole("reported_quantity", f.ReportedQuantity, 0)
	in.LeadTimeDays = int(whole("lead_time_days", f.LeadTimeDays, 0))
	in.MinQuantity = int(whole("min_quantity", f.MinQuantity, 1))
	if in.SupplierSKU == "" {
		f.Errors.Add("supplier_sku", "enter the supplier's SKU")
	}
	return in, len(f.Errors) == 0
}

func supplierOptions(list []models.Supplier) []components.Option {
	opts := []components.Option{{Value: "", Label: "Choose a supplier"}}
	for _, s := range list {
		if s.Status == models.SupplierDeactivated {
			continue
		}
		label := s.Code + " — " + s.Name
		if s.Status != models.SupplierActive {
			label += " (" + s.Status + ")"
		}
		opts = append(opts, components.Option{Value: strconv.FormatInt(s.ID, 10), Label: label})
	}
	return opts
}

func supplierFilterOptions(list []models.Supplier) []components.Option {
	opts := []components.Option{{Value: "", Label: "All suppliers"}}
	for _, s := range list {
		opts = append(opts, components.Option{Value: strconv.FormatInt(s.ID, 10), Label: s.Code})
	}
	return opts
}

func queueStatusOptions() []components.Option {
	return []components.Option{{Value: "pending", Label: "Waiting"}, {Value: "ignored", Label: "Ignored"}, {Value: "mapped", Label: "Mapped"}}
}

func suggestionReason(s models.Suggestion) string {
	switch s.Match {
	case models.MatchBarcode:
		return "same barcode " + s.Barcode
	case models.MatchSKU:
		return fmt.Sprintf("similar SKU (%.0f%%)", s.Score*100)
	}
	return fmt.Sprintf("similar title (%.0f%%)", s.Score*100)
}

func suggestionKind(s models.Suggestion) string {
	switch s.Match {
	case models.MatchBarcode:
		return "ok"
	case models.MatchSKU:
		return "info"
	}
	return ""
}

func variantLabel(title string, names []string, opts models.Options) string {
	if l := opts.Label(names); l != "" {
		return title + " — " + l
	}
	return title
}

func costText(c *int64, currency string) string {
	if c == nil {
		return "—"
	}
	return components.Money(*c, currency)
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// rowForm is the form of an offer row: what failed to save, or the offer as stored.
func rowForm(d OffersData, o models.OfferRow) OfferForm {
	if f, ok := d.Edit[o.ID]; ok {
		return f
	}
	return OfferFormOf(o.Offer)
}

func availableKind(p models.PoolFigures) string {
	if p.Available == 0 {
		return "bad"
	}
	return "ok"
}

func orTitle(s string) string {
	if s == "" {
		return "no title in the feed"
	}
	return s
}
