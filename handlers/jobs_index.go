package handlers

import (
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"dropship/models"
	"dropship/views/jobs"
)

const jobRunsPerPage = 50

// jobsIndex lists job runs, newest first, filtered by job and outcome.
func (s *Server) jobsIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.JobRunFilter{Job: c.Query("job"), Outcome: c.Query("outcome"), BeforeID: int64(c.QueryInt("before")), Limit: jobRunsPerPage}
	runs, err := models.ListJobRuns(ctx, s.db, f)
	if err != nil {
		return err
	}
	d := jobs.PageData{Job: f.Job, Outcome: f.Outcome}
	runs, d.Pager = keysetPage(runs, jobRunsPerPage, f.BeforeID, "/jobs", url.Values{"job": {f.Job}, "outcome": {f.Outcome}},
		func(r models.JobRun) int64 { return r.ID })
	d.Runs = runs
	d.Pager.Summary = fmt.Sprintf("%d runs shown", len(runs))
	for _, r := range runs {
		if r.Outcome == models.JobRunning {
			d.Running = true
		}
	}
	if isFragment(c) {
		return s.render(c, fiber.StatusOK, jobs.Table(d))
	}
	if d.Jobs, err = models.JobNames(ctx, s.db); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, jobs.Page(d))
}
