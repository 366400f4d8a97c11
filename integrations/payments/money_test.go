package payments

import (
	"math/big"
	"strings"
	"testing"
)

func TestMinorUnitsTable(t *testing.T) {
	t.Parallel()
	for cur, want := range map[string]int{
		"USD": 2, "EUR": 2, "GBP": 2, "HUF": 2, "TWD": 2, "MGA": 2, "IDR": 2,
		"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "UGX": 0, "XOF": 0,
		"KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3, "IQD": 3, "LYD": 3,
		"CLF": 4, "UYW": 4,
	} {
		got, err := MinorUnits(cur)
		if err != nil || got != want {
			t.Errorf("MinorUnits(%s) = %d, %v; want %d", cur, got, err, want)
		}
	}
	for _, bad := range []string{"", "usd", "XYZ", "US", "USDD", "HRK"} {
		if _, err := MinorUnits(bad); err == nil {
			t.Errorf("MinorUnits(%q) accepted an unknown code", bad)
		}
	}
	seen := map[string]bool{}
	for _, list := range [][]string{zeroDecimal, twoDecimal, threeDecimal, fourDecimal} {
		for _, c := range list {
			if seen[c] {
				t.Errorf("%s listed twice in the exponent table", c)
			}
			seen[c] = true
		}
	}
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value, cur string
		want       int64
	}{
		{"19.99", "USD", 1999},
		{"0.01", "USD", 1},
		{"100", "USD", 10000},
		{"100.5", "USD", 10050},
		{".5", "USD", 50},
		{"19.990", "USD", 1999},
		{"007.50", "EUR", 750},
		{"0", "USD", 0},
		{"0.00", "USD", 0},
		{"1000", "JPY", 1000},
		{"1000.00", "JPY", 1000},
		{"1.234", "KWD", 1234},
		{"1.23", "KWD", 1230},
		{"5", "KWD", 5000},
		{"1000", "HUF", 100000}, // PayPal's whole forints, ISO minor units
		{"92233720368547758.07", "USD", 1<<63 - 1},
	} {
		got, err := ParseAmount(tc.value, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", tc.value, tc.cur, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ value, cur string }{
		{"", "USD"}, {".", "USD"}, {"5.", "USD"}, {"-1.00", "USD"}, {"+1.00", "USD"},
		{"1,000.00", "USD"}, {"1e3", "USD"}, {" 1.00", "USD"}, {"1.00 ", "USD"}, {"1.2.3", "USD"},
		{"19.999", "USD"}, {"1000.5", "JPY"}, {"1.2345", "KWD"}, {"0x10", "USD"},
		{"92233720368547758.08", "USD"}, {"99999999999999999999", "JPY"}, {"1.00", "XYZ"},
		{"１.00", "USD"},
	} {
		if got, err := ParseAmount(tc.value, tc.cur); err == nil {
			t.Errorf("ParseAmount(%q, %s) = %d, want an error", tc.value, tc.cur, got)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{1999, "USD", "19.99"}, {5, "USD", "0.05"}, {0, "USD", "0.00"}, {-250, "EUR", "-2.50"},
		{500, "JPY", "500"}, {1234, "KWD", "1.234"}, {7, "KWD", "0.007"}, {12345, "CLF", "1.2345"},
		{-1 << 63, "JPY", "-9223372036854775808"},
	} {
		got, err := FormatAmount(tc.minor, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, %v; want %q", tc.minor, tc.cur, got, err, tc.want)
		}
	}
	if _, err := FormatAmount(1, "ABC"); err == nil {
		t.Error("FormatAmount accepted an unknown currency")
	}
}

func TestPayPalAmountFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{Money{1999, "USD"}, "19.99"},
		{Money{1000, "JPY"}, "1000"},
		{Money{150000, "HUF"}, "1500"}, // ISO minor units -> PayPal's whole forints
		{Money{99900, "TWD"}, "999"},
		{Money{1234, "KWD"}, "1.234"},
	} {
		got, err := formatPayPalAmount(tc.m)
		if err != nil || got != tc.want {
			t.Errorf("formatPayPalAmount(%v) = %q, %v; want %q", tc.m, got, err, tc.want)
		}
		back, err := ParseAmount(got, tc.m.Currency)
		if err != nil || back != tc.m.AmountCents {
			t.Errorf("ParseAmount(%q) = %d, %v; want it back as %d", got, back, err, tc.m.AmountCents)
		}
	}
	for _, m := range []Money{{150050, "HUF"}, {-100, "USD"}, {100, "ABC"}} {
		if s, err := formatPayPalAmount(m); err == nil {
			t.Errorf("formatPayPalAmount(%v) = %q, want an error (PayPal can't take it)", m, s)
		}
	}
}

func TestStripeAmountConversion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m      Money
		stripe int64
	}{
		{Money{1999, "USD"}, 1999},
		{Money{500, "JPY"}, 500},
		{Money{500, "ISK"}, 50000}, // ISO zero-decimal, Stripe two-decimal
		{Money{50000, "MGA"}, 500}, // ISO two-decimal, Stripe zero-decimal
		{Money{5120, "KWD"}, 5120},
		{Money{12345, "HUF"}, 12345},
	} {
		got, err := toStripeAmount(tc.m)
		if err != nil || got != tc.stripe {
			t.Errorf("toStripeAmount(%v) = %d, %v; want %d", tc.m, got, err, tc.stripe)
		}
		back, err := fromStripeAmount(tc.stripe, strings.ToLower(tc.m.Currency))
		if err != nil || back != tc.m {
			t.Errorf("fromStripeAmount(%d, %s) = %v, %v; want %v", tc.stripe, tc.m.Currency, back, err, tc.m)
		}
	}
	if _, err := fromStripeAmount(50050, "isk"); err == nil {
		t.Error("fractional ISK from Stripe was accepted; it has no ISO minor unit")
	}
	if _, err := toStripeAmount(Money{50050, "MGA"}); err == nil {
		t.Error("fractional MGA was sent to Stripe, which counts MGA in whole units")
	}
}

// FuzzParseAmount checks the PayPal amount parser against math/big: whatever it
// accepts must be exactly value * 10^decimals, non-negative, and survive a
// round trip through FormatAmount; whatever it refuses must not be an exact
// non-negative decimal of that currency that fits in int64.
func FuzzParseAmount(f *testing.F) {
	for _, seed := range []struct{ value, cur string }{
		{"19.99", "USD"}, {"1000", "JPY"}, {"1.234", "KWD"}, {"0.5", "EUR"}, {".5", "USD"},
		{"19.990", "USD"}, {"19.999", "USD"}, {"-1", "USD"}, {"1e5", "USD"}, {"", "USD"},
		{"92233720368547758.07", "USD"}, {"92233720368547758.08", "USD"}, {"1.2345", "CLF"},
	} {
		f.Add(seed.value, seed.cur)
	}
	f.Fuzz(func(t *testing.T, value, cur string) {
		got, err := ParseAmount(value, cur)
		exp, curErr := MinorUnits(cur)
		if curErr != nil {
			if err == nil {
				t.Fatalf("ParseAmount(%q, %q) accepted an unknown currency", value, cur)
			}
			return
		}
		oracle, exact := exactMinorUnits(value, exp)
		if err != nil {
			if exact {
				t.Fatalf("ParseAmount(%q, %s) refused an exact amount %s: %v", value, cur, oracle, err)
			}
			return
		}
		if !exact || oracle.Cmp(big.NewInt(got)) != 0 {
			t.Fatalf("ParseAmount(%q, %s) = %d, math/big says %v (exact=%v)", value, cur, got, oracle, exact)
		}
		s, err := FormatAmount(got, cur)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := ParseAmount(s, cur); err != nil || back != got {
			t.Fatalf("round trip %d -> %q -> %d, %v", got, s, back, err)
		}
	})
}

// exactMinorUnits is the oracle: value (plain decimal digits with an optional
// point and at least one digit on the right of it) times 10^exp, if that is a
// whole number that fits in int64.
func exactMinorUnits(value string, exp int) (*big.Int, bool) {
	whole, frac, hasPoint := strings.Cut(value, ".")
	if (whole == "" && frac == "") || (hasPoint && frac == "") {
		return nil, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString("0" + whole + "." + frac + "0")
	if !ok {
		return nil, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
	if !r.IsInt() || !r.Num().IsInt64() {
		return nil, false
	}
	return r.Num(), true
}
