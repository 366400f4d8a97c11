package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dropship/integrations/suppliers"
	"dropship/integrations/suppliers/transport"
)

// feedServer serves a CSV feed with an ETag and Last-Modified and counts requests.
type feedServer struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	body     string
	etag     string
	mod      time.Time
}

func newFeedServer(t *testing.T, body string) *feedServer {
	f := &feedServer{body: body, etag: `"v1"`, mod: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		body, etag, mod := f.body, f.etag, f.mod
		f.mu.Unlock()
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "text/csv")
		http.ServeContent(w, r, "stock.csv", mod, strings.NewReader(body))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *feedServer) change(body, etag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.etag, f.mod = body, etag, f.mod.Add(time.Hour)
}

func readAll(t *testing.T, f *suppliers.Fetched) string {
	t.Helper()
	defer f.Body.Close()
	b, err := io.ReadAll(f.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func TestHTTPUnchangedFeedCostsOneRequest(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t, "sku,quantity\nA-1,5\n")
	h, err := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/feeds/stock.csv"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := h.Fetch(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, f); got != "sku,quantity\nA-1,5\n" {
		t.Fatalf("body = %q", got)
	}
	if f.Name != "stock.csv" || f.ETag != `"v1"` || f.LastModified != "Fri, 27 Nov 2026 14:00:00 GMT" {
		t.Fatalf("fetched = %+v", f)
	}

	before := srv.requests.Load()
	if _, err := h.Fetch(ctx, f.ETag, f.LastModified); !errors.Is(err, suppliers.ErrNotModified) {
		t.Fatalf("unchanged feed: %v, want ErrNotModified", err)
	}
	if n := srv.requests.Load() - before; n != 1 {
		t.Fatalf("an unchanged feed cost %d requests, want 1", n)
	}
	// Only Last-Modified stored (a server without ETags) works the same.
	if _, err := h.Fetch(ctx, "", f.LastModified); !errors.Is(err, suppliers.ErrNotModified) {
		t.Fatalf("If-Modified-Since alone: %v", err)
	}

	srv.change("sku,quantity\nA-1,4\n", `"v2"`)
	f2, err := h.Fetch(ctx, f.ETag, f.LastModified)
	if err != nil {
		t.Fatalf("changed feed: %v", err)
	}
	if got := readAll(t, f2); got != "sku,quantity\nA-1,4\n" || f2.ETag != `"v2"` {
		t.Fatalf("changed feed: body %q etag %s", got, f2.ETag)
	}
}

func TestHTTPIgnoredConditionalWithSameETag(t *testing.T) {
	t.Parallel()
	// A server that ignores If-None-Match but still sends the same ETag: no new data, so no download.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"same"`)
		fmt.Fprint(w, "sku,quantity\n")
	}))
	defer srv.Close()
	h, _ := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL})
	if _, err := h.Fetch(context.Background(), `"same"`, ""); !errors.Is(err, suppliers.ErrNotModified) {
		t.Fatalf("Fetch = %v, want ErrNotModified", err)
	}
}

func TestHTTPAuthKinds(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, basic := r.BasicAuth()
		switch {
		case r.Header.Get("Authorization") == "Bearer t0ken",
			basic && user == "acme" && pass == "s3cret",
			r.Header.Get("X-Api-Key") == "k3y":
			fmt.Fprint(w, "ok\n")
		case r.URL.Path == "/open":
			fmt.Fprint(w, "open\n")
		default:
			http.Error(w, `{"error":"invalid credentials"}`, http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	cases := []struct {
		name, path string
		auth       transport.Auth
		ok         bool
	}{
		{"none", "/open", transport.Auth{Kind: transport.AuthNone}, true},
		{"bearer", "/", transport.Auth{Kind: transport.AuthBearer, Token: "t0ken"}, true},
		{"basic", "/", transport.Auth{Kind: transport.AuthBasic, Username: "acme", Password: "s3cret"}, true},
		{"api key header", "/", transport.Auth{Kind: transport.AuthAPIKey, Header: "X-Api-Key", Key: "k3y"}, true},
		{"wrong bearer", "/", transport.Auth{Kind: transport.AuthBearer, Token: "nope"}, false},
		{"wrong password", "/", transport.Auth{Kind: transport.AuthBasic, Username: "acme", Password: "x"}, false},
		{"no auth where needed", "/", transport.Auth{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, err := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + c.path, Auth: c.auth})
			if err != nil {
				t.Fatal(err)
			}
			f, err := h.Fetch(context.Background(), "", "")
			if !c.ok {
				var se *transport.StatusError
				if !errors.As(err, &se) || se.Code != 401 || !strings.Contains(err.Error(), "invalid credentials") {
					t.Fatalf("Fetch = %v, want a 401 error quoting the body", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, f)
		})
	}
}

func TestHTTPErrorSaysStatusAndFirstBytes(t *testing.T) {
	t.Parallel()
	long := "upstream database is down; " + strings.Repeat("x", 10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, long, http.StatusBadGateway)
	}))
	defer srv.Close()
	h, _ := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/stock.csv"})
	_, err := h.Fetch(context.Background(), "", "")
	var se *transport.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Fetch = %v, want a transport.StatusError", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "502 Bad Gateway") || !strings.Contains(msg, "upstream database is down") {
		t.Fatalf("error does not say status and body: %s", msg)
	}
	if len(msg) > 600 {
		t.Fatalf("error carries the whole body (%d bytes)", len(msg))
	}
	if se.RetryAfter != 120*time.Second {
		t.Fatalf("RetryAfter = %v", se.RetryAfter)
	}
}

func TestHTTPRedirects(t *testing.T) {
	t.Parallel()
	var otherSawKey atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherSawKey.Store(r.Header.Get("X-Api-Key"))
		fmt.Fprint(w, "from the CDN\n")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		switch {
		case r.URL.Path == "/cdn":
			http.Redirect(w, r, other.URL+"/stock.csv", http.StatusFound)
		case r.URL.Path == "/final":
			fmt.Fprint(w, "final\n")
		case strings.HasPrefix(r.URL.Path, "/hop/"):
			n, _ = strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
			next := fmt.Sprintf("/hop/%d", n-1)
			if n <= 1 {
				next = "/final"
			}
			http.Redirect(w, r, next, http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	h, _ := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/hop/3"})
	f, err := h.Fetch(ctx, "", "")
	if err != nil {
		t.Fatalf("3 redirects: %v", err)
	}
	if got := readAll(t, f); got != "final\n" || f.Name != "final" {
		t.Fatalf("3 redirects: %q from %s", got, f.Name)
	}
	h, _ = transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/hop/12"})
	if _, err := h.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "stopped after 6 redirects") {
		t.Fatalf("12 redirects: %v, want stopped", err)
	}
	h, _ = transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/hop/1", MaxRedirects: -1})
	if _, err := h.Fetch(ctx, "", ""); err == nil {
		t.Fatal("redirects off, but one was followed")
	}

	h, _ = transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/cdn", Auth: transport.Auth{Kind: transport.AuthAPIKey, Header: "X-Api-Key", Key: "secret"}})
	f, err = h.Fetch(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, f)
	if got, _ := otherSawKey.Load().(string); got != "" {
		t.Fatalf("the API key followed a redirect to another host: %q", got)
	}
}

func TestHTTPTimeouts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-headers" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Length", "100000")
		w.Write(bytes.Repeat([]byte("a,1\n"), 1000))
		w.(http.Flusher).Flush()
		select { // then stall mid-body
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	h, _ := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/slow-headers", TimeoutSeconds: 1})
	start := time.Now()
	if _, err := h.Fetch(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("no answer: %v, want a timeout", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the header timeout did not apply")
	}

	h, _ = transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/stall", TimeoutSeconds: 1})
	f, err := h.Fetch(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Body.Close()
	_, err = io.ReadAll(f.Body)
	if err == nil || !strings.Contains(err.Error(), "no data for 1s") {
		t.Fatalf("stalled body: %v, want a stall error", err)
	}
}

func TestHTTPTestConnection(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t, "sku;quantity\r\nA-1;5\r\nA-2;0\r\n")
	h, _ := transport.NewHTTP(transport.HTTPConfig{URL: srv.URL + "/feeds/stock.csv"})
	p, err := h.TestConnection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "200 OK" || p.Name != "stock.csv" || p.Size != int64(len("sku;quantity\r\nA-1;5\r\nA-2;0\r\n")) ||
		p.ContentType != "text/csv" || p.ModTime.IsZero() {
		t.Fatalf("probe = %+v", p)
	}
	if len(p.FirstLines) != 3 || p.FirstLines[0] != "sku;quantity" || p.FirstLines[2] != "A-2;0" {
		t.Fatalf("first lines = %q", p.FirstLines)
	}
	if s := p.Summary(); !strings.Contains(s, "stock.csv") || !strings.Contains(s, "sku;quantity") {
		t.Fatalf("summary = %s", s)
	}

	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	bad, _ := transport.NewHTTP(transport.HTTPConfig{URL: srv404.URL + "/nope.csv"})
	if _, err := bad.TestConnection(context.Background()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
}

func TestHTTPConfigValidate(t *testing.T) {
	t.Parallel()
	errs := transport.HTTPConfig{URL: "ftp://x", Auth: transport.Auth{Kind: transport.AuthAPIKey, Header: "X Api"}, TimeoutSeconds: -1}.Validate()
	for _, field := range []string{"url", "auth.header", "auth.key", "timeout_seconds"} {
		if errs[field] == "" {
			t.Errorf("no message for %s: %v", field, errs)
		}
	}
	if errs := (transport.HTTPConfig{URL: "https://supplier.example/stock.csv", Auth: transport.Auth{Kind: transport.AuthBearer}}).Validate(); errs["auth.token"] == "" {
		t.Errorf("bearer without token: %v", errs)
	}
	if errs := (transport.HTTPConfig{URL: "https://supplier.example/stock.csv", Auth: transport.Auth{Kind: "oauth"}}).Validate(); errs["auth.kind"] == "" {
		t.Errorf("unknown auth kind: %v", errs)
	}
	if errs := (transport.HTTPConfig{URL: "https://supplier.example/stock.csv"}).Validate(); errs != nil {
		t.Errorf("a good config: %v", errs)
	}
	if _, err := transport.NewHTTP(transport.HTTPConfig{URL: "nope"}); err == nil {
		t.Error("transport.NewHTTP accepted a bad config")
	}
}
