// Package components holds the small pieces pages are built from.
package components

import (
	"fmt"
	"time"

	"github.com/dustin/go-humanize"
)

// FieldProps describes one labelled form control.
type FieldProps struct {
	Name         string
	Label        string
	Type         string // text (default), email, password, number, textarea
	Value        string
	Error        string
	Hint         string
	Required     bool
	Autofocus    bool
	Placeholder  string
	Autocomplete string
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}

// Pager is keyset pagination: links to the previous and next pages (empty when none).
type Pager struct {
	Prev    string
	Next    string
	Summary string
}

// Number formats n with thousands separators.
func Number(n int64) string { return humanize.Comma(n) }

// Bytes formats a size for people (12 MB).
func Bytes(n int64) string { return humanize.Bytes(uint64(max(n, 0))) }

// Ago says how long ago t was ("3 minutes ago").
func Ago(t time.Time) string { return humanize.Time(t) }

// DateTime formats t in loc as "27 Nov 2026 14:05".
func DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2 Jan 2006 15:04")
}

// Duration formats a run time compactly (850 ms, 4.2 s, 3 min 10 s).
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// Money formats minor units in a currency: "$24.00", "€12.50", "£9.99", "120.00 CHF".
func Money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	amount := humanize.Comma(cents/100) + fmt.Sprintf(".%02d", cents%100)
	switch currency {
	case "USD":
		return sign + "$" + amount
	case "EUR":
		return sign + "€" + amount
	case "GBP":
		return sign + "£" + amount
	}
	return sign + amount + " " + currency
}
