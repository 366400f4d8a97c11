// Package dashboard is the home page.
package dashboard

import (
	"fmt"
	"strings"

	"dropship/models"
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

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// countKind colours a count: kind when there is any, ok when none.
func countKind(n int64, kind string) string {
	if n > 0 {
		return kind
	}
	return "ok"
}
