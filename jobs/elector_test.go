package jobs

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dropship/models"
	"dropship/models/dbtest"
)

// TestElectorOneLeader: of several electors on separate pools, exactly one
// leads; when it resigns (or its connection dies) another takes over.
func TestElectorOneLeader(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	const n = 5
	electors := make([]*Elector, n)
	for i := range electors {
		sqlDB, _ := dbtest.Open(t, url).DB()
		electors[i] = NewElector(sqlDB, 42)
	}
	ctx := context.Background()
	leaders := func() []int {
		var out []int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, e := range electors {
			if e == nil {
				continue // resigned and out of the race
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.IsLeader(ctx); err == nil {
					mu.Lock()
					out = append(out, i)
					mu.Unlock()
				} else if !errors.Is(err, errNotLeader) {
					t.Errorf("elector %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		return out
	}
	first := leaders()
	if len(first) != 1 {
		t.Fatalf("leaders %v, want exactly one", first)
	}
	if again := leaders(); len(again) != 1 || again[0] != first[0] {
		t.Fatalf("leadership moved without reason: %v then %v", first, again)
	}
	electors[first[0]].Resign(ctx)
	electors[first[0]] = nil
	next := leaders()
	if len(next) != 1 || next[0] == first[0] {
		t.Fatalf("after the leader resigned: leaders %v, want one other", next)
	}

	// The leader's connection dies (a network cut, a restarted pooler): the
	// lock goes with it and exactly one instance leads again.
	admin := dbtest.Open(t, url)
	if err := admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 42 AND granted").Error; err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if after := leaders(); len(after) != 1 {
		t.Fatalf("after the leader's connection died: leaders %v, want exactly one", after)
	}
}

// TestLeaderOnlyJobRunsOnce: two schedulers (two instances) on one database
// run a leader-only job on one of them only.
func TestLeaderOnlyJobRunsOnce(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var runs atomic.Int64
	job := Job{Name: "rollup", Every: 50 * time.Millisecond, LeaderOnly: true, Run: func(context.Context) (string, error) {
		runs.Add(1)
		time.Sleep(20 * time.Millisecond)
		return "ok", nil
	}}
	var scheds []*Scheduler
	for i := 0; i < 2; i++ {
		s, err := NewScheduler(dbtest.Open(t, url), testLogger(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(job); err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		s.Start()
	}
	time.Sleep(600 * time.Millisecond)
	for _, s := range scheds {
		s.Shutdown(context.Background())
	}
	db := dbtest.Open(t, url)
	var instances []string
	db.Raw("SELECT DISTINCT instance FROM job_runs WHERE job = 'rollup'").Scan(&instances)
	if len(instances) != 1 {
		t.Errorf("the leader-only job ran on %d instances (%v), want 1", len(instances), instances)
	}
	var recorded int64
	db.Raw("SELECT count(*) FROM job_runs WHERE job = 'rollup' AND outcome = 'succeeded'").Scan(&recorded)
	if recorded == 0 || recorded != runs.Load() {
		t.Errorf("recorded %d successful runs, ran %d", recorded, runs.Load())
	}
}

// TestRunOnceRecordsFailureAndPanic: a failing or panicking job becomes a failed run with its error.
func TestRunOnceRecordsFailureAndPanic(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s, err := NewScheduler(db, testLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.RunOnce(ctx, Job{Name: "fails", Run: func(context.Context) (string, error) { return "", errors.New("supplier said no") }})
	s.RunOnce(ctx, Job{Name: "panics", Run: func(context.Context) (string, error) { panic("nil map") }})
	runs, err := models.ListJobRuns(ctx, db, models.JobRunFilter{})
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %v %v", runs, err)
	}
	for _, r := range runs {
		if r.Outcome != models.JobFailed || r.FinishedAt == nil || r.Error == "" {
			t.Errorf("%s: outcome %s error %q, want a finished failed run with its error", r.Job, r.Outcome, r.Error)
		}
	}
}

// TestHousekeepingPurges removes expired sessions and old runs, keeps live ones.
func TestHousekeepingPurges(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	db.Exec(`INSERT INTO sessions (token, data, expiry) VALUES ('old', '', now() - interval '1 minute'), ('live', '', now() + interval '1 hour')`)
	db.Exec(`INSERT INTO job_runs (job, started_at, finished_at, outcome) VALUES
		('x', now() - interval '40 days', now() - interval '40 days', 'succeeded'),
		('x', now() - interval '1 day', now() - interval '1 day', 'succeeded'),
		('y', now() - interval '7 hours', NULL, 'running')`)
	summary, err := Housekeeping(db).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if summary != "purged 1 expired sessions, 1 old job runs, 0 login attempts, 0 idempotency keys; closed 1 stale runs and 0 stale imports" {
		t.Errorf("summary %q", summary)
	}
	var tokens []string
	db.Raw("SELECT token FROM sessions").Scan(&tokens)
	if len(tokens) != 1 || tokens[0] != "live" {
		t.Errorf("sessions left %v, want [live]", tokens)
	}
	var stale string
	db.Raw("SELECT outcome FROM job_runs WHERE job = 'y'").Scan(&stale)
	if stale != models.JobFailed {
		t.Errorf("a run left running 7 hours is %q, want failed", stale)
	}
}
