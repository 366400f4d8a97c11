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
func (s *Scheduler) Add(j Job) error {
	target := s.anywhere
	if j.LeaderOnly {
		target = s.leader
	}
	_, err := target.NewJob(
		gocron.DurationJob(j.Every),
		gocron.NewTask(func(ctx context.Context) { s.RunOnce(ctx, j) }),
		gocron.WithName(j.Name),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithIntervalFromCompletion(),
		gocron.WithStartAt(gocron.WithStartImmediately()),
	)
	if err != nil {
		return fmt.Errorf("jobs: add %s: %w", j.Name, err)
	}
	return nil
}

// RunOnce runs j now and records the run; tests and "run now" buttons call it directly.
func (s *Scheduler) RunOnce(ctx context.Context, j Job) {
	run, err := models.StartJobRun(ctx, s.db, j.Name, s.instance)
	if err != nil {
		s.log.Error("job run not recorded", "job", j.Name, "err", err)
		return
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
