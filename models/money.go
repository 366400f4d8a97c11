package models

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrBadAmount is a price or cost a person typed that is not an amount of money.
var ErrBadAmount = errors.New("not an amount")

var amountRe = regexp.MustCompile(`^(\d{1,12})(?:\.(\d{1,2}))?$`)

// ParseCents reads "12", "12.5" or "12.50" as minor units (1250). Negative
// amounts, more than two decimals and anything else are refused.
func ParseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("models: amount %q is below zero: %w", s, ErrBadAmount)
	}
	m := amountRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("models: amount %q: %w", s, ErrBadAmount)
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64)
	frac := int64(0)
	if m[2] != "" {
		f := m[2]
		if len(f) == 1 {
			f += "0"
		}
		frac, _ = strconv.ParseInt(f, 10, 64)
	}
	return whole*100 + frac, nil
}

// FormatCents writes minor units as a plain decimal ("12.50"), as forms and CSV files want it.
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// ValidCurrency reports whether c looks like an ISO 4217 code.
func ValidCurrency(c string) bool { return currencyRe.MatchString(c) }

// StringList is a JSONB array of strings.
type StringList []string

// Value writes the list as a JSON array.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan reads a JSON array.
func (l *StringList) Scan(src any) error { return scanJSON(src, l) }

// Options are a variant's option values by option name: {"Size": "M"}.
type Options map[string]string

// Value writes the options as a JSON object.
func (o Options) Value() (driver.Value, error) {
	if o == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(o))
	return string(b), err
}

// Scan reads a JSON object.
func (o *Options) Scan(src any) error { return scanJSON(src, o) }

// Label joins the values in the order of names: "M / Navy".
func (o Options) Label(names []string) string {
	var parts []string
	for _, n := range names {
		if v := o[n]; v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		for _, v := range o {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " / ")
}

func scanJSON(src, dst any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		return json.Unmarshal(v, dst)
	case string:
		return json.Unmarshal([]byte(v), dst)
	}
	return fmt.Errorf("models: scan JSON from %T", src)
}
