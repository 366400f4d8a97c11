package transport

import (
	"strings"
	"testing"
)

func TestPathRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, dir, pattern, file, err string
	}{
		{in: "/out/stock.csv", dir: "/out", file: "/out/stock.csv"},
		{in: "stock.csv", dir: ".", file: "stock.csv"},
		{in: "/out/stock_*.csv", dir: "/out", pattern: "stock_*.csv"},
		{in: "/out/", dir: "/out", pattern: "*"},
		{in: "/*/stock.csv", err: "only the file name"},
		{in: "/out/stock_[.csv", err: "not valid"},
		{in: " ", err: "enter the file's path"},
	} {
		r, err := parsePathRule(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || r.dir != c.dir || r.pattern != c.pattern || r.file != c.file {
			t.Errorf("%q: %+v %v", c.in, r, err)
		}
	}
}
