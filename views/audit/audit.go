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
	"user.create":           "created",
	"user.update":           "changed",
	"user.password_change":  "changed the password of",
	"settings.update":       "changed",
	"category.create":       "created",
	"product.create":        "created",
	"product.update":        "changed",
	"variant.create":        "created",
	"variant.update":        "changed",
	"variant.generate":      "generated variants of",
	"supplier.create":       "added",
	"supplier.update":       "changed",
	"supplier.pause":        "paused",
	"supplier.activate":     "activated",
	"supplier.deactivate":   "deactivated",
	"supplier.delete":       "deleted",
	"supplier.mapping":      "changed the feed mapping of",
	"supplier.pin_host_key": "pinned the SSH host key of",
	"held_feed.approve":     "approved a held feed of",
	"held_feed.reject":      "rejected a held feed of",
	"offer.create":          "mapped",
	"offer.update":          "changed",
	"offer.remap":           "remapped",
	"offer.activate":        "turned on",
	"offer.deactivate":      "turned off",
	"unmapped.map":          "mapped",
	"unmapped.ignore":       "ignored",
	"unmapped.restore":      "put back in the queue",
	"catalog.import":        "imported",
	"demo.seed":             "seeded the demo",
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
