package models_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dropship/models/dbtest"
)

// BenchmarkSyncFeed applies a 1,000,000-row CSV feed (half the rows
// changed) to a supplier with 1,000,000 offers through the sync engine, in a
// child process whose peak memory (VmHWM) is read, and times the raw way on
// the same database and file: a COPY of the file plus one INSERT ... ON
// CONFLICT DO UPDATE, into the offers (the pool triggers fire) and into a
// plain keyed table. Then a 5,000,000-row feed of about 250 MB (4,000,000 SKUs
// unmapped) goes through a child the same way, for its peak memory.
//
// Metrics: sync-1M-s, copy+upsert-offers-s, copy+upsert-table-s, the ratios
// x-offers and x-table, peak-1M-MB; sync-5M-s, feed-5M-MB, peak-5M-MB.
func BenchmarkSyncFeed(b *testing.B) {
	const n = 1_000_000
	url := dbtest.NewURL(b)
	db := dbtest.Open(b, url)
	// Trigram search indexes on titles and SKUs: the sync never touches
	// them; dropped so that seeding a million variants takes a minute less.
	for _, q := range []string{"DROP INDEX variants_sku_trgm", "DROP INDEX products_title_trgm"} {
		if err := db.Exec(q).Error; err != nil {
			b.Fatal(err)
		}
	}
	sup := seedBulkSupplier(b, db, n)
	dir := b.TempDir()
	feed1M := filepath.Join(dir, "feed-1m.csv")
	writeBulkFeed(b, feed1M, n, false)
	if err := db.Exec(`CREATE TABLE bench_stock (sku TEXT PRIMARY KEY, quantity BIGINT NOT NULL, cost_cents BIGINT,
		currency TEXT, lead_time_days INTEGER)`).Error; err != nil {
		b.Fatal(err)
	}
	reset := func() {
		for _, q := range []string{
			`UPDATE offers SET reported_quantity = substr(supplier_sku, 2)::int % 97, observed_at = now() - interval '1 day'
			 WHERE supplier_id = ` + itoa(sup) + ` AND (reported_quantity <> substr(supplier_sku, 2)::int % 97 OR observed_at > now() - interval '1 hour')`,
			`TRUNCATE bench_stock`,
			`INSERT INTO bench_stock SELECT supplier_sku, reported_quantity, unit_cost_cents, currency, lead_time_days FROM offers WHERE supplier_id = ` + itoa(sup),
			`TRUNCATE stock_history, unmapped_supplier_skus, low_stock_alerts, notifications`,
			`DELETE FROM supplier_sync_state`,
			`VACUUM ANALYZE offers`, `VACUUM ANALYZE variant_stock`, `VACUUM ANALYZE bench_stock`,
		} {
			if err := db.Exec(q).Error; err != nil {
				b.Fatal(err)
			}
		}
	}
	var syncT, offersT, tableT time.Duration
	var peak1M int64
	for b.Loop() {
		reset()
		offersT = rawUpsert(b, url, feed1M, `INSERT INTO offers (supplier_id, variant_id, supplier_sku, reported_quantity, unit_cost_cents,
				currency, lead_time_days)
			SELECT `+itoa(sup)+`, 0, sku, quantity, (cost * 100)::bigint, currency, lead_time_days FROM bench_stage
			ON CONFLICT (supplier_id, supplier_sku) DO UPDATE SET reported_quantity = EXCLUDED.reported_quantity,
				unit_cost_cents = EXCLUDED.unit_cost_cents, currency = EXCLUDED.currency,
				lead_time_days = EXCLUDED.lead_time_days, observed_at = now(), updated_at = now()`)
		tableT = rawUpsert(b, url, feed1M, `INSERT INTO bench_stock SELECT sku, quantity, (cost * 100)::bigint, currency, lead_time_days
			FROM bench_stage
			ON CONFLICT (sku) DO UPDATE SET quantity = EXCLUDED.quantity, cost_cents = EXCLUDED.cost_cents,
				currency = EXCLUDED.currency, lead_time_days = EXCLUDED.lead_time_days`)
		reset()
		res := runSyncChildToEnd(b, childSync{DatabaseURL: url, SupplierID: sup, Feed: feed1M})
		if res.Status != "succeeded" || res.Rows != n || res.Changed != n/2 {
			b.Fatalf("1M sync: %+v", res)
		}
		syncT, peak1M = time.Duration(res.ElapsedNS), res.VmHWMKB
	}
	b.ReportMetric(syncT.Seconds(), "sync-1M-s")
	b.ReportMetric(offersT.Seconds(), "copy+upsert-offers-s")
	b.ReportMetric(tableT.Seconds(), "copy+upsert-table-s")
	b.ReportMetric(syncT.Seconds()/offersT.Seconds(), "x-offers")
	b.ReportMetric(syncT.Seconds()/tableT.Seconds(), "x-table")
	b.ReportMetric(float64(peak1M)/1024, "peak-1M-MB")

	feed5M := filepath.Join(dir, "feed-5m.csv")
	size := writeBulkFeed(b, feed5M, 5*n, true)
	os.Remove(feed1M)
	res := runSyncChildToEnd(b, childSync{DatabaseURL: url, SupplierID: sup, Feed: feed5M, Extra: true})
	if res.Status != "succeeded" || res.Rows != 5*n || res.Unmapped != 4*n {
		b.Fatalf("5M sync: %+v", res)
	}
	b.ReportMetric(time.Duration(res.ElapsedNS).Seconds(), "sync-5M-s")
	b.ReportMetric(float64(size)/(1<<20), "feed-5M-MB")
	b.ReportMetric(float64(res.VmHWMKB)/1024, "peak-5M-MB")
}

// rawUpsert COPYs the CSV file as it is into a temporary table and runs
// upsert from it, in one transaction, and returns how long both took.
func rawUpsert(b *testing.B, url, path, upsert string) time.Duration {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	tx, err := conn.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE bench_stage (sku TEXT, quantity BIGINT, cost NUMERIC, currency TEXT,
		lead_time_days INTEGER) ON COMMIT DROP`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.PgConn().CopyFrom(ctx, f, "COPY bench_stage FROM STDIN WITH (FORMAT csv, HEADER true)"); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(ctx, upsert); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// BenchmarkSyncAfterSmallUpdate applies a 40,000-row feed (half changed) on
// a connection whose session first ran a one-offer update: the pool
// trigger's plans must not keep that first statement's one-row estimate
// (they did, and this took minutes; see 00005).
func BenchmarkSyncAfterSmallUpdate(b *testing.B) {
	const n = 40000
	url := dbtest.NewURL(b)
	db := dbtest.Open(b, url)
	sup := seedBulkSupplier(b, db, n)
	feed := filepath.Join(b.TempDir(), "feed.csv")
	writeBulkFeed(b, feed, n, false)
	one := dbtest.Open(b, url)
	sqlDB, _ := one.DB()
	body := mustRead(b, feed)
	var took time.Duration
	for b.Loop() {
		// One session runs the one-row update; it is the only idle connection when the sync pins one.
		sqlDB.SetMaxOpenConns(1)
		if err := one.Exec("UPDATE offers SET reported_quantity = reported_quantity + 1 WHERE supplier_sku = 'S0000001'").Error; err != nil {
			b.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(4)
		start := time.Now()
		run, err := applyFeed(b, one, sup, "feed.csv", body, benchMapping, time.Now())
		if err != nil || run.Status != "succeeded" {
			b.Fatalf("%v %+v", err, run)
		}
		took = time.Since(start)
	}
	b.ReportMetric(took.Seconds(), "sync-40k-s")
}
