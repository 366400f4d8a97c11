// Package layout is the page frame: head, navigation, flash messages.
package layout

import (
	"context"
	"time"

	"dropship/models"
)

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind    string // success, error, info, warning
	Message string
}

// Chrome is what every page needs from the request: who is looking, the CSRF
// token for its forms, the flash messages, the path (for the active link) and
// the zone times are shown in.
type Chrome struct {
	User    *models.User
	CSRF    string
	Flashes []Flash
	Path    string
	Zone    *time.Location
}

type chromeKey struct{}

// WithChrome stores c in ctx for the templates.
func WithChrome(ctx context.Context, c Chrome) context.Context {
	return context.WithValue(ctx, chromeKey{}, c)
}

// ChromeFrom returns the Chrome stored in ctx (zero value when none).
func ChromeFrom(ctx context.Context) Chrome {
	c, _ := ctx.Value(chromeKey{}).(Chrome)
	if c.Zone == nil {
		c.Zone = time.UTC
	}
	return c
}

// CSRFToken is the request's CSRF token, for forms.
func CSRFToken(ctx context.Context) string { return ChromeFrom(ctx).CSRF }

// CurrentUser is the signed-in user, or nil.
func CurrentUser(ctx context.Context) *models.User { return ChromeFrom(ctx).User }
