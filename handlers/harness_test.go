package handlers

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"dropship/models"
	"dropship/models/dbtest"
)

// testApp is the whole admin app on a fresh database, served over real
// loopback HTTP.
type testApp struct {
	t   testing.TB
	DB  *gorm.DB
	App *fiber.App
	URL string // http://127.0.0.1:port
}

// testOptions tweaks newTestApp.
type testOptions struct {
	BaseURL string
	Ready   func(ctx context.Context) error
	DB      *gorm.DB // share a database between two app instances
	Deps    func(*Deps)

	ProxyHeader    string
	TrustedProxies []string
}

// newTestApp starts the app on its own database.
func newTestApp(t testing.TB) *testApp {
	return newTestAppWith(t, testOptions{})
}

func newTestAppWith(t testing.TB, o testOptions) *testApp {
	t.Helper()
	db := o.DB
	if db == nil {
		db = dbtest.New(t)
	}
	if o.Ready == nil {
		o.Ready = func(context.Context) error { return nil }
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	box, err := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{DB: db, Log: log, Ready: o.Ready, Secrets: box}
	if o.Deps != nil {
		o.Deps(&deps)
	}
	app, err := New(Config{BaseURL: o.BaseURL, ProxyHeader: o.ProxyHeader, TrustedProxies: o.TrustedProxies}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln) //nolint:errcheck // ends at Shutdown
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	return &testApp{t: t, DB: db, App: app, URL: "http://" + ln.Addr().String()}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// createUser adds a user with the given role and testPassword.
func (a *testApp) createUser(role models.Role) *models.User {
	a.t.Helper()
	u, err := models.CreateUser(context.Background(), a.DB, nil, models.NewUser{
		Email: string(role) + "-" + randomWord() + "@example.com", Role: role, Password: testPassword,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// browser is an HTTP client with a cookie jar that remembers the last CSRF token it saw.
type browser struct {
	t      testing.TB
	app    *testApp
	client *http.Client
	csrf   string
}

// newBrowser returns a visitor with no session yet; redirects are not followed.
func (a *testApp) newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: a.t, app: a, client: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn creates a user with role and signs them in.
func (a *testApp) signedIn(role models.Role) (*browser, *models.User) {
	a.t.Helper()
	u := a.createUser(role)
	b := a.newBrowser()
	b.login(u.Email, testPassword)
	return b, u
}

// login signs in through the form and fails the test if it doesn't work.
func (b *browser) login(email, password string) {
	b.t.Helper()
	b.get("/login")
	res := b.postForm("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d, want 303; body: %s", email, res.StatusCode, snippet(res.Body))
	}
}

// response is a finished request with its body read.
type response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

var csrfPattern = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfPattern.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return response{StatusCode: res.StatusCode, Header: res.Header, Body: string(body)}
}

// get fetches path.
func (b *browser) get(path string, headers ...string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.app.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// postForm posts form with the CSRF token of the last page seen (fetching / first when none).
func (b *browser) postForm(path string, form url.Values) response {
	b.t.Helper()
	if b.csrf == "" {
		b.get("/login")
	}
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("_csrf") {
		form.Set("_csrf", b.csrf)
	}
	return b.postRaw(path, form)
}

// postRaw posts form as is (no token added).
func (b *browser) postRaw(path string, form url.Values, headers ...string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// cookie returns the value of the named cookie the browser holds for the app.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.app.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func snippet(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}

func randomWord() string { return strings.ToLower(newCSRFToken()[:8]) }
