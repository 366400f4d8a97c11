package models_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"dropship/integrations/suppliers/feed"
	"dropship/models"
)

// syncChildEnv, when set, makes the test binary a child process that runs
// one sync (described by the JSON in it) and prints what it measured: the
// crash test kills it mid-sync, the benchmarks read its peak memory.
const syncChildEnv = "DROPSHIP_SYNC_CHILD"

func TestMain(m *testing.M) {
	if cfg := os.Getenv(syncChildEnv); cfg != "" {
		os.Exit(runSyncChild(cfg))
	}
	os.Exit(m.Run())
}

// childSync is what a child process is asked to sync.
type childSync struct {
	DatabaseURL string `json:"database_url"`
	SupplierID  int64  `json:"supplier_id"`
	Feed        string `json:"feed"`            // a CSV file with header sku,quantity,cost,currency,lead_time_days[,barcode,title]
	Extra       bool   `json:"extra,omitempty"` // the feed has the barcode and title columns
	// PauseEvery and Pause slow the reading down (a pause after every PauseEvery bytes).
	PauseEvery int           `json:"pause_every,omitempty"`
	Pause      time.Duration `json:"pause,omitempty"`
}

// childResult is what the child prints on its last line.
type childResult struct {
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
	Rows      int64  `json:"rows"`
	Changed   int64  `json:"changed"`
	Unmapped  int64  `json:"unmapped"`
	ElapsedNS int64  `json:"elapsed_ns"`
	VmHWMKB   int64  `json:"vmhwm_kb"`
}

// benchMapping reads the generated feeds.
var benchMapping = feed.Mapping{Format: feed.FormatCSV, HeaderRow: true, Fields: feed.Fields{SKU: "sku", Quantity: "quantity",
	Cost: "cost", Currency: "currency", LeadTimeDays: "lead_time_days"}}

func runSyncChild(raw string) int {
	var cfg childSync
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	db, err := models.Open(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f, err := os.Open(cfg.Feed)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 64<<10)
	if cfg.PauseEvery > 0 {
		r = &pausingReader{r: r, every: cfg.PauseEvery, pause: cfg.Pause}
	}
	fmt.Println("started") // the parent waits for this before it looks for the run
	start := time.Now()
	var run *models.SyncRun
	err = models.WithSupplierSyncLock(ctx, db, cfg.SupplierID, func(l *models.SyncLock) error {
		var err error
		if run, err = models.StartSyncRun(ctx, db, cfg.SupplierID, models.SourceFeed, models.TriggerManual, nil, "child"); err != nil {
			return err
		}
		m := benchMapping
		if cfg.Extra {
			m.Fields.Barcode, m.Fields.Title = "barcode", "title"
		}
		records, err := feed.Open(r, cfg.Feed, m)
		if err != nil {
			return err
		}
		return l.ApplySnapshot(ctx, run, models.Snapshot{Source: models.SourceFeed, Records: records, Name: "bench.csv", At: time.Now(), Full: true})
	})
	res := childResult{ElapsedNS: time.Since(start).Nanoseconds(), VmHWMKB: vmHWM()}
	if run != nil {
		res.Status, res.Rows, res.Changed, res.Unmapped = run.Status, run.RowsRead, run.RowsChanged, run.RowsUnmapped
	}
	if err != nil {
		res.Error = err.Error()
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}

// vmHWM is the process's peak resident set size in kB, as Linux counts it.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

type pausingReader struct {
	r     io.Reader
	every int
	pause time.Duration
	n     int
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if len(b) > p.every {
		b = b[:p.every]
	}
	n, err := p.r.Read(b)
	p.n += n
	if p.n >= p.every {
		p.n = 0
		time.Sleep(p.pause)
	}
	return n, err
}

// startSyncChild runs a child process syncing cfg; the caller waits or kills it.
func startSyncChild(t testing.TB, cfg childSync) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), syncChildEnv+"="+string(raw))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// runSyncChildToEnd runs a child sync and returns what it measured.
func runSyncChildToEnd(t testing.TB, cfg childSync) childResult {
	t.Helper()
	cmd, out := startSyncChild(t, cfg)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res childResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("child output: %v\n%s", err, out)
	}
	return res
}

// seedBulkSupplier creates a supplier BULK with n offers S0000001.. on n new
// variants, each with quantity i % 97, observed a day ago, in a few
// set-based statements.
func seedBulkSupplier(t testing.TB, db *gorm.DB, n int) int64 {
	t.Helper()
	ctx := context.Background()
	box, _ := models.NewSecretBox(testKey)
	sup, err := models.CreateSupplier(ctx, db, box, nil, models.SupplierInput{Code: "BULK", Name: "Bulk", ConnectionKind: models.KindEmail,
		Connection: models.Connection{Email: "po@bulk.example"}, HandlingDays: 1, ShipsFromCountry: "US", Currency: "USD",
		FeedGuardPct: 50, AllowedLagMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	var productID int64
	stmts := []struct {
		q    string
		args []any
	}{
		{"INSERT INTO products (handle, title) VALUES ('bulk', 'Bulk goods') RETURNING id", nil},
		{`INSERT INTO variants (product_id, sku, options, price_cents)
			SELECT ?, 'V' || lpad(g::text, 7, '0'), jsonb_build_object('n', g), 1000 FROM generate_series(1, ?) g`, []any{&productID, n}},
		{`INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity, unit_cost_cents, currency, lead_time_days, observed_at, created_at)
			SELECT ?, v.id, 'S' || substr(v.sku, 2), substr(v.sku, 2)::int % 97, 500, 'USD', 3, now() - interval '1 day', now() - interval '40 days'
			FROM variants v WHERE v.product_id = ?`, []any{sup.ID, &productID}},
		{"ANALYZE offers, variants, variant_stock", nil},
	}
	for i, s := range stmts {
		args := make([]any, len(s.args))
		for j, a := range s.args {
			if p, ok := a.(*int64); ok {
				a = *p
			}
			args[j] = a
		}
		if i == 0 {
			if err := db.Raw(s.q).Scan(&productID).Error; err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := db.Exec(s.q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	return sup.ID
}

// writeBulkFeed writes a feed of n SKUs S0000001..: every odd one keeps its
// quantity (i % 97), every even one changes; with extra, a barcode and title
// per row make it a larger file.
func writeBulkFeed(t testing.TB, path string, n int, extra bool) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if extra {
		w.WriteString("sku,quantity,cost,currency,lead_time_days,barcode,title\n")
	} else {
		w.WriteString("sku,quantity,cost,currency,lead_time_days\n")
	}
	buf := make([]byte, 0, 128)
	for i := 1; i <= n; i++ {
		q := i % 97
		if i%2 == 0 {
			q++
		}
		buf = buf[:0]
		buf = fmt.Appendf(buf, "S%07d,%d,5.00,USD,3", i, q)
		if extra {
			buf = fmt.Appendf(buf, ",0%011d,Bulk item %07d", i, i)
		}
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
