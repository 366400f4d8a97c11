// Package products holds the product page, its variants grid and the product and variant forms.
package products

import (
	"strconv"
	"strings"

	"dropship/models"
	"dropship/views/components"
)

// ProductForm creates or edits a product.
type ProductForm struct {
	Title       string `form:"title"`
	Handle      string `form:"handle"`
	Description string `form:"description"`
	Vendor      string `form:"vendor"`
	CategoryID  string `form:"category_id"`
	Status      string `form:"status"`
	Option1     string `form:"option1"`
	Option2     string `form:"option2"`
	Option3     string `form:"option3"`
	Errors      models.FieldErrors
}

// ProductFormOf fills the form from a product.
func ProductFormOf(p *models.Product) ProductForm {
	f := ProductForm{Title: p.Title, Handle: p.Handle, Description: p.Description, Vendor: p.Vendor, Status: p.Status}
	if p.CategoryID != nil {
		f.CategoryID = strconv.FormatInt(*p.CategoryID, 10)
	}
	names := append(append([]string{}, p.OptionNames...), "", "", "")
	f.Option1, f.Option2, f.Option3 = names[0], names[1], names[2]
	return f
}

// Validate checks what the form can: a title and a category id that is a number.
func (f *ProductForm) Validate() bool {
	f.Errors = models.FieldErrors{}
	if strings.TrimSpace(f.Title) == "" {
		f.Errors.Add("title", "enter a title")
	}
	if f.CategoryID != "" {
		if _, err := strconv.ParseInt(f.CategoryID, 10, 64); err != nil {
			f.Errors.Add("category_id", "choose a category from the list")
		}
	}
	if f.Option1 == "" && (f.Option2 != "" || f.Option3 != "") || f.Option2 == "" && f.Option3 != "" {
		f.Errors.Add("option_names", "fill the options in order: the first, then the second")
	}
	return len(f.Errors) == 0
}

// Input converts the form to the model's input.
func (f *ProductForm) Input() models.ProductInput {
	in := models.ProductInput{Title: f.Title, Handle: f.Handle, Description: f.Description, Vendor: f.Vendor, Status: f.Status,
		OptionNames: []string{f.Option1, f.Option2, f.Option3}}
	if id, err := strconv.ParseInt(f.CategoryID, 10, 64); err == nil && id > 0 {
		in.CategoryID = &id
	}
	return in
}

// VariantForm creates or edits a variant; option values come as option.<Name>.
type VariantForm struct {
	SKU               string `form:"sku"`
	Price             string `form:"price"`
	CompareAtPrice    string `form:"compare_at_price"`
	Currency          string `form:"currency"`
	Barcode           string `form:"barcode"`
	WeightGrams       string `form:"weight_grams"`
	LowStockThreshold string `form:"low_stock_threshold"`
	Status            string `form:"status"`
	Options           models.Options
	Errors            models.FieldErrors
}

// VariantFormOf fills the form from a variant.
func VariantFormOf(v *models.Variant) VariantForm {
	f := VariantForm{SKU: v.SKU, Price: models.FormatCents(v.PriceCents), Currency: v.Currency, Barcode: v.Barcode,
		WeightGrams: strconv.Itoa(v.WeightGrams), Status: v.Status, Options: v.Options}
	if v.CompareAtPriceCents != nil {
		f.CompareAtPrice = models.FormatCents(*v.CompareAtPriceCents)
	}
	if v.LowStockThreshold != nil {
		f.LowStockThreshold = strconv.Itoa(*v.LowStockThreshold)
	}
	return f
}

// Validate parses the numbers; models check the rest.
func (f *VariantForm) Validate() (models.VariantInput, bool) {
	f.Errors = models.FieldErrors{}
	in := models.VariantInput{SKU: f.SKU, Options: f.Options, Currency: f.Currency, Barcode: f.Barcode, Status: f.Status}
	price, err := models.ParseCents(f.Price)
	switch {
	case strings.HasPrefix(strings.TrimSpace(f.Price), "-"):
		f.Errors.Add("price", "a price can't be below zero")
	case err != nil:
		f.Errors.Add("price", "enter an amount like 24.00")
	}
	in.PriceCents = price
	if f.CompareAtPrice != "" {
		c, err := models.ParseCents(f.CompareAtPrice)
		if err != nil {
			f.Errors.Add("compare_at_price", "enter an amount of zero or more, or leave empty")
		}
		in.CompareAtPriceCents = &c
	}
	if f.WeightGrams != "" {
		g, err := strconv.Atoi(strings.TrimSpace(f.WeightGrams))
		if err != nil || g < 0 {
			f.Errors.Add("weight_grams", "enter whole grams, zero or more")
		}
		in.WeightGrams = g
	}
	if f.LowStockThreshold != "" {
		n, err := strconv.Atoi(strings.TrimSpace(f.LowStockThreshold))
		if err != nil || n < 0 {
			f.Errors.Add("low_stock_threshold", "enter zero or more, or leave empty for the store default")
		}
		in.LowStockThreshold = &n
	}
	return in, len(f.Errors) == 0
}

// MatrixForm asks for the values of each option to generate variants.
type MatrixForm struct {
	Values1   string `form:"values1"`
	Values2   string `form:"values2"`
	Values3   string `form:"values3"`
	SKUPrefix string `form:"sku_prefix"`
	Price     string `form:"price"`
	Errors    models.FieldErrors
}

// Validate splits the comma-separated values and parses the price.
func (f *MatrixForm) Validate(optionNames []string) (models.MatrixInput, bool) {
	f.Errors = models.FieldErrors{}
	in := models.MatrixInput{SKUPrefix: f.SKUPrefix}
	for i, raw := range []string{f.Values1, f.Values2, f.Values3}[:len(optionNames)] {
		var vals []string
		seen := map[string]bool{}
		for _, v := range strings.Split(raw, ",") {
			if v = strings.TrimSpace(v); v != "" && !seen[strings.ToLower(v)] {
				vals = append(vals, v)
				seen[strings.ToLower(v)] = true
			}
		}
		if len(vals) == 0 {
			f.Errors.Add("values"+strconv.Itoa(i+1), "enter at least one "+strings.ToLower(optionNames[i]))
		}
		in.Values = append(in.Values, vals)
	}
	price, err := models.ParseCents(f.Price)
	if err != nil {
		f.Errors.Add("price", "enter a price of zero or more, like 24.00")
	}
	in.PriceCents = price
	return in, len(f.Errors) == 0
}

func categoryOptions(cats []models.Category) []components.Option {
	opts := []components.Option{{Value: "", Label: "No category"}}
	for _, c := range cats {
		opts = append(opts, components.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	return opts
}

func productStatusOptions() []components.Option {
	return []components.Option{{Value: "active", Label: "Active — sold"}, {Value: "draft", Label: "Draft — not sold yet"}, {Value: "archived", Label: "Archived — no longer sold"}}
}

func variantStatusOptions() []components.Option {
	return []components.Option{{Value: "active", Label: "Active"}, {Value: "archived", Label: "Archived"}}
}
