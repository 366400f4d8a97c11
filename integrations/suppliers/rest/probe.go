package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/transport"
)

// previewRecords is how many records a test connection shows.
const previewRecords = 5

// TestConnection fetches the first page only and shows its first records as
// mapped (or why they could not be), for the supplier page's "test connection"
// button and mapping preview.
func TestConnection(ctx context.Context, cfg Config, opts Options) (transport.Probe, error) {
	r, err := NewReader(ctx, cfg, opts)
	if err != nil {
		return transport.Probe{}, err
	}
	if err := r.fetchPage(); err != nil {
		return transport.Probe{}, err
	}
	p := transport.Probe{
		Status: r.lastStatus, Name: cfg.URL, Size: -1,
		Note: fmt.Sprintf("%d items on the first page", len(r.items)),
	}
	if r.next != "" {
		p.Note += ", more pages follow"
	}
	r.next = "" // one page only
	for len(p.FirstLines) < previewRecords {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *suppliers.RowError
		if errors.As(err, &re) {
			p.FirstLines = append(p.FirstLines, fmt.Sprintf("item %d: %s", re.Line, re.Reason))
			continue
		}
		if err != nil {
			return p, err
		}
		p.FirstLines = append(p.FirstLines, describeRecord(rec))
	}
	return p, nil
}

func describeRecord(rec suppliers.StockRecord) string {
	s := fmt.Sprintf("%s: %d available", rec.SKU, rec.Quantity)
	if rec.CostCents != nil {
		s += ", cost " + formatMinor(*rec.CostCents, rec.Currency)
	}
	if rec.LeadTimeDays != nil {
		s += fmt.Sprintf(", lead time %d days", *rec.LeadTimeDays)
	}
	if rec.Discontinued {
		s += ", discontinued"
	}
	if rec.Title != "" {
		s += ", " + rec.Title
	}
	return s
}

// formatMinor writes minor units as the amount a person reads: 1234 USD -> "12.34 USD".
func formatMinor(units int64, currency string) string {
	exp := currencyExponent(currency)
	if exp == 0 {
		return strings.TrimSpace(fmt.Sprintf("%d %s", units, currency))
	}
	div := int64(1)
	for range exp {
		div *= 10
	}
	return strings.TrimSpace(fmt.Sprintf("%d.%0*d %s", units/div, exp, units%div, currency))
}
