package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"dropship/integrations/suppliers"
)

// Advisory lock spaces (the first key of the two-key form): a supplier's
// sync run, and the short apply phase that a sync and a webhook batch of the
// same supplier take in turn.
const (
	syncLockSpace  int32 = 0x73796e63 // "sync"
	applyLockSpace int32 = 0x61706c79 // "aply"
)

// ErrSyncBusy means another run of the supplier's sync holds its lock.
var ErrSyncBusy = errors.New("another sync of this supplier is running")

// lastSeenRefresh is how stale an unchanged offer's last_seen_at may get
// before a sync rewrites it: rewriting every unchanged row of every feed
// would double the work of a large sync for a timestamp nobody reads to the minute.
const lastSeenRefresh = time.Hour

// SyncLock is a supplier's sync lock, held on one pinned connection so that a
// crashed process loses it with its connection. Runs of the same supplier
// never overlap, whatever the number of instances.
type SyncLock struct {
	db         *gorm.DB // the pool: progress rows and the run's bookkeeping
	conn       *gorm.DB // the pinned connection holding the lock; the apply runs on it
	SupplierID int64
}

// WithSupplierSyncLock runs fn holding the supplier's sync lock; it returns
// ErrSyncBusy at once when another run holds it.
func WithSupplierSyncLock(ctx context.Context, db *gorm.DB, supplierID int64, fn func(l *SyncLock) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		var got bool
		if err := conn.Raw("SELECT pg_try_advisory_lock(?::int, ?::int)", syncLockSpace, supplierID).Scan(&got).Error; err != nil {
			return fmt.Errorf("models: sync lock of supplier %d: %w", supplierID, err)
		}
		if !got {
			return ErrSyncBusy
		}
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec("SELECT pg_advisory_unlock(?::int, ?::int)", syncLockSpace, supplierID)
		if err := failAbandonedRuns(ctx, db, supplierID, 0); err != nil {
			return err
		}
		return fn(&SyncLock{db: db, conn: conn, SupplierID: supplierID})
	})
}

// Snapshot is one picture of a supplier's stock to apply: a full feed, a
// REST poll, an X12 846 or an upload.
type Snapshot struct {
	Source  string
	Records suppliers.RecordReader
	// Name is the file or URL, for the run's page.
	Name string
	// At is when the figures were true: the file's modification time or the
	// poll's start. Records without their own ObservedAt take it; it is the
	// time reservations are settled against.
	At time.Time
	// Full says the snapshot lists every SKU the supplier has: the missing
	// SKUs policy and the feed guard apply.
	Full bool
	// Size and BytesRead drive the progress bar (Size 0: unknown).
	Size      int64
	BytesRead func() int64
	// ETag and LastModified are the fetch's validators, kept for the next
	// fetch once the snapshot is applied or held.
	ETag         string
	LastModified string
}

// ApplySnapshot stages the snapshot's records with COPY, compares them with
// the supplier's offers in SQL and applies the difference in one
// transaction: offers, unmapped SKUs, stock history, settled reservations and
// the run's counts commit together or not at all. A full snapshot that would
// shrink the supplier's stock by more than its feed guard is held for a
// person instead (run.Status is then SyncHeld). A snapshot that can't be read
// fails the run with the reason and changes nothing.
func (l *SyncLock) ApplySnapshot(ctx context.Context, run *SyncRun, snap Snapshot) error {
	return l.run(ctx, run, snap, nil)
}

// ApplyHeldFeed applies a held feed a person approved, as staged when it was
// held, without the guard; it fails when a newer snapshot has been applied
// since (the held one is then out of date) or the feed is no longer pending.
func (l *SyncLock) ApplyHeldFeed(ctx context.Context, run *SyncRun, heldID int64, actor *User, note string) error {
	h, err := GetHeldFeed(ctx, l.db, heldID)
	if err != nil {
		return err
	}
	if h.SupplierID != l.SupplierID {
		return fmt.Errorf("models: held feed %d belongs to another supplier: %w", heldID, ErrNotFound)
	}
	snap := Snapshot{Source: h.Source, At: h.SnapshotAt, Full: true, Name: fmt.Sprintf("held feed #%d", h.ID)}
	return l.run(ctx, run, snap, &heldApproval{feed: h, actor: actor, note: note})
}

type heldApproval struct {
	feed  *HeldFeed
	actor *User
	note  string
}

func (l *SyncLock) run(ctx context.Context, run *SyncRun, snap Snapshot, approval *heldApproval) error {
	if snap.At.IsZero() {
		snap.At = time.Now().UTC()
	}
	snap.At = snap.At.UTC().Truncate(time.Microsecond)
	run.FileName, run.BytesTotal, run.SnapshotAt = truncate(snap.Name, 500), max(snap.Size, 0), &snap.At
	prog := newProgress(run, snap.BytesRead)
	prog.start(ctx, l.db)
	changedVariants, err := l.apply(ctx, run, snap, prog, approval)
	prog.stop()
	if err != nil {
		run.RowsRead, run.RowsRejected, run.FirstErrors = prog.rows.Load(), prog.rejected.Load(), prog.problems()
		run.BytesRead = prog.bytes()
		if ferr := FailSyncRun(context.WithoutCancel(ctx), l.db, run, err); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	}
	if len(changedVariants) > 0 {
		// After the commit, so the pool rows are not held while alerts are written.
		if _, err := CheckLowStock(context.WithoutCancel(ctx), l.db, changedVariants); err != nil {
			return err
		}
	}
	return nil
}

// stageColumns are the columns COPY fills in the staging table.
var stageColumns = []string{"line", "sku", "quantity", "cost_cents", "currency", "lead_time_days", "discontinued", "barcode", "title", "observed_at"}

const createStage = `CREATE TEMP TABLE sync_stage (
	line INTEGER NOT NULL, sku TEXT NOT NULL, quantity BIGINT NOT NULL, cost_cents BIGINT, currency TEXT NOT NULL,
	lead_time_days INTEGER, discontinued BOOLEAN NOT NULL, barcode TEXT NOT NULL, title TEXT NOT NULL,
	observed_at TIMESTAMPTZ NOT NULL) ON COMMIT DROP`

// deltaQuery compares the staged rows with the supplier's offers: one row
// per offer the snapshot mentions, with its old and new figures and a kind:
// changed, unchanged, or stale (the offer holds a newer figure).
const deltaQuery = `CREATE TEMP TABLE sync_delta ON COMMIT DROP AS
SELECT x.*, CASE
		WHEN x.old_observed_at > x.observed_at THEN 'stale'
		WHEN (x.old_qty, x.old_cost, x.old_currency, x.old_lead, x.old_discontinued)
		     IS DISTINCT FROM (x.new_qty, x.new_cost, x.new_currency, x.new_lead, x.new_discontinued) THEN 'changed'
		ELSE 'unchanged' END AS kind
FROM (
	SELECT o.id AS offer_id, o.variant_id, o.active, s.line,
	       o.reported_quantity AS old_qty, o.unit_cost_cents AS old_cost, o.currency AS old_currency,
	       o.lead_time_days AS old_lead, o.discontinued AS old_discontinued, o.observed_at AS old_observed_at,
	       CASE WHEN s.discontinued THEN 0 ELSE s.quantity END AS new_qty,
	       COALESCE(s.cost_cents, o.unit_cost_cents) AS new_cost,
	       COALESCE(NULLIF(s.currency, ''), o.currency) AS new_currency,
	       COALESCE(s.lead_time_days, o.lead_time_days) AS new_lead,
	       s.discontinued AS new_discontinued,
	       s.observed_at
	FROM sync_stage s JOIN offers o ON o.supplier_id = @sup AND o.supplier_sku = s.sku
) x`

// missingQuery adds the offers a full snapshot left out, set to 0 (the
// supplier's missing SKUs policy "zero"), unless a newer figure is stored.
const missingQuery = `INSERT INTO sync_delta (offer_id, variant_id, active, line, old_qty, old_cost, old_currency, old_lead,
	old_discontinued, old_observed_at, new_qty, new_cost, new_currency, new_lead, new_discontinued, observed_at, kind)
SELECT o.id, o.variant_id, o.active, 0, o.reported_quantity, o.unit_cost_cents, o.currency, o.lead_time_days,
	o.discontinued, o.observed_at, 0, o.unit_cost_cents, o.currency, o.lead_time_days, o.discontinued, @snap, 'missing'
FROM offers o
WHERE o.supplier_id = @sup AND o.reported_quantity > 0 AND o.observed_at <= @snap
  AND NOT EXISTS (SELECT 1 FROM sync_stage s WHERE s.sku = o.supplier_sku)`

// refreshDeltaQuery re-reads offers that a webhook batch changed after the
// delta was computed (the apply lock is held now, so no more can change).
const refreshDeltaQuery = `UPDATE sync_delta d SET old_qty = o.reported_quantity, old_observed_at = o.observed_at,
	kind = CASE
		WHEN o.observed_at > d.observed_at THEN 'stale'
		WHEN (o.reported_quantity, o.unit_cost_cents, o.currency, o.lead_time_days, o.discontinued)
		     IS DISTINCT FROM (d.new_qty, d.new_cost, d.new_currency, d.new_lead, d.new_discontinued) THEN
		     CASE WHEN d.kind = 'missing' THEN 'missing' ELSE 'changed' END
		ELSE 'unchanged' END
FROM offers o WHERE o.id = d.offer_id AND o.observed_at IS DISTINCT FROM d.old_observed_at`

// applyQuery writes the changes in one statement, so the pool triggers fire
// once, and records a stock history row per quantity that really changed. It
// re-checks each offer's observed_at under the row lock.
const applyQuery = `WITH upd AS (
	UPDATE offers o SET reported_quantity = d.new_qty, unit_cost_cents = d.new_cost, currency = d.new_currency,
		lead_time_days = d.new_lead, discontinued = d.new_discontinued, observed_at = d.observed_at,
		last_seen_at = @now, source = @source, updated_at = @now
	FROM sync_delta d
	WHERE o.id = d.offer_id AND o.observed_at <= d.observed_at
	  AND (d.kind IN ('changed', 'missing') OR (d.kind = 'unchanged' AND (o.last_seen_at IS NULL OR o.last_seen_at < @seen)))
	RETURNING o.id, o.reported_quantity
)
INSERT INTO stock_history (offer_id, variant_id, supplier_id, sync_run_id, source, old_quantity, new_quantity, observed_at, recorded_at)
SELECT d.offer_id, d.variant_id, @sup, @run, @source, d.old_qty, u.reported_quantity, d.observed_at, @now
FROM upd u JOIN sync_delta d ON d.offer_id = u.id
WHERE d.old_qty <> u.reported_quantity`

// unmappedQuery queues the snapshot's SKUs no offer maps (an ignored SKU stays ignored).
const unmappedQuery = `INSERT INTO unmapped_supplier_skus (supplier_id, supplier_sku, title, barcode, reported_quantity,
	unit_cost_cents, currency, lead_time_days, first_seen_at, last_seen_at)
SELECT @sup, s.sku, s.title, s.barcode, CASE WHEN s.discontinued THEN 0 ELSE s.quantity END, s.cost_cents, s.currency,
	s.lead_time_days, @now, @now
FROM sync_stage s
WHERE NOT EXISTS (SELECT 1 FROM offers o WHERE o.supplier_id = @sup AND o.supplier_sku = s.sku)
ON CONFLICT (supplier_id, supplier_sku) DO UPDATE SET title = EXCLUDED.title, barcode = EXCLUDED.barcode,
	reported_quantity = EXCLUDED.reported_quantity, unit_cost_cents = EXCLUDED.unit_cost_cents,
	currency = EXCLUDED.currency, lead_time_days = EXCLUDED.lead_time_days, last_seen_at = EXCLUDED.last_seen_at`

type deltaCounts struct {
	Changed, Unchanged, Stale, Missing, DeltaUnits int64
}

type dupRow struct {
	SKU     string `gorm:"column:sku"`
	N       int64
	Keep    int
	First   int
	Removed int64
}

type drop struct {
	SKU string `json:"sku" gorm:"column:sku"`
	Old int64  `json:"old"`
	New int64  `json:"new"`
}

// apply is the one transaction; it returns the variants whose supply changed.
func (l *SyncLock) apply(ctx context.Context, run *SyncRun, snap Snapshot, prog *progress, approval *heldApproval) ([]int64, error) {
	sup, err := GetSupplier(ctx, l.db, l.SupplierID)
	if err != nil {
		return nil, err
	}
	state, err := GetSyncState(ctx, l.db, l.SupplierID)
	if err != nil {
		return nil, err
	}
	if approval != nil && state.LastSnapshotAt != nil && state.LastSnapshotAt.After(snap.At) {
		if err := supersedeHeld(ctx, l.db, approval.feed.ID); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("a newer snapshot (%s) was applied after this feed was held, so it is out of date; it was set aside",
			state.LastSnapshotAt.UTC().Format(time.RFC3339))
	}
	if approval == nil && snap.Full && state.LastSnapshotAt != nil && state.LastSnapshotAt.After(snap.At) {
		// Say an upload newer than the supplier's file: what we hold is newer, nothing to do.
		return nil, l.finishOlder(ctx, run, snap, *state.LastSnapshotAt)
	}
	named := func(extra ...any) []any {
		now := time.Now().UTC()
		return append([]any{sql.Named("sup", l.SupplierID), sql.Named("snap", snap.At), sql.Named("now", now),
			sql.Named("run", run.ID), sql.Named("source", snap.Source), sql.Named("seen", now.Add(-lastSeenRefresh))}, extra...)
	}
	var changedVariants []int64
	err = l.conn.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		exec := func(what, q string, args ...any) error {
			if err := tx.Exec(q, args...).Error; err != nil {
				return fmt.Errorf("models: sync %s: %w", what, err)
			}
			return nil
		}
		if err := exec("settings", "SET LOCAL work_mem = '128MB'"); err != nil {
			return err
		}
		if err := exec("stage", createStage); err != nil {
			return err
		}
		prog.setPhase(PhaseReading)
		if approval != nil {
			res := tx.Exec(`INSERT INTO sync_stage SELECT line, sku, quantity, cost_cents, currency, lead_time_days, discontinued,
				barcode, title, observed_at FROM held_feed_rows WHERE held_feed_id = ?`, approval.feed.ID)
			if res.Error != nil {
				return fmt.Errorf("models: sync stage held rows: %w", res.Error)
			}
			prog.rows.Store(res.RowsAffected)
		} else if err := l.copyRecords(ctx, snap, prog); err != nil {
			return err
		}
		run.RowsRead, run.RowsRejected, run.BytesRead = prog.rows.Load(), prog.rejected.Load(), prog.bytes()

		prog.setPhase(PhaseChecking)
		var dups []dupRow
		if err := tx.Raw(`SELECT sku, n, keep, first, sum(n - 1) OVER () AS removed FROM (
				SELECT sku, count(*) AS n, max(line) AS keep, min(line) AS first FROM sync_stage GROUP BY sku HAVING count(*) > 1) d
			ORDER BY first LIMIT 10`).Scan(&dups).Error; err != nil {
			return fmt.Errorf("models: sync duplicates: %w", err)
		}
		if len(dups) > 0 {
			run.RowsDuplicate = dups[0].Removed
			for _, d := range dups {
				prog.problem(d.First, fmt.Sprintf("SKU %s is listed %d times (lines %d to %d): the last one, line %d, counts", d.SKU, d.N, d.First, d.Keep, d.Keep))
			}
			if err := exec("duplicates", `DELETE FROM sync_stage s USING (
					SELECT sku, max(line) AS keep FROM sync_stage GROUP BY sku HAVING count(*) > 1) d
				WHERE s.sku = d.sku AND s.line < d.keep`); err != nil {
				return err
			}
		}
		if err := exec("analyze", "ANALYZE sync_stage"); err != nil {
			return err
		}
		var staged int64
		if err := tx.Raw("SELECT count(*) FROM sync_stage").Scan(&staged).Error; err != nil {
			return fmt.Errorf("models: sync count: %w", err)
		}
		deltaAt := time.Now().UTC()
		if err := exec("compare", deltaQuery, named()...); err != nil {
			return err
		}
		if snap.Full && sup.MissingSKUPolicy == "zero" {
			if err := exec("missing", missingQuery, named()...); err != nil {
				return err
			}
		}
		var c deltaCounts
		if err := tx.Raw(`SELECT count(*) FILTER (WHERE kind = 'changed') AS changed,
				count(*) FILTER (WHERE kind = 'unchanged') AS unchanged, count(*) FILTER (WHERE kind = 'stale') AS stale,
				count(*) FILTER (WHERE kind = 'missing') AS missing,
				COALESCE(sum(new_qty - old_qty) FILTER (WHERE kind IN ('changed', 'missing') AND active), 0) AS delta_units
			FROM sync_delta`).Scan(&c).Error; err != nil {
			return fmt.Errorf("models: sync counts: %w", err)
		}
		run.RowsChanged, run.RowsUnchanged, run.RowsStale, run.RowsMissing = c.Changed+c.Missing, c.Unchanged, c.Stale, c.Missing
		run.RowsUnmapped = staged - c.Changed - c.Unchanged - c.Stale
		if err := tx.Raw("SELECT COALESCE(sum(reported_quantity), 0) FROM offers WHERE supplier_id = ? AND active", l.SupplierID).
			Scan(&run.UnitsBefore).Error; err != nil {
			return fmt.Errorf("models: sync units: %w", err)
		}
		run.UnitsAfter = run.UnitsBefore + c.DeltaUnits

		run.FirstErrors = prog.problems()
		if snap.Full && approval == nil {
			if reason := guardReason(sup, state, run, staged); reason != "" {
				return l.hold(tx, run, snap, state, reason, staged, named)
			}
		}

		prog.setPhase(PhaseApplying)
		if err := exec("unmapped", unmappedQuery, named()...); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT DISTINCT variant_id FROM sync_delta WHERE kind IN ('changed', 'missing')`).Scan(&changedVariants).Error; err != nil {
			return fmt.Errorf("models: sync variants: %w", err)
		}
		// Held feeds are decided (their rows deleted) before the pool rows are locked.
		if approval != nil {
			if err := decideHeld(tx, approval.feed.ID, HeldApproved, approval.actor, approval.note, run.ID); err != nil {
				return err
			}
			if err := RecordAudit(ctx, tx, AuditRecord{Actor: approval.actor, Action: "held_feed.approve", EntityType: "supplier",
				EntityID: fmt.Sprint(l.SupplierID), Reason: approval.note,
				After: map[string]any{"held_feed": approval.feed.ID, "sync_run": run.ID, "changed": run.RowsChanged}}); err != nil {
				return err
			}
		} else if snap.Full {
			if err := supersedePending(tx, l.SupplierID, &snap.At); err != nil {
				return err
			}
		}
		// From here to COMMIT the pool rows are locked: only the writes that need them.
		if err := exec("apply lock", "SELECT pg_advisory_xact_lock(?::int, ?::int)", applyLockSpace, l.SupplierID); err != nil {
			return err
		}
		pushedAt, err := nullTime(tx, "SELECT last_push_at FROM supplier_sync_state WHERE supplier_id = ?", l.SupplierID)
		if err != nil {
			return fmt.Errorf("models: sync state: %w", err)
		}
		if pushedAt.Valid && !pushedAt.Time.Before(deltaAt) {
			if err := exec("refresh", refreshDeltaQuery); err != nil {
				return err
			}
			if err := tx.Raw(`SELECT count(*) FILTER (WHERE kind IN ('changed', 'missing')) AS changed,
					count(*) FILTER (WHERE kind = 'unchanged') AS unchanged, count(*) FILTER (WHERE kind = 'stale') AS stale
				FROM sync_delta`).Scan(&c).Error; err != nil {
				return fmt.Errorf("models: sync counts: %w", err)
			}
			run.RowsChanged, run.RowsUnchanged, run.RowsStale = c.Changed, c.Unchanged, c.Stale
		}
		settled, err := retryDeadlock(tx, func() (int64, error) {
			if err := exec("apply", applyQuery, named()...); err != nil {
				return 0, err
			}
			if !snap.Full {
				return 0, nil
			}
			return SettleReservations(ctx, tx, l.SupplierID, snap.At)
		})
		if err != nil {
			return err
		}
		run.ReservationsSettled = settled
		if err := finishRun(tx, run, SyncSucceeded, ""); err != nil {
			return err
		}
		return saveState(tx, l.SupplierID, snap, staged, true)
	})
	if err != nil {
		return nil, err
	}
	return changedVariants, nil
}

// finishOlder ends a run whose snapshot is older than the one applied last:
// it counts as "not modified" (what we hold is newer), and its validators are
// kept so the same file is not fetched again.
func (l *SyncLock) finishOlder(ctx context.Context, run *SyncRun, snap Snapshot, newest time.Time) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := finishRun(tx, run, SyncNotModified, fmt.Sprintf("the feed's figures (%s) are older than those applied last (%s); nothing to do",
			snap.At.Format(time.RFC3339), newest.UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		return saveState(tx, l.SupplierID, snap, 0, false)
	})
}

// guardReason says why a full snapshot must wait for a person: it cuts the
// supplier's units or its listed SKUs by more than the supplier's guard.
func guardReason(sup *Supplier, st SyncState, run *SyncRun, staged int64) string {
	pct := int64(sup.FeedGuardPct)
	if before := run.UnitsBefore; before > 0 && (before-run.UnitsAfter)*100 > pct*before {
		return fmt.Sprintf("total units would fall from %d to %d (−%d%%), more than the %d%% this supplier's feed guard allows",
			before, run.UnitsAfter, (before-run.UnitsAfter)*100/before, pct)
	}
	if st.LastSKUCount != nil {
		if before := *st.LastSKUCount; before > 0 && (before-staged)*100 > pct*before {
			return fmt.Sprintf("the feed lists %d SKUs where the last one listed %d (−%d%%), more than the %d%% this supplier's feed guard allows",
				staged, before, (before-staged)*100/before, pct)
		}
	}
	return ""
}

// HeldSummary is what a held feed would change, for the person deciding.
type HeldSummary struct {
	Rows          int64  `json:"rows"`
	Changed       int64  `json:"changed"`
	Unchanged     int64  `json:"unchanged"`
	Unmapped      int64  `json:"unmapped"`
	Missing       int64  `json:"missing"`
	Rejected      int64  `json:"rejected"`
	UnitsBefore   int64  `json:"units_before"`
	UnitsAfter    int64  `json:"units_after"`
	SKUsBefore    int64  `json:"skus_before"`
	SKUsAfter     int64  `json:"skus_after"`
	BiggestDrops  []drop `json:"biggest_drops"`
	VariantsToOut int64  `json:"variants_to_out"` // variants whose supply from this supplier would fall to 0
}

// hold keeps the staged rows for a person to decide; nothing else changes.
func (l *SyncLock) hold(tx *gorm.DB, run *SyncRun, snap Snapshot, st SyncState, reason string, staged int64, named func(...any) []any) error {
	sum := HeldSummary{Rows: staged, Changed: run.RowsChanged, Unchanged: run.RowsUnchanged, Unmapped: run.RowsUnmapped,
		Missing: run.RowsMissing, Rejected: run.RowsRejected, UnitsBefore: run.UnitsBefore, UnitsAfter: run.UnitsAfter, SKUsAfter: staged}
	if st.LastSKUCount != nil {
		sum.SKUsBefore = *st.LastSKUCount
	}
	if err := tx.Raw(`SELECT o.supplier_sku AS sku, d.old_qty AS old, d.new_qty AS new FROM sync_delta d JOIN offers o ON o.id = d.offer_id
		WHERE d.kind IN ('changed', 'missing') AND d.new_qty < d.old_qty ORDER BY d.old_qty - d.new_qty DESC, o.supplier_sku LIMIT 10`).
		Scan(&sum.BiggestDrops).Error; err != nil {
		return fmt.Errorf("models: sync hold summary: %w", err)
	}
	if err := tx.Raw(`SELECT count(*) FROM sync_delta WHERE kind IN ('changed', 'missing') AND new_qty = 0 AND old_qty > 0`).
		Scan(&sum.VariantsToOut).Error; err != nil {
		return fmt.Errorf("models: sync hold summary: %w", err)
	}
	summary, _ := json.Marshal(sum)
	if err := supersedePending(tx, l.SupplierID, nil); err != nil {
		return err
	}
	var heldID int64
	if err := tx.Raw(`INSERT INTO held_feeds (supplier_id, sync_run_id, reason, source, summary, snapshot_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, l.SupplierID, run.ID, reason, snap.Source, string(summary), snap.At).Scan(&heldID).Error; err != nil {
		return fmt.Errorf("models: sync hold: %w", err)
	}
	if err := tx.Exec(`INSERT INTO held_feed_rows (held_feed_id, line, sku, quantity, cost_cents, currency, lead_time_days,
			discontinued, barcode, title, observed_at)
		SELECT ?, line, sku, quantity, cost_cents, currency, lead_time_days, discontinued, barcode, title, observed_at FROM sync_stage`,
		heldID).Error; err != nil {
		return fmt.Errorf("models: sync hold rows: %w", err)
	}
	if err := finishRun(tx, run, SyncHeld, reason); err != nil {
		return err
	}
	return saveState(tx, l.SupplierID, snap, staged, false)
}

// finishRun writes the run's outcome and counts inside the sync's transaction.
func finishRun(tx *gorm.DB, run *SyncRun, status, reason string) error {
	now := time.Now().UTC()
	run.Status, run.Phase, run.Error, run.FinishedAt, run.UpdatedAt = status, PhaseDone, reason, &now, now
	if run.FirstErrors == nil {
		run.FirstErrors = RowProblems{}
	}
	err := tx.Model(run).Select("status", "phase", "error", "finished_at", "updated_at", "file_name", "bytes_total", "bytes_read",
		"rows_read", "rows_changed", "rows_unchanged", "rows_unmapped", "rows_rejected", "rows_duplicate", "rows_stale",
		"rows_missing", "units_before", "units_after", "reservations_settled", "snapshot_at", "first_errors").Updates(run).Error
	if err != nil {
		return fmt.Errorf("models: finish sync run %d: %w", run.ID, err)
	}
	return nil
}

// saveState keeps the validators (so an unchanged feed is not fetched again)
// and, when the snapshot was applied, its time and size.
func saveState(tx *gorm.DB, supplierID int64, snap Snapshot, staged int64, applied bool) error {
	now := time.Now().UTC()
	var good, snapAt *time.Time
	var skus *int64
	if applied {
		good = &now
		if snap.Full {
			snapAt, skus = &snap.At, &staged
		}
	}
	err := tx.Exec(`INSERT INTO supplier_sync_state AS st (supplier_id, etag, last_modified, last_run_at, last_good_sync_at,
			last_snapshot_at, last_sku_count, updated_at)
		VALUES (@sup, @etag, @lm, @now, @good, @snap, @skus, @now)
		ON CONFLICT (supplier_id) DO UPDATE SET
			etag = CASE WHEN @keep THEN EXCLUDED.etag ELSE st.etag END,
			last_modified = CASE WHEN @keep THEN EXCLUDED.last_modified ELSE st.last_modified END,
			last_run_at = EXCLUDED.last_run_at,
			last_good_sync_at = COALESCE(EXCLUDED.last_good_sync_at, st.last_good_sync_at),
			last_snapshot_at = GREATEST(st.last_snapshot_at, EXCLUDED.last_snapshot_at),
			last_sku_count = COALESCE(EXCLUDED.last_sku_count, st.last_sku_count),
			last_error = '', failures = 0, updated_at = EXCLUDED.updated_at`,
		sql.Named("sup", supplierID), sql.Named("etag", snap.ETag), sql.Named("lm", snap.LastModified), sql.Named("now", now),
		sql.Named("good", good), sql.Named("snap", snapAt), sql.Named("skus", skus),
		sql.Named("keep", snap.ETag != "" || snap.LastModified != "")).Error
	if err != nil {
		return fmt.Errorf("models: save sync state: %w", err)
	}
	return nil
}

// retryDeadlock runs fn under a savepoint and retries it when PostgreSQL
// broke a deadlock with checkout (both lock pool rows) by cancelling us.
func retryDeadlock(tx *gorm.DB, fn func() (int64, error)) (int64, error) {
	for attempt := 1; ; attempt++ {
		if err := tx.Exec("SAVEPOINT sync_apply").Error; err != nil {
			return 0, fmt.Errorf("models: sync savepoint: %w", err)
		}
		n, err := fn()
		var pgErr *pgconn.PgError
		if err == nil || attempt == 3 || !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			return n, err
		}
		if rerr := tx.Exec("ROLLBACK TO SAVEPOINT sync_apply").Error; rerr != nil {
			return 0, fmt.Errorf("models: sync savepoint: %w", rerr)
		}
		time.Sleep(time.Duration(attempt*50) * time.Millisecond)
	}
}

// copyRecords streams the records into sync_stage with COPY on the pinned connection.
func (l *SyncLock) copyRecords(ctx context.Context, snap Snapshot, prog *progress) error {
	sqlConn, ok := l.conn.Statement.ConnPool.(*sql.Conn)
	if !ok {
		return errors.New("models: sync: the lock's connection is not pinned")
	}
	src := &stageSource{r: snap.Records, at: snap.At, prog: prog}
	err := sqlConn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{"sync_stage"}, stageColumns, src)
		return err
	})
	if src.err != nil {
		return src.err // the feed's own reason, not COPY's wrapping of it
	}
	if err != nil {
		return fmt.Errorf("models: sync stage: %w", err)
	}
	return nil
}

// stageSource feeds COPY from a RecordReader, rejecting rows the offers
// table could not take, each with its line and reason.
type stageSource struct {
	r    suppliers.RecordReader
	at   time.Time
	prog *progress
	rec  suppliers.StockRecord
	err  error
}

// Record limits that the database enforces; a row outside them is rejected, not the feed.
const (
	maxSupplierSKU  = 100
	maxLeadTimeDays = 3650
	maxTextField    = 1000
)

func (s *stageSource) Next() bool {
	for {
		rec, err := s.r.Next()
		if errors.Is(err, io.EOF) {
			return false
		}
		var re *suppliers.RowError
		if errors.As(err, &re) {
			s.prog.reject(re.Line, re.Reason)
			continue
		}
		if err != nil {
			s.err = err
			return false
		}
		if reason := checkRecord(&rec); reason != "" {
			s.prog.reject(rec.Line, reason)
			continue
		}
		if rec.ObservedAt.IsZero() {
			rec.ObservedAt = s.at
		}
		rec.ObservedAt = rec.ObservedAt.UTC().Truncate(time.Microsecond) // what timestamptz keeps
		s.rec = rec
		s.prog.rows.Add(1)
		return true
	}
}

func (s *stageSource) Values() ([]any, error) {
	r := &s.rec
	var lead *int32
	if r.LeadTimeDays != nil {
		v := int32(*r.LeadTimeDays)
		lead = &v
	}
	return []any{int32(r.Line), r.SKU, r.Quantity, r.CostCents, r.Currency, lead, r.Discontinued, r.Barcode, r.Title, r.ObservedAt}, nil
}

func (s *stageSource) Err() error { return s.err }

// checkRecord returns why the database would refuse the record, "" when it is fine.
func checkRecord(r *suppliers.StockRecord) string {
	r.SKU = strings.TrimSpace(r.SKU)
	switch {
	case r.SKU == "":
		return "the SKU is empty"
	case len(r.SKU) > maxSupplierSKU:
		return fmt.Sprintf("the SKU is longer than %d characters", maxSupplierSKU)
	case r.Quantity < 0:
		return fmt.Sprintf("SKU %s: the quantity %d is negative", r.SKU, r.Quantity)
	case r.CostCents != nil && *r.CostCents < 0:
		return fmt.Sprintf("SKU %s: the cost is negative", r.SKU)
	case r.LeadTimeDays != nil && (*r.LeadTimeDays < 0 || *r.LeadTimeDays > maxLeadTimeDays):
		return fmt.Sprintf("SKU %s: a lead time of %d days is not believable", r.SKU, *r.LeadTimeDays)
	case r.Currency != "" && !ValidCurrency(r.Currency):
		return fmt.Sprintf("SKU %s: %q is not a currency code", r.SKU, r.Currency)
	case r.Line < 0 || r.Line > 1<<31-1:
		return "the line number is out of range"
	}
	for _, f := range []string{r.SKU, r.Barcode, r.Title} {
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return fmt.Sprintf("SKU %q: the text is not valid UTF-8", strings.ToValidUTF8(r.SKU, "?"))
		}
	}
	r.Barcode, r.Title = truncate(r.Barcode, maxTextField), truncate(r.Title, maxTextField)
	return ""
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// progress counts a run as it goes and writes the counts to its row now and
// then, from outside the sync's transaction, so its page can show them.
type progress struct {
	run       *SyncRun
	rows      atomic.Int64
	rejected  atomic.Int64
	bytesRead func() int64
	phase     atomic.Value // string

	mu   sync.Mutex
	errs RowProblems

	done chan struct{}
	wg   sync.WaitGroup
}

func newProgress(run *SyncRun, bytesRead func() int64) *progress {
	p := &progress{run: run, bytesRead: bytesRead, done: make(chan struct{})}
	p.phase.Store(PhaseConnecting)
	return p
}

// progressEvery is how often a running sync writes its counts.
const progressEvery = 400 * time.Millisecond

func (p *progress) start(ctx context.Context, db *gorm.DB) {
	p.wg.Go(func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				db.WithContext(ctx).Exec(`UPDATE sync_runs SET phase = ?, rows_read = ?, rows_rejected = ?, bytes_read = ?,
					bytes_total = ?, file_name = ?, updated_at = now() WHERE id = ? AND status = 'running'`,
					p.phase.Load(), p.rows.Load(), p.rejected.Load(), p.bytes(), p.run.BytesTotal, p.run.FileName, p.run.ID)
			}
		}
	})
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}

func (p *progress) setPhase(phase string) { p.phase.Store(phase) }

func (p *progress) bytes() int64 {
	if p.bytesRead == nil {
		return 0
	}
	return p.bytesRead()
}

func (p *progress) reject(line int, reason string) {
	p.rejected.Add(1)
	p.problem(line, reason)
}

func (p *progress) problem(line int, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errs) < maxRunErrors {
		p.errs = append(p.errs, RowProblem{Line: line, Reason: truncate(reason, 300)})
	}
}

func (p *progress) problems() RowProblems {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append(RowProblems{}, p.errs...)
}

// nullTime reads one nullable timestamp; no row is NULL.
func nullTime(tx *gorm.DB, q string, args ...any) (sql.NullTime, error) {
	var t sql.NullTime
	err := tx.Raw(q, args...).Row().Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	return t, err
}
