package feed

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/internal/money"
)

// Indexes into a row of raw values, in fieldList order.
const (
	idxSKU = iota
	idxQuantity
	idxCost
	idxCurrency
	idxLeadTime
	idxDiscontinued
	idxBarcode
	idxTitle
	numFields
)

// rawRow is one record's field values as found in the file; present says which
// fields the row has at all.
type rawRow struct {
	vals    [numFields][]byte
	present [numFields]bool
}

func (r *rawRow) reset() {
	for i := range r.vals {
		r.vals[i] = r.vals[i][:0]
		r.present[i] = false
	}
}

// builder turns raw rows into StockRecords; labels say where each field was
// found ("column \"Qty\"", "<qty>") so a reason can point at it.
type builder struct {
	labels     [numFields]string
	mapped     [numFields]bool
	currency   string // fixed currency, canonical
	decimalSep byte   // 0 guesses
}

func newBuilder(m Mapping) builder {
	b := builder{}
	for i, fl := range fieldList {
		b.mapped[i] = strings.TrimSpace(*fl.ptr(&m.Fields)) != ""
	}
	if c, _, ok := money.Currency(m.Currency); ok {
		b.currency = c
	}
	if m.DecimalSeparator != "" {
		b.decimalSep = m.DecimalSeparator[0]
	}
	return b
}

// build makes a record from row, or returns the reason it is rejected.
func (b *builder) build(row *rawRow, rec *suppliers.StockRecord) string {
	sku := bytes.TrimSpace(row.vals[idxSKU])
	if len(sku) == 0 {
		return "the SKU is empty" + b.where(idxSKU)
	}
	rec.SKU = string(sku)

	q := bytes.TrimSpace(row.vals[idxQuantity])
	qty, reason := parseQuantity(q)
	if reason != "" {
		return reason + b.where(idxQuantity)
	}
	rec.Quantity = qty

	if b.mapped[idxCurrency] {
		if c := bytes.TrimSpace(row.vals[idxCurrency]); len(c) > 0 {
			canon, _, ok := money.Currency(string(c))
			if !ok {
				return fmt.Sprintf("the currency %s is not an ISO 4217 code such as USD or EUR%s", quoteValue(c), b.where(idxCurrency))
			}
			rec.Currency = canon
		}
	}
	if rec.Currency == "" {
		rec.Currency = b.currency
	}

	if b.mapped[idxCost] {
		if c := bytes.TrimSpace(row.vals[idxCost]); len(c) > 0 {
			if rec.Currency == "" {
				return "the cost has no currency: the row's currency is empty and the mapping has no fixed currency" + b.where(idxCurrency)
			}
			cents, err := money.ToMinor(string(c), b.decimalSep, money.Digits(rec.Currency))
			switch {
			case errors.Is(err, money.ErrNegative):
				return fmt.Sprintf("the cost %s is negative%s", quoteValue(c), b.where(idxCost))
			case errors.Is(err, money.ErrTooLarge):
				return fmt.Sprintf("the cost %s is too large%s", quoteValue(c), b.where(idxCost))
			case err != nil:
				return fmt.Sprintf("the cost %s is not a number%s", quoteValue(c), b.where(idxCost))
			}
			rec.CostCents = &cents
		}
	}

	if b.mapped[idxLeadTime] {
		if v := bytes.TrimSpace(row.vals[idxLeadTime]); len(v) > 0 {
			days, reason := parseQuantity(v)
			if reason != "" || days > 3650 {
				return fmt.Sprintf("the lead time %s is not a whole number of days between 0 and 3650%s", quoteValue(v), b.where(idxLeadTime))
			}
			d := int(days)
			rec.LeadTimeDays = &d
		}
	}

	if b.mapped[idxDiscontinued] {
		v := bytes.TrimSpace(row.vals[idxDiscontinued])
		disc, ok := parseBool(v)
		if !ok {
			return fmt.Sprintf("discontinued is %s; use true/false, yes/no, Y/N or 1/0%s", quoteValue(v), b.where(idxDiscontinued))
		}
		rec.Discontinued = disc
	}
	if b.mapped[idxBarcode] {
		rec.Barcode = string(bytes.TrimSpace(row.vals[idxBarcode]))
	}
	if b.mapped[idxTitle] {
		rec.Title = string(bytes.TrimSpace(row.vals[idxTitle]))
	}
	return ""
}

func (b *builder) where(i int) string {
	if b.labels[i] == "" {
		return ""
	}
	return " (" + b.labels[i] + ")"
}

// parseQuantity reads a whole, non-negative number; "12.0" and "12,00" are
// whole, thousands separators are not accepted (too easy to misread).
func parseQuantity(v []byte) (int64, string) {
	if len(v) == 0 {
		return 0, "the quantity is empty"
	}
	s := v
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	var n int64
	digits := 0
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<62)/10 {
			return 0, fmt.Sprintf("the quantity %s is too large", quoteValue(v))
		}
		n = n*10 + int64(s[i]-'0')
		digits++
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		for ; i < len(s); i++ {
			if s[i] != '0' {
				if s[i] >= '1' && s[i] <= '9' {
					return 0, fmt.Sprintf("the quantity %s is not a whole number", quoteValue(v))
				}
				break
			}
		}
	}
	if digits == 0 || i != len(s) {
		return 0, fmt.Sprintf("the quantity %s is not a whole number", quoteValue(v))
	}
	if neg && n != 0 {
		return 0, fmt.Sprintf("the quantity %s is negative", quoteValue(v))
	}
	return n, ""
}

func parseBool(v []byte) (value, ok bool) {
	switch strings.ToLower(string(v)) {
	case "", "false", "no", "n", "0":
		return false, true
	case "true", "yes", "y", "1":
		return true, true
	}
	return false, false
}

// quoteValue quotes a value for a message, cut short and made printable.
func quoteValue(v []byte) string {
	const max = 40
	if utf8.RuneCount(v) > max {
		r := []rune(string(v))
		return fmt.Sprintf("%q…", string(r[:max]))
	}
	return fmt.Sprintf("%q", v)
}
