package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Outcomes of a job run.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// JobRun is one execution of a background job: when, where, and how it ended.
type JobRun struct {
	ID         int64
	Job        string
	Instance   string
	StartedAt  time.Time
	FinishedAt *time.Time
	Outcome    string
	Summary    string
	Error      string
}

// Duration is how long the run took (so far, while running).
func (r *JobRun) Duration() time.Duration {
	if r.FinishedAt == nil {
		return time.Since(r.StartedAt)
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// StartJobRun records that job started on instance.
func StartJobRun(ctx context.Context, db *gorm.DB, job, instance string) (*JobRun, error) {
	run := &JobRun{Job: job, Instance: instance, StartedAt: time.Now().UTC(), Outcome: JobRunning}
	if err := db.WithContext(ctx).Create(run).Error; err != nil {
		return nil, fmt.Errorf("models: start job run %s: %w", job, err)
	}
	return run, nil
}

// FinishJobRun records the run's outcome: failed when runErr is set.
func FinishJobRun(ctx context.Context, db *gorm.DB, run *JobRun, summary string, runErr error) error {
	now := time.Now().UTC()
	run.FinishedAt, run.Summary, run.Outcome = &now, summary, JobSucceeded
	if runErr != nil {
		run.Outcome, run.Error = JobFailed, runErr.Error()
	}
	err := db.WithContext(ctx).Model(run).Select("finished_at", "summary", "outcome", "error").Updates(run).Error
	if err != nil {
		return fmt.Errorf("models: finish job run %s: %w", run.Job, err)
	}
	return nil
}

// JobRunFilter narrows the job runs list.
type JobRunFilter struct {
	Job      string
	Outcome  string
	BeforeID int64 // keyset: runs with a smaller id
	Limit    int
}

// ListJobRuns returns runs newest first, one more than Limit so callers know if there is a next page.
func ListJobRuns(ctx context.Context, db *gorm.DB, f JobRunFilter) ([]JobRun, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := db.WithContext(ctx).Order("id DESC").Limit(f.Limit + 1)
	if f.Job != "" {
		q = q.Where("job = ?", f.Job)
	}
	if f.Outcome != "" {
		q = q.Where("outcome = ?", f.Outcome)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var runs []JobRun
	if err := q.Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("models: list job runs: %w", err)
	}
	return runs, nil
}

// JobNames lists the jobs that have run at least once.
func JobNames(ctx context.Context, db *gorm.DB) ([]string, error) {
	var names []string
	if err := db.WithContext(ctx).Raw("SELECT DISTINCT job FROM job_runs ORDER BY job").Scan(&names).Error; err != nil {
		return nil, fmt.Errorf("models: job names: %w", err)
	}
	return names, nil
}

// PurgeResult counts what a housekeeping pass deleted.
type PurgeResult struct {
	Sessions      int64
	JobRuns       int64
	LoginAttempts int64
}

// JobRunRetention is how long finished job runs are kept.
const JobRunRetention = 30 * 24 * time.Hour

// PurgeExpired deletes expired sessions, job runs past retention and old login attempts.
func PurgeExpired(ctx context.Context, db *gorm.DB) (PurgeResult, error) {
	var r PurgeResult
	res := db.WithContext(ctx).Exec("DELETE FROM sessions WHERE expiry < now()")
	if res.Error != nil {
		return r, fmt.Errorf("models: purge sessions: %w", res.Error)
	}
	r.Sessions = res.RowsAffected
	res = db.WithContext(ctx).Exec("DELETE FROM job_runs WHERE started_at < ? AND outcome <> 'running'", time.Now().Add(-JobRunRetention))
	if res.Error != nil {
		return r, fmt.Errorf("models: purge job runs: %w", res.Error)
	}
	r.JobRuns = res.RowsAffected
	n, err := PurgeLoginAttempts(ctx, db)
	if err != nil {
		return r, err
	}
	r.LoginAttempts = n
	return r, nil
}

// FailStaleJobRuns marks runs left 'running' by a crashed instance as failed.
func FailStaleJobRuns(ctx context.Context, db *gorm.DB, olderThan time.Duration) (int64, error) {
	res := db.WithContext(ctx).Exec(`UPDATE job_runs SET outcome = 'failed', finished_at = now(),
		error = 'the instance running it stopped before it finished' WHERE outcome = 'running' AND started_at < ?`,
		time.Now().Add(-olderThan))
	if res.Error != nil {
		return 0, fmt.Errorf("models: fail stale job runs: %w", res.Error)
	}
	return res.RowsAffected, nil
}
