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

// heldOrder places an order that the fraud rules put on hold.
func heldOrder(t *testing.T, a *testApp) *models.Order {
	t.Helper()
	o := pendingOrder(t, a, fmt.Sprintf("pi_held%06d", len(t.Name())))
	s := models.DefaultStoreSettings()
	s.RiskThreshold = 1 // every order is held
	held, err := models.ApplyPayment(context.Background(), a.DB, o.ID, models.PaymentCheck{Status: models.PaymentCaptured,
		AmountCents: o.TotalCents, Currency: "USD", CardCountry: "NG"}, s)
	if err != nil || held.Status != models.OrderOnHold {
		t.Fatalf("hold: %v %+v", err, held)
	}
	return held
}

func TestOrdersQueueAndHoldRelease(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	o := heldOrder(t, a)
	cs, rep := a.signedIn(models.RoleCSRep)

	res := cs.get("/orders?queue=attention")
	mustContain(t, "attention queue", res, fmt.Sprintf("#%d", o.Number), "On hold", "risk score")
	page := cs.get(fmt.Sprintf("/orders/%d", o.ID))
	mustContain(t, "order page", page, "card issued in NG, shipping to US", "Release hold", "Cancel order")
	if strings.Contains(page.Body, "Mark paid") {
		t.Error("a CS rep is offered Mark paid (managers only)")
	}

	res = cs.postForm(fmt.Sprintf("/orders/%d/release", o.ID), url.Values{"reason": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "say why") {
		t.Fatalf("release without a reason: %d", res.StatusCode)
	}
	res = cs.postForm(fmt.Sprintf("/orders/%d/release", o.ID), url.Values{"reason": {"called the customer, card is theirs"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d %s", res.StatusCode, snippet(res.Body))
	}
	got, _ := models.GetOrder(context.Background(), a.DB, o.ID)
	if got.Status != models.OrderPaid || got.AttentionReason != "" {
		t.Errorf("after release: %s %q", got.Status, got.AttentionReason)
	}
	entries, _ := models.ListAudit(context.Background(), a.DB, "order", fmt.Sprint(o.Number), 5)
	if len(entries) != 1 || entries[0].Actor != rep.Email || entries[0].Reason != "called the customer, card is theirs" {
		t.Errorf("audit of the override: %+v", entries)
	}
	// Releasing again: the order moved on; the page says so instead of failing.
	res = cs.postForm(fmt.Sprintf("/orders/%d/release", o.ID), url.Values{"reason": {"again"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("second release: %d", res.StatusCode)
	}
	if page := cs.get(fmt.Sprintf("/orders/%d", o.ID)); !strings.Contains(page.Body, "no longer in a state that allows it") {
		t.Error("no explanation after a stale action")
	}
}

func TestOrdersCancelAndMarkPaid(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	o := pendingOrder(t, a, "pi_cancel0001")
	mgr, _ := a.signedIn(models.RoleManager)
	mgr.get(fmt.Sprintf("/orders/%d", o.ID))
	res := mgr.postForm(fmt.Sprintf("/orders/%d/cancel", o.ID), url.Values{"reason": {"customer changed their mind"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	got, _ := models.GetOrder(context.Background(), a.DB, o.ID)
	if got.Status != models.OrderCancelled || got.Lines[0].Status != models.LineCancelled {
		t.Errorf("cancelled order: %s, line %s", got.Status, got.Lines[0].Status)
	}
	manual := pendingOrder(t, a, "pi_manual0001")
	a.DB.Exec("UPDATE orders SET payment_provider = 'manual', payment_reference = '' WHERE id = ?", manual.ID)
	mgr.get(fmt.Sprintf("/orders/%d", manual.ID))
	res = mgr.postForm(fmt.Sprintf("/orders/%d/mark-paid", manual.ID), url.Values{"reason": {"bank transfer 2026-11-27 ref 884"}})
	got, _ = models.GetOrder(context.Background(), a.DB, manual.ID)
	if res.StatusCode != http.StatusSeeOther || got.Status != models.OrderPaid || got.PaymentStatus != models.PaymentCaptured {
		t.Errorf("mark paid: %d, order %s %s", res.StatusCode, got.Status, got.PaymentStatus)
	}
}

// TestAPIKeysPageAndScope: a key is shown once, works on the API only, and
// a session cookie opens no API route.
func TestAPIKeysPageAndScope(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	owner, _ := a.signedIn(models.RoleOwner)
	owner.get("/settings/api-keys")
	res := owner.postForm("/settings/api-keys", url.Values{"name": {"Main storefront"}})
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("create key: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	i := strings.Index(res.Body, "dsk_")
	if i < 0 {
		t.Fatal("the new key is not shown")
	}
	key := res.Body[i : i+strings.IndexByte(res.Body[i:], '<')]
	if again := owner.get("/settings/api-keys"); strings.Contains(again.Body, key) {
		t.Error("the key is shown a second time")
	}

	call := func(path, auth string, cookie bool) int {
		req, _ := http.NewRequest(http.MethodGet, a.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if cookie {
			client.Jar = owner.client.Jar
		}
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if got := call("/api/v1/products", key, false); got != http.StatusOK {
		t.Errorf("the key on the API: %d", got)
	}
	if got := call("/", key, false); got != http.StatusSeeOther {
		t.Errorf("the key on an admin page: %d, want a redirect to sign in", got)
	}
	if got := call("/api/v1/products", "", true); got != http.StatusUnauthorized {
		t.Errorf("an owner's session cookie on the API: %d, want 401", got)
	}

	k, _ := models.AuthenticateAPIKey(context.Background(), a.DB, key)
	owner.get("/settings/api-keys")
	if res := owner.postForm(fmt.Sprintf("/settings/api-keys/%d/revoke", k.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: %d", res.StatusCode)
	}
	if _, err := models.AuthenticateAPIKey(context.Background(), a.DB, key); err == nil {
		t.Error("a revoked key still authenticates")
	}
}

func TestShippingZonesPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	owner, _ := a.signedIn(models.RoleOwner)
	owner.get("/settings/shipping-zones")
	res := owner.postForm("/settings/shipping-zones", url.Values{"from_country": {"us"}, "to_country": {"JP"}, "transit_min_days": {"6"}, "transit_max_days": {"3"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "at least the minimum") {
		t.Errorf("max below min: %d", res.StatusCode)
	}
	res = owner.postForm("/settings/shipping-zones", url.Values{"from_country": {"us"}, "to_country": {"JP"}, "transit_min_days": {"6"}, "transit_max_days": {"11"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, snippet(res.Body))
	}
	zones, _ := models.LoadShippingZones(context.Background(), a.DB)
	if lo, hi, _ := zones.Transit("US", "JP"); lo != 6 || hi != 11 {
		t.Errorf("US->JP %d-%d, want 6-11", lo, hi)
	}
}
