// Package money converts decimal amounts as suppliers write them into integer
// minor units of an ISO 4217 currency, and back.
package money

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/currency"
)

// Errors a caller can turn into a sentence for a person.
var (
	ErrNotNumber = errors.New("not a number")
	ErrNegative  = errors.New("negative")
	ErrTooLarge  = errors.New("too large")
)

// Currency returns the canonical ISO 4217 code and its number of minor digits
// (2 for USD, 0 for JPY, 3 for KWD), or ok=false for a code that isn't one.
func Currency(code string) (canonical string, digits int, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 3 {
		return "", 0, false
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return "", 0, false
	}
	scale, _ := currency.Standard.Rounding(u)
	return u.String(), scale, true
}

// Digits returns the minor digits of code, 2 when the code is empty or unknown.
func Digits(code string) int {
	if _, d, ok := Currency(code); ok {
		return d
	}
	return 2
}

// ToMinor parses a non-negative decimal amount into minor units with the given
// number of minor digits, rounding half away from zero past them (supplier unit
// costs often carry more decimals than the currency).
//
// sep is the decimal separator: '.' or ',', or 0 to guess: when both appear the
// last one is the decimal separator; when one appears once it is the decimal
// separator; when it appears several times it separates thousands. Thousands
// separators (the other one of '.' and ',', and spaces) must group digits by three.
func ToMinor(s string, sep byte, digits int) (int64, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = strings.TrimSpace(s[1:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	if s == "" {
		return 0, ErrNotNumber
	}
	if sep == 0 {
		sep = guessSeparator(s)
	}
	intPart, frac := s, ""
	if i := strings.LastIndexByte(s, sep); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		if strings.IndexByte(intPart, sep) >= 0 {
			return 0, ErrNotNumber
		}
	}
	whole, err := stripThousands(intPart, sep)
	if err != nil {
		return 0, err
	}
	if whole == "" && frac == "" {
		return 0, ErrNotNumber
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, ErrNotNumber
		}
	}
	var v int64
	for i := 0; i < len(whole); i++ {
		if v > (math.MaxInt64-9)/10 {
			return 0, ErrTooLarge
		}
		v = v*10 + int64(whole[i]-'0')
	}
	for i := 0; i < digits; i++ {
		d := int64(0)
		if i < len(frac) {
			d = int64(frac[i] - '0')
		}
		if v > (math.MaxInt64-9)/10 {
			return 0, ErrTooLarge
		}
		v = v*10 + d
	}
	if len(frac) > digits && frac[digits] >= '5' {
		v++
	}
	if neg && v != 0 {
		return 0, ErrNegative
	}
	return v, nil
}

func guessSeparator(s string) byte {
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0:
		if dot > comma {
			return '.'
		}
		return ','
	case comma >= 0 && strings.Count(s, ",") == 1:
		return ','
	case dot >= 0 && strings.Count(s, ".") > 1:
		return ',' // "1.234.567": dots group thousands
	case comma >= 0:
		return '.' // "1,234,567": commas group thousands
	}
	return '.'
}

// stripThousands returns the digits of an integer part written with optional
// thousands separators, checking they group by three.
func stripThousands(s string, decimalSep byte) (string, error) {
	if s == "" {
		return "", nil
	}
	var groups []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case (c == '.' || c == ',' || c == ' ' || c == '\'') && c != decimalSep:
			groups = append(groups, s[start:i])
			start = i + 1
		default:
			return "", ErrNotNumber
		}
	}
	if groups == nil {
		return s, nil
	}
	groups = append(groups, s[start:])
	for i, g := range groups {
		if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
			return "", ErrNotNumber
		}
	}
	return strings.Join(groups, ""), nil
}

// Format writes minor units as a plain decimal with '.' and no trailing zeros
// ("925" with 2 digits -> "9.25", "750" -> "7.5", "900" -> "9"), as X12 R elements want.
func Format(minor int64, digits int) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-minor)
	}
	s := fmt.Sprintf("%0*d", digits+1, u)
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	frac = strings.TrimRight(frac, "0")
	if neg {
		whole = "-" + whole
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}
