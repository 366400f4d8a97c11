package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dropship/models"
)

func TestVisitorIsSentToLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	res := a.newBrowser().get("/jobs?outcome=failed")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	if got, want := res.Header.Get("Location"), "/login?next="+url.QueryEscape("/jobs?outcome=failed"); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
}

func TestLoginGoesBackToTheAskedPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	u := a.createUser(models.RoleViewer)
	b := a.newBrowser()
	b.get("/login?next=/jobs")
	res := b.postForm("/login", url.Values{"email": {strings.ToUpper(u.Email)}, "password": {testPassword}, "next": {"/jobs"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/jobs" {
		t.Fatalf("status %d Location %q, want 303 to /jobs", res.StatusCode, res.Header.Get("Location"))
	}
	// An off-site next is ignored.
	b2 := a.newBrowser()
	b2.get("/login")
	res = b2.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if res.Header.Get("Location") != "/" {
		t.Errorf("off-site next: Location %q, want /", res.Header.Get("Location"))
	}
}

func TestWrongPasswordIsRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	u := a.createUser(models.RoleOwner)
	b := a.newBrowser()
	b.get("/login")
	res := b.postForm("/login", url.Values{"email": {u.Email}, "password": {"not the password"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "Wrong email or password.") {
		t.Fatalf("status %d, want 401 with the message; body %s", res.StatusCode, snippet(res.Body))
	}
	if res := b.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after a failed login, / answers %d, want a redirect to /login", res.StatusCode)
	}
}

// TestLoginThrottling: after 5 failures for one account, even the right
// password is refused with a message that says when to retry.
func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	u := a.createUser(models.RoleManager)
	b := a.newBrowser()
	b.get("/login")
	for i := 0; i < models.LoginMaxFailures; i++ {
		res := b.postForm("/login", url.Values{"email": {u.Email}, "password": {"guess"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, res.StatusCode)
		}
	}
	res := b.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th try with the right password: status %d, want 429", res.StatusCode)
	}
	if !strings.Contains(res.Body, "Too many failed sign-in attempts") || !strings.Contains(res.Body, "try again in 15 minutes") {
		t.Errorf("429 page lacks a clear message: %s", snippet(res.Body))
	}
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q, want seconds until the next try", ra)
	}
}

// TestLoginThrottlingByAddress: many accounts guessed from one address are
// throttled together, and parallel guesses can't slip past the limit.
func TestLoginThrottlingByAddress(t *testing.T) {
	t.Parallel()
	db := newTestApp(t).DB
	ctx := context.Background()
	const addr = "203.0.113.9"
	results := make(chan error, 20)
	for i := 0; i < 20; i++ {
		go func(i int) {
			_, err := models.Authenticate(ctx, db, "nobody"+string(rune('a'+i))+"@example.com", "guess", addr)
			results <- err
		}(i)
	}
	var bad, throttled int
	for i := 0; i < 20; i++ {
		switch err := <-results; {
		case err == models.ErrBadCredentials:
			bad++
		case err != nil && strings.Contains(err.Error(), "too many failed"):
			throttled++
		default:
			t.Errorf("unexpected result %v", err)
		}
	}
	if bad != models.LoginMaxFailures || throttled != 20-models.LoginMaxFailures {
		t.Errorf("%d checked and %d throttled, want %d and %d", bad, throttled, models.LoginMaxFailures, 20-models.LoginMaxFailures)
	}
	// Another address is not affected.
	if _, err := models.Authenticate(ctx, db, "someone@example.com", "guess", "198.51.100.1"); err != models.ErrBadCredentials {
		t.Errorf("another address: %v, want wrong credentials", err)
	}
}

// TestSessionRenewedAtLogin: the session token changes at sign-in, and the
// token a visitor had before is worth nothing after.
func TestSessionRenewedAtLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	u := a.createUser(models.RoleViewer)
	b := a.newBrowser()
	b.get("/login")
	before := b.cookie("dropship_session")
	if before == "" {
		t.Fatal("no session cookie before login")
	}
	b.login(u.Email, testPassword)
	after := b.cookie("dropship_session")
	if after == "" || after == before {
		t.Fatalf("session token before %q after %q: want a new one", before, after)
	}
	if res := b.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("signed in: / answers %d", res.StatusCode)
	}
	// An attacker holding the pre-login token gets nothing.
	fixated := a.newBrowser()
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "dropship_session", Value: before})
	if res := fixated.do(req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("old token: / answers %d, want 303 to /login", res.StatusCode)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleViewer)
	token := b.cookie("dropship_session")
	b.get("/")
	res := b.postForm("/logout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := b.get("/login"); !strings.Contains(res.Body, "You are signed out.") {
		t.Error("no signed-out message")
	}
	replay := a.newBrowser()
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "dropship_session", Value: token})
	if res := replay.do(req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the signed-out token still opens /: %d", res.StatusCode)
	}
}

// TestPasswordChangeEndsOtherSessions: the device that changed the password
// stays signed in, the others are signed out.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	u := a.createUser(models.RoleCSRep)
	laptop, phone := a.newBrowser(), a.newBrowser()
	laptop.login(u.Email, testPassword)
	phone.login(u.Email, testPassword)

	laptop.get("/account/password")
	res := laptop.postForm("/account/password", url.Values{"current_password": {"wrong one here"}, "new_password": {"a brand new password"}, "confirm_password": {"a brand new password"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "this is not your current password") {
		t.Fatalf("wrong current password: %d", res.StatusCode)
	}
	res = laptop.postForm("/account/password", url.Values{"current_password": {testPassword}, "new_password": {"a brand new password"}, "confirm_password": {"a brand new password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", res.StatusCode, snippet(res.Body))
	}
	if res := laptop.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("the device that changed it: / answers %d, want 200", res.StatusCode)
	}
	if res := phone.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other device: / answers %d, want 303 to /login", res.StatusCode)
	}
	fresh := a.newBrowser()
	fresh.login(u.Email, "a brand new password")
}

// TestDisabledUserIsSignedOut: disabling someone ends their open session at their next click.
func TestDisabledUserIsSignedOut(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	owner, _ := a.signedIn(models.RoleOwner)
	staff, u := a.signedIn(models.RoleManager)
	owner.get("/users")
	res := owner.postForm("/users/"+itoa(u.ID), url.Values{"role": {"manager"}, "disabled": {"true"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", res.StatusCode, snippet(res.Body))
	}
	if res := staff.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user's session: / answers %d, want 303", res.StatusCode)
	}
	b := a.newBrowser()
	b.get("/login")
	if res := b.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user signs in: %d, want 401", res.StatusCode)
	}
}

// TestSafeNext: only paths of this site survive as the place to go after sign-in.
func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/jobs?outcome=failed":     "/jobs?outcome=failed",
		"/orders/12":               "/orders/12",
		"":                         "/",
		"//evil.example/x":         "/",
		"/\\evil.example":          "/",
		"/\t/evil.example":         "/",
		"/%0d%0aSet-Cookie:%20x=1": "/%0d%0aSet-Cookie:%20x=1",
		"/\r\nSet-Cookie: x=1":     "/",
		"https://evil.example/":    "/",
		"javascript:alert(1)":      "/",
		"jobs":                     "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
	// Over HTTP, a signed-in visitor with a crafted next gets no header of the attacker's.
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleViewer)
	res := b.get("/login?next=/%0d%0aSet-Cookie:%20pwn=1")
	if strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), ";"), "pwn") {
		t.Errorf("the next parameter injected a header: %v", res.Header)
	}
	res = b.get("/login?next=/%09/evil.example")
	if loc := res.Header.Get("Location"); loc != "/" {
		t.Errorf("Location %q for a tab-smuggled host, want /", loc)
	}
}
