package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dropship/models"
)

// TestCSRFRefusal: an unsafe request without the session's token is refused
// and changes nothing; the form field and the htmx header both work.
func TestCSRFRefusal(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleOwner)
	b.get("/settings")
	form := url.Values{"store_name": {"Changed"}, "timezone": {"Europe/Paris"}, "currency": {"USD"}, "default_country": {"US"}}

	if res := b.postRaw("/settings", form); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Reload the page") {
		t.Errorf("no token: %d, want 403 with advice", res.StatusCode)
	}
	bad := url.Values{"store_name": {"Changed"}, "timezone": {"Europe/Paris"}, "_csrf": {"forged"}}
	if res := b.postRaw("/settings", bad); res.StatusCode != http.StatusForbidden {
		t.Errorf("wrong token: %d, want 403", res.StatusCode)
	}
	if res := b.postRaw("/settings", form, "X-CSRF-Token", b.csrf, "Origin", "https://evil.example"); res.StatusCode != http.StatusForbidden {
		t.Errorf("right token from another origin: %d, want 403", res.StatusCode)
	}
	st, err := models.GetStoreSettings(t.Context(), a.DB)
	if err != nil || st.StoreName == "Changed" {
		t.Fatalf("a refused request changed the settings: %+v %v", st, err)
	}

	if res := b.postRaw("/settings", form, "X-CSRF-Token", b.csrf, "HX-Request", "true"); res.StatusCode != http.StatusNoContent || res.Header.Get("HX-Redirect") != "/settings#store" {
		t.Errorf("htmx header token: %d %q, want 204 with HX-Redirect", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	form.Set("store_name", "Changed again")
	if res := b.postForm("/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("form token: %d, want 303", res.StatusCode)
	}
}

// TestCSRFTokenSurvivesRestartAndInstances: a token issued by one instance is
// accepted by another on the same database (and so after a restart).
func TestCSRFTokenSurvivesRestartAndInstances(t *testing.T) {
	t.Parallel()
	first := newTestApp(t)
	second := newTestAppWith(t, testOptions{DB: first.DB})
	b, _ := first.signedIn(models.RoleOwner)
	b.get("/settings")
	first.App.Shutdown() // the instance that issued the token is gone

	b.app = second
	res := b.postForm("/settings", url.Values{"store_name": {"Moved"}, "timezone": {"UTC"}, "currency": {"USD"}, "default_country": {"US"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("token from the first instance on the second: %d, want 303; %s", res.StatusCode, snippet(res.Body))
	}
	st, _ := models.GetStoreSettings(t.Context(), first.DB)
	if st.StoreName != "Moved" {
		t.Errorf("store name %q, want Moved", st.StoreName)
	}
}
