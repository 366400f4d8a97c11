package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dropship/models"
)

func itoa(id int64) string { return fmt.Sprint(id) }

func TestDashboardShowsRealFigures(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleOwner)
	a.createUser(models.RoleCSRep)
	a.createUser(models.RoleCSRep)
	run, _ := models.StartJobRun(context.Background(), a.DB, "housekeeping", "test")
	models.FinishJobRun(context.Background(), a.DB, run, "purged 3 expired sessions", fmt.Errorf("boom"))
	res := b.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	for _, want := range []string{"1 owner · 2 cs rep", ">3<", "1 failed", "housekeeping"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

func TestUsersCreateAndEdit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, owner := a.signedIn(models.RoleOwner)
	b.get("/users/new")

	res := b.postForm("/users", url.Values{"email": {"not-an-email"}, "role": {"viewer"}, "password": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "enter an email address like") || !strings.Contains(res.Body, "use at least 12 characters") {
		t.Fatalf("bad user form: %d", res.StatusCode)
	}
	res = b.postForm("/users", url.Values{"email": {"Ana@Example.com"}, "name": {"Ana"}, "role": {"cs_rep"}, "password": {"twelve chars ok"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", res.StatusCode, snippet(res.Body))
	}
	res = b.postForm("/users", url.Values{"email": {"ana@example.com"}, "role": {"viewer"}, "password": {"twelve chars ok"}})
	if !strings.Contains(res.Body, "a user with this email already exists") {
		t.Errorf("duplicate email not refused: %d", res.StatusCode)
	}
	ana, err := models.GetUserByEmail(context.Background(), a.DB, "ana@example.com")
	if err != nil || ana.Role != models.RoleCSRep {
		t.Fatalf("created user: %+v %v", ana, err)
	}
	nb := a.newBrowser()
	nb.login("ana@example.com", "twelve chars ok")

	// The only owner can't demote themselves.
	b.get("/users")
	res = b.postForm("/users/"+itoa(owner.ID), url.Values{"role": {"manager"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "at least one active owner") {
		t.Errorf("last owner demoted: %d", res.StatusCode)
	}
	entries, _ := models.ListAudit(context.Background(), a.DB, "user", itoa(ana.ID), 10)
	if len(entries) != 1 || entries[0].Action != "user.create" || entries[0].Actor != owner.Email {
		t.Errorf("audit of the creation: %+v", entries)
	}
}

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleOwner)
	b.get("/settings")
	res := b.postForm("/settings", url.Values{"store_name": {"Shop"}, "timezone": {"Mars/Olympus"}, "currency": {"USD"}, "default_country": {"US"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "choose a time zone") {
		t.Errorf("bad zone: %d", res.StatusCode)
	}
	st, _ := models.GetStoreSettings(context.Background(), a.DB)
	if st.Timezone != "UTC" {
		t.Errorf("a refused form changed the zone to %q", st.Timezone)
	}
}

func TestJobsPageFiltersAndFragment(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	ok, _ := models.StartJobRun(ctx, a.DB, "housekeeping", "i1")
	models.FinishJobRun(ctx, a.DB, ok, "purged 1 expired sessions", nil)
	bad, _ := models.StartJobRun(ctx, a.DB, "feed-pull", "i1")
	models.FinishJobRun(ctx, a.DB, bad, "", fmt.Errorf("supplier timed out"))
	b, _ := a.signedIn(models.RoleViewer)

	res := b.get("/jobs?outcome=failed")
	if !strings.Contains(res.Body, "supplier timed out") || strings.Contains(res.Body, "purged 1 expired") {
		t.Errorf("failed filter shows the wrong runs")
	}
	frag := b.get("/jobs?job=housekeeping", "HX-Request", "true")
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="runs"`) || !strings.Contains(frag.Body, "purged 1 expired") {
		t.Errorf("htmx request should get the table fragment only")
	}
	boosted := b.get("/jobs", "HX-Request", "true", "HX-Boosted", "true")
	if !strings.Contains(boosted.Body, "<html") {
		t.Errorf("a boosted request should get the full page")
	}
}

func TestAuditPageVerifiesChain(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	b, _ := a.signedIn(models.RoleOwner)
	b.get("/settings")
	b.postForm("/settings", url.Values{"store_name": {"First"}, "timezone": {"UTC"}, "currency": {"USD"}, "default_country": {"US"}})
	b.postForm("/settings", url.Values{"store_name": {"Second"}, "timezone": {"UTC"}, "currency": {"USD"}, "default_country": {"US"}})
	if res := b.get("/audit?verify=1"); !strings.Contains(res.Body, "The hash chain is intact") {
		t.Fatal("intact chain not reported")
	}
	a.DB.Exec("UPDATE audit_entries SET after = jsonb_set(after, '{store_name}', '\"Forged\"') WHERE id = (SELECT min(id) FROM audit_entries WHERE action = 'settings.update')")
	if res := b.get("/audit?verify=1"); !strings.Contains(res.Body, "The hash chain breaks at entry") {
		t.Error("a forged entry was not detected")
	}
}
