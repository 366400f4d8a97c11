// Package audit is the audit log page.
package audit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"dropship/models"
)

// ActionLabel says what an audit action did, as a verb for "<actor> <verb> <thing>".
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	if i := strings.LastIndexByte(action, '.'); i >= 0 {
		return strings.ReplaceAll(action[i+1:], "_", " ")
	}
	return action
}

var actionLabels = map[string]string{
	"user.create":          "created",
	"user.update":          "changed",
	"user.password_change": "changed the password of",
	"settings.update":      "changed",
}

// diffSummary lists the top-level fields whose values differ between before and after.
func diffSummary(e models.AuditEntry) string {
	var before, after map[string]any
	_ = json.Unmarshal(e.Before, &before)
	_ = json.Unmarshal(e.After, &after)
	var changed []string
	for k, v := range after {
		if bv, ok := before[k]; !ok || !reflect.DeepEqual(bv, v) {
			changed = append(changed, fmt.Sprintf("%s: %v", k, v))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok && after != nil {
			changed = append(changed, k+": removed")
		}
	}
	sort.Strings(changed)
	s := strings.Join(changed, ", ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
