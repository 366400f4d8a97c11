package models_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dropship/models"
	"dropship/models/dbtest"
)

// TestSyncKilledMidwayLeavesStockIntact kills (SIGKILL) a process in the
// middle of a sync, while it streams the feed and while its apply statement
// runs: the stock stays as it was, nothing of the feed is kept, and the next
// run takes the lock, closes the dead run and applies the feed.
func TestSyncKilledMidwayLeavesStockIntact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		pause bool
		// ready says when to kill, from what the database shows.
		ready string
	}{
		{"while reading", true, `SELECT count(*) FROM sync_runs WHERE status = 'running' AND rows_read > 0`},
		{"while applying", false, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
			AND query LIKE 'WITH upd AS (%'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			url := dbtest.NewURL(t)
			db := dbtest.Open(t, url)
			const n = 120000
			sup := seedBulkSupplier(t, db, n)
			before := count(t, db, "SELECT sum(reported_quantity * (id % 1000)) FROM offers")
			feed := filepath.Join(t.TempDir(), "feed.csv")
			writeBulkFeed(t, feed, n, false)
			cfg := childSync{DatabaseURL: url, SupplierID: sup, Feed: feed}
			if c.pause {
				cfg.PauseEvery, cfg.Pause = 32<<10, 20*time.Millisecond
			}
			cmd, out := startSyncChild(t, cfg)
			deadline := time.Now().Add(60 * time.Second)
			for count(t, db, c.ready) == 0 {
				if time.Now().After(deadline) || cmd.ProcessState != nil {
					cmd.Process.Kill()
					t.Fatalf("the child never got there\n%s", out)
				}
				time.Sleep(2 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred cleanup, no rollback from the client
				t.Fatal(err)
			}
			cmd.Wait()
			if strings.Contains(out.String(), `"status":"succeeded"`) {
				t.Fatalf("the child finished before it was killed:\n%s", out)
			}

			// The next run waits for the dead backend to give up its lock, then succeeds.
			var run *models.SyncRun
			for {
				var err error
				run, err = applyFeed(t, db, sup, "feed.csv", mustRead(t, feed), benchMapping, time.Now())
				if err == nil {
					break
				}
				if !errors.Is(err, models.ErrSyncBusy) || time.Now().After(deadline) {
					t.Fatalf("next run: %v", err)
				}
				// Until then the stock must be as it was.
				if got := count(t, db, "SELECT sum(reported_quantity * (id % 1000)) FROM offers"); got != before {
					t.Fatalf("while the killed run's backend winds down, the offers changed")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if run.Status != models.SyncSucceeded || run.RowsChanged != n/2 {
				t.Fatalf("next run: %s, %d changed (want %d)", run.Status, run.RowsChanged, n/2)
			}
			// What the killed run left: a closed run, and no history or unmapped rows of its own.
			dead := count(t, db, "SELECT count(*) FROM sync_runs WHERE status = 'failed' AND error LIKE '%stopped before it finished%'")
			if dead != 1 {
				t.Errorf("%d dead runs closed, want 1", dead)
			}
			if h := count(t, db, "SELECT count(*) FROM stock_history"); h != n/2 {
				t.Errorf("%d history rows, want %d (the second run's only)", h, n/2)
			}
			if got := count(t, db, "SELECT sum(reported_quantity) FROM offers WHERE supplier_sku = 'S0000002'"); got != 3 {
				t.Errorf("S0000002 quantity %d, want 3 from the feed", got)
			}
			assertPoolConsistent(t, db)
		})
	}
}
