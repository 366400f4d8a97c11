package rest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// text reads a string field; numbers are written as they were sent (so a
// numeric SKU or barcode keeps its digits).
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// decimalText is a plain decimal number, as JSON writes them (big.Rat would also take "1/3" or "0x1p4").
var decimalText = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// numberText bounds a number's text before math/big sees it: "1e999999999"
// would otherwise take a long time and much memory to expand.
func numberText(s string) error {
	if len(s) > 40 {
		return fmt.Errorf("%.20q… is too long for a number", s)
	}
	if !decimalText.MatchString(s) {
		return fmt.Errorf("%q is not a number", s)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > 30 || exp < -30 {
			return fmt.Errorf("%q is not a number we accept", s)
		}
	}
	return nil
}

// whole reads an integer given as a number or a string; 12.0 is 12, 12.5 is not an integer.
func whole(v any) (int64, error) {
	s, ok := text(v)
	if !ok {
		return 0, fmt.Errorf("%s is not a number", describe(v))
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if err := numberText(s); err != nil {
		return 0, err
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return r.Num().Int64(), nil
}

// minorUnits turns a decimal amount ("12.345", 12.5, "1e2") into the
// currency's minor units, rounding half away from zero, without floats.
func minorUnits(v any, currency string) (int64, error) {
	s, ok := text(v)
	if !ok {
		return 0, fmt.Errorf("%s is not an amount", describe(v))
	}
	if err := numberText(s); err != nil {
		return 0, err
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(currencyExponent(currency))), nil))
	r.Mul(r, scale)
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	// Round half away from zero: compare twice the remainder with the denominator.
	if new(big.Int).Abs(new(big.Int).Mul(m, big.NewInt(2))).Cmp(r.Denom()) >= 0 {
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("%q is too large an amount", s)
	}
	return q.Int64(), nil
}

// currencyExponent is the number of minor-unit digits of an ISO 4217 currency (2 for most).
func currencyExponent(code string) int {
	switch code {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// truth reads a yes/no field: booleans, "true"/"yes"/"1"/"discontinued", numbers other than 0.
func truth(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case json.Number:
		return x.String() != "0", nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes", "y", "1", "discontinued", "inactive":
			return true, nil
		case "false", "no", "n", "0", "", "active":
			return false, nil
		}
		return false, fmt.Errorf("%q is neither yes nor no", x)
	}
	return false, fmt.Errorf("%s is neither yes nor no", describe(v))
}

// when reads a time: RFC 3339 text or Unix seconds.
func when(v any) (time.Time, error) {
	switch x := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x))
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date and time like 2026-11-27T14:15:03Z", x)
		}
		return t.UTC(), nil
	case json.Number:
		secs, err := x.Int64()
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not Unix seconds", x)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s is not a date and time", describe(v))
}

func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "true/false"
	}
	return fmt.Sprintf("%v", v)
}
