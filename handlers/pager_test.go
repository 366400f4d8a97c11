package handlers

import (
	"net/url"
	"testing"
)

func TestKeysetPageLinks(t *testing.T) {
	t.Parallel()
	ids := []int64{9, 8, 7, 6} // newest first, read with one past the limit of 3
	page, p := keysetPage(ids, 3, 10, "/orders", url.Values{"queue": {"on_hold"}, "q": {""}}, func(id int64) int64 { return id })
	if len(page) != 3 || p.Next != "/orders?before=7&queue=on_hold" || p.Prev != "/orders?queue=on_hold" {
		t.Errorf("middle page: %v next %q prev %q", page, p.Next, p.Prev)
	}
	page, p = keysetPage(ids[:2], 3, 0, "/audit", nil, func(id int64) int64 { return id })
	if len(page) != 2 || p.Next != "" || p.Prev != "" {
		t.Errorf("only page: %v next %q prev %q", page, p.Next, p.Prev)
	}
}
