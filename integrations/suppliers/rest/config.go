// Package rest polls a supplier's paginated JSON inventory API and reads it
// as a suppliers.RecordReader, one page in memory at a time. Each supplier
// gets a Config (stored as JSON, edited on the supplier's page) saying where
// the API is, how it pages (page numbers, a cursor, or Link headers), where
// the item list is and which JSON path holds each field.
package rest

import (
	"fmt"
	"net/url"
	"strings"

	"dropship/integrations/suppliers/transport"
)

// Pagination kinds.
const (
	PageNone   = "none"   // one answer holds every item
	PageNumber = "page"   // ?page=1&limit=100, ?page=2… until a short page
	PageCursor = "cursor" // ?cursor=<value at CursorPath> until it is empty
	PageLink   = "link"   // follow the Link: <…>; rel="next" header until there is none
)

// Config is one supplier's inventory API.
type Config struct {
	URL        string         `json:"url"`
	Auth       transport.Auth `json:"auth"`
	Pagination Pagination     `json:"pagination"`
	// ItemsPath is where the item list is in each answer, e.g. "data.items[]";
	// "[]" when the answer is the list itself.
	ItemsPath string `json:"items_path"`
	Fields    Fields `json:"fields"`
	// CostInMinorUnits means the cost field is already in cents (1234), not a decimal amount (12.34).
	CostInMinorUnits bool `json:"cost_in_minor_units,omitempty"`
	// DefaultCurrency is used when no currency field is mapped or an item has none.
	DefaultCurrency string `json:"default_currency,omitempty"`
	// TimeoutSeconds bounds each page request; 30 when 0.
	TimeoutSeconds int `json:"timeout_seconds,omitempty"`
	// MaxRetryAfterSeconds is the longest Retry-After we wait out on a 429; 60 when 0.
	MaxRetryAfterSeconds int `json:"max_retry_after_seconds,omitempty"`
}

// Pagination says how the API splits the inventory into pages.
type Pagination struct {
	Kind string `json:"kind"`
	// LimitParam and Limit ask for a page size ("limit", 100 by default); LimitParam "-" sends none.
	LimitParam string `json:"limit_param,omitempty"`
	Limit      int    `json:"limit,omitempty"`
	// PageParam names the page number parameter ("page"); pages count from 1, or 0 with StartAtZero.
	PageParam   string `json:"page_param,omitempty"`
	StartAtZero bool   `json:"start_at_zero,omitempty"`
	// CursorParam names the cursor parameter ("cursor"); CursorPath is where the
	// next cursor is in the answer, e.g. "meta.next_cursor".
	CursorParam string `json:"cursor_param,omitempty"`
	CursorPath  string `json:"cursor_path,omitempty"`
}

// Fields are JSON paths inside one item, e.g. "sku" or "stock.available".
// SKU and Quantity are required; the rest may be left empty.
type Fields struct {
	SKU          string `json:"sku"`
	Quantity     string `json:"quantity"`
	Cost         string `json:"cost,omitempty"`
	Currency     string `json:"currency,omitempty"`
	LeadTimeDays string `json:"lead_time_days,omitempty"`
	Discontinued string `json:"discontinued,omitempty"`
	Barcode      string `json:"barcode,omitempty"`
	Title        string `json:"title,omitempty"`
	// ObservedAt is when the figure was true: an RFC 3339 time or Unix seconds.
	ObservedAt string `json:"observed_at,omitempty"`
}

// Defaults of the pagination parameters.
const (
	defaultLimit        = 100
	maxLimit            = 10000
	defaultMaxRetryWait = 60
)

func (p Pagination) limitParam() string {
	if p.LimitParam == "" {
		return "limit"
	}
	return p.LimitParam
}

func (p Pagination) limit() int {
	if p.Limit <= 0 {
		return defaultLimit
	}
	return p.Limit
}

func (p Pagination) pageParam() string {
	if p.PageParam == "" {
		return "page"
	}
	return p.PageParam
}

func (p Pagination) cursorParam() string {
	if p.CursorParam == "" {
		return "cursor"
	}
	return p.CursorParam
}

// Validate returns a message per wrong field (keys as in the JSON form:
// "url", "fields.quantity", "pagination.cursor_path"…), nil when the config can be used.
func (c Config) Validate() map[string]string {
	errs := map[string]string{}
	if u, err := url.Parse(strings.TrimSpace(c.URL)); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		errs["url"] = "enter the full address of the supplier's inventory API, starting with https://"
	}
	c.Auth.Validate("auth.", errs)

	switch c.Pagination.Kind {
	case PageNone, PageNumber, PageLink:
	case PageCursor:
		if strings.TrimSpace(c.Pagination.CursorPath) == "" {
			errs["pagination.cursor_path"] = "say where the next page's cursor is in the answer, such as meta.next_cursor"
		} else if _, err := parsePath(c.Pagination.CursorPath); err != nil {
			errs["pagination.cursor_path"] = err.Error()
		}
	default:
		errs["pagination.kind"] = "choose how the API splits its list: page numbers, a cursor, Link headers, or a single page"
	}
	if c.Pagination.Limit < 0 || c.Pagination.Limit > maxLimit {
		errs["pagination.limit"] = fmt.Sprintf("enter a page size between 1 and %d, or leave it empty for %d", maxLimit, defaultLimit)
	}
	for key, v := range map[string]string{"pagination.limit_param": c.Pagination.LimitParam, "pagination.page_param": c.Pagination.PageParam, "pagination.cursor_param": c.Pagination.CursorParam} {
		if strings.ContainsAny(v, "&=?# ") {
			errs[key] = "a parameter name has no spaces or & = ? #"
		}
	}

	if strings.TrimSpace(c.ItemsPath) == "" {
		errs["items_path"] = "say where the list of items is in the answer, such as data.items[] (or [] if the answer is the list itself)"
	} else if _, err := parsePath(strings.TrimSuffix(c.ItemsPath, "[]")); err != nil {
		errs["items_path"] = err.Error()
	}
	required := map[string]string{"sku": c.Fields.SKU, "quantity": c.Fields.Quantity}
	names := map[string]string{"sku": "the supplier's SKU", "quantity": "the quantity available"}
	for key, p := range required {
		if strings.TrimSpace(p) == "" {
			errs["fields."+key] = "say which field holds " + names[key] + ", such as " + map[string]string{"sku": "sku", "quantity": "stock.available"}[key]
		}
	}
	optional := map[string]string{
		"sku": c.Fields.SKU, "quantity": c.Fields.Quantity, "cost": c.Fields.Cost, "currency": c.Fields.Currency,
		"lead_time_days": c.Fields.LeadTimeDays, "discontinued": c.Fields.Discontinued, "barcode": c.Fields.Barcode,
		"title": c.Fields.Title, "observed_at": c.Fields.ObservedAt,
	}
	for key, p := range optional {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if _, err := parsePath(p); err != nil {
			errs["fields."+key] = err.Error()
		}
	}
	if c.DefaultCurrency != "" && !isCurrencyCode(c.DefaultCurrency) {
		errs["default_currency"] = "enter a three-letter currency code such as USD or EUR"
	}
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > 600 {
		errs["timeout_seconds"] = "enter a timeout between 1 and 600 seconds, or leave it empty for 30"
	}
	if c.MaxRetryAfterSeconds < 0 || c.MaxRetryAfterSeconds > 3600 {
		errs["max_retry_after_seconds"] = "enter at most 3600 seconds, or leave it empty for 60"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
