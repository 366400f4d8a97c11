package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dropship/models"
	"dropship/models/dbtest"
)

// TestNoOversellAcrossTwoProcesses runs two `dropship serve` processes on one
// database and has 64 clients race through both for one variant with 500
// sellable: exactly 500 orders are accepted and the pool ends at 0.
func TestNoOversellAcrossTwoProcesses(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	db := dbtest.Open(t, url)
	ctx := context.Background()
	box, _ := models.NewSecretBox(bytes.Repeat([]byte{1}, 32))
	p, err := models.CreateProduct(ctx, db, nil, models.ProductInput{Title: "Hot tee"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := models.CreateVariant(ctx, db, nil, p.ID, models.VariantInput{SKU: "HOT-1", PriceCents: 1500, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	sup, err := models.CreateSupplier(ctx, db, box, nil, models.SupplierInput{Code: "HOT", Name: "Hot", ConnectionKind: models.KindEmail,
		Connection: models.Connection{Email: "po@hot.example"}, HandlingDays: 1, ShipsFromCountry: "US", Currency: "USD", FeedGuardPct: 50, AllowedLagMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateOffer(ctx, db, nil, models.OfferInput{SupplierID: sup.ID, VariantID: v.ID, SupplierSKU: "H1", ReportedQuantity: 500, MinQuantity: 1}); err != nil {
		t.Fatal(err)
	}
	_, key, err := models.CreateAPIKey(ctx, db, nil, "race")
	if err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "dropship")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var bases []string
	for i := 0; i < 2; i++ {
		bases = append(bases, startServer(t, bin, url))
	}

	body, _ := json.Marshal(map[string]any{
		"customer": map[string]any{"email": "race@example.com", "name": "Race"},
		"ship_to":  map[string]any{"name": "Race", "line1": "1 Main St", "city": "Springfield", "country": "US"},
		"lines":    []map[string]any{{"sku": "HOT-1", "quantity": 1}},
		"payment":  map[string]any{"provider": "manual"},
	})
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := 0; c < 64; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				req, _ := http.NewRequest("POST", bases[(c+i)%2]+"/api/v1/orders", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("race-%d-%d", c, i))
				res, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				counts[res.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counts[201] != 500 || counts[409] != 640-500 {
		t.Errorf("answers %v, want 500 x 201 and 140 x 409", counts)
	}
	pool, _ := models.PoolOf(ctx, db, v.ID)
	if pool.Available != 0 || pool.Reserved != 500 {
		t.Errorf("pool %+v, want 500 reserved, 0 available", pool)
	}
}

// startServer runs `dropship serve` on a free port and waits until it is ready.
func startServer(t *testing.T, bin, dbURL string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LISTEN_ADDR="+addr, "LOG_LEVEL=warn",
		"SECRET_KEY="+strings.Repeat("ab", 32), "BASE_URL=http://"+addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
	}
	t.Fatalf("server on %s not ready; its log:\n%s", addr, logs.String())
	return ""
}
