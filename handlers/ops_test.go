package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"dropship/models"
	"dropship/models/dbtest"
)

// tcpProxy forwards a port to PostgreSQL until stopped: stopping it is the
// database going down, as far as the app can tell.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestReadiness: /readyz is 200 with the database up and 503 once it is unreachable; /healthz stays 200.
func TestReadiness(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse(dbtest.NewURL(t))
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	db := dbtest.Open(t, u.String())
	sqlDB, _ := db.DB()
	a := newTestAppWith(t, testOptions{DB: db, Ready: func(ctx context.Context) error {
		if err := sqlDB.PingContext(ctx); err != nil {
			return errors.New("database unreachable: " + err.Error())
		}
		return nil
	}})
	b := a.newBrowser()
	if res := b.get("/readyz"); res.StatusCode != http.StatusOK {
		t.Fatalf("database up: /readyz %d, want 200", res.StatusCode)
	}
	proxy.stop()
	sqlDB.SetMaxIdleConns(0) // drop pooled connections so the next ping dials
	time.Sleep(50 * time.Millisecond)
	res := b.get("/readyz")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "database unreachable") {
		t.Fatalf("database down: /readyz %d %s, want 503 naming the database", res.StatusCode, res.Body)
	}
	if res := b.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz %d with the database down, want 200 (the process is up)", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	res := a.newBrowser().get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q: want frame-ancestors none and no unsafe-inline", csp)
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain http")
	}
	cookie := res.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") || strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie over http: %q", cookie)
	}

	secure := newTestAppWith(t, testOptions{BaseURL: "https://shop.example"})
	res = secure.newBrowser().get("/login")
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS when BASE_URL is https")
	}
	if !strings.Contains(res.Header.Get("Set-Cookie"), "secure") && !strings.Contains(res.Header.Get("Set-Cookie"), "Secure") {
		t.Errorf("cookie not Secure under https: %q", res.Header.Get("Set-Cookie"))
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b := a.newBrowser()
	res := b.get("/no/such/page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Page not found") {
		t.Errorf("HTML 404: %d", res.StatusCode)
	}
	res = b.get("/api/v2/nothing")
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(res.Body, `"status":404`) {
		t.Errorf("API 404: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), res.Body)
	}
}

// TestStaticAssetsAreHashed: pages link assets by content hash, served with a long cache.
func TestStaticAssetsAreHashed(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b := a.newBrowser()
	page := b.get("/login").Body
	i := strings.Index(page, "/static/js/htmx-2.0.11.min.")
	if i < 0 {
		t.Fatal("the page doesn't link the pinned htmx")
	}
	src := page[i : i+strings.Index(page[i:], `"`)]
	res := b.get(src)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(res.Body, "htmx") {
		t.Errorf("%s: %d %q", src, res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := b.get("/static/css/app.0000000000.css"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown hash: %d, want 404", res.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b := a.newBrowser()
	b.get("/login")
	body := b.get("/metrics").Body
	for _, want := range []string{
		`dropship_http_requests_total{method="GET",route="/login",status="200"} 1`,
		"dropship_http_request_duration_seconds_bucket",
		`go_sql_open_connections{db_name="dropship"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestProxyHeaderOnlyFromTrustedProxies: a forged X-Forwarded-For from a
// client that is not a trusted proxy does not change its address (the login
// throttle counts the real one).
func TestProxyHeaderOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	a := newTestAppWith(t, testOptions{ProxyHeader: "X-Forwarded-For", TrustedProxies: []string{"10.9.9.9"}})
	u := a.createUser(models.RoleViewer)
	b := a.newBrowser()
	b.get("/login")
	for i := 0; i < models.LoginMaxFailures; i++ {
		// Each try claims another address; the throttle must see 127.0.0.1 every time.
		b.postRaw("/login", url.Values{"email": {u.Email}, "password": {"guess"}, "_csrf": {b.csrf}}, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
	}
	other := a.createUser(models.RoleViewer)
	res := b.postRaw("/login", url.Values{"email": {other.Email}, "password": {"guess"}, "_csrf": {b.csrf}}, "X-Forwarded-For", "198.51.100.77")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after 5 failures from one real address with forged headers: %d, want 429", res.StatusCode)
	}
}
