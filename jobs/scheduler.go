// Package jobs registers the background work with gocron. Jobs are thin: they
// call models and integrations and record each run in job_runs.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"dropship/models"
)

// leaderLockKey is the advisory lock key of the leader election ("dropship" in ASCII).
const leaderLockKey int64 = 0x64726f7073686970

// Job is one kind of background work.
type Job struct {
	Name string
	// Every is the interval between the end of one run and the start of the next.
	Every time.Duration
	// Cron, when set, schedules by a five-field cron line instead of Every.
	Cron string
	// Quiet jobs record a run only when it failed or said what it did (a non-empty
	// summary): frequent checks that mostly find nothing don't flood the job runs.
	Quiet bool
	// LeaderOnly jobs run on one instance at a time (feed pulls, roll-ups);
	// the others claim rows with SKIP LOCKED and may run everywhere.
	LeaderOnly bool
	// Run does the work and says what it did in a short summary.
	Run func(ctx context.Context) (summary string, err error)
}

// Scheduler runs the jobs: one gocron scheduler for work any instance may do
// and one behind the leader election for work only one instance may do.
type Scheduler struct {
	db       *gorm.DB
	log      *slog.Logger
	instance string
	elector  *Elector
	anywhere gocron.Scheduler
	leader   gocron.Scheduler
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewScheduler builds the schedulers and registers job metrics on reg.
func NewScheduler(db *gorm.DB, log *slog.Logger, reg prometheus.Registerer) (*Scheduler, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	host, _ := os.Hostname()
	s := &Scheduler{
		db:       db,
		log:      log,
		instance: fmt.Sprintf("%s/%d", host, os.Getpid()),
		elector:  NewElector(sqlDB, leaderLockKey),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dropship_job_runs_total", Help: "Background job runs by job and outcome.",
		}, []string{"job", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dropship_job_run_duration_seconds", Help: "Background job run time.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 8),
		}, []string{"job"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{s.runs, s.duration} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("jobs: register metrics: %w", err)
			}
		}
	}
	if s.anywhere, err = gocron.NewScheduler(gocron.WithStopTimeout(30 * time.Second)); err != nil {
		return nil, fmt.Errorf("jobs: scheduler: %w", err)
	}
	if s.leader, err = gocron.NewScheduler(gocron.WithDistributedElector(s.elector), gocron.WithStopTimeout(30*time.Second)); err != nil {
		return nil, fmt.Errorf("jobs: scheduler: %w", err)
	}
	return s, nil
}

// Add schedules j; a run starts only when the previous one has finished.
// Interval jobs run once at start; cron jobs at their first matching time.
func (s *Scheduler) Add(j Job) error {
	target := s.anywhere
	if j.LeaderOnly {
		target = s.leader
	}
	def := gocron.DurationJob(j.Every)
	opts := []gocron.JobOption{
		gocron.WithName(j.Name),
		gocron.WithTags(j.Name),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
	}
	if j.Cron != "" {
		def = gocron.CronJob(j.Cron, false)
	} else {
		opts = append(opts, gocron.WithIntervalFromCompletion(), gocron.WithStartAt(gocron.WithStartImmediately()))
	}
	if _, err := target.NewJob(def, gocron.NewTask(func(ctx context.Context) { s.RunOnce(ctx, j) }), opts...); err != nil {
		return fmt.Errorf("jobs: add %s: %w", j.Name, err)
	}
	return nil
}

// Replace schedules j in place of any job of the same name (a changed schedule).
func (s *Scheduler) Replace(j Job) error {
	s.Remove(j.Name)
	return s.Add(j)
}

// Remove unschedules the job of that name; a run in progress finishes.
func (s *Scheduler) Remove(name string) {
	s.anywhere.RemoveByTags(name)
	s.leader.RemoveByTags(name)
}

// Scheduled lists the names of the scheduled jobs.
func (s *Scheduler) Scheduled() []string {
	var out []string
	for _, sc := range []gocron.Scheduler{s.anywhere, s.leader} {
		for _, j := range sc.Jobs() {
			out = append(out, j.Name())
		}
	}
	return out
}

// RunOnce runs j now and records the run; tests and "run now" buttons call it directly.
func (s *Scheduler) RunOnce(ctx context.Context, j Job) {
	var run *models.JobRun
	if !j.Quiet {
		var err error
		if run, err = models.StartJobRun(ctx, s.db, j.Name, s.instance); err != nil {
			s.log.Error("job run not recorded", "job", j.Name, "err", err)
			return
		}
	}
	started := time.Now()
	summary, runErr := safeRun(ctx, j)
	s.duration.WithLabelValues(j.Name).Observe(time.Since(started).Seconds())
	outcome := "succeeded"
	if runErr != nil {
		outcome = "failed"
		s.log.Error("job failed", "job", j.Name, "err", runErr)
	} else {
		s.log.Debug("job done", "job", j.Name, "summary", summary, "took", time.Since(started))
	}
	s.runs.WithLabelValues(j.Name, outcome).Inc()
	if run == nil {
		if summary == "" && runErr == nil {
			return
		}
		var err error
		if run, err = models.StartJobRun(context.WithoutCancel(ctx), s.db, j.Name, s.instance); err != nil {
			s.log.Error("job run not recorded", "job", j.Name, "err", err)
			return
		}
		run.StartedAt = started.UTC()
		s.db.Model(run).Update("started_at", run.StartedAt)
	}
	if err := models.FinishJobRun(context.WithoutCancel(ctx), s.db, run, summary, runErr); err != nil {
		s.log.Error("job run not recorded", "job", j.Name, "err", err)
	}
}

// safeRun turns a panic in a job into a failed run rather than a dead scheduler.
func safeRun(ctx context.Context, j Job) (summary string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("jobs: %s panicked: %v", j.Name, r)
		}
	}()
	return j.Run(ctx)
}

// Start begins scheduling.
func (s *Scheduler) Start() {
	s.anywhere.Start()
	s.leader.Start()
}

// Instance names this process in job and sync runs: host/pid.
func (s *Scheduler) Instance() string { return s.instance }

// Shutdown waits for running jobs to finish (up to the stop timeout) and resigns leadership.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	errA := s.anywhere.Shutdown()
	errL := s.leader.Shutdown()
	s.elector.Resign(ctx)
	if errA != nil {
		return fmt.Errorf("jobs: shutdown: %w", errA)
	}
	if errL != nil {
		return fmt.Errorf("jobs: shutdown: %w", errL)
	}
	return nil
}
