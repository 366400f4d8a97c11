package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/sandbox"
	"dropship/jobs"
	"dropship/models"
	"dropship/models/dbtest"
	"dropship/models/demo"
)

// slowFeed serves a CSV feed a chunk at a time, so a sync of it is
// visibly in flight for a few seconds.
type slowFeed struct {
	body  func() []byte
	chunk int
	pause time.Duration
}

func (f *slowFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := f.body()
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	for len(b) > 0 {
		n := min(f.chunk, len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		b = b[n:]
		select {
		case <-time.After(f.pause):
		case <-r.Context().Done():
			return
		}
	}
}

// TestBrowserSyncProgressAndLowStock loads the demo catalog with 30 days of
// feed history, syncs a supplier whose feed trickles in, and shows in
// chromium the runs page with its progress bar moving and the low-stock
// dashboard, at desktop and phone widths (screenshots in .data/screenshots).
func TestBrowserSyncProgressAndLowStock(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	box, _ := models.NewSecretBox([]byte("0123456789abcdef0123456789abcdef"))
	if _, err := demo.Seed(ctx, db, box); err != nil {
		t.Fatal(err)
	}
	sizes, err := demo.SandboxSKUs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Thirty days of daily feeds from each pulled supplier, through the engine.
	start := time.Now().UTC().Add(-31 * 24 * time.Hour)
	db.Exec("UPDATE offers SET observed_at = ?, created_at = ?", start, start.Add(-24*time.Hour))
	catalogs := map[string]*sandbox.Catalog{}
	for _, code := range []string{"ACME", "BOLT", "CRANE"} {
		catalogs[code] = sandbox.NewCatalog(code, 20261127, sizes[code], "USD", start)
	}
	mapping := feed.Mapping{Format: feed.FormatCSV, HeaderRow: true, Fields: feed.Fields{SKU: "sku", Quantity: "quantity",
		Cost: "cost", Currency: "currency", LeadTimeDays: "lead_time_days", Discontinued: "discontinued"}}
	for day := 30; day >= 1; day-- {
		at := time.Now().UTC().Add(-time.Duration(day)*24*time.Hour + 9*time.Hour)
		for code, cat := range catalogs {
			for range 3 {
				cat.Drift(at)
			}
			sup, _ := models.GetSupplierByCode(ctx, db, code)
			err := models.WithSupplierSyncLock(ctx, db, sup.ID, func(l *models.SyncLock) error {
				run, err := models.StartSyncRun(ctx, db, sup.ID, models.SourceFeed, models.TriggerSchedule, nil, "demo")
				if err != nil {
					return err
				}
				r, err := feed.Open(bytes.NewReader(sandbox.RenderCSV(cat.Snapshot().Items)), "stock.csv", mapping)
				if err != nil {
					return err
				}
				if err := l.ApplySnapshot(ctx, run, models.Snapshot{Source: models.SourceFeed, Records: r, Name: "stock.csv", At: at, Full: true}); err != nil {
					return err
				}
				// History as it would have been recorded on the day.
				return db.Exec("UPDATE sync_runs SET started_at = ?, finished_at = ?, updated_at = ? WHERE id = ?",
					at, at.Add(1800*time.Millisecond), at, run.ID).Error
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	// CRANE's feed now trickles in from a slow server.
	crane := catalogs["CRANE"]
	slow := httptest.NewServer(&slowFeed{body: func() []byte { return sandbox.RenderCSV(crane.Snapshot().Items) }, chunk: 400, pause: 120 * time.Millisecond})
	t.Cleanup(slow.Close)
	if err := demo.ConnectSandboxes(ctx, db, box, demo.SandboxAddrs{CRANEFeedURL: slow.URL + "/feeds/stock.csv"}); err != nil {
		t.Fatal(err)
	}
	sup, _ := models.GetSupplierByCode(ctx, db, "CRANE")
	inv := jobs.NewInventory(db, box, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	t.Cleanup(inv.Close)
	a := newTestAppWith(t, testOptions{DB: db, Deps: func(d *Deps) { d.Inventory = inv }})
	owner := a.createUser(models.RoleOwner)

	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newChrome(t, size.width, size.height)
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(a.URL+"/login"),
				chromedp.WaitVisible(`input[name=email]`),
				chromedp.SendKeys(`input[name=email]`, owner.Email),
				chromedp.SendKeys(`input[name=password]`, testPassword),
				chromedp.Click(`button[type=submit]`),
				chromedp.WaitVisible(`.page-head h1`),
			)
			if err != nil {
				t.Fatal(err)
			}
			crane.Drift(time.Now())
			if err := inv.SyncNow(sup.ID, owner); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/suppliers/%d/syncs", a.URL, sup.ID)), chromedp.WaitVisible(`#sync-runs progress`)); err != nil {
				t.Fatal(err)
			}
			// The bar moves while the feed comes in: catch it partway.
			var seen []int
			deadline := time.Now().Add(20 * time.Second)
			for {
				v, _ := chromedp.Run(ctx, chromedp.AttributeValue(`#sync-runs progress`, "value"))
				pct, _ := strconv.Atoi(v.Value)
				if len(seen) == 0 || seen[len(seen)-1] != pct {
					seen = append(seen, pct)
				}
				if pct >= 25 && pct <= 80 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the progress bar never showed a partial value; saw %v", seen)
				}
				time.Sleep(100 * time.Millisecond)
			}
			saveScreenshot(t, ctx, "sync-runs-"+size.name+".png")
			inv.Wait()
			// Once the run ends, polling replaces the bar with its outcome.
			if err := chromedp.Do(ctx, chromedp.WaitNotPresent(`#sync-runs progress`)); err != nil {
				t.Fatal(err)
			}
			if outcome := run(t, ctx, chromedp.Text(`#sync-runs tbody tr:first-child td.outcome .badge`)); outcome != "applied" {
				t.Errorf("after the run: outcome %q, want applied", outcome)
			}

			err = chromedp.Do(ctx, chromedp.Navigate(a.URL+"/stock/low"), chromedp.WaitVisible(`.low-table`))
			if err != nil {
				t.Fatal(err)
			}
			if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.low-table svg.spark path.line').length`)); n == 0 {
				t.Error("no trend chart on the low-stock page")
			}
			saveScreenshot(t, ctx, "low-stock-"+size.name+".png")

			// The supplier's page, its last run and its mapping, to look at.
			runs, _ := models.ListSyncRuns(context.Background(), db, models.SyncRunFilter{SupplierID: sup.ID, Limit: 1})
			for name, path := range map[string]string{
				"supplier-sync":    fmt.Sprintf("/suppliers/%d", sup.ID),
				"sync-run":         fmt.Sprintf("/syncs/%d", runs[0].ID),
				"supplier-mapping": fmt.Sprintf("/suppliers/%d/mapping", sup.ID),
				"syncs-all":        "/syncs",
				"dashboard-stock":  "/",
			} {
				if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(`.page-head h1`)); err != nil {
					t.Fatal(err)
				}
				saveScreenshot(t, ctx, name+"-"+size.name+".png")
			}
		})
	}
}
