package jobs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"dropship/integrations/suppliers/feed"
	"dropship/integrations/suppliers/rest"
	"dropship/integrations/suppliers/sandbox"
	"dropship/models"
	"dropship/models/dbtest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// store is a catalog whose variants a sandbox supplier's SKUs map to one to one.
type store struct {
	db       *gorm.DB
	inv      *Inventory
	supplier *models.Supplier
	sandbox  *sandbox.Supplier
	info     sandbox.Info
	variants []int64
}

// startSandbox runs a sandbox supplier on loopback for the test.
func startSandbox(t *testing.T, code string, skus int, faults sandbox.Faults) *sandbox.Supplier {
	t.Helper()
	s, err := sandbox.New(sandbox.Config{Code: code, Seed: 7, SKUs: skus, HTTPAddr: ":0", SFTPAddr: ":0", FTPAddr: ":0", Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newStore creates variants for the sandbox's SKUs and a supplier of the
// given kind connected to it, with an offer per SKU (quantity 1, seen a day ago).
func newStore(t *testing.T, sb *sandbox.Supplier, kind string, conn models.Connection, secrets map[string]string) *store {
	t.Helper()
	db := dbtest.New(t)
	ctx := context.Background()
	box, err := models.NewSecretBox(testKey)
	if err != nil {
		t.Fatal(err)
	}
	info := sb.Info()
	code := strings.ToUpper(info.Code)
	sup, err := models.CreateSupplier(ctx, db, box, nil, models.SupplierInput{Code: code, Name: code + " Sandbox",
		ConnectionKind: kind, Connection: conn, Secrets: secrets, HandlingDays: 1, ShipsFromCountry: "US", Currency: "USD",
		FeedGuardPct: 50, MissingSKUPolicy: "zero", AllowedLagMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	p, err := models.CreateProduct(ctx, db, nil, models.ProductInput{Title: "Sandbox goods", OptionNames: []string{"N"}})
	if err != nil {
		t.Fatal(err)
	}
	st := &store{db: db, supplier: sup, sandbox: sb, info: info}
	for _, it := range sb.Catalog().Snapshot().Items {
		v, err := models.CreateVariant(ctx, db, nil, p.ID, models.VariantInput{SKU: "V-" + it.SKU, PriceCents: 1000, Currency: "USD",
			Options: models.Options{"N": it.SKU}})
		if err != nil {
			t.Fatal(err)
		}
		st.variants = append(st.variants, v.ID)
		if _, err := models.CreateOffer(ctx, db, nil, models.OfferInput{SupplierID: sup.ID, VariantID: v.ID, SupplierSKU: it.SKU,
			ReportedQuantity: 1, UnitCostCents: 100, MinQuantity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec("UPDATE offers SET observed_at = now() - interval '1 day'").Error; err != nil {
		t.Fatal(err)
	}
	st.inv = NewInventory(db, box, testLogger(t), nil)
	st.inv.RESTOptions = rest.Options{Backoff: 10 * time.Millisecond}
	t.Cleanup(st.inv.Close)
	return st
}

// hostPort splits a sandbox address for a supplier connection.
func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// sandboxCSV maps the sandbox's CSV header.
func sandboxCSV() *feed.Mapping {
	return &feed.Mapping{Format: feed.FormatCSV, HeaderRow: true, Fields: feed.Fields{SKU: "sku", Quantity: "quantity", Cost: "cost",
		Currency: "currency", LeadTimeDays: "lead_time_days", Discontinued: "discontinued", Barcode: "barcode", Title: "title"}}
}

func (st *store) setMapping(t *testing.T, f *feed.Mapping, r *models.RESTMapping) {
	t.Helper()
	s, err := models.SetSupplierMapping(context.Background(), st.db, nil, st.supplier.ID, f, r)
	if err != nil {
		t.Fatal(err)
	}
	st.supplier = s
}

// sync runs one sync and fails the test when it errs.
func (st *store) sync(t *testing.T) *models.SyncRun {
	t.Helper()
	run, err := st.inv.SyncSupplier(context.Background(), st.supplier.ID, models.TriggerManual, nil)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return run
}

// assertMatchesSandbox checks every offer holds the sandbox's current quantity (0 when discontinued).
func (st *store) assertMatchesSandbox(t *testing.T) {
	t.Helper()
	want := map[string]int64{}
	for _, it := range st.sandbox.Catalog().Snapshot().Items {
		q := it.Quantity
		if it.Discontinued {
			q = 0
		}
		want[it.SKU] = q
	}
	type row struct {
		SupplierSKU      string `gorm:"column:supplier_sku"`
		ReportedQuantity int64
	}
	var rows []row
	st.db.Raw("SELECT supplier_sku, reported_quantity FROM offers WHERE supplier_id = ?", st.supplier.ID).Scan(&rows)
	bad := 0
	for _, r := range rows {
		if want[r.SupplierSKU] != r.ReportedQuantity {
			if bad < 3 {
				t.Errorf("%s: offer says %d, the sandbox %d", r.SupplierSKU, r.ReportedQuantity, want[r.SupplierSKU])
			}
			bad++
		}
	}
	if bad > 0 || len(rows) != len(want) {
		t.Errorf("%d of %d offers differ from the sandbox", bad, len(rows))
	}
}

func TestSyncRESTSupplier(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "acme", 230, sandbox.Faults{})
	in := sb.Info()
	st := newStore(t, sb, models.KindREST, models.Connection{URL: in.RESTURL, AuthType: models.AuthBearer},
		map[string]string{models.SecretToken: in.Token})
	for _, kind := range []string{rest.PageCursor, rest.PageNumber, rest.PageLink} {
		cfg := in.RESTConfig(kind)
		st.setMapping(t, nil, &models.RESTMapping{Pagination: cfg.Pagination, ItemsPath: cfg.ItemsPath, Fields: cfg.Fields})
		if _, err := sb.SetQuantity("ACME-000005", int64(len(kind))+40); err != nil {
			t.Fatal(err)
		}
		run := st.sync(t)
		if run.Status != models.SyncSucceeded || run.Source != models.SourceREST || run.RowsRead != 230 {
			t.Fatalf("%s: run %s (%s), read %d", kind, run.Status, run.Error, run.RowsRead)
		}
		st.assertMatchesSandbox(t)
	}
	// The cost came through in minor units.
	var cost int64
	st.db.Raw("SELECT unit_cost_cents FROM offers WHERE supplier_sku = 'ACME-000001'").Scan(&cost)
	if want := sb.Catalog().Snapshot().Items[0].CostCents; cost != want {
		t.Errorf("cost %d, want %d", cost, want)
	}
	// A wrong token: the run fails with the API's answer and nothing changes.
	box, _ := models.NewSecretBox(testKey)
	if _, err := models.UpdateSupplier(context.Background(), st.db, box, nil, st.supplier.ID, supplierInput(st.supplier,
		map[string]string{models.SecretToken: "wrong"})); err != nil {
		t.Fatal(err)
	}
	sb.SetQuantity("ACME-000001", 3)
	run, err := st.inv.SyncSupplier(context.Background(), st.supplier.ID, models.TriggerManual, nil)
	if err == nil || run.Status != models.SyncFailed || !strings.Contains(run.Error, "401") {
		t.Errorf("wrong token: run %+v, err %v", run, err)
	}
}

// supplierInput is what UpdateSupplier needs to keep a supplier as it is, with new secrets.
func supplierInput(s *models.Supplier, secrets map[string]string) models.SupplierInput {
	return models.SupplierInput{Code: s.Code, Name: s.Name, Status: s.Status, ConnectionKind: s.ConnectionKind,
		Connection: s.Connection, Secrets: secrets, Schedule: s.Schedule, HandlingDays: s.HandlingDays,
		ShipsFromCountry: s.ShipsFromCountry, Currency: s.Currency, SafetyBuffer: s.SafetyBuffer, FeedGuardPct: s.FeedGuardPct,
		MissingSKUPolicy: s.MissingSKUPolicy, AllowedLagMinutes: s.AllowedLagMinutes}
}

func TestSyncCSVOverHTTPWithETag(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "bolt", 120, sandbox.Faults{})
	st := newStore(t, sb, models.KindFeedHTTP, models.Connection{URL: sb.Info().CSVURL, AuthType: models.AuthNone}, nil)
	st.setMapping(t, sandboxCSV(), nil)
	first := st.sync(t)
	if first.Status != models.SyncSucceeded || first.RowsRead != 120 || first.BytesTotal == 0 || first.BytesRead != first.BytesTotal {
		t.Fatalf("first: %s (%s) read %d rows, %d of %d bytes", first.Status, first.Error, first.RowsRead, first.BytesRead, first.BytesTotal)
	}
	st.assertMatchesSandbox(t)
	// Unchanged: one conditional request, nothing read.
	if again := st.sync(t); again.Status != models.SyncNotModified {
		t.Errorf("unchanged feed: %s, want not_modified", again.Status)
	}
	sb.SetQuantity("BOLT-000010", 777)
	changed := st.sync(t)
	if changed.Status != models.SyncSucceeded || changed.RowsChanged != 1 {
		t.Errorf("after one change: %s, changed %d", changed.Status, changed.RowsChanged)
	}
	st.assertMatchesSandbox(t)
}

func TestSyncXMLOverHTTP(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "crane", 80, sandbox.Faults{})
	st := newStore(t, sb, models.KindFeedHTTP, models.Connection{URL: sb.Info().XMLURL, AuthType: models.AuthNone}, nil)
	st.setMapping(t, &feed.Mapping{Format: feed.FormatXML, ItemPath: "inventory/item", Fields: feed.Fields{SKU: "sku", Quantity: "quantity",
		Cost: "cost", Currency: "cost/@currency", LeadTimeDays: "lead_time_days", Discontinued: "discontinued", Title: "title", Barcode: "barcode"}}, nil)
	if run := st.sync(t); run.Status != models.SyncSucceeded || run.RowsRead != 80 {
		t.Fatalf("run %s (%s), read %d", run.Status, run.Error, run.RowsRead)
	}
	st.assertMatchesSandbox(t)
}

func TestSyncCSVOverSFTPPinsHostKey(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "delta", 60, sandbox.Faults{})
	in := sb.Info()
	host, port := hostPort(t, in.SFTPAddr)
	st := newStore(t, sb, models.KindFeedSFTP, models.Connection{Host: host, Port: port, Username: in.User, AuthType: models.AuthPassword,
		Path: "/", FilePattern: "stock_*.csv"}, map[string]string{models.SecretPassword: in.Password})
	st.setMapping(t, sandboxCSV(), nil)
	if run := st.sync(t); run.Status != models.SyncSucceeded || run.RowsRead != 60 {
		t.Fatalf("run %s (%s)", run.Status, run.Error)
	}
	st.assertMatchesSandbox(t)
	sup, _ := models.GetSupplier(context.Background(), st.db, st.supplier.ID)
	if sup.Connection.HostKey != in.SFTPHostKey {
		t.Fatalf("pinned host key %q, want the sandbox's %q", sup.Connection.HostKey, in.SFTPHostKey)
	}
	// The same newest file: not downloaded again.
	if run := st.sync(t); run.Status != models.SyncNotModified {
		t.Errorf("unchanged file: %s", run.Status)
	}
	// Another server answering with another key: refused, nothing changes.
	st.db.Exec(`UPDATE suppliers SET connection = jsonb_set(connection, '{host_key}', '"SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"') WHERE id = ?`, st.supplier.ID)
	time.Sleep(1100 * time.Millisecond) // a newer dated file
	sb.SetQuantity("DELTA-000001", 999)
	run, err := st.inv.SyncSupplier(context.Background(), st.supplier.ID, models.TriggerManual, nil)
	if err == nil || run.Status != models.SyncFailed || !strings.Contains(strings.ToLower(run.Error), "host key") {
		t.Errorf("host key mismatch: %+v %v", run, err)
	}
	var q int64
	st.db.Raw("SELECT reported_quantity FROM offers WHERE supplier_sku = 'DELTA-000001'").Scan(&q)
	if q == 999 {
		t.Error("a feed from a server with the wrong host key was applied")
	}
}

func TestSyncCSVOverFTP(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "echo", 50, sandbox.Faults{})
	in := sb.Info()
	host, port := hostPort(t, in.FTPAddr)
	st := newStore(t, sb, models.KindFeedFTP, models.Connection{Host: host, Port: port, Username: in.User, AuthType: models.AuthPassword,
		Path: "/stock.csv"}, map[string]string{models.SecretPassword: in.Password})
	st.setMapping(t, sandboxCSV(), nil)
	if run := st.sync(t); run.Status != models.SyncSucceeded || run.RowsRead != 50 {
		t.Fatalf("run %s (%s)", run.Status, run.Error)
	}
	st.assertMatchesSandbox(t)
}

func TestSyncX12846OverSFTP(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "fox", 70, sandbox.Faults{})
	in := sb.Info()
	host, port := hostPort(t, in.SFTPAddr)
	st := newStore(t, sb, models.KindX12SFTP, models.Connection{Host: host, Port: port, Username: in.User, AuthType: models.AuthPassword,
		Path: "/846/", OutboundPath: "/inbound"}, map[string]string{models.SecretPassword: in.Password})
	time.Sleep(1100 * time.Millisecond)
	sb.SetQuantity("FOX-000003", 123) // a second 846 file, the newest
	run := st.sync(t)
	if run.Status != models.SyncSucceeded || run.Source != models.SourceX12 || run.RowsRead != 70 {
		t.Fatalf("run %s (%s), read %d", run.Status, run.Error, run.RowsRead)
	}
	// An 846 carries quantities, not the discontinued flag: compare quantities as sent.
	for _, it := range sb.Catalog().Snapshot().Items {
		var q int64
		st.db.Raw("SELECT reported_quantity FROM offers WHERE supplier_sku = ?", it.SKU).Scan(&q)
		if q != it.Quantity {
			t.Fatalf("%s: %d, want %d", it.SKU, q, it.Quantity)
		}
	}
}

func TestSyncFaultyFeedsChangeNothing(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		faults sandbox.Faults
	}{
		{"truncated", sandbox.Faults{Truncate: true}},
		{"garbled", sandbox.Faults{Garble: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sb := startSandbox(t, "golf", 300, c.faults)
			st := newStore(t, sb, models.KindFeedHTTP, models.Connection{URL: sb.Info().CSVURL, AuthType: models.AuthNone}, nil)
			st.setMapping(t, sandboxCSV(), nil)
			run, err := st.inv.SyncSupplier(context.Background(), st.supplier.ID, models.TriggerManual, nil)
			t.Logf("%s feed: %s (%s), %d rejected, first errors %v", c.name, run.Status, run.Error, run.RowsRejected, run.FirstErrors)
			switch {
			case err != nil:
				if run.Status != models.SyncFailed || run.Error == "" {
					t.Errorf("run %s %q, want failed with a reason", run.Status, run.Error)
				}
				var changed int64
				st.db.Raw("SELECT count(*) FROM offers WHERE reported_quantity <> 1").Scan(&changed)
				if changed != 0 {
					t.Errorf("a failed sync changed %d offers", changed)
				}
			case run.Status == models.SyncSucceeded:
				// Rows the parser could still read are applied, the broken ones reported by line.
				if run.RowsRejected == 0 || len(run.FirstErrors) == 0 || run.FirstErrors[0].Line == 0 {
					t.Errorf("a %s feed applied with no rejected rows reported: %+v", c.name, run)
				}
			default:
				t.Errorf("%s feed: %s, want failed or applied with rejected rows", c.name, run.Status)
			}
		})
	}
}

func TestSyncRefusesOversizedFeed(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "hotel", 400, sandbox.Faults{})
	st := newStore(t, sb, models.KindFeedHTTP, models.Connection{URL: sb.Info().CSVURL, AuthType: models.AuthNone}, nil)
	st.setMapping(t, sandboxCSV(), nil)
	st.inv.MaxFeedBytes = 4 << 10
	run, err := st.inv.SyncSupplier(context.Background(), st.supplier.ID, models.TriggerManual, nil)
	if err == nil || !strings.Contains(run.Error, "larger than") {
		t.Errorf("oversized feed: %+v %v", run, err)
	}
}

func TestTestConnectionAndPreview(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "india", 40, sandbox.Faults{})
	in := sb.Info()
	host, port := hostPort(t, in.SFTPAddr)
	st := newStore(t, sb, models.KindFeedSFTP, models.Connection{Host: host, Port: port, Username: in.User, AuthType: models.AuthPassword,
		Path: "/stock.csv"}, map[string]string{models.SecretPassword: in.Password})
	ctx := context.Background()
	p, err := st.inv.TestConnection(ctx, st.supplier)
	if err != nil {
		t.Fatal(err)
	}
	if p.HostKey != in.SFTPHostKey || len(p.FirstLines) == 0 || !strings.HasPrefix(p.FirstLines[0], "sku,") {
		t.Errorf("probe %+v", p)
	}
	prev, err := st.inv.PreviewFeed(ctx, st.supplier, *sandboxCSV(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(prev.Rows) != PreviewRows || prev.Rows[0].Record.SKU != "INDIA-000001" || !prev.More {
		t.Errorf("preview %+v", prev)
	}
	// A mapping naming a column the file lacks: the preview says which.
	bad := *sandboxCSV()
	bad.Fields.Quantity = "stock"
	if _, err := st.inv.PreviewFeed(ctx, st.supplier, bad, nil, ""); err == nil || !strings.Contains(err.Error(), "stock") {
		t.Errorf("bad mapping preview: %v", err)
	}
}

func TestReloadFollowsSchedules(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "juliet", 20, sandbox.Faults{})
	st := newStore(t, sb, models.KindFeedHTTP, models.Connection{URL: sb.Info().CSVURL, AuthType: models.AuthNone}, nil)
	st.setMapping(t, sandboxCSV(), nil)
	sched, err := NewScheduler(st.db, testLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	st.inv.sched = sched
	ctx := context.Background()
	has := func(name string) bool {
		for _, n := range sched.Scheduled() {
			if n == name {
				return true
			}
		}
		return false
	}
	st.db.Exec("UPDATE suppliers SET schedule = '1m' WHERE id = ?", st.supplier.ID)
	if _, err := st.inv.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if !has("sync:JULIET") {
		t.Fatalf("scheduled %v, want sync:JULIET", sched.Scheduled())
	}
	// The job runs at start (interval schedules) and records a job run and a sync run.
	sched.Start()
	defer sched.Shutdown(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int64
		st.db.Raw("SELECT count(*) FROM job_runs WHERE job = 'sync:JULIET' AND outcome = 'succeeded'").Scan(&n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduled sync did not run")
		}
		time.Sleep(100 * time.Millisecond)
	}
	st.db.Exec("UPDATE suppliers SET schedule = '*/5 * * * *' WHERE id = ?", st.supplier.ID)
	if sum, _ := st.inv.Reload(ctx); !strings.Contains(sum, "1 rescheduled") {
		t.Errorf("reload after a schedule change: %q", sum)
	}
	st.db.Exec("UPDATE suppliers SET schedule = '' WHERE id = ?", st.supplier.ID)
	if sum, _ := st.inv.Reload(ctx); !strings.Contains(sum, "1 removed") || has("sync:JULIET") {
		t.Errorf("reload after clearing the schedule: %q, scheduled %v", sum, sched.Scheduled())
	}
}

func TestSyncNowRunsInBackgroundOncePerSupplier(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, "kilo", 30, sandbox.Faults{Latency: 300 * time.Millisecond})
	st := newStore(t, sb, models.KindFeedHTTP, models.Connection{URL: sb.Info().CSVURL, AuthType: models.AuthNone}, nil)
	st.setMapping(t, sandboxCSV(), nil)
	if err := st.inv.SyncNow(st.supplier.ID, nil); err != nil {
		t.Fatal(err)
	}
	// While it runs, a second request is told a sync is running.
	deadline := time.Now().Add(5 * time.Second)
	for {
		busy, _ := models.SyncInFlight(context.Background(), st.db, st.supplier.ID)
		if busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no run in flight")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := st.inv.SyncNow(st.supplier.ID, nil); !errors.Is(err, models.ErrSyncBusy) {
		t.Errorf("second Sync now: %v, want ErrSyncBusy", err)
	}
	st.inv.Wait()
	runs, _ := models.ListSyncRuns(context.Background(), st.db, models.SyncRunFilter{SupplierID: st.supplier.ID})
	if len(runs) != 1 || runs[0].Status != models.SyncSucceeded {
		t.Errorf("runs %v", fmt.Sprint(len(runs)))
	}
}
