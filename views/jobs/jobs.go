// Package jobs is the background job runs page.
package jobs

import (
	"net/url"

	"dropship/views/components"
)

func jobOptions(names []string) []components.Option {
	opts := []components.Option{{Value: "", Label: "All jobs"}}
	for _, n := range names {
		opts = append(opts, components.Option{Value: n, Label: n})
	}
	return opts
}

func outcomeOptions() []components.Option {
	return []components.Option{
		{Value: "", Label: "Any outcome"},
		{Value: "succeeded", Label: "Succeeded"},
		{Value: "failed", Label: "Failed"},
		{Value: "running", Label: "Running"},
	}
}

func refreshURL(d PageData) string {
	q := url.Values{}
	if d.Job != "" {
		q.Set("job", d.Job)
	}
	if d.Outcome != "" {
		q.Set("outcome", d.Outcome)
	}
	return "/jobs?" + q.Encode()
}
