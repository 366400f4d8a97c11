// Package dashboard is the home page.
package dashboard

import (
	"fmt"
	"strings"

	"dropship/models"
	"dropship/views/components"
)

func teamSize(d *models.Dashboard) int64 {
	var n int64
	for _, c := range d.UsersByRole {
		n += c
	}
	return n
}

func teamHint(d *models.Dashboard) string {
	var parts []string
	for _, r := range []models.Role{models.RoleOwner, models.RoleManager, models.RoleCSRep, models.RoleViewer} {
		if n := d.UsersByRole[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(r.Label())))
		}
	}
	if len(parts) == 0 {
		return "no active users"
	}
	return strings.Join(parts, " · ")
}

func failuresHint(d *models.Dashboard) string {
	if d.JobFailures24h == 0 {
		return "none failed"
	}
	return fmt.Sprintf("%d failed", d.JobFailures24h)
}

func failuresKind(d *models.Dashboard) string {
	if d.JobFailures24h > 0 {
		return "bad"
	}
	return ""
}

// dayPoints turns the 14-day figures into chart bars labelled like "Mon 23".
func dayPoints(d *models.Dashboard) []components.BarPoint {
	out := make([]components.BarPoint, len(d.OrdersByDay))
	for i, day := range d.OrdersByDay {
		out[i] = components.BarPoint{Label: day.Day.Format("Mon 2"), Short: day.Day.Format("2"), Value: day.Orders,
			Title: fmt.Sprintf("%s: %d orders, %s %s", day.Day.Format("Mon 2 Jan"), day.Orders, models.FormatCents(day.TotalCents), d.Currency)}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
