package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/transport"
)

// catalog is what the fake supplier API holds: 7 items in a shape unlike ours.
func catalog() []map[string]any {
	var items []map[string]any
	for i := 1; i <= 7; i++ {
		items = append(items, map[string]any{
			"id":      fmt.Sprintf("SUP-%03d", i),
			"stock":   map[string]any{"available": i * 10},
			"pricing": []any{map[string]any{"amount": fmt.Sprintf("%d.%02d", i, i*7%100), "currency": "eur"}},
			"lead":    i % 4,
			"status":  map[bool]string{true: "discontinued", false: "active"}[i == 5],
			"ean":     fmt.Sprintf("00000000000%d", i),
			"name":    fmt.Sprintf("Item %d", i),
			"seen":    fmt.Sprintf("2026-11-27T14:00:0%dZ", i),
		})
	}
	return items
}

func mapping() Fields {
	return Fields{
		SKU: "id", Quantity: "stock.available", Cost: "pricing[0].amount", Currency: "pricing[0].currency",
		LeadTimeDays: "lead", Discontinued: "status", Barcode: "ean", Title: "name", ObservedAt: "seen",
	}
}

// fakeAPI serves catalog() with one pagination style and counts requests.
type fakeAPI struct {
	*httptest.Server
	requests atomic.Int32
}

func newFakeAPI(t *testing.T, kind string, before func(w http.ResponseWriter, r *http.Request, n int32) bool) *fakeAPI {
	t.Helper()
	items := catalog()
	api := &fakeAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := api.requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if before != nil && !before(w, r, n) {
			return
		}
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("per_page"))
		if limit == 0 {
			limit = 3
		}
		offset := 0
		switch kind {
		case PageNumber:
			p, _ := strconv.Atoi(q.Get("p"))
			offset = (p - 1) * limit
		case PageCursor, PageLink:
			if c := q.Get("after"); c != "" {
				offset, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
			}
		}
		end := min(offset+limit, len(items))
		page := []map[string]any{}
		if offset < len(items) {
			page = items[offset:end]
		}
		body := map[string]any{"data": map[string]any{"items": page}}
		if end < len(items) {
			switch kind {
			case PageCursor:
				body["paging"] = map[string]any{"next": fmt.Sprintf("c%d", end)}
			case PageLink:
				w.Header().Add("Link", fmt.Sprintf(`</inventory?after=c%d&per_page=%d>; rel="next", </inventory>; rel="first"`, end, limit))
			}
		} else if kind == PageCursor {
			body["paging"] = map[string]any{"next": nil}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(api.Close)
	return api
}

func config(api *fakeAPI, kind string) Config {
	c := Config{
		URL:        api.URL + "/inventory",
		Auth:       transport.Auth{Kind: transport.AuthBearer, Token: "k"},
		Pagination: Pagination{Kind: kind, LimitParam: "per_page", Limit: 3, PageParam: "p", CursorParam: "after", CursorPath: "paging.next"},
		ItemsPath:  "data.items[]",
		Fields:     mapping(),
	}
	return c
}

func readAll(t *testing.T, r *Reader) ([]suppliers.StockRecord, []*suppliers.RowError, error) {
	t.Helper()
	var recs []suppliers.StockRecord
	var rowErrs []*suppliers.RowError
	for {
		rec, err := r.Next()
		var re *suppliers.RowError
		switch {
		case errors.Is(err, io.EOF):
			return recs, rowErrs, nil
		case errors.As(err, &re):
			rowErrs = append(rowErrs, re)
		case err != nil:
			return recs, rowErrs, err
		default:
			recs = append(recs, rec)
		}
	}
}

func TestPaginationKinds(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{PageNumber, PageCursor, PageLink} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, kind, nil)
			r, err := NewReader(context.Background(), config(api, kind), Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Streams page by page: the second page is asked for only once the first is read.
			for i := 0; i < 3; i++ {
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			}
			if n := api.requests.Load(); n != 1 {
				t.Fatalf("%d requests after reading the first page, want 1", n)
			}
			recs, rowErrs, err := readAll(t, r)
			if err != nil || len(rowErrs) > 0 {
				t.Fatalf("read: %v %v", err, rowErrs)
			}
			if got := 3 + len(recs); got != 7 {
				t.Fatalf("read %d records, want 7", got)
			}
			if r.Pages() != 3 || api.requests.Load() != 3 {
				t.Fatalf("pages %d, requests %d; want 3 of each", r.Pages(), api.requests.Load())
			}
			last := recs[len(recs)-1]
			if last.SKU != "SUP-007" || last.Line != 7 || last.Quantity != 70 {
				t.Fatalf("last record %+v", last)
			}
		})
	}
}

func TestFieldMapping(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, PageNumber, nil)
	r, err := NewReader(context.Background(), config(api, PageNumber), Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	cost, lead := int64(535), 1
	want := suppliers.StockRecord{
		Line: 5, SKU: "SUP-005", Quantity: 50, CostCents: &cost, Currency: "EUR", LeadTimeDays: &lead,
		Discontinued: true, Barcode: "000000000005", Title: "Item 5", ObservedAt: time.Date(2026, 11, 27, 14, 0, 5, 0, time.UTC),
	}
	if !reflect.DeepEqual(recs[4], want) {
		t.Fatalf("record 5 =\n%+v, want\n%+v", recs[4], want)
	}
	if recs[0].Discontinued || *recs[0].CostCents != 107 {
		t.Fatalf("record 1 = %+v", recs[0])
	}
}

func TestBareArrayAndRowErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		if user != "acme" || pass != "pw" || r.Header.Get("X-Shop") != "" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `[
			{"sku":"A","qty":1},
			{"qty":2},
			{"sku":"C","qty":-3},
			{"sku":"D","qty":"lots"},
			{"sku":"E","qty":4.0,"cost":"1.005"},
			{"sku":"F","qty":5,"cost":"free"},
			"not an object",
			{"sku":12345,"qty":"6"}
		]`)
	}))
	defer srv.Close()
	cfg := Config{
		URL: srv.URL, Auth: transport.Auth{Kind: transport.AuthBasic, Username: "acme", Password: "pw"},
		Pagination: Pagination{Kind: PageNone}, ItemsPath: "[]", DefaultCurrency: "USD",
		Fields: Fields{SKU: "sku", Quantity: "qty", Cost: "cost"},
	}
	r, err := NewReader(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, rowErrs, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	var skus []string
	for _, rec := range recs {
		skus = append(skus, rec.SKU)
	}
	if strings.Join(skus, ",") != "A,E,12345" {
		t.Fatalf("records %v", skus)
	}
	if *recs[1].CostCents != 101 || recs[1].Currency != "USD" || recs[1].Quantity != 4 {
		t.Fatalf("E = %+v (1.005 rounds half up to 101)", recs[1])
	}
	wantErrs := map[int]string{2: `no SKU at "sku"`, 3: "negative", 4: "not a number", 6: "cost", 7: "not an object"}
	if len(rowErrs) != len(wantErrs) {
		t.Fatalf("row errors %v", rowErrs)
	}
	for _, re := range rowErrs {
		if !strings.Contains(re.Reason, wantErrs[re.Line]) {
			t.Errorf("line %d: %q, want it to say %q", re.Line, re.Reason, wantErrs[re.Line])
		}
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, PageNumber, func(w http.ResponseWriter, r *http.Request, n int32) bool {
		if n == 2 { // the first ask for page 2
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return false
		}
		return true
	})
	r, err := NewReader(context.Background(), config(api, PageNumber), Options{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	recs, _, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || api.requests.Load() != 4 {
		t.Fatalf("%d records in %d requests, want 7 in 4", len(recs), api.requests.Load())
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("resumed after %s, before the Retry-After of 1s", waited)
	}
}

func TestRateLimitBeyondTheCapFails(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, PageNumber, func(w http.ResponseWriter, r *http.Request, n int32) bool {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "come back later", http.StatusTooManyRequests)
		return false
	})
	cfg := config(api, PageNumber)
	cfg.MaxRetryAfterSeconds = 5
	r, _ := NewReader(context.Background(), cfg, Options{})
	_, err := r.Next()
	if err == nil || !strings.Contains(err.Error(), "wait 2m0s, more than the 5s allowed") || !strings.Contains(err.Error(), "429") {
		t.Fatalf("Next = %v", err)
	}
	if api.requests.Load() != 1 {
		t.Fatalf("%d requests, want 1 (no pointless wait)", api.requests.Load())
	}
	// Without Retry-After, backoff applies and the attempts are bounded.
	api2 := newFakeAPI(t, PageNumber, func(w http.ResponseWriter, r *http.Request, n int32) bool {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return false
	})
	r, _ = NewReader(context.Background(), config(api2, PageNumber), Options{Backoff: time.Millisecond, RateLimitAttempts: 3})
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "still rate limited after 3 tries") {
		t.Fatalf("Next = %v", err)
	}
	if api2.requests.Load() != 3 {
		t.Fatalf("%d requests, want 3", api2.requests.Load())
	}
}

func TestServerErrorsRetriedThenGivenUp(t *testing.T) {
	t.Parallel()
	flaky := newFakeAPI(t, PageCursor, func(w http.ResponseWriter, r *http.Request, n int32) bool {
		if n == 2 || n == 3 {
			http.Error(w, "upstream hiccup", http.StatusBadGateway)
			return false
		}
		return true
	})
	r, _ := NewReader(context.Background(), config(flaky, PageCursor), Options{Backoff: 5 * time.Millisecond})
	recs, _, err := readAll(t, r)
	if err != nil || len(recs) != 7 || flaky.requests.Load() != 5 {
		t.Fatalf("flaky: %d records, %d requests, %v", len(recs), flaky.requests.Load(), err)
	}

	down := newFakeAPI(t, PageCursor, func(w http.ResponseWriter, r *http.Request, n int32) bool {
		http.Error(w, "database down", http.StatusInternalServerError)
		return false
	})
	r, _ = NewReader(context.Background(), config(down, PageCursor), Options{Backoff: time.Millisecond, Attempts: 3})
	_, err = r.Next()
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 tries") || !strings.Contains(err.Error(), "database down") {
		t.Fatalf("down: %v", err)
	}
	if down.requests.Load() != 3 {
		t.Fatalf("down: %d requests, want 3", down.requests.Load())
	}

	refused := newFakeAPI(t, PageCursor, func(w http.ResponseWriter, r *http.Request, n int32) bool {
		http.Error(w, "bad limit", http.StatusBadRequest)
		return false
	})
	r, _ = NewReader(context.Background(), config(refused, PageCursor), Options{Backoff: time.Millisecond})
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "400") || refused.requests.Load() != 1 {
		t.Fatalf("400 is not retried: %v, %d requests", err, refused.requests.Load())
	}
}

func TestBrokenPagesFailTheWholePoll(t *testing.T) {
	t.Parallel()
	cases := map[string]func(w http.ResponseWriter, r *http.Request, n int32) bool{
		"not json": func(w http.ResponseWriter, r *http.Request, n int32) bool {
			if n == 2 {
				fmt.Fprint(w, `{"data":{"items":[{"id":"SUP-004",`)
				return false
			}
			return true
		},
		"no item list": func(w http.ResponseWriter, r *http.Request, n int32) bool {
			if n == 2 {
				fmt.Fprint(w, `{"data":{"rows":[]}}`)
				return false
			}
			return true
		},
	}
	for name, before := range cases {
		api := newFakeAPI(t, PageNumber, before)
		r, _ := NewReader(context.Background(), config(api, PageNumber), Options{})
		recs, _, err := readAll(t, r)
		if err == nil || suppliers.IsRowError(err) || len(recs) != 3 {
			t.Fatalf("%s: %d records then %v; want a feed-level error after page 1", name, len(recs), err)
		}
		if !strings.Contains(err.Error(), "page 2") {
			t.Fatalf("%s: error does not say which page: %v", name, err)
		}
	}

	// A cursor that comes back again would loop forever.
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"sku":"A","q":1},{"sku":"B","q":1}],"next":"same"}`)
	}))
	defer loop.Close()
	cfg := Config{URL: loop.URL, Pagination: Pagination{Kind: PageCursor, CursorPath: "next", Limit: 2}, ItemsPath: "items[]", Fields: Fields{SKU: "sku", Quantity: "q"}}
	r, _ := NewReader(context.Background(), cfg, Options{})
	if _, _, err := readAll(t, r); err == nil || !strings.Contains(err.Error(), "a second time") {
		t.Fatalf("cursor loop: %v", err)
	}
}

func TestTestConnectionPreviewsMappedRecords(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, PageLink, nil)
	p, err := TestConnection(context.Background(), config(api, PageLink), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "200 OK" || !strings.Contains(p.Note, "3 items on the first page, more pages follow") || len(p.FirstLines) != 3 {
		t.Fatalf("probe %+v", p)
	}
	if p.FirstLines[0] != "SUP-001: 10 available, cost 1.07 EUR, lead time 1 days, Item 1" {
		t.Fatalf("first line %q", p.FirstLines[0])
	}
	if api.requests.Load() != 1 {
		t.Fatalf("test connection sent %d requests, want 1", api.requests.Load())
	}
	cfg := config(api, PageLink)
	cfg.Auth.Token = "wrong"
	if _, err := TestConnection(context.Background(), cfg, Options{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestConfigJSONAndValidate(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, PageCursor, nil)
	cfg := config(api, PageCursor)
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, cfg) {
		t.Fatalf("round trip: %v\n%s", err, b)
	}
	if errs := cfg.Validate(); errs != nil {
		t.Fatalf("good config: %v", errs)
	}
	bad := Config{
		URL: "inventory", Pagination: Pagination{Kind: PageCursor, Limit: -1}, ItemsPath: "data..items",
		Fields: Fields{Quantity: "stock[x]"}, DefaultCurrency: "euro", Auth: transport.Auth{Kind: transport.AuthBasic},
	}
	errs := bad.Validate()
	for _, field := range []string{"url", "pagination.cursor_path", "pagination.limit", "items_path", "fields.sku", "fields.quantity", "default_currency", "auth.username"} {
		if errs[field] == "" {
			t.Errorf("no message for %s: %v", field, errs)
		}
	}
	if errs := (Config{URL: "https://x", ItemsPath: "[]", Fields: Fields{SKU: "a", Quantity: "b"}}).Validate(); errs["pagination.kind"] == "" {
		t.Errorf("no pagination kind: %v", errs)
	}
	if _, err := NewReader(context.Background(), bad, Options{}); err == nil {
		t.Error("NewReader accepted a bad config")
	}
}

func TestAmountsAndPaths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in       any
		currency string
		want     int64
	}{
		{"12.34", "USD", 1234}, {"12.345", "USD", 1235}, {"-0.005", "EUR", -1}, {"0.004", "EUR", 0},
		{json.Number("1e2"), "USD", 10000}, {"1500", "JPY", 1500}, {"1.2345", "KWD", 1235}, {json.Number("7"), "GBP", 700},
	} {
		got, err := minorUnits(c.in, c.currency)
		if err != nil || got != c.want {
			t.Errorf("minorUnits(%v, %s) = %d, %v; want %d", c.in, c.currency, got, err, c.want)
		}
	}
	for _, bad := range []string{"12,34", "1e999999999", "1/3", strings.Repeat("9", 50)} {
		if _, err := minorUnits(bad, "EUR"); err == nil {
			t.Errorf("minorUnits(%q) accepted", bad)
		}
	}
	if _, err := whole(json.Number("1e999999999")); err == nil {
		t.Error("a quantity of 1e999999999 was accepted")
	}
	doc := map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": "x"}, []any{"y", "z"}}}}
	for path, want := range map[string]any{"a.b[0].c": "x", "a.b[1][1]": "z"} {
		steps, err := parsePath(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := lookup(doc, steps); err != nil || got != want {
			t.Errorf("%s = %v, %v", path, got, err)
		}
	}
	for _, bad := range []string{"a..b", "a[", "a[x]", "a]", "a[0]b", "a[-1]"} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("parsePath(%q) accepted", bad)
		}
	}
}
