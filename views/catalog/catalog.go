// Package catalog is the catalog list, its CSV import and export pages.
package catalog

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dropship/models"
	"dropship/views/components"
)

// PageData is the catalog list with its search, filters and page.
type PageData struct {
	Rows       []models.CatalogRow
	Filter     models.CatalogFilter
	Categories []models.Category
	Counts     models.CatalogCounts
	Next       string // URL of the next page, "" on the last
	CanEdit    bool
}

// query is the filter as URL values, without the cursor.
func query(f models.CatalogFilter) url.Values {
	q := url.Values{}
	if f.Query != "" {
		q.Set("q", f.Query)
	}
	if f.CategoryID > 0 {
		q.Set("category", strconv.FormatInt(f.CategoryID, 10))
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.Stock != "" {
		q.Set("stock", f.Stock)
	}
	if f.Sort != "" && f.Sort != "title" {
		q.Set("sort", f.Sort)
	}
	if f.Desc {
		q.Set("dir", "desc")
	}
	return q
}

// URL is the catalog page for f, on page after (keyset cursor; "" for the first).
func URL(f models.CatalogFilter, after string) string {
	q := query(f)
	if after != "" {
		q.Set("after", after)
	}
	if len(q) == 0 {
		return "/catalog"
	}
	return "/catalog?" + q.Encode()
}

// sortURL sorts by key, flipping the direction when it already sorts by it.
func sortURL(f models.CatalogFilter, key string) string {
	cur := f.Sort
	if cur == "" {
		cur = "title"
	}
	f.Desc = cur == key && !f.Desc
	f.Sort = key
	return URL(f, "")
}

// ariaSort marks the column the list is sorted by.
func ariaSort(f models.CatalogFilter, key string) string {
	cur := f.Sort
	if cur == "" {
		cur = "title"
	}
	if cur != key {
		return ""
	}
	if f.Desc {
		return "descending"
	}
	return "ascending"
}

func sortArrow(f models.CatalogFilter, key string) string {
	switch ariaSort(f, key) {
	case "ascending":
		return " ↑"
	case "descending":
		return " ↓"
	}
	return ""
}

// stockFilterURL is the first page filtered to one stock state.
func stockFilterURL(stock string) string {
	return URL(models.CatalogFilter{Stock: stock}, "")
}

func categoryOptions(cats []models.Category) []components.Option {
	opts := []components.Option{{Value: "", Label: "All categories"}}
	for _, c := range cats {
		opts = append(opts, components.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	return opts
}

func statusOptions() []components.Option {
	return []components.Option{{Value: "", Label: "Any status"}, {Value: "active", Label: "Active"}, {Value: "draft", Label: "Draft"}, {Value: "archived", Label: "Archived"}}
}

func stockOptions() []components.Option {
	return []components.Option{{Value: "", Label: "Any stock"}, {Value: models.StockIn, Label: "In stock"}, {Value: models.StockLow, Label: "Low"},
		{Value: models.StockOut, Label: "Out of stock"}, {Value: models.StockUnmapped, Label: "Unmapped"}}
}

func categoryValue(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// StockBadge colours a stock state.
func StockBadge(state string) (kind, label string) {
	switch state {
	case models.StockIn:
		return "ok", "in stock"
	case models.StockLow:
		return "warn", "low"
	case models.StockOut:
		return "bad", "out"
	}
	return "", "unmapped"
}

func productURL(id int64) string { return fmt.Sprintf("/products/%d", id) }

func statusKind(s string) string {
	switch s {
	case models.ProductActive:
		return "ok"
	case models.ProductDraft:
		return "info"
	}
	return ""
}

func rejectedKind(n int) string {
	if n > 0 {
		return "bad"
	}
	return ""
}

// rowsURL is the import page filtered to one outcome.
func rowsURL(id int64, action string) string {
	if action == "" {
		return fmt.Sprintf("/catalog/import/%d", id)
	}
	return fmt.Sprintf("/catalog/import/%d?action=%s", id, action)
}

func actionTab(a string) string {
	switch a {
	case "error":
		return "Rejected"
	case "create":
		return "Create"
	case "update":
		return "Update"
	}
	return "All"
}

func optionsText(o models.Options) string {
	keys := slices.Sorted(maps.Keys(o))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + o[k]
	}
	return strings.Join(parts, ", ")
}

func priceText(c *int64) string {
	if c == nil {
		return ""
	}
	return models.FormatCents(*c)
}
