package handlers

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dropship/models"
)

// newChrome starts Debian's headless chromium for one test and returns a
// browser context with a deadline. The browser starts before the timeout is
// applied (a timeout on the allocator's first run would kill the browser).
func newChrome(t *testing.T, width, height int) context.Context {
	t.Helper()
	exec := "/usr/bin/chromium"
	if _, err := os.Stat(exec); err != nil {
		t.Fatalf("chromium is not installed at %s: run .ci/run or apt-get install chromium", exec)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exec),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// screenshotPath is where browser tests save what they saw: ./.data/screenshots at the repo root.
func screenshotPath(t *testing.T, name string) string {
	dir, _ := os.Getwd()
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	out := filepath.Join(dir, ".data", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(out, name)
}

// saveScreenshot writes a full-page PNG of what the browser shows.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 means PNG; less is JPEG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(screenshotPath(t, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs one chromedp action that returns a value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBrowserLoginDashboardLogout drives chromium through the sign-in form,
// the dashboard and sign-out, at desktop and phone widths.
func TestBrowserLoginDashboardLogout(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	u := a.createUser(models.RoleOwner)

	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newChrome(t, size.width, size.height)
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(a.URL+"/"),
				chromedp.WaitVisible(`input[name=email]`),
			)
			if err != nil {
				t.Fatal(err)
			}
			saveScreenshot(t, ctx, "login-"+size.name+".png")
			err = chromedp.Do(ctx,
				chromedp.SendKeys(`input[name=email]`, u.Email),
				chromedp.SendKeys(`input[name=password]`, testPassword),
				chromedp.Click(`button[type=submit]`),
				chromedp.WaitVisible(`.page-head h1`),
			)
			if err != nil {
				t.Fatal(err)
			}
			heading := run(t, ctx, chromedp.Text(`.page-head h1`))
			title := run(t, ctx, chromedp.Title())
			if heading != "Dashboard" || !strings.Contains(title, "Dashboard") {
				t.Fatalf("after sign-in: heading %q title %q, want the dashboard", heading, title)
			}
			if orders := run(t, ctx, chromedp.Text(`.stat .value`)); orders != "0" {
				t.Errorf("orders today %q, want 0 in a new store", orders)
			}
			saveScreenshot(t, ctx, "dashboard-"+size.name+".png")

			err = chromedp.Do(ctx,
				chromedp.Click(`form[action="/logout"] button`),
				chromedp.WaitVisible(`.flash`),
			)
			if err != nil {
				t.Fatal(err)
			}
			if flash := run(t, ctx, chromedp.Text(`.flash span`)); flash != "You are signed out." {
				t.Errorf("after sign-out: flash %q", flash)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(`input[name=email]`)); err != nil {
				t.Fatal(err)
			}
			if loc := run(t, ctx, chromedp.Location()); !strings.Contains(loc, "/login") {
				t.Errorf("signed out, / went to %s, want the sign-in page", loc)
			}
		})
	}
}
