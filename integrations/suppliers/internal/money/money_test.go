package money

import (
	"errors"
	"testing"
)

func TestToMinor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		sep    byte
		digits int
		want   int64
		err    error
	}{
		{"9.95", 0, 2, 995, nil},
		{"9,95", 0, 2, 995, nil},
		{"1.234,50", 0, 2, 123450, nil},
		{"1,234.50", 0, 2, 123450, nil},
		{"1,234,567", 0, 2, 123456700, nil},
		{"1.234.567", 0, 2, 123456700, nil},
		{"1 234,5", 0, 2, 123450, nil},
		{"1'234.50", '.', 2, 123450, nil},
		{"12", 0, 2, 1200, nil},
		{".5", 0, 2, 50, nil},
		{"4.325", 0, 2, 433, nil},   // half away from zero
		{"4.324", 0, 2, 432, nil},   // below half
		{"99.6", 0, 0, 100, nil},    // yen
		{"1.2345", 0, 3, 1235, nil}, // dinar
		{"1,234", '.', 2, 123400, nil},
		{"1,5", '.', 2, 0, ErrNotNumber}, // with "." as the separator, "," only groups thousands
		{"1.5", ',', 2, 0, ErrNotNumber},
		{"-1", 0, 2, 0, ErrNegative},
		{"-0", 0, 2, 0, nil},
		{"", 0, 2, 0, ErrNotNumber},
		{"abc", 0, 2, 0, ErrNotNumber},
		{"1.2.3,4,5", 0, 2, 0, ErrNotNumber},
		{"12,34,56", 0, 2, 0, ErrNotNumber},
		{"99999999999999999999", 0, 2, 0, ErrTooLarge},
		{"$5", 0, 2, 0, ErrNotNumber},
	}
	for _, tc := range cases {
		got, err := ToMinor(tc.in, tc.sep, tc.digits)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("ToMinor(%q, %q, %d) = %d, %v; want %d, %v", tc.in, tc.sep, tc.digits, got, err, tc.want, tc.err)
		}
	}
}

func TestCurrencyAndFormat(t *testing.T) {
	t.Parallel()
	for code, digits := range map[string]int{"USD": 2, "eur": 2, "JPY": 0, "KWD": 3} {
		if _, d, ok := Currency(code); !ok || d != digits {
			t.Errorf("Currency(%s) = %d %v", code, d, ok)
		}
	}
	if _, _, ok := Currency("EURO"); ok {
		t.Error("EURO accepted")
	}
	for _, tc := range []struct {
		minor  int64
		digits int
		want   string
	}{{925, 2, "9.25"}, {750, 2, "7.5"}, {900, 2, "9"}, {5, 2, "0.05"}, {1200, 0, "1200"}, {-150, 2, "-1.5"}, {0, 2, "0"}} {
		if got := Format(tc.minor, tc.digits); got != tc.want {
			t.Errorf("Format(%d, %d) = %q, want %q", tc.minor, tc.digits, got, tc.want)
		}
	}
}
