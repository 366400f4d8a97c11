// Package inventory holds the stock sync pages: sync runs with their
// progress, held feeds, a supplier's feed mapping and the low-stock dashboard.
package inventory

import (
	"fmt"
	"strings"
	"time"

	"dropship/models"
	"dropship/views/components"
)

// statusBadge is the badge kind and label of a run's status.
func statusBadge(status string) (string, string) {
	switch status {
	case models.SyncSucceeded:
		return "ok", "applied"
	case models.SyncNotModified:
		return "plain", "unchanged"
	case models.SyncHeld:
		return "warn", "held"
	case models.SyncFailed:
		return "bad", "failed"
	}
	return "info", "running"
}

func sourceLabel(s string) string {
	switch s {
	case models.SourceREST:
		return "REST poll"
	case models.SourceFeed:
		return "Feed"
	case models.SourceX12:
		return "X12 846"
	case models.SourceUpload:
		return "Upload"
	case models.SourceWebhook:
		return "Webhook"
	case models.SourceApproval:
		return "Approval"
	}
	return s
}

func triggerLabel(t string) string {
	switch t {
	case models.TriggerSchedule:
		return "scheduled"
	case models.TriggerManual:
		return "by hand"
	case models.TriggerWebhook:
		return "pushed"
	case models.TriggerApproval:
		return "approved"
	}
	return t
}

func phaseLabel(r *models.SyncRun) string {
	switch r.Phase {
	case models.PhaseConnecting:
		return "Connecting…"
	case models.PhaseReading:
		if r.BytesTotal > 0 {
			return fmt.Sprintf("Reading: %s of %s, %s rows", components.Bytes(r.BytesRead), components.Bytes(r.BytesTotal), components.Number(r.RowsRead))
		}
		return fmt.Sprintf("Reading: %s rows", components.Number(r.RowsRead))
	case models.PhaseChecking:
		return fmt.Sprintf("Comparing %s rows with the offers…", components.Number(r.RowsRead))
	case models.PhaseApplying:
		return "Applying…"
	}
	return r.Phase
}

func n(v int64) string { return components.Number(v) }

// unitsChange says how the supplier's units moved: "1,200 → 1,150 (−4%)".
func unitsChange(before, after int64) string {
	s := n(before) + " → " + n(after)
	if before > 0 && before != after {
		pct := float64(after-before) * 100 / float64(before)
		sign := "+"
		if pct < 0 {
			sign, pct = "−", -pct
		}
		if pct < 10 {
			s += fmt.Sprintf(" (%s%.1f%%)", sign, pct)
		} else {
			s += fmt.Sprintf(" (%s%.0f%%)", sign, pct)
		}
	}
	return s
}

func runURL(id int64) string              { return fmt.Sprintf("/syncs/%d", id) }
func supplierURL(id int64) string         { return fmt.Sprintf("/suppliers/%d", id) }
func supplierSyncsURL(id int64) string    { return fmt.Sprintf("/suppliers/%d/syncs", id) }
func heldURL(id int64, act string) string { return fmt.Sprintf("/held-feeds/%d/%s", id, act) }

func optionsLabel(names models.StringList, o models.Options) string {
	l := o.Label(names)
	if l == "" {
		return "Default"
	}
	return l
}

// sparkline is a small SVG chart of a 30-day trend: the line, the area
// under it and the threshold, scaled to the larger of the two.
type sparkline struct {
	Line, Area string
	ThresholdY string
	Width      int
	Height     int
}

const sparkW, sparkH = 120, 30

func spark(values []int64, threshold int64) sparkline {
	s := sparkline{Width: sparkW, Height: sparkH}
	if len(values) < 2 {
		return s
	}
	top := max(threshold*2, 1)
	for _, v := range values {
		top = max(top, v)
	}
	y := func(v int64) float64 { return float64(sparkH-2) - float64(v)/float64(top)*float64(sparkH-4) }
	step := float64(sparkW) / float64(len(values)-1)
	var b strings.Builder
	for i, v := range values {
		if i == 0 {
			b.WriteString("M")
		} else {
			b.WriteString(" L")
		}
		fmt.Fprintf(&b, "%.1f,%.1f", float64(i)*step, y(v))
	}
	s.Line = b.String()
	s.Area = s.Line + fmt.Sprintf(" L%d,%d L0,%d Z", sparkW, sparkH, sparkH)
	s.ThresholdY = fmt.Sprintf("%.1f", y(threshold))
	return s
}

func trendSummary(values []int64) string {
	if len(values) == 0 {
		return "no history"
	}
	return fmt.Sprintf("supply 30 days ago %d, today %d", values[0], values[len(values)-1])
}

func ago(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return components.Ago(*t)
}

func scheduleText(s string) string {
	if s == "" {
		return "synced by hand"
	}
	return "every " + strings.TrimPrefix(s, "every ")
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// lagKind flags a supplier whose last good sync is older than its allowed lag.
func lagKind(s *models.Supplier, st models.SyncState) string {
	if st.LastGoodSyncAt == nil {
		return "bad"
	}
	if time.Since(*st.LastGoodSyncAt) > time.Duration(s.AllowedLagMinutes)*time.Minute {
		return "warn"
	}
	return "ok"
}

func failKind(n int) string {
	if n > 0 {
		return "bad"
	}
	return ""
}

func rejectedKind(n int64) string {
	if n > 0 {
		return "warn"
	}
	return ""
}

func skuCount(st models.SyncState) string {
	if st.LastSKUCount == nil {
		return "—"
	}
	return n(*st.LastSKUCount)
}

func supplierOptions(list []models.Supplier) []components.Option {
	opts := []components.Option{{Value: "0", Label: "All suppliers"}}
	for _, s := range list {
		opts = append(opts, components.Option{Value: fmt.Sprint(s.ID), Label: s.Code + " · " + s.Name})
	}
	return opts
}

func sourceOptions() []components.Option {
	opts := []components.Option{{Value: "", Label: "Any source"}}
	for _, s := range []string{models.SourceFeed, models.SourceREST, models.SourceX12, models.SourceWebhook, models.SourceUpload, models.SourceApproval} {
		opts = append(opts, components.Option{Value: s, Label: sourceLabel(s)})
	}
	return opts
}

func statusOptions() []components.Option {
	opts := []components.Option{{Value: "", Label: "Any outcome"}}
	for _, s := range []string{models.SyncSucceeded, models.SyncNotModified, models.SyncHeld, models.SyncFailed, models.SyncRunning} {
		_, label := statusBadge(s)
		opts = append(opts, components.Option{Value: s, Label: label})
	}
	return opts
}

func outKind(v int64) string {
	if v > 0 {
		return "bad"
	}
	return "ok"
}

func lowKind(v int64) string {
	if v > 0 {
		return "warn"
	}
	return "ok"
}

func categoryOptions(list []models.Category) []components.Option {
	opts := []components.Option{{Value: "0", Label: "All categories"}}
	for _, c := range list {
		opts = append(opts, components.Option{Value: fmt.Sprint(c.ID), Label: c.Name})
	}
	return opts
}

func stateOptions() []components.Option {
	return []components.Option{{Value: "", Label: "Out of stock and low"}, {Value: models.LowStateOut, Label: "Out of stock"},
		{Value: models.LowStateLow, Label: "Low, not out"}}
}

func joinColumns(cols []string) string { return strings.Join(cols, ", ") }

func joinLines(lines []string) string { return strings.Join(lines, "\n") }

func costText(cents *int64, currency string) string {
	if cents == nil {
		return "—"
	}
	return components.Money(*cents, currency)
}

func leadText(days *int) string {
	if days == nil {
		return "—"
	}
	return fmt.Sprintf("%d d", *days)
}

func lastErrorHint(e string) string {
	if e == "" {
		return "the last run worked"
	}
	return e
}

// problemsNote says how many of a run's problem rows are listed.
func problemsNote(r *models.SyncRun) string {
	total := r.RowsRejected + r.RowsDuplicate
	if int64(len(r.FirstErrors)) < total {
		return fmt.Sprintf("The first %d of %s, by line.", len(r.FirstErrors), n(total))
	}
	return "By line in the file."
}
