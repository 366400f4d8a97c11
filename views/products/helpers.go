package products

import (
	"fmt"
	"strings"

	"dropship/models"
)

func productSubtitle(d ShowData) string {
	parts := []string{d.Product.Handle}
	if d.Category != "" {
		parts = append(parts, d.Category)
	}
	if d.Product.Vendor != "" {
		parts = append(parts, d.Product.Vendor)
	}
	parts = append(parts, d.Product.Status)
	return strings.Join(parts, " · ")
}

func optionsHint(p *models.Product) string {
	if len(p.OptionNames) == 0 {
		return "no options"
	}
	return "by " + strings.Join(p.OptionNames, " × ")
}

func totalAvailable(vs []models.ProductVariant) int64 {
	var n int64
	for _, v := range vs {
		n += v.Available
	}
	return n
}

func countNotSellable(vs []models.ProductVariant) int {
	n := 0
	for _, v := range vs {
		if v.Available == 0 {
			n++
		}
	}
	return n
}

func notSellableKind(vs []models.ProductVariant) string {
	if countNotSellable(vs) > 0 {
		return "warn"
	}
	return ""
}

func supplierCount(offers map[int64][]models.OfferRow) int {
	seen := map[int64]bool{}
	for _, list := range offers {
		for _, o := range list {
			seen[o.SupplierID] = true
		}
	}
	return len(seen)
}

// stockState is the catalog's stock state of a product variant.
func stockState(v models.ProductVariant) string {
	r := models.CatalogRow{LowStockThreshold: v.LowStockThreshold, PoolFigures: v.PoolFigures}
	return r.StockState()
}

func variantName(p *models.Product, v models.Variant) string {
	if l := v.Options.Label(p.OptionNames); l != "" {
		return l
	}
	return "Default"
}

// offerQty says what the supplier reports and what reaches the pool.
func offerQty(o models.OfferRow) string {
	switch {
	case !o.Active:
		return fmt.Sprintf("%d · off", o.ReportedQuantity)
	case o.SupplierStatus != models.SupplierActive:
		return fmt.Sprintf("%d · %s", o.ReportedQuantity, o.SupplierStatus)
	case o.SafetyBuffer > 0:
		return fmt.Sprintf("%d → %d", o.ReportedQuantity, o.Contribution())
	}
	return fmt.Sprintf("%d", o.ReportedQuantity)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func matrixValue(f MatrixForm, i int) string {
	return []string{f.Values1, f.Values2, f.Values3}[i]
}

func matrixPlaceholder(name string) string {
	switch strings.ToLower(name) {
	case "size":
		return "S, M, L"
	case "colour", "color":
		return "Navy, Sand"
	}
	return ""
}

func productFormTitle(p *models.Product) string {
	if p == nil {
		return "New product"
	}
	return "Edit " + p.Title
}

func productFormAction(p *models.Product) string {
	if p == nil {
		return "/products"
	}
	return fmt.Sprintf("/products/%d", p.ID)
}

func productCancel(p *models.Product) string {
	if p == nil {
		return "/catalog"
	}
	return fmt.Sprintf("/products/%d", p.ID)
}

func variantFormTitle(v *models.Variant) string {
	if v == nil {
		return "New variant"
	}
	return "Edit " + v.SKU
}

func variantFormAction(p *models.Product, v *models.Variant) string {
	if v == nil {
		return fmt.Sprintf("/products/%d/variants", p.ID)
	}
	return fmt.Sprintf("/variants/%d", v.ID)
}
