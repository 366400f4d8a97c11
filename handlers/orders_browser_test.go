package handlers

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"dropship/models"
	"dropship/models/demo"
)

// TestBrowserOrdersScreenshots signs in as a CS rep, opens the attention
// queue and a held order, checks the risk reasons are on screen, and saves
// screenshots at desktop and phone widths.
func TestBrowserOrdersScreenshots(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	held := heldOrder(t, a)
	pendingOrder(t, a, "pi_shot000001")
	owner := a.createUser(models.RoleOwner)
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newChrome(t, size.width, size.height)
			signInChrome(t, ctx, a, owner, size.width, size.height)
			if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/orders?queue=attention"), chromedp.WaitVisible(`.orders-table`)); err != nil {
				t.Fatal(err)
			}
			saveScreenshot(t, ctx, "orders-"+size.name+".png")
			if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/orders/%d", a.URL, held.ID)), chromedp.WaitVisible(`.timeline`)); err != nil {
				t.Fatal(err)
			}
			if reasons := run(t, ctx, chromedp.Text(`.feed`)); reasons == "" {
				t.Error("no risk reasons on the held order's page")
			}
			saveScreenshot(t, ctx, "order-"+size.name+".png")
			for _, page := range []string{"settings", "settings/api-keys", "settings/shipping-zones"} {
				if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/"+page), chromedp.WaitVisible(`.page-head h1`)); err != nil {
					t.Fatal(err)
				}
			}
			saveScreenshot(t, ctx, "zones-"+size.name+".png")
			if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/settings"), chromedp.WaitVisible(`#risk`)); err != nil {
				t.Fatal(err)
			}
			saveScreenshot(t, ctx, "settings-"+size.name+".png")
		})
	}
}

// TestBrowserDemoDashboard opens the dashboard of the demo store (catalog and
// two weeks of orders) and checks the orders chart is drawn.
func TestBrowserDemoDashboard(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	seedDemoCatalog(t, a)
	if _, err := demo.SeedOrders(t.Context(), a.DB); err != nil {
		t.Fatal(err)
	}
	owner := a.createUser(models.RoleOwner)
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newChrome(t, size.width, size.height)
			signInChrome(t, ctx, a, owner, size.width, size.height)
			bars, err := chromedp.Run(ctx, chromedp.Nodes(`.bar-chart rect.bar`))
			if err != nil || len(bars) != 14 {
				t.Fatalf("chart bars: %d (%v), want 14", len(bars), err)
			}
			saveScreenshot(t, ctx, "dashboard-demo-"+size.name+".png")
			if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/orders"), chromedp.WaitVisible(`.orders-table`)); err != nil {
				t.Fatal(err)
			}
			saveScreenshot(t, ctx, "orders-demo-"+size.name+".png")
		})
	}
}
