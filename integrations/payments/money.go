package payments

import (
	"fmt"
	"strconv"
	"strings"
)

// Minor units per ISO 4217: how many decimals one unit of a currency has.
// Money.AmountCents always counts in these units, whatever a provider uses on
// the wire (see stripeExponent and paypalExponent for where they differ).
// Every active code is listed, so an unknown or misspelt code is an error
// instead of a silent two-decimal guess.
var (
	zeroDecimal = []string{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
		"UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"}
	threeDecimal = []string{"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
	fourDecimal  = []string{"CLF", "UYW"}
	twoDecimal   = []string{"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN",
		"BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN",
		"BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK",
		"DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
		"GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES",
		"KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA",
		"MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
		"NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON",
		"RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD",
		"SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS",
		"UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW",
		"ZWG", "ZWL"}
	isoExponent = exponentTable()
)

func exponentTable() map[string]int {
	t := make(map[string]int, len(twoDecimal)+len(zeroDecimal)+len(threeDecimal)+len(fourDecimal))
	for exp, codes := range [][]string{0: zeroDecimal, 2: twoDecimal, 3: threeDecimal, 4: fourDecimal} {
		for _, c := range codes {
			t[c] = exp
		}
	}
	return t
}

// MinorUnits returns the number of decimals of an ISO 4217 currency code
// (upper case): 2 for USD, 0 for JPY, 3 for KWD.
func MinorUnits(currency string) (int, error) {
	exp, ok := isoExponent[currency]
	if !ok {
		return 0, fmt.Errorf("payments: unknown currency %q", currency)
	}
	return exp, nil
}

// ParseAmount converts a decimal string as PayPal sends it ("19.99", "1000",
// "0.5") to minor units of currency, exactly: no floats, no rounding. It
// accepts digits with an optional fraction; no sign, exponent, spaces or
// separators. More decimals than the currency has are allowed only as trailing
// zeros ("19.990" USD), since anything else is not representable.
func ParseAmount(value, currency string) (int64, error) {
	exp, err := MinorUnits(currency)
	if err != nil {
		return 0, err
	}
	whole, frac, hasPoint := strings.Cut(value, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("payments: amount %q: no digits", value)
	}
	if hasPoint && frac == "" {
		return 0, fmt.Errorf("payments: amount %q: no digits after the decimal point", value)
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("payments: amount %q: only digits and one decimal point are allowed", value)
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, fmt.Errorf("payments: amount %q: %s has %d decimals", value, currency, exp)
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	whole = strings.TrimLeft(whole, "0")
	digits := whole + frac
	if digits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("payments: amount %q: too large", value)
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatAmount writes minor units of currency as a decimal string with exactly
// the currency's decimals: 1999 USD -> "19.99", 500 JPY -> "500", 1234 KWD -> "1.234".
func FormatAmount(minor int64, currency string) (string, error) {
	exp, err := MinorUnits(currency)
	if err != nil {
		return "", err
	}
	return formatDecimal(minor, exp), nil
}

// formatDecimal writes n / 10^exp with exp decimals.
func formatDecimal(n int64, exp int) string {
	sign := ""
	u := uint64(n)
	if n < 0 {
		sign = "-"
		u = uint64(-(n + 1)) + 1 // no overflow for math.MinInt64
	}
	s := strconv.FormatUint(u, 10)
	if exp == 0 {
		return sign + s
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}

// rescale converts n from exp decimals to toExp decimals; going to fewer
// decimals must not drop a non-zero digit.
func rescale(n int64, exp, toExp int) (int64, error) {
	for ; exp < toExp; exp++ {
		if n > (1<<63-1)/10 || n < -(1<<63-1)/10 {
			return 0, fmt.Errorf("payments: amount %d too large", n)
		}
		n *= 10
	}
	for ; exp > toExp; exp-- {
		if n%10 != 0 {
			return 0, fmt.Errorf("payments: amount has a fraction the provider can't take")
		}
		n /= 10
	}
	return n, nil
}

// Stripe counts amounts in its own "smallest unit", which differs from ISO 4217
// for a few currencies: MGA is zero-decimal at Stripe (ISO: 2), ISK is two-decimal
// at Stripe (ISO: 0, amounts must be multiples of 100). Three-decimal currencies
// keep three. Source: Stripe's currency docs ("zero-decimal", "special cases").
var stripeZeroDecimal = map[string]bool{"BIF": true, "CLP": true, "DJF": true, "GNF": true,
	"JPY": true, "KMF": true, "KRW": true, "MGA": true, "PYG": true, "RWF": true, "UGX": true,
	"VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true}

func stripeExponent(currency string) (int, error) {
	exp, err := MinorUnits(currency)
	if err != nil {
		return 0, err
	}
	switch {
	case stripeZeroDecimal[currency]:
		return 0, nil
	case exp == 3:
		return 3, nil
	default:
		return 2, nil
	}
}

// toStripeAmount converts minor units (ISO) to Stripe's amount for currency.
func toStripeAmount(m Money) (int64, error) {
	iso, err := MinorUnits(m.Currency)
	if err != nil {
		return 0, err
	}
	st, _ := stripeExponent(m.Currency)
	n, err := rescale(m.AmountCents, iso, st)
	if err != nil {
		return 0, fmt.Errorf("payments: %s for Stripe: %w", m, err)
	}
	return n, nil
}

// fromStripeAmount converts a Stripe amount in currency (any case) to Money.
func fromStripeAmount(amount int64, currency string) (Money, error) {
	cur := strings.ToUpper(currency)
	iso, err := MinorUnits(cur)
	if err != nil {
		return Money{}, err
	}
	st, _ := stripeExponent(cur)
	n, err := rescale(amount, st, iso)
	if err != nil {
		return Money{}, fmt.Errorf("payments: Stripe amount %d %s: %w", amount, cur, err)
	}
	return Money{AmountCents: n, Currency: cur}, nil
}

// PayPal refuses decimals for HUF, JPY and TWD although ISO gives HUF and TWD
// two (source: PayPal's currency codes page). Other currencies follow ISO.
var paypalZeroDecimal = map[string]bool{"HUF": true, "JPY": true, "TWD": true}

// formatPayPalAmount writes m as PayPal wants the value string.
func formatPayPalAmount(m Money) (string, error) {
	iso, err := MinorUnits(m.Currency)
	if err != nil {
		return "", err
	}
	if m.AmountCents < 0 {
		return "", fmt.Errorf("payments: negative amount %d for PayPal", m.AmountCents)
	}
	exp := iso
	if paypalZeroDecimal[m.Currency] {
		exp = 0
	}
	n, err := rescale(m.AmountCents, iso, exp)
	if err != nil {
		return "", fmt.Errorf("payments: %s for PayPal: %w", m, err)
	}
	return formatDecimal(n, exp), nil
}
