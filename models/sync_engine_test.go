package models_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"dropship/integrations/suppliers/feed"
	"dropship/models"
	"dropship/models/dbtest"
)

// applyFeed runs one sync of the supplier from a feed file parsed with mapping.
func applyFeed(t testing.TB, db *gorm.DB, supplierID int64, name string, body []byte, mapping feed.Mapping, at time.Time) (*models.SyncRun, error) {
	t.Helper()
	ctx := context.Background()
	var run *models.SyncRun
	err := models.WithSupplierSyncLock(ctx, db, supplierID, func(l *models.SyncLock) error {
		var err error
		run, err = models.StartSyncRun(ctx, db, supplierID, models.SourceFeed, models.TriggerManual, nil, "test")
		if err != nil {
			return err
		}
		r, err := feed.Open(bytes.NewReader(body), name, mapping)
		if err != nil {
			return err
		}
		return l.ApplySnapshot(ctx, run, models.Snapshot{Source: models.SourceFeed, Records: r, Name: name, At: at, Full: true})
	})
	return run, err
}

// applyCSV runs one sync from a CSV feed whose header names its columns
// (sku, quantity and any of cost, currency).
func applyCSV(t testing.TB, db *gorm.DB, supplierID int64, csv string, at time.Time) (*models.SyncRun, error) {
	t.Helper()
	m := models.DefaultFeedMapping()
	header, _, _ := strings.Cut(csv, "\n")
	for _, col := range strings.Split(header, ",") {
		switch col {
		case "cost":
			m.Fields.Cost, m.Currency = "cost", "USD"
		case "currency":
			m.Fields.Currency = "currency"
		}
	}
	return applyFeed(t, db, supplierID, "stock.csv", []byte(csv), m, at)
}

// offerQty is the reported quantity of the supplier's SKU.
func offerQty(t testing.TB, db *gorm.DB, supplierID int64, sku string) int64 {
	t.Helper()
	var q int64
	if err := db.Raw("SELECT reported_quantity FROM offers WHERE supplier_id = ? AND supplier_sku = ?", supplierID, sku).Scan(&q).Error; err != nil {
		t.Fatal(err)
	}
	return q
}

func count(t testing.TB, db *gorm.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// assertPoolConsistent recomputes supply from the offers and compares it with what the triggers kept.
func assertPoolConsistent(t testing.TB, db *gorm.DB) {
	t.Helper()
	bad := count(t, db, `SELECT count(*) FROM variant_stock vs JOIN (
		SELECT v.id, COALESCE(sum(GREATEST(o.reported_quantity - s.safety_buffer, 0)) FILTER (WHERE o.active AND s.status = 'active'), 0) AS supply
		FROM variants v LEFT JOIN offers o ON o.variant_id = v.id LEFT JOIN suppliers s ON s.id = o.supplier_id GROUP BY v.id) x
		ON x.id = vs.variant_id WHERE x.supply <> vs.supply`)
	if bad > 0 {
		t.Errorf("%d variants have a pool supply that differs from their offers", bad)
	}
}

// newSyncShop is newShop with offers last observed a day ago, so that
// snapshots from the last hours are newer than what is stored.
func newSyncShop(t testing.TB, db *gorm.DB, stock ...int64) *shop {
	t.Helper()
	s := newShop(t, db, stock...)
	if err := db.Exec("UPDATE offers SET observed_at = now() - interval '1 day' WHERE supplier_id = ?", s.supplier.ID).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSyncAppliesFeedInOneGo(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newSyncShop(t, db, 10, 5, 7)
	at := time.Now().UTC()
	run, err := applyCSV(t, db, s.supplier.ID, "sku,quantity,cost\nX-0,12,4.50\nX-1,5,5.00\nNEW-1,3,2.00\n", at)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != models.SyncSucceeded {
		t.Fatalf("status %s (%s), want succeeded", run.Status, run.Error)
	}
	// X-0 changed quantity and cost, X-1 changed cost only (5.00 from 5.00? the offer said 5.00: unchanged), X-2 missing -> 0.
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 12 {
		t.Errorf("X-0 quantity %d, want 12", got)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-2"); got != 0 {
		t.Errorf("X-2 (missing from a full feed, policy zero) quantity %d, want 0", got)
	}
	if run.RowsRead != 3 || run.RowsChanged != 2 || run.RowsUnchanged != 1 || run.RowsUnmapped != 1 || run.RowsMissing != 1 {
		t.Errorf("counts read %d changed %d unchanged %d unmapped %d missing %d, want 3/2/1/1/1",
			run.RowsRead, run.RowsChanged, run.RowsUnchanged, run.RowsUnmapped, run.RowsMissing)
	}
	if run.UnitsBefore != 22 || run.UnitsAfter != 17 {
		t.Errorf("units %d -> %d, want 22 -> 17", run.UnitsBefore, run.UnitsAfter)
	}
	if got := available(t, db, s.variants[0].ID); got != 12 {
		t.Errorf("pool available %d, want 12", got)
	}
	if got := available(t, db, s.variants[2].ID); got != 0 {
		t.Errorf("pool available of the missing SKU %d, want 0", got)
	}
	// History: one row per quantity change (X-0 10->12, X-2 7->0), none for the cost-only or unchanged rows.
	if n := count(t, db, "SELECT count(*) FROM stock_history WHERE sync_run_id = ?", run.ID); n != 2 {
		t.Errorf("%d stock history rows, want 2", n)
	}
	if n := count(t, db, "SELECT count(*) FROM unmapped_supplier_skus WHERE supplier_id = ? AND supplier_sku = 'NEW-1' AND reported_quantity = 3", s.supplier.ID); n != 1 {
		t.Errorf("the unknown SKU is not in the unmapped queue")
	}
	assertPoolConsistent(t, db)

	// The same feed again changes nothing and writes no history.
	again, err := applyCSV(t, db, s.supplier.ID, "sku,quantity,cost\nX-0,12,4.50\nX-1,5,5.00\nNEW-1,3,2.00\n", at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if again.RowsChanged != 0 || again.RowsUnchanged != 2 {
		t.Errorf("second run changed %d, unchanged %d; want 0 and 2", again.RowsChanged, again.RowsUnchanged)
	}
	if n := count(t, db, "SELECT count(*) FROM stock_history WHERE sync_run_id = ?", again.ID); n != 0 {
		t.Errorf("an unchanged feed wrote %d history rows", n)
	}
	st, _ := models.GetSyncState(context.Background(), db, s.supplier.ID)
	if st.LastGoodSyncAt == nil || st.LastSKUCount == nil || *st.LastSKUCount != 3 {
		t.Errorf("sync state %+v: want a last good sync and 3 SKUs", st)
	}
}

func mustUser(t testing.TB, db *gorm.DB, role models.Role) *models.User {
	t.Helper()
	u, err := models.CreateUser(context.Background(), db, nil, models.NewUser{
		Email: fmt.Sprintf("%s-%d@example.com", role, time.Now().UnixNano()), Role: role, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSyncKeepPolicyLeavesMissingSKUs(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newSyncShop(t, db, 10, 8)
	if err := db.Exec("UPDATE suppliers SET missing_sku_policy = 'keep' WHERE id = ?", s.supplier.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,9\n", time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-1"); got != 8 {
		t.Errorf("X-1 quantity %d, want 8 kept", got)
	}
}

func TestSyncRejectsBadRowsAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newSyncShop(t, db, 10, 10, 10, 10)
	db.Exec("UPDATE suppliers SET feed_guard_pct = 100 WHERE id = ?", s.supplier.ID) // rejected rows of a full feed go to 0
	csv := "sku,quantity,currency\n" +
		"X-0,-4,USD\n" + // line 2: negative
		"X-1,lots,USD\n" + // line 3: not a number
		"X-2,3,USD\n" + // line 4: first of a duplicate
		"X-2,4,USD\n" + // line 5: the duplicate, wins
		"X-3,2,DOLLARS\n" + // line 6: not a currency
		",5,USD\n" + // line 7: no SKU
		"X-9,1,USD,extra\n" // line 8: wrong column count
	run, err := applyCSV(t, db, s.supplier.ID, csv, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != models.SyncSucceeded {
		t.Fatalf("status %s (%s)", run.Status, run.Error)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-2"); got != 4 {
		t.Errorf("duplicate SKU: quantity %d, want 4 (the last line wins)", got)
	}
	if run.RowsDuplicate != 1 {
		t.Errorf("duplicates %d, want 1", run.RowsDuplicate)
	}
	if run.RowsRejected < 5 {
		t.Errorf("rejected %d rows, want at least 5 (negative, not a number, bad currency, no SKU, wrong column count)", run.RowsRejected)
	}
	lines := map[int]string{}
	for _, p := range run.FirstErrors {
		lines[p.Line] = p.Reason
	}
	for _, l := range []int{2, 3, 6, 7, 8} {
		if lines[l] == "" {
			t.Errorf("no reason reported for line %d; reported %v", l, run.FirstErrors)
		}
	}
	if !strings.Contains(lines[4], "X-2") {
		t.Errorf("the duplicate is not reported with its lines: %v", run.FirstErrors)
	}
	// A rejected row of a full feed leaves its SKU missing: policy zero sets it to 0.
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 0 {
		t.Errorf("X-0 (negative quantity) %d, want 0 as missing", got)
	}
}

func TestSyncUnreadableFeedChangesNothing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newSyncShop(t, db, 10, 10)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("sku,quantity\nX-0,1\nX-1,2\n" + strings.Repeat("X-5,5\n", 5000)))
	zw.Close()
	truncated := gz.Bytes()[:gz.Len()/2]
	cases := []struct {
		name, file string
		body       []byte
		mapping    feed.Mapping
		want       string
	}{
		{"truncated gzip", "stock.csv.gz", truncated, models.DefaultFeedMapping(), "gzip"},
		{"wrong encoding", "stock.csv", []byte("sku,quantity,title\nX-0,1,Caf\xe9\n"), models.DefaultFeedMapping(), "UTF-8"},
		{"xml entity expansion", "stock.xml", []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><inventory><item><sku>X-0</sku><quantity>&lol2;</quantity></item></inventory>`),
			feed.Mapping{Format: feed.FormatXML, ItemPath: "inventory/item", Fields: feed.Fields{SKU: "sku", Quantity: "quantity"}}, "DTD"},
		{"line over 1 MB", "stock.csv", []byte("sku,quantity,title\nX-0,1," + strings.Repeat("a", feed.MaxLine+10) + "\n"), models.DefaultFeedMapping(), "long"},
	}
	for _, c := range cases {
		run, err := applyFeed(t, db, s.supplier.ID, c.file, c.body, c.mapping, time.Now())
		if err == nil {
			t.Errorf("%s: the sync succeeded", c.name)
			continue
		}
		if run == nil || run.Status != models.SyncFailed || !strings.Contains(strings.ToLower(run.Error), strings.ToLower(c.want)) {
			t.Errorf("%s: run %+v, want failed with a reason mentioning %q", c.name, run, c.want)
		}
		stored, _ := models.GetSyncRun(context.Background(), db, run.ID)
		if stored.Status != models.SyncFailed || stored.Error == "" {
			t.Errorf("%s: stored run %s %q", c.name, stored.Status, stored.Error)
		}
	}
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 10 {
		t.Errorf("X-0 quantity %d after failed syncs, want 10", got)
	}
	if n := count(t, db, "SELECT count(*) FROM unmapped_supplier_skus WHERE supplier_id = ?", s.supplier.ID); n != 0 {
		t.Errorf("failed syncs queued %d unmapped SKUs", n)
	}
	if n := count(t, db, "SELECT count(*) FROM stock_history"); n != 0 {
		t.Errorf("failed syncs wrote %d history rows", n)
	}
	st, _ := models.GetSyncState(context.Background(), db, s.supplier.ID)
	if st.Failures != len(cases) || st.LastGoodSyncAt != nil {
		t.Errorf("state failures %d (want %d), last good %v (want none)", st.Failures, len(cases), st.LastGoodSyncAt)
	}
}

func TestSyncGuardHoldsThenApproveOrReject(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 40, 40, 20)
	owner := mustUser(t, db, models.RoleOwner)
	if _, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,40\nX-1,40\nX-2,20\n", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// 100 units -> 5: more than the 50% guard.
	run, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,5\nX-1,0\nX-2,0\n", time.Now().Add(-30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != models.SyncHeld || !strings.Contains(run.Error, "guard") {
		t.Fatalf("status %s (%s), want held by the guard", run.Status, run.Error)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 40 {
		t.Errorf("a held feed changed X-0 to %d", got)
	}
	held, err := models.PendingHeldFeed(ctx, db, s.supplier.ID)
	if err != nil || held == nil {
		t.Fatalf("no pending held feed: %v", err)
	}
	diff := held.Diff()
	if diff.UnitsBefore != 100 || diff.UnitsAfter != 5 || len(diff.BiggestDrops) != 3 || diff.BiggestDrops[0].Old != 40 {
		t.Errorf("diff summary %+v", diff)
	}

	// Approve: applied as held, with an audit entry.
	var applied *models.SyncRun
	err = models.WithSupplierSyncLock(ctx, db, s.supplier.ID, func(l *models.SyncLock) error {
		applied, err = models.StartSyncRun(ctx, db, s.supplier.ID, models.SourceApproval, models.TriggerApproval, owner, "test")
		if err != nil {
			return err
		}
		return l.ApplyHeldFeed(ctx, applied, held.ID, owner, "supplier confirmed the stock-out")
	})
	if err != nil {
		t.Fatal(err)
	}
	if applied.Status != models.SyncSucceeded || offerQty(t, db, s.supplier.ID, "X-0") != 5 || offerQty(t, db, s.supplier.ID, "X-1") != 0 {
		t.Errorf("approved feed not applied: run %s, X-0 %d", applied.Status, offerQty(t, db, s.supplier.ID, "X-0"))
	}
	if n := count(t, db, "SELECT count(*) FROM audit_entries WHERE action = 'held_feed.approve'"); n != 1 {
		t.Errorf("%d approval audit entries, want 1", n)
	}
	if n := count(t, db, "SELECT count(*) FROM held_feed_rows"); n != 0 {
		t.Errorf("%d held rows left after the decision", n)
	}
	if _, err := models.RejectHeldFeed(ctx, db, owner, held.ID, "late"); !errors.Is(err, models.ErrInvalidTransition) {
		t.Errorf("rejecting a decided feed: %v, want ErrInvalidTransition", err)
	}

	// Back up, then a held feed rejected: nothing changes.
	if _, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,30\nX-1,30\nX-2,30\n", time.Now().Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	run, _ = applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,1\n", time.Now().Add(-5*time.Minute))
	if run.Status != models.SyncHeld {
		t.Fatalf("second shrink: status %s", run.Status)
	}
	held, _ = models.PendingHeldFeed(ctx, db, s.supplier.ID)
	if _, err := models.RejectHeldFeed(ctx, db, owner, held.ID, "looks wrong"); err != nil {
		t.Fatal(err)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-2"); got != 30 {
		t.Errorf("a rejected feed changed X-2 to %d", got)
	}
	assertPoolConsistent(t, db)
}

func TestSyncApprovingAnOutdatedHeldFeedIsRefused(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 50, 50)
	owner := mustUser(t, db, models.RoleOwner)
	t0 := time.Now().Add(-time.Hour)
	applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,50\nX-1,50\n", t0)
	run, _ := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,1\nX-1,1\n", t0.Add(10*time.Minute))
	if run.Status != models.SyncHeld {
		t.Fatalf("status %s, want held", run.Status)
	}
	held, _ := models.PendingHeldFeed(ctx, db, s.supplier.ID)
	// A newer good feed arrives and applies: the held one is superseded.
	good, _ := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,45\nX-1,48\n", t0.Add(20*time.Minute))
	if good.Status != models.SyncSucceeded {
		t.Fatalf("newer feed: %s %s", good.Status, good.Error)
	}
	h, _ := models.GetHeldFeed(ctx, db, held.ID)
	if h.Status != models.HeldSuperseded {
		t.Errorf("held feed is %s, want superseded by the newer snapshot", h.Status)
	}
	err := models.WithSupplierSyncLock(ctx, db, s.supplier.ID, func(l *models.SyncLock) error {
		r, _ := models.StartSyncRun(ctx, db, s.supplier.ID, models.SourceApproval, models.TriggerApproval, owner, "test")
		return l.ApplyHeldFeed(ctx, r, held.ID, owner, "")
	})
	if err == nil {
		t.Error("approving a superseded feed succeeded")
	}
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 45 {
		t.Errorf("X-0 %d, want 45 from the newer feed", got)
	}
}

// TestSyncSettlesReservationsOnce drives the reservation rule through the engine:
// a sale the supplier accepted ends its reservation only with a newer snapshot.
func TestSyncSettlesReservationsOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 10)
	o, err := models.PlaceOrder(ctx, db, s.request("manual", line("TEE-0", 3)), models.PlaceOptions{}, s.settings)
	if err != nil {
		t.Fatal(err)
	}
	accepted := time.Now().UTC()
	if err := models.MarkReservationsAccepted(ctx, db, []int64{o.Lines[0].ID}, s.supplier.ID, accepted); err != nil {
		t.Fatal(err)
	}
	// A snapshot taken before the acceptance still shows the 10 units: the reservation stays.
	old, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,10\n", accepted.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if old.ReservationsSettled != 0 {
		t.Errorf("an older snapshot settled %d units", old.ReservationsSettled)
	}
	if p, _ := models.PoolOf(ctx, db, s.variants[0].ID); p.Available != 7 || p.Reserved != 3 {
		t.Errorf("after the older snapshot: pool %+v, want 7 available, 3 reserved", p)
	}
	// The newer snapshot carries the sale (10 -> 7): the reservation settles, the sale counts once.
	newer, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,7\n", accepted.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if newer.ReservationsSettled != 3 {
		t.Errorf("settled %d units, want 3", newer.ReservationsSettled)
	}
	if p, _ := models.PoolOf(ctx, db, s.variants[0].ID); p.Available != 7 || p.Reserved != 0 {
		t.Errorf("after the newer snapshot: pool %+v, want 7 available and nothing reserved", p)
	}
}

func TestStockPushAppliesNewestAndDedupes(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 10, 10)
	t0 := time.Now().UTC()
	run, dup, err := models.ApplyStockPush(ctx, db, s.supplier.ID, "msg_1", []models.StockUpdate{
		{SKU: "X-0", Quantity: 4, ObservedAt: t0},
		{SKU: "X-0", Quantity: 6, ObservedAt: t0.Add(time.Second)}, // newer, wins
		{SKU: "X-1", Quantity: 10, ObservedAt: t0},                 // unchanged
		{SKU: "ZZZ", Quantity: 2, ObservedAt: t0},                  // unknown
		{SKU: "X-1", Quantity: -1, ObservedAt: t0},                 // refused
	}, "test")
	if err != nil || dup {
		t.Fatal(err, dup)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 6 {
		t.Errorf("X-0 %d, want 6 (the newest update)", got)
	}
	if run.RowsChanged != 1 || run.RowsUnchanged != 1 || run.RowsUnmapped != 1 || run.RowsRejected != 1 {
		t.Errorf("counts changed %d unchanged %d unmapped %d rejected %d", run.RowsChanged, run.RowsUnchanged, run.RowsUnmapped, run.RowsRejected)
	}
	if got := available(t, db, s.variants[0].ID); got != 6 {
		t.Errorf("pool %d, want 6", got)
	}
	// The same delivery again: nothing happens.
	if _, dup, err := models.ApplyStockPush(ctx, db, s.supplier.ID, "msg_1", []models.StockUpdate{{SKU: "X-0", Quantity: 1, ObservedAt: t0.Add(time.Hour)}}, "test"); err != nil || !dup {
		t.Errorf("replay: duplicate %v, err %v", dup, err)
	}
	// An older update than the stored one is ignored.
	old, _, _ := models.ApplyStockPush(ctx, db, s.supplier.ID, "msg_2", []models.StockUpdate{{SKU: "X-0", Quantity: 99, ObservedAt: t0.Add(-time.Hour)}}, "test")
	if old.RowsStale != 1 || offerQty(t, db, s.supplier.ID, "X-0") != 6 {
		t.Errorf("an older update: stale %d, X-0 %d; want ignored", old.RowsStale, offerQty(t, db, s.supplier.ID, "X-0"))
	}
	if n := count(t, db, "SELECT count(*) FROM stock_history WHERE offer_id IN (SELECT id FROM offers WHERE supplier_id = ?)", s.supplier.ID); n != 1 {
		t.Errorf("%d history rows, want 1", n)
	}
}

func TestStockPushOlderThanLastSnapshotIsIgnored(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 10)
	snap := time.Now().UTC().Add(-time.Minute)
	if _, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,10\n", snap); err != nil { // confirms 10, unchanged
		t.Fatal(err)
	}
	run, _, _ := models.ApplyStockPush(ctx, db, s.supplier.ID, "late", []models.StockUpdate{{SKU: "X-0", Quantity: 2, ObservedAt: snap.Add(-time.Second)}}, "test")
	if run.RowsStale != 1 || offerQty(t, db, s.supplier.ID, "X-0") != 10 {
		t.Errorf("a webhook older than the last full snapshot was applied")
	}
}

func TestSyncLockOneRunPerSupplier(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 1)
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	got, busy := 0, 0
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			err := models.WithSupplierSyncLock(ctx, db, s.supplier.ID, func(*models.SyncLock) error {
				time.Sleep(300 * time.Millisecond)
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				got++
			case errors.Is(err, models.ErrSyncBusy):
				busy++
			default:
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if got < 1 || got+busy != n || got > 2 {
		t.Errorf("%d runs got the lock and %d were told it is busy; want one at a time", got, busy)
	}
}

// TestSyncAndWebhooksConcurrently: feeds and pushed updates for the same
// supplier at the same time end with every offer at its newest figure and the
// pool matching the offers.
func TestSyncAndWebhooksConcurrently(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	stock := make([]int64, 40)
	for i := range stock {
		stock[i] = 50
	}
	s := newSyncShop(t, db, stock...)
	base := time.Now().UTC().Add(-time.Hour)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 { // pushers
		wg.Go(func() {
			for i := range 15 {
				at := base.Add(time.Duration(w*1000+i*60+7) * time.Second)
				var ups []models.StockUpdate
				for k := range 5 {
					sku := fmt.Sprintf("X-%d", (w*7+i*3+k)%len(stock))
					q := int64(20 + (w+i+k)%30)
					ups = append(ups, models.StockUpdate{SKU: sku, Quantity: q, ObservedAt: at})
				}
				run, _, err := models.ApplyStockPush(ctx, db, s.supplier.ID, fmt.Sprintf("m-%d-%d", w, i), ups, "test")
				if err != nil {
					t.Error(err)
					return
				}
				_ = run
			}
		})
	}
	var feeds []time.Time
	wg.Go(func() { // feeds, each a full snapshot
		for i := range 6 {
			at := base.Add(time.Duration(i*700+3) * time.Second)
			var b strings.Builder
			b.WriteString("sku,quantity\n")
			for k := range stock {
				fmt.Fprintf(&b, "X-%d,%d\n", k, 30+(i+k)%20)
			}
			run, err := applyCSV(t, db, s.supplier.ID, b.String(), at)
			if err != nil {
				t.Error(err)
				return
			}
			if run.Status == models.SyncSucceeded {
				mu.Lock()
				feeds = append(feeds, at)
				mu.Unlock()
			}
		}
	})
	wg.Wait()
	// Every offer must hold a figure whose observed_at is the newest it was offered
	// among the sources that were applied, and the pool must match the offers.
	type row struct {
		SupplierSKU      string `gorm:"column:supplier_sku"`
		ReportedQuantity int64
		ObservedAt       time.Time
	}
	var rows []row
	db.Raw("SELECT supplier_sku, reported_quantity, observed_at FROM offers WHERE supplier_id = ?", s.supplier.ID).Scan(&rows)
	var maxFeed time.Time
	for _, f := range feeds {
		if f.After(maxFeed) {
			maxFeed = f
		}
	}
	for _, r := range rows {
		var hist int64
		db.Raw(`SELECT count(*) FROM stock_history h JOIN offers o ON o.id = h.offer_id
			WHERE o.supplier_id = ? AND o.supplier_sku = ? AND h.observed_at > ?`, s.supplier.ID, r.SupplierSKU, r.ObservedAt).Scan(&hist)
		if hist > 0 {
			t.Errorf("%s: history has a change newer than the stored figure (observed %s)", r.SupplierSKU, r.ObservedAt)
		}
		if r.ObservedAt.Before(maxFeed.Add(-time.Microsecond)) {
			t.Errorf("%s: stored figure observed %s is older than the newest applied feed %s", r.SupplierSKU, r.ObservedAt, maxFeed)
		}
	}
	assertPoolConsistent(t, db)
}

func TestLowStockAlertsOncePerCrossing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 20)
	db.Exec("UPDATE suppliers SET feed_guard_pct = 100 WHERE id = ?", s.supplier.ID)
	db.Exec("UPDATE offers SET created_at = now() - interval '40 days' WHERE supplier_id = ?", s.supplier.ID)
	mustUser(t, db, models.RoleOwner)
	mustUser(t, db, models.RoleManager)
	mustUser(t, db, models.RoleCSRep)
	for i, q := range []int64{3, 2, 4} { // low three times in a row: one alert
		if _, err := applyCSV(t, db, s.supplier.ID, fmt.Sprintf("sku,quantity\nX-0,%d\n", q), time.Now().Add(time.Duration(i-10)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM low_stock_alerts WHERE variant_id = ?", s.variants[0].ID); n != 1 {
		t.Errorf("%d alerts, want 1 for one crossing", n)
	}
	if n := count(t, db, "SELECT count(*) FROM notifications WHERE template = ?", models.TemplateLowStock); n != 2 {
		t.Errorf("%d emails, want 2 (owner and manager, not the CS rep)", n)
	}
	// Back above the threshold, then low again: a second crossing.
	applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,30\n", time.Now().Add(-5*time.Minute))
	run, _ := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,5\n", time.Now().Add(-2*time.Minute))
	if run.Status != models.SyncSucceeded {
		t.Fatalf("status %s %s", run.Status, run.Error)
	}
	if n := count(t, db, "SELECT count(*) FROM low_stock_alerts WHERE variant_id = ?", s.variants[0].ID); n != 2 {
		t.Errorf("%d alerts, want 2 after a second crossing", n)
	}
	if n := count(t, db, "SELECT count(*) FROM low_stock_alerts WHERE resolved_at IS NULL"); n != 1 {
		t.Errorf("%d open alerts, want 1", n)
	}
	page, err := models.ListLowStock(ctx, db, models.LowStockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || len(page.Rows) != 1 || page.Rows[0].Available != 5 || len(page.Rows[0].Trend) != models.TrendDays {
		t.Fatalf("low stock page %+v", page)
	}
	if tr := page.Rows[0].Trend; tr[len(tr)-1] != 5 || tr[0] != 20 {
		t.Errorf("trend %v: want 20 thirty days ago and 5 today", tr)
	}
}

func TestPurgeSyncRecords(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	s := newSyncShop(t, db, 10)
	old, _ := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,9\n", time.Now().Add(-time.Hour))
	fresh, _ := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,8\n", time.Now())
	dead, _ := models.StartSyncRun(ctx, db, s.supplier.ID, models.SourceFeed, models.TriggerSchedule, nil, "gone")
	db.Exec("UPDATE sync_runs SET started_at = now() - interval '100 days' WHERE id = ?", old.ID)
	db.Exec("UPDATE stock_history SET recorded_at = now() - interval '100 days' WHERE sync_run_id = ?", old.ID)
	db.Exec("UPDATE sync_runs SET updated_at = now() - interval '1 hour' WHERE id = ?", dead.ID)
	p, err := models.PurgeSyncRecords(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if p.Runs != 1 || p.History != 1 || p.Dead != 1 {
		t.Errorf("purged %+v, want the old run and its history, and the dead run closed", p)
	}
	if _, err := models.GetSyncRun(ctx, db, fresh.ID); err != nil {
		t.Errorf("the fresh run went: %v", err)
	}
	if r, _ := models.GetSyncRun(ctx, db, dead.ID); r.Status != models.SyncFailed {
		t.Errorf("dead run is %s", r.Status)
	}
}

func TestSyncOlderSnapshotChangesNothing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newSyncShop(t, db, 10)
	now := time.Now()
	if _, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,7\n", now); err != nil {
		t.Fatal(err)
	}
	run, err := applyCSV(t, db, s.supplier.ID, "sku,quantity\nX-0,9\n", now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != models.SyncNotModified || !strings.Contains(run.Error, "older") {
		t.Errorf("an older feed: %s %q, want not_modified saying it is older", run.Status, run.Error)
	}
	if got := offerQty(t, db, s.supplier.ID, "X-0"); got != 7 {
		t.Errorf("X-0 %d, want 7 kept", got)
	}
}
